package domain

import (
	"fmt"
	"time"
)

// Clusters over time: a cluster's members, chair and deputy per year, and
// who is a member on a date. Only the members on the date take part in a
// review: a province merged away neither reports, votes nor leads
// (domain.md, "Roles"; Resolution 202/2025/QH15).

// ClusterYearInput is the command to set a cluster's composition for a year.
type ClusterYearInput struct {
	Year      int
	MemberIDs []string
	ChairID   *string
	DeputyID  *string
}

// CheckClusterYear checks a composition: known provinces that exist at the
// start of the year, no repeats, at least two, a chair and a deputy among
// them, not the same province.
func CheckClusterYear(ref Reference, now time.Time, in ClusterYearInput) (ClusterYear, error) {
	c := newChecker(ref, now)
	c.year("input.year", in.Year)
	y := ClusterYear{Year: in.Year, Members: []string{}}
	seen := map[string]bool{}
	for i, id := range in.MemberIDs {
		field := fmt.Sprintf("input.memberIds[%d]", i)
		p := c.province(field, id)
		if p == nil {
			continue
		}
		c.activeOn(field, p, yearStart(in.Year))
		if seen[id] {
			c.fail(field, "%s is listed twice", id)
		}
		seen[id] = true
		y.Members = append(y.Members, id)
	}
	if len(y.Members) < 2 {
		c.fail("input.memberIds", "a cluster has at least two members")
	}
	if in.ChairID != nil {
		if !seen[*in.ChairID] {
			c.fail("input.chairId", "the chair must be a member")
		}
		y.Chair = *in.ChairID
	}
	if in.DeputyID != nil {
		if !seen[*in.DeputyID] {
			c.fail("input.deputyId", "the deputy must be a member")
		}
		if in.ChairID != nil && *in.ChairID == *in.DeputyID {
			c.fail("input.deputyId", "the chair and the deputy are two provinces")
		}
		y.Deputy = *in.DeputyID
	}
	return y, c.err
}

// Membership is a cluster's composition as it stands on a date: the year's
// members that exist on the date, and its chair and deputy if they do.
type Membership struct {
	Cluster *Cluster
	Year    int
	Date    string
	Members []string
	Chair   string
	Deputy  string
}

// Has reports whether province is a member on the date.
func (m *Membership) Has(province string) bool { return m != nil && contains(m.Members, province) }

// MembersOn returns the composition of the cluster of year on date, or nil
// when no cluster has one for that year.
func MembersOn(ref Reference, year int, date string) *Membership {
	cl, y := ref.ClusterOf(year)
	if y == nil {
		return nil
	}
	active := func(id string) bool {
		p := ref.Province(id)
		return p != nil && p.ActiveOn(date)
	}
	m := &Membership{Cluster: cl, Year: year, Date: date, Members: []string{}}
	for _, id := range y.Members {
		if active(id) {
			m.Members = append(m.Members, id)
		}
	}
	if y.Chair != "" && active(y.Chair) {
		m.Chair = y.Chair
	}
	if y.Deputy != "" && active(y.Deputy) {
		m.Deputy = y.Deputy
	}
	return m
}

// ReviewMembership is the composition of a review's cluster on its date.
func ReviewMembership(ref Reference, r *PeriodReview) *Membership {
	return MembersOn(ref, r.Year, r.Date)
}
