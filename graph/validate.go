package graph

import (
	"fmt"
	"math"
	"strconv"
	"time"
	"unicode/utf8"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/thidua/thidua/catalog"
	"github.com/thidua/thidua/domain"
	"github.com/thidua/thidua/graph/model"
	"github.com/thidua/thidua/repository"
	"github.com/thidua/thidua/vntext"
)

// Input checking: each function turns an API input into a repository
// document, or returns the first problem as BAD_USER_INPUT with its field.
// Nothing is written before an input has passed.

// Limits on text fields, in characters.
const (
	maxTitle    = 300
	maxName     = 300
	maxShort    = 200
	maxLong     = 4000
	minYear     = 1945
	maxYearSkew = 1 // years after the current one
)

// Law 06/2022/QH15 applies to decisions from 1 January 2024.
const (
	law2003      = "Luật Thi đua, Khen thưởng năm 2003"
	law2022      = "Luật Thi đua, khen thưởng số 06/2022/QH15"
	law2022Start = "2024-01-01"
)

type checker struct {
	err  error
	snap *catalog.Snapshot
	now  time.Time
}

func (c *checker) fail(field, format string, args ...any) {
	if c.err == nil {
		c.err = domain.Invalid(field, format, args...)
	}
}

// text cleans s and checks its length; required text may not be blank.
func (c *checker) text(field string, s *string, required bool, max int) string {
	if s == nil {
		if required {
			c.fail(field, "is required")
		}
		return ""
	}
	v := vntext.Clean(*s)
	switch {
	case v == "" && required:
		c.fail(field, "must not be blank")
	case utf8.RuneCountInString(v) > max:
		c.fail(field, "must be at most %d characters", max)
	}
	return v
}

func (c *checker) year(field string, y int) {
	if y < minYear || y > c.now.Year()+maxYearSkew {
		c.fail(field, "must be a year between %d and %d", minYear, c.now.Year()+maxYearSkew)
	}
}

func (c *checker) optYear(field string, y *int) {
	if y != nil {
		c.year(field, *y)
	}
}

func (c *checker) number(field string, v float64, lo, hi float64) {
	if math.IsNaN(v) || math.IsInf(v, 0) || v < lo || v > hi {
		c.fail(field, "must be a number between %s and %s", formatNumber(lo), formatNumber(hi))
	}
}

func (c *checker) province(field, id string) *repository.Province {
	p := c.snap.Province(id)
	if p == nil {
		c.fail(field, "unknown province %q", id)
	}
	return p
}

// activeOn checks that a record dated date (YYYY-MM-DD) may be filed under p.
func (c *checker) activeOn(field string, p *repository.Province, date string) {
	if p == nil || p.ActiveOn(date) {
		return
	}
	if p.ValidTo != "" && date > p.ValidTo && p.SuccessorID != "" {
		c.fail(field, "%s ceased to exist on %s; file records from then on under %s", p.Name, p.ValidTo, p.SuccessorID)
		return
	}
	c.fail(field, "%s did not exist on %s", p.Name, date)
}

func (c *checker) objectID(field, id string) bson.ObjectID {
	oid, err := repository.ParseID(field, id)
	if err != nil && c.err == nil {
		c.err = err
	}
	return oid
}

func (c *checker) date(field string, d model.Date) string {
	if _, err := model.ParseDate(string(d)); err != nil {
		c.fail(field, "%v", err)
	}
	if string(d) > c.now.Format(model.DateLayout) {
		c.fail(field, "must not be in the future")
	}
	return string(d)
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// movementDoc checks a movement input.
func (c *checker) movementDoc(in model.MovementInput) *repository.Movement {
	m := &repository.Movement{
		Title:       c.text("input.title", &in.Title, true, maxTitle),
		Scope:       string(in.Scope),
		Kind:        string(in.Kind),
		LaunchedBy:  c.text("input.launchedBy", in.LaunchedBy, false, maxShort),
		Description: c.text("input.description", in.Description, false, maxLong),
		StartYear:   in.StartYear,
		EndYear:     in.EndYear,
		Published:   in.Published == nil || *in.Published,
		Owner:       repository.ScopeAll,
	}
	if in.Scope == model.MovementScopeProvince {
		if in.ProvinceID == nil {
			c.fail("input.provinceId", "is required for a PROVINCE movement")
		} else if p := c.province("input.provinceId", *in.ProvinceID); p != nil {
			m.ProvinceID, m.Owner = p.ID, p.ID
			if in.StartYear != nil {
				c.activeOn("input.provinceId", p, strconv.Itoa(*in.StartYear)+"-01-01")
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
	return m
}

// awardDoc checks an award input; movement is the movement it names (or
// nil), already read within the caller's access.
func (c *checker) awardDoc(in model.AwardInput, movement *repository.Movement) *repository.Award {
	a := &repository.Award{
		ProvinceID: in.ProvinceID, AwardTypeID: in.AwardTypeID, Authority: string(in.Authority),
		Year: in.Year, Status: string(in.Status),
		Citation:        c.text("input.citation", in.Citation, false, maxLong),
		RejectionReason: c.text("input.rejectionReason", in.RejectionReason, false, maxLong),
	}
	p := c.province("input.provinceId", in.ProvinceID)
	t := c.snap.AwardType(in.AwardTypeID)
	if t == nil {
		c.fail("input.awardTypeId", "unknown award type %q", in.AwardTypeID)
	}
	c.year("input.year", in.Year)
	if in.Recipient == nil {
		c.fail("input.recipient", "is required")
		return a
	}
	a.Recipient = repository.Recipient{
		Kind:         string(in.Recipient.Kind),
		Name:         c.text("input.recipient.name", &in.Recipient.Name, true, maxName),
		Position:     c.text("input.recipient.position", in.Recipient.Position, false, maxName),
		Organization: c.text("input.recipient.organization", in.Recipient.Organization, false, maxName),
	}
	if t != nil {
		switch {
		case len(t.Classes) > 0 && in.Class == nil:
			c.fail("input.class", "%s is conferred in classes; give one of %v", t.Name, t.Classes)
		case len(t.Classes) == 0 && in.Class != nil:
			c.fail("input.class", "%s has no classes", t.Name)
		case in.Class != nil && !contains(t.Classes, string(*in.Class)):
			c.fail("input.class", "%s is not a class of %s", *in.Class, t.Name)
		}
		if in.Class != nil {
			a.Class = string(*in.Class)
		}
		if !contains(t.Authorities, string(in.Authority)) {
			c.fail("input.authority", "%s is conferred by %v, not %s", t.Name, t.Authorities, in.Authority)
		}
		if !contains(t.RecipientKinds, string(in.Recipient.Kind)) {
			c.fail("input.recipient.kind", "%s is for %v, not %s", t.Name, t.RecipientKinds, in.Recipient.Kind)
		}
	}
	if in.Decision != nil {
		a.Decision = &repository.Decision{
			Number: c.text("input.decision.number", &in.Decision.Number, true, maxShort),
			Date:   c.date("input.decision.date", in.Decision.Date),
		}
	}
	switch in.Status {
	case model.AwardStatusRevoked:
		c.fail("input.status", "an award is revoked with revokeAward, which records the revoking decision")
	case model.AwardStatusConferred:
		if a.Decision == nil {
			c.fail("input.decision", "a CONFERRED award needs its decision (number and date)")
		}
	case model.AwardStatusRejected:
		if a.RejectionReason == "" {
			c.fail("input.rejectionReason", "a REJECTED award needs the reason")
		}
	}
	if a.RejectionReason != "" && in.Status != model.AwardStatusRejected {
		c.fail("input.rejectionReason", "only a REJECTED award has a rejection reason")
	}
	// The date the record is about: its decision, or the end of its year.
	on := fmt.Sprintf("%04d-12-31", in.Year)
	if a.Decision != nil {
		on = a.Decision.Date
	}
	if p != nil {
		// A proposal is filed in its year; the province must exist then.
		c.activeOn("input.provinceId", p, minDate(on, fmt.Sprintf("%04d-01-01", in.Year)))
	}
	a.LegalBasis = law2003
	if on >= law2022Start {
		a.LegalBasis = law2022
	}
	if in.MovementID != nil {
		if movement == nil {
			c.fail("input.movementId", "unknown movement %q", *in.MovementID)
		} else {
			if movement.Scope == "PROVINCE" && movement.ProvinceID != in.ProvinceID {
				c.fail("input.movementId", "the movement belongs to %s, not %s", movement.ProvinceID, in.ProvinceID)
			}
			id := movement.ID
			a.MovementID = &id
		}
	}
	return a
}

func minDate(a, b string) string {
	if a < b {
		return a
	}
	return b
}

// reviewDoc checks a period review input; movements are those it names that
// the caller can see, by id.
func (c *checker) reviewDoc(in model.PeriodReviewInput, movements map[bson.ObjectID]*repository.Movement) *repository.PeriodReview {
	r := &repository.PeriodReview{
		Owner: repository.ScopeAll, Kind: string(in.Kind), Year: in.Year,
		Period:    c.text("input.period", in.Period, false, maxShort),
		Date:      c.date("input.date", in.Date),
		Location:  c.text("input.location", in.Location, false, maxName),
		Theme:     c.text("input.theme", in.Theme, false, maxLong),
		Published: in.Published != nil && *in.Published,
	}
	c.year("input.year", in.Year)
	if (in.PeriodStart == nil) != (in.PeriodEnd == nil) {
		c.fail("input.periodEnd", "give both periodStart and periodEnd, or neither")
	}
	if in.PeriodStart != nil && in.PeriodEnd != nil {
		r.PeriodStart, r.PeriodEnd = string(*in.PeriodStart), string(*in.PeriodEnd)
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
	r.MovementIDs = []bson.ObjectID{}
	seen := map[bson.ObjectID]bool{}
	for i, id := range in.MovementIds {
		field := fmt.Sprintf("input.movementIds[%d]", i)
		oid := c.objectID(field, id)
		if c.err != nil {
			break
		}
		if movements[oid] == nil {
			c.fail(field, "unknown movement %q", id)
		}
		if !seen[oid] {
			seen[oid] = true
			r.MovementIDs = append(r.MovementIDs, oid)
		}
	}
	r.ReportedFigures = []repository.ReportedFigure{}
	seenInd := map[string]bool{}
	for i, f := range in.ReportedFigures {
		field := fmt.Sprintf("input.reportedFigures[%d]", i)
		ind := c.snap.Indicator(f.IndicatorID)
		if ind == nil {
			c.fail(field+".indicatorId", "unknown indicator %q", f.IndicatorID)
			continue
		}
		if seenInd[ind.ID] {
			c.fail(field+".indicatorId", "%s is reported twice", ind.ID)
		}
		seenInd[ind.ID] = true
		q := model.FigureQualifierExact
		if f.Qualifier != nil {
			q = *f.Qualifier
		}
		rf := repository.ReportedFigure{IndicatorID: ind.ID, Min: f.Min, Max: f.Max, Value: f.Value,
			Total: f.Total, Ratio: f.Ratio, Qualifier: string(q), Note: c.text(field+".note", f.Note, false, maxLong)}
		c.figure(field, ind, rf)
		r.ReportedFigures = append(r.ReportedFigures, rf)
	}
	r.ReportedAwardTallies = []repository.ReportedAwardTally{}
	for i, t := range in.ReportedAwardTallies {
		field := fmt.Sprintf("input.reportedAwardTallies[%d]", i)
		if t.Count < 0 {
			c.fail(field+".count", "must not be negative")
		}
		if len(t.Authorities) == 0 {
			c.fail(field+".authorities", "name at least one authority")
		}
		tally := repository.ReportedAwardTally{Count: t.Count, AwardTypeIDs: []string{},
			Note: c.text(field+".note", t.Note, false, maxLong)}
		for _, a := range t.Authorities {
			tally.Authorities = append(tally.Authorities, string(a))
		}
		for j, id := range t.AwardTypeIds {
			if c.snap.AwardType(id) == nil {
				c.fail(fmt.Sprintf("%s.awardTypeIds[%d]", field, j), "unknown award type %q", id)
			}
			tally.AwardTypeIDs = append(tally.AwardTypeIDs, id)
		}
		r.ReportedAwardTallies = append(r.ReportedAwardTallies, tally)
	}
	return r
}

// figure checks a reported figure's shape against its indicator.
func (c *checker) figure(field string, ind *repository.Indicator, f repository.ReportedFigure) {
	const big = 1e15
	for name, v := range map[string]*float64{"min": f.Min, "max": f.Max, "value": f.Value, "total": f.Total} {
		if v != nil {
			c.number(field+"."+name, *v, -big, big)
		}
	}
	if f.Ratio != nil {
		c.number(field+".ratio", *f.Ratio, 0, 100)
	}
	switch ind.Aggregation {
	case "RANGE":
		if (f.Min == nil) != (f.Max == nil) {
			c.fail(field+".max", "give both min and max")
		}
		if f.Min == nil && f.Value == nil {
			c.fail(field+".value", "give value, or min and max")
		}
		if f.Min != nil && f.Max != nil && *f.Min > *f.Max {
			c.fail(field+".max", "must not be less than min")
		}
	case "SUM":
		if f.Value == nil {
			c.fail(field+".value", "is required")
		} else if *f.Value < 0 {
			c.fail(field+".value", "must not be negative")
		}
	case "RATIO":
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
		c.fail(field+".value", "cannot exceed total (%s)", formatNumber(*total))
	}
}

// reportValues checks a province's values for a review.
func (c *checker) reportValues(values []*model.IndicatorValueInput) []repository.IndicatorValue {
	out := make([]repository.IndicatorValue, 0, len(values))
	seen := map[string]bool{}
	for i, v := range values {
		field := fmt.Sprintf("values[%d]", i)
		ind := c.snap.Indicator(v.IndicatorID)
		if ind == nil {
			c.fail(field+".indicatorId", "unknown indicator %q", v.IndicatorID)
			continue
		}
		if seen[ind.ID] {
			c.fail(field+".indicatorId", "%s is given twice", ind.ID)
		}
		seen[ind.ID] = true
		switch ind.Aggregation {
		case "RANGE":
			c.number(field+".value", v.Value, -100, 100)
		case "SUM":
			c.number(field+".value", v.Value, 0, 1e15)
		case "RATIO":
			c.ratio(field, &v.Value, v.Total)
		}
		if v.Total != nil && ind.Aggregation != "RATIO" {
			c.fail(field+".total", "only ratio indicators have a total")
		}
		out = append(out, repository.IndicatorValue{IndicatorID: ind.ID, Value: v.Value, Total: v.Total})
	}
	return out
}

// awardTransition says whether an award may go from one status to another
// by an update: PROPOSED → CONFERRED or REJECTED; REJECTED → PROPOSED; a
// CONFERRED award stays CONFERRED until revoked (revokeAward); a REVOKED one
// no longer changes.
func awardTransition(from, to string) error {
	allowed := map[string][]string{
		"PROPOSED":  {"PROPOSED", "CONFERRED", "REJECTED"},
		"REJECTED":  {"REJECTED", "PROPOSED"},
		"CONFERRED": {"CONFERRED"},
	}
	if contains(allowed[from], to) {
		return nil
	}
	switch from {
	case "CONFERRED":
		return domain.Invalid("input.status", "a CONFERRED award cannot become %s; revoke it with revokeAward", to)
	case "REVOKED":
		return domain.Invalid("input.status", "a REVOKED award no longer changes")
	}
	return domain.Invalid("input.status", "a %s award cannot become %s", from, to)
}
