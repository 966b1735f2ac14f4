package domain

import (
	"fmt"
	"regexp"
	"time"
)

// Reference data a `*` admin edits: the award-type and indicator
// catalogues. Each change is versioned and audited like any record.

var slugRe = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// AwardTypeInput is the command to create or replace an award type.
type AwardTypeInput struct {
	ID             string
	Name           string
	Form           string
	Classes        []string
	AuthorityRules []AuthorityRuleInput
	RecipientKinds []string
	Order          *int
	ValidFrom      *string
	ValidTo        *string
	LegalBasis     *string
	// RewardCoefficients: nil keeps the stored ones (the service fills
	// them in); empty clears them.
	RewardCoefficients []RewardCoefficientInput
}

// AuthorityRuleInput allows an authority between two dates.
type AuthorityRuleInput struct {
	Authority string
	From, To  *string
	Basis     *string
	// Unconfirmed marks a rule not checked against the gazette.
	Unconfirmed bool
}

func (c *checker) slug(field, id string) {
	if len(id) > 64 || !slugRe.MatchString(id) {
		c.fail(field, "%q is not an id of lower-case words joined by hyphens", id)
	}
}

func (c *checker) validity(field string, from, to *string) (string, string) {
	var f, t string
	if from != nil {
		f = *from
		if err := CheckDate(field+"From", f); err != nil && c.err == nil {
			c.err = err
		}
	}
	if to != nil {
		t = *to
		if err := CheckDate(field+"To", t); err != nil && c.err == nil {
			c.err = err
		}
	}
	if f != "" && t != "" && t < f {
		c.fail(field+"To", "must not be before %sFrom", field)
	}
	return f, t
}

// CheckAwardType checks an award type: a slug id, a name, at least one
// authority rule with ordered dates and one recipient kind, distinct
// classes.
func CheckAwardType(now time.Time, in AwardTypeInput) (*AwardType, error) {
	c := newChecker(nil, now)
	c.slug("input.id", in.ID)
	t := &AwardType{ID: in.ID, Name: c.text("input.name", &in.Name, true, MaxName), Form: in.Form,
		Classes: []string{}, Authorities: []string{}, AuthorityRules: []AuthorityRule{}, RecipientKinds: []string{},
		LegalBasis: c.text("input.legalBasis", in.LegalBasis, false, MaxLong)}
	if in.Order != nil {
		t.Order = *in.Order
	}
	t.ValidFrom, t.ValidTo = c.validity("input.valid", in.ValidFrom, in.ValidTo)
	for i, cl := range in.Classes {
		if contains(t.Classes, cl) {
			c.fail(fmt.Sprintf("input.classes[%d]", i), "%s is listed twice", cl)
		}
		t.Classes = append(t.Classes, cl)
	}
	for i, k := range in.RecipientKinds {
		if contains(t.RecipientKinds, k) {
			c.fail(fmt.Sprintf("input.recipientKinds[%d]", i), "%s is listed twice", k)
		}
		t.RecipientKinds = append(t.RecipientKinds, k)
	}
	if len(t.RecipientKinds) == 0 {
		c.fail("input.recipientKinds", "name at least one kind of recipient")
	}
	for i, r := range in.AuthorityRules {
		field := fmt.Sprintf("input.authorityRules[%d].", i)
		from, to := c.validity(field+"valid", r.From, r.To)
		rule := AuthorityRule{Authority: r.Authority, From: from, To: to, Basis: c.text(field+"basis", r.Basis, false, MaxShort),
			Unconfirmed: r.Unconfirmed}
		t.AuthorityRules = append(t.AuthorityRules, rule)
		if !contains(t.Authorities, r.Authority) {
			t.Authorities = append(t.Authorities, r.Authority)
		}
	}
	if len(t.AuthorityRules) == 0 {
		c.fail("input.authorityRules", "name at least one authority")
	}
	c.coefficients(t, in.RewardCoefficients)
	return t, c.err
}

// IndicatorInput is the command to create or replace an indicator.
type IndicatorInput struct {
	ID          string
	Name        string
	Unit        string
	Aggregation string
	Order       *int
	ValidFrom   *string
	ValidTo     *string
}

// CheckIndicator checks an indicator: a slug id, a name, a unit.
func CheckIndicator(now time.Time, in IndicatorInput) (*Indicator, error) {
	c := newChecker(nil, now)
	c.slug("input.id", in.ID)
	i := &Indicator{ID: in.ID, Name: c.text("input.name", &in.Name, true, MaxName),
		Unit: c.text("input.unit", &in.Unit, false, MaxShort), Aggregation: in.Aggregation}
	if in.Order != nil {
		i.Order = *in.Order
	}
	i.ValidFrom, i.ValidTo = c.validity("input.valid", in.ValidFrom, in.ValidTo)
	return i, c.err
}
