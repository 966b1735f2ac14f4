package domain

import (
	"math"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/thidua/thidua/vntext"
)

// Input checking: each Check function turns a command's input into a
// record, or returns the first problem as BAD_USER_INPUT with its field.
// Nothing is written before an input has passed.

// Limits on text fields, in characters, and on years.
const (
	MaxTitle    = 300
	MaxName     = 300
	MaxShort    = 200
	MaxLong     = 4000
	MinYear     = 1945
	maxYearSkew = 1 // years after the current one
)

// DateLayout is the layout of a calendar date.
const DateLayout = "2006-01-02"

// Reference is the reference data the rules consult (the catalogue).
type Reference interface {
	Province(id string) *Province
	AwardType(id string) *AwardType
	Indicator(id string) *Indicator
	// ClusterOf returns the cluster that has a composition for year, and
	// that composition; nil when none has.
	ClusterOf(year int) (*Cluster, *ClusterYear)
	// LawPeriods is the law table (LawPeriod), in its order.
	LawPeriods() []LawPeriod
}

// checker collects the first problem of an input.
type checker struct {
	err error
	ref Reference
	now time.Time
}

func newChecker(ref Reference, now time.Time) *checker { return &checker{ref: ref, now: now} }

func (c *checker) fail(field, format string, args ...any) {
	if c.err == nil {
		c.err = Invalid(field, format, args...)
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
	if !utf8.ValidString(*s) {
		c.fail(field, "is not valid UTF-8 text")
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
	if y < MinYear || y > c.now.Year()+maxYearSkew {
		c.fail(field, "must be a year between %d and %d", MinYear, c.now.Year()+maxYearSkew)
	}
}

func (c *checker) optYear(field string, y *int) {
	if y != nil {
		c.year(field, *y)
	}
}

func (c *checker) number(field string, v float64, lo, hi float64) {
	if math.IsNaN(v) || math.IsInf(v, 0) || v < lo || v > hi {
		c.fail(field, "must be a number between %s and %s", FormatNumber(lo), FormatNumber(hi))
	}
}

func (c *checker) province(field, id string) *Province {
	p, err := KnownProvince(c.ref, field, id)
	if err != nil && c.err == nil {
		c.err = err
	}
	return p
}

// KnownProvince is the province id names, or an error on field when the
// catalogue holds none ("" included).
func KnownProvince(ref Reference, field, id string) (*Province, error) {
	if p := ref.Province(id); p != nil {
		return p, nil
	}
	return nil, Invalid(field, "unknown province %q", id)
}

// activeOn checks that a record dated date may be filed under p.
func (c *checker) activeOn(field string, p *Province, date string) {
	if err := ProvinceActiveOn(field, p, date); err != nil && c.err == nil {
		c.err = err
	}
}

// ProvinceActiveOn refuses a record dated date filed under p when p did not
// exist then: a merged-away province takes nothing after its merger
// (Resolution 202/2025/QH15 on the 2025 arrangement of provinces).
func ProvinceActiveOn(field string, p *Province, date string) error {
	if p == nil || p.ActiveOn(date) {
		return nil
	}
	if p.ValidTo != "" && date > p.ValidTo && p.SuccessorID != "" {
		return Invalid(field, "%s ceased to exist on %s; file records from then on under %s", p.Name, p.ValidTo, p.SuccessorID)
	}
	return Invalid(field, "%s did not exist on %s", p.Name, date)
}

func (c *checker) id(field, id string) {
	if err := CheckID(field, id); err != nil && c.err == nil {
		c.err = err
	}
}

// date checks a calendar date, not in the future.
func (c *checker) date(field string, d string) string {
	if err := CheckDate(field, d); err != nil {
		if c.err == nil {
			c.err = err
		}
		return d
	}
	if d > c.now.Format(DateLayout) {
		c.fail(field, "must not be in the future")
	}
	return d
}

// CheckDate checks s as a calendar date (YYYY-MM-DD).
func CheckDate(field, s string) error {
	t, err := time.Parse(DateLayout, s)
	if err != nil || t.Format(DateLayout) != s {
		return Invalid(field, "%q is not a date (YYYY-MM-DD)", s)
	}
	return nil
}

func yearStart(y int) string { return pad4(y) + "-01-01" }
func yearEnd(y int) string   { return pad4(y) + "-12-31" }

func pad4(y int) string {
	s := strconv.Itoa(y)
	for len(s) < 4 {
		s = "0" + s
	}
	return s
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

func minDate(a, b string) string {
	if a < b {
		return a
	}
	return b
}

// recipient cleans and checks a recipient's text (the kind is checked
// against the award type, by kind).
func (c *checker) recipient(field string, in *RecipientInput) Recipient {
	return Recipient{Kind: in.Kind,
		Name:         c.text(field+".name", &in.Name, true, MaxName),
		Position:     c.text(field+".position", in.Position, false, MaxName),
		Organization: c.text(field+".organization", in.Organization, false, MaxName)}
}

// decision checks a decision's (or a letter's) number and date; nil when
// none is given.
func (c *checker) decision(field string, in *DecisionInput) *Decision {
	if in == nil {
		return nil
	}
	return &Decision{Number: c.text(field+".number", &in.Number, true, MaxShort), Date: c.date(field+".date", in.Date)}
}

// class checks that a class is given exactly when t has classes, and is
// one of them; it returns the class ("" for none).
func (c *checker) class(field string, t *AwardType, class *string) string {
	switch {
	case len(t.Classes) > 0 && class == nil:
		c.fail(field, "%s is conferred in classes; give one of %v", t.Name, t.Classes)
	case len(t.Classes) == 0 && class != nil:
		c.fail(field, "%s has no classes", t.Name)
	case class != nil && !contains(t.Classes, *class):
		c.fail(field, "%s is not a class of %s", *class, t.Name)
	}
	if class == nil {
		return ""
	}
	return *class
}

// kind checks that t is for the recipient's kind.
func (c *checker) kind(field string, t *AwardType, kind string) {
	if !contains(t.RecipientKinds, kind) {
		c.fail(field, "%s is for %v, not %s", t.Name, t.RecipientKinds, kind)
	}
}

// authority checks that authority may decide t on the date.
func (c *checker) authority(field string, t *AwardType, authority, on string) {
	if !AuthorityAllowed(t, authority, on) {
		c.fail(field, "%s is decided by %v on %s, not by %s", t.Name, AuthoritiesOn(t, on), on, authority)
	}
}

// movement checks the movement a record of province rewards (id, as
// given; m, as read within the caller's access) and returns its id.
func (c *checker) movement(field string, id *string, m *Movement, province string) string {
	if id == nil {
		return ""
	}
	c.id(field, *id)
	switch {
	case c.err != nil:
	case m == nil:
		c.fail(field, "unknown movement %q", *id)
	case m.Scope == "PROVINCE" && m.ProvinceID != province:
		c.fail(field, "the movement belongs to %s, not %s", m.ProvinceID, province)
	default:
		return m.ID
	}
	return ""
}
