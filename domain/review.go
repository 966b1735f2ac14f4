package domain

import (
	"fmt"
	"math"
	"strconv"
	"time"
)

// Period reviews ("sơ kết", "tổng kết"), the province reports in them, and
// the cluster figures derived from the reports of the members on the date.

// PeriodReviewInput is the command to create or replace a review.
type PeriodReviewInput struct {
	Kind                 string
	Year                 int
	Period               *string
	PeriodStart          *string
	PeriodEnd            *string
	Date                 string
	HostProvinceID       string
	Location             *string
	Theme                *string
	MovementIDs          []string
	ReportedFigures      []ReportedFigureInput
	ReportedAwardTallies []ReportedAwardTallyInput
	Published            *bool // default false
}

// ReportedFigureInput is a cluster figure as reported.
type ReportedFigureInput struct {
	IndicatorID                   string
	Min, Max, Value, Total, Ratio *float64
	Qualifier                     *string
	Note                          *string
}

// ReportedAwardTallyInput is an award count as reported.
type ReportedAwardTallyInput struct {
	Authorities  []string
	AwardTypeIDs []string
	Count        int
	Note         *string
}

// CheckReview checks a review input; movements are those it names that the
// caller can see, by id.
func CheckReview(ref Reference, now time.Time, in PeriodReviewInput, movements map[string]*Movement) (*PeriodReview, error) {
	c := newChecker(ref, now)
	r := &PeriodReview{
		Owner: ScopeAll, Kind: in.Kind, Year: in.Year,
		Period:    c.text("input.period", in.Period, false, MaxShort),
		Date:      c.date("input.date", in.Date),
		Location:  c.text("input.location", in.Location, false, MaxName),
		Theme:     c.text("input.theme", in.Theme, false, MaxLong),
		Published: in.Published != nil && *in.Published,
	}
	c.year("input.year", in.Year)
	if (in.PeriodStart == nil) != (in.PeriodEnd == nil) {
		c.fail("input.periodEnd", "give both periodStart and periodEnd, or neither")
	}
	if in.PeriodStart != nil && in.PeriodEnd != nil {
		r.PeriodStart, r.PeriodEnd = *in.PeriodStart, *in.PeriodEnd
		if err := CheckDate("input.periodStart", r.PeriodStart); err != nil && c.err == nil {
			c.err = err
		}
		if err := CheckDate("input.periodEnd", r.PeriodEnd); err != nil && c.err == nil {
			c.err = err
		}
		if r.PeriodEnd < r.PeriodStart {
			c.fail("input.periodEnd", "must not be before periodStart")
		}
		if r.PeriodEnd > r.Date {
			c.fail("input.periodEnd", "a review looks back: its period ends by its date")
		}
	}
	if y, err := strconv.Atoi(r.Date[:min(4, len(r.Date))]); err == nil && (y < in.Year || y > in.Year+1) {
		c.fail("input.date", "a review of %d is held in %d or early %d", in.Year, in.Year, in.Year+1)
	}
	if p := c.province("input.hostProvinceId", in.HostProvinceID); p != nil {
		r.HostProvinceID = p.ID
		c.activeOn("input.hostProvinceId", p, r.Date)
	}
	r.MovementIDs = []string{}
	seen := map[string]bool{}
	for i, id := range in.MovementIDs {
		field := fmt.Sprintf("input.movementIds[%d]", i)
		c.id(field, id)
		if c.err != nil {
			break
		}
		if movements[id] == nil {
			c.fail(field, "unknown movement %q", id)
		}
		if !seen[id] {
			seen[id] = true
			r.MovementIDs = append(r.MovementIDs, id)
		}
	}
	r.ReportedFigures = []ReportedFigure{}
	seenInd := map[string]bool{}
	for i, f := range in.ReportedFigures {
		field := fmt.Sprintf("input.reportedFigures[%d]", i)
		ind := ref.Indicator(f.IndicatorID)
		if ind == nil {
			c.fail(field+".indicatorId", "unknown indicator %q", f.IndicatorID)
			continue
		}
		if seenInd[ind.ID] {
			c.fail(field+".indicatorId", "%s is reported twice", ind.ID)
		}
		seenInd[ind.ID] = true
		q := "EXACT"
		if f.Qualifier != nil {
			q = *f.Qualifier
		}
		rf := ReportedFigure{IndicatorID: ind.ID, Min: f.Min, Max: f.Max, Value: f.Value,
			Total: f.Total, Ratio: f.Ratio, Qualifier: q, Note: c.text(field+".note", f.Note, false, MaxLong)}
		c.figure(field, ind, rf)
		r.ReportedFigures = append(r.ReportedFigures, rf)
	}
	r.ReportedAwardTallies = []ReportedAwardTally{}
	for i, t := range in.ReportedAwardTallies {
		field := fmt.Sprintf("input.reportedAwardTallies[%d]", i)
		if t.Count < 0 {
			c.fail(field+".count", "must not be negative")
		}
		if len(t.Authorities) == 0 {
			c.fail(field+".authorities", "name at least one authority")
		}
		tally := ReportedAwardTally{Count: t.Count, Authorities: append([]string{}, t.Authorities...), AwardTypeIDs: []string{},
			Note: c.text(field+".note", t.Note, false, MaxLong)}
		for j, id := range t.AwardTypeIDs {
			if ref.AwardType(id) == nil {
				c.fail(fmt.Sprintf("%s.awardTypeIds[%d]", field, j), "unknown award type %q", id)
			}
			tally.AwardTypeIDs = append(tally.AwardTypeIDs, id)
		}
		r.ReportedAwardTallies = append(r.ReportedAwardTallies, tally)
	}
	return r, c.err
}

// figure checks a reported figure's shape against its indicator.
func (c *checker) figure(field string, ind *Indicator, f ReportedFigure) {
	const big = 1e15
	for _, nv := range []struct {
		name string
		v    *float64
	}{{"min", f.Min}, {"max", f.Max}, {"value", f.Value}, {"total", f.Total}} {
		if nv.v != nil {
			c.number(field+"."+nv.name, *nv.v, -big, big)
		}
	}
	if f.Ratio != nil {
		c.number(field+".ratio", *f.Ratio, 0, 100)
	}
	switch ind.Aggregation {
	case AggRange:
		if (f.Min == nil) != (f.Max == nil) {
			c.fail(field+".max", "give both min and max")
		}
		if f.Min == nil && f.Value == nil {
			c.fail(field+".value", "give value, or min and max")
		}
		if f.Min != nil && f.Max != nil && *f.Min > *f.Max {
			c.fail(field+".max", "must not be less than min")
		}
	case AggSum:
		if f.Value == nil {
			c.fail(field+".value", "is required")
		} else if *f.Value < 0 {
			c.fail(field+".value", "must not be negative")
		}
	case AggRatio:
		if f.Value == nil && f.Ratio == nil {
			c.fail(field+".value", "give value and total, or ratio")
		}
		c.ratio(field, f.Value, f.Total)
	}
}

// ratio checks a count against its total: 0 ≤ value ≤ total, whole numbers.
func (c *checker) ratio(field string, value, total *float64) {
	if value == nil {
		return
	}
	if total == nil {
		c.fail(field+".total", "is required with value")
		return
	}
	switch {
	case *total <= 0 || *total != math.Trunc(*total):
		c.fail(field+".total", "must be a positive whole number")
	case *value < 0 || *value != math.Trunc(*value):
		c.fail(field+".value", "must be a whole number, not negative")
	case *value > *total:
		c.fail(field+".value", "cannot exceed total (%s)", FormatNumber(*total))
	}
}

// IndicatorValueInput is a province's value of one indicator.
type IndicatorValueInput struct {
	IndicatorID string
	Value       float64
	Total       *float64
}

// CheckReportValues checks a province's values for a review.
func CheckReportValues(ref Reference, now time.Time, values []IndicatorValueInput) ([]IndicatorValue, error) {
	c := newChecker(ref, now)
	out := make([]IndicatorValue, 0, len(values))
	seen := map[string]bool{}
	for i, v := range values {
		field := fmt.Sprintf("values[%d]", i)
		ind := ref.Indicator(v.IndicatorID)
		if ind == nil {
			c.fail(field+".indicatorId", "unknown indicator %q", v.IndicatorID)
			continue
		}
		if seen[ind.ID] {
			c.fail(field+".indicatorId", "%s is given twice", ind.ID)
		}
		seen[ind.ID] = true
		switch ind.Aggregation {
		case AggRange:
			c.number(field+".value", v.Value, -100, 100)
		case AggSum:
			c.number(field+".value", v.Value, 0, 1e15)
		case AggRatio:
			c.ratio(field, &v.Value, v.Total)
		}
		if v.Total != nil && ind.Aggregation != AggRatio {
			c.fail(field+".total", "only ratio indicators have a total")
		}
		out = append(out, IndicatorValue{IndicatorID: ind.ID, Value: v.Value, Total: v.Total})
	}
	return out, c.err
}

// CanReport says whether province may report into review: it must be a
// member of the review's cluster on the review's date (domain.md, "Roles":
// only the members on the date take part).
func CanReport(ref Reference, review *PeriodReview, province string) error {
	p, err := KnownProvince(ref, "provinceId", province)
	if err != nil {
		return err
	}
	if err := ProvinceActiveOn("provinceId", p, review.Date); err != nil {
		return err
	}
	m := ReviewMembership(ref, review)
	if m == nil {
		return Invalid("reviewId", "no cluster has members recorded for %d; set them with setClusterYear", review.Year)
	}
	if !m.Has(province) {
		return Invalid("provinceId", "%s is not a member of the cluster on %s", p.Name, review.Date)
	}
	return nil
}

// IndicatorSummary is one indicator of a review's summary.
type IndicatorSummary struct {
	Indicator         *Indicator
	Derived           *Figure // from the members' reports; nil when none reported
	ProvincesReported int
	Reported          *ReportedFigure // as reported at the conference
	ReportedFigure    *Figure
	Difference        *Figure // derived minus reported
	Matches           *bool   // the two texts are the same
	NotReported       []string
}

// MemberReports keeps the reports of the review's members on its date.
func MemberReports(ref Reference, review *PeriodReview, reports []ProvinceReport) []ProvinceReport {
	m := ReviewMembership(ref, review)
	var out []ProvinceReport
	for _, r := range reports {
		if m.Has(r.ProvinceID) {
			out = append(out, r)
		}
	}
	return out
}

// Summarize derives the review's cluster figures, indicator by indicator,
// from the reports of the members on its date, beside the figures as
// reported.
func Summarize(ref Reference, review *PeriodReview, indicators []Indicator, reports []ProvinceReport) []IndicatorSummary {
	members := MemberReports(ref, review, reports)
	var memberIDs []string
	if m := ReviewMembership(ref, review); m != nil {
		memberIDs = m.Members
	}
	reported := map[string]*ReportedFigure{}
	for i := range review.ReportedFigures {
		reported[review.ReportedFigures[i].IndicatorID] = &review.ReportedFigures[i]
	}
	out := make([]IndicatorSummary, 0, len(indicators))
	for i := range indicators {
		ind := &indicators[i]
		derived, n := Derive(ind, members)
		s := IndicatorSummary{Indicator: ind, Derived: derived, ProvincesReported: n, Reported: reported[ind.ID],
			NotReported: notReported(memberIDs, members, ind.ID)}
		if s.Reported != nil {
			s.ReportedFigure = ReportedAsFigure(ind, *s.Reported)
		}
		if derived != nil && s.Reported != nil {
			s.Difference = Difference(ind, derived, s.ReportedFigure)
			m := derived.Text == s.ReportedFigure.Text
			s.Matches = &m
		}
		out = append(out, s)
	}
	return out
}

// notReported lists the members that have no value for the indicator.
func notReported(members []string, reports []ProvinceReport, indicator string) []string {
	has := map[string]bool{}
	for _, r := range reports {
		for _, v := range r.Values {
			if v.IndicatorID == indicator {
				has[r.ProvinceID] = true
			}
		}
	}
	out := []string{}
	for _, m := range members {
		if !has[m] {
			out = append(out, m)
		}
	}
	return out
}

// TallyFilters are the queries behind a reported award tally's derived
// count: the awards conferred in the review's period by the tally's
// authorities, of its award types, to the members on the review's date;
// and all awards conferred in the period to those members, which tells
// whether any were recorded at all. ok is false when the review has no
// period or no membership: then there is nothing to derive.
func TallyFilters(ref Reference, review *PeriodReview, t ReportedAwardTally) (count, recorded ConferredFilter, ok bool) {
	m := ReviewMembership(ref, review)
	if review.PeriodStart == "" || review.PeriodEnd == "" || m == nil || len(m.Members) == 0 {
		return count, recorded, false
	}
	recorded = ConferredFilter{From: review.PeriodStart, To: review.PeriodEnd, ProvinceIDs: m.Members}
	count = recorded
	count.Authorities, count.AwardTypeIDs = t.Authorities, t.AwardTypeIDs
	return count, recorded, true
}

// DerivedCount is a tally's derived count: nil when no award is recorded in
// the period at all (unknown, not zero).
func DerivedCount(count, recorded int) *int {
	if recorded == 0 {
		return nil
	}
	return &count
}
