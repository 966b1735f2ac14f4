package domain

import "time"

// MovementInput is the command to create or replace a movement.
type MovementInput struct {
	Title       string
	Scope       string // NATIONAL, CLUSTER, PROVINCE
	Kind        string
	ProvinceID  *string
	LaunchedBy  *string
	StartYear   *int
	EndYear     *int
	Description *string
	Published   *bool // default true
}

// OwnerScope is the scope that owns the movement the input describes: its
// province, or "*" for national and cluster movements. An input naming a
// province is checked against that province (and then refused as invalid
// if it is not a PROVINCE movement).
func (in MovementInput) OwnerScope() string {
	if in.ProvinceID != nil {
		return *in.ProvinceID
	}
	return ScopeAll
}

// CheckMovement checks a movement input.
func CheckMovement(ref Reference, now time.Time, in MovementInput) (*Movement, error) {
	c := newChecker(ref, now)
	m := &Movement{
		Title:       c.text("input.title", &in.Title, true, MaxTitle),
		Scope:       in.Scope,
		Kind:        in.Kind,
		LaunchedBy:  c.text("input.launchedBy", in.LaunchedBy, false, MaxShort),
		Description: c.text("input.description", in.Description, false, MaxLong),
		StartYear:   in.StartYear,
		EndYear:     in.EndYear,
		Published:   in.Published == nil || *in.Published,
		Owner:       ScopeAll,
	}
	if in.Scope == "PROVINCE" {
		if in.ProvinceID == nil {
			c.fail("input.provinceId", "is required for a PROVINCE movement")
		} else if p := c.province("input.provinceId", *in.ProvinceID); p != nil {
			m.ProvinceID, m.Owner = p.ID, p.ID
			if in.StartYear != nil {
				c.activeOn("input.provinceId", p, yearStart(*in.StartYear))
			}
		}
	} else if in.ProvinceID != nil {
		c.fail("input.provinceId", "must be empty for a %s movement", in.Scope)
	}
	c.optYear("input.startYear", in.StartYear)
	c.optYear("input.endYear", in.EndYear)
	if in.StartYear != nil && in.EndYear != nil && *in.EndYear < *in.StartYear {
		c.fail("input.endYear", "must not be before startYear")
	}
	return m, c.err
}
