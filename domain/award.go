package domain

import "time"

// Award rules: the forms and who decides them, the law in force at the
// decision, and the lifecycle.

// Award statuses.
const (
	StatusProposed  = "PROPOSED"
	StatusConferred = "CONFERRED"
	StatusRejected  = "REJECTED"
	StatusRevoked   = "REVOKED"
)

// AwardInput is the command to create or replace an award.
type AwardInput struct {
	ProvinceID      string
	AwardTypeID     string
	Class           *string
	Authority       string
	Recipient       *RecipientInput
	Year            int
	Status          string
	MovementID      *string
	Decision        *DecisionInput
	Citation        *string
	RejectionReason *string
	// HonoreeID links the award (also one decided on paper before the
	// system) to an honoree, so that eligibility counts it; nil keeps the
	// stored link on an update.
	HonoreeID *string
	UnitID    *string // the province's unit (checked by the service)
}

// RecipientInput is who receives an award.
type RecipientInput struct {
	Kind         string
	Name         string
	Position     *string
	Organization *string
}

// DecisionInput is a decision's number and date.
type DecisionInput struct {
	Number string
	Date   string
}

// AuthorityAllowed says whether authority may decide an award of type t by
// a decision dated on: the type's rules name it for that date (the
// catalogue cites the article of each), and district chairs decide nothing
// after the district level ended.
func AuthorityAllowed(t *AwardType, authority, on string) bool {
	if authority == "DISTRICT_CHAIR" && on > DistrictLevelEnd {
		return false
	}
	if len(t.AuthorityRules) == 0 {
		return contains(t.Authorities, authority)
	}
	for _, r := range t.AuthorityRules {
		if r.Authority == authority && inRange(on, r.From, r.To) {
			return true
		}
	}
	return false
}

// AuthoritiesOn lists the authorities that may decide an award of type t
// on a date.
func AuthoritiesOn(t *AwardType, on string) []string {
	var out []string
	for _, a := range t.Authorities {
		if AuthorityAllowed(t, a, on) && !contains(out, a) {
			out = append(out, a)
		}
	}
	return out
}

// CheckAward checks an award input against the catalogue and the law, and
// returns the award it describes (without id, history or meta). movement
// is the movement it names, read within the caller's access (nil when
// absent or hidden).
func CheckAward(ref Reference, now time.Time, in AwardInput, movement *Movement) (*Award, error) {
	c := newChecker(ref, now)
	a := &Award{
		ProvinceID: in.ProvinceID, AwardTypeID: in.AwardTypeID, Authority: in.Authority,
		Year: in.Year, Status: in.Status,
		Citation:        c.text("input.citation", in.Citation, false, MaxLong),
		RejectionReason: c.text("input.rejectionReason", in.RejectionReason, false, MaxLong),
	}
	p := c.province("input.provinceId", in.ProvinceID)
	t := ref.AwardType(in.AwardTypeID)
	if t == nil {
		c.fail("input.awardTypeId", "unknown award type %q", in.AwardTypeID)
	}
	c.year("input.year", in.Year)
	if in.Recipient == nil {
		c.fail("input.recipient", "is required")
		return nil, c.err
	}
	a.Recipient = c.recipient("input.recipient", in.Recipient)
	a.Decision = c.decision("input.decision", in.Decision)
	// The date the award is about: its decision; for a proposal, the end
	// of its year (or today, if earlier).
	on := minDate(yearEnd(in.Year), now.Format(DateLayout))
	if a.Decision != nil {
		on = a.Decision.Date
		// An award for a year is decided in or after that year.
		if c.err == nil && on < yearStart(in.Year) {
			c.fail("input.decision.date", "a decision dated %s cannot confer an award for %d", on, in.Year)
		}
	}
	if t != nil {
		a.Class = c.class("input.class", t, in.Class)
		if (t.ValidFrom != "" && on < t.ValidFrom) || (t.ValidTo != "" && on > t.ValidTo) {
			c.fail("input.awardTypeId", "%s is not a form of award on %s", t.Name, on)
		}
		c.authority("input.authority", t, in.Authority, on)
		c.kind("input.recipient.kind", t, in.Recipient.Kind)
	}
	switch in.Status {
	case StatusRevoked:
		c.fail("input.status", "an award is revoked with revokeAward, which records the revoking decision")
	case StatusConferred:
		if a.Decision == nil {
			c.fail("input.decision", "a CONFERRED award needs its decision (number and date)")
		}
	case StatusRejected:
		if a.RejectionReason == "" {
			c.fail("input.rejectionReason", "a REJECTED award needs the reason")
		}
	}
	if a.RejectionReason != "" && in.Status != StatusRejected {
		c.fail("input.rejectionReason", "only a REJECTED award has a rejection reason")
	}
	if p != nil {
		// A proposal is filed in its year, a decision on its date: the
		// province must exist then (a merged-away province takes nothing
		// after its merger).
		when := yearStart(in.Year)
		if a.Decision != nil {
			when = a.Decision.Date
		}
		c.activeOn("input.provinceId", p, when)
	}
	a.LegalBasis = LegalBasisOn(ref, on)
	a.MovementID = c.movement("input.movementId", in.MovementID, movement, in.ProvinceID)
	if c.err != nil {
		return nil, c.err
	}
	a.derive()
	return a, nil
}

// LinkHonoree links a checked award to honoree h (read within the
// caller's access; nil when absent or hidden), which must be of the
// award's province and recipient kind.
func LinkHonoree(a *Award, id string, h *Honoree) error {
	switch {
	case h == nil:
		return Invalid("input.honoreeId", "unknown honoree %q", id)
	case h.ProvinceID != a.ProvinceID:
		return Invalid("input.honoreeId", "the honoree belongs to %s, not %s", h.ProvinceID, a.ProvinceID)
	case h.Kind != a.Recipient.Kind:
		return Invalid("input.honoreeId", "the honoree is %s, the recipient %s", h.Kind, a.Recipient.Kind)
	}
	a.HonoreeID = h.ID
	return nil
}

// derive sets what follows from an award's fields: its owner (its
// province) and whether it is public (a decision is: conferred or revoked).
func (a *Award) derive() {
	a.Owner = a.ProvinceID
	a.Published = a.Status == StatusConferred || a.Status == StatusRevoked
}

// NewAward starts the history of a checked award created by by at at.
func NewAward(a *Award, by string, at time.Time) *Award {
	a.History = []AwardEvent{{Status: a.Status, At: at, By: by, Reason: a.RejectionReason, Decision: a.Decision}}
	return a
}

// transitions of an award by an update: PROPOSED → CONFERRED or REJECTED;
// REJECTED → PROPOSED again; a CONFERRED award stays CONFERRED (its details
// may be corrected) until revoked; a REVOKED one no longer changes.
var transitions = map[string][]string{
	StatusProposed:  {StatusProposed, StatusConferred, StatusRejected},
	StatusRejected:  {StatusRejected, StatusProposed},
	StatusConferred: {StatusConferred},
}

// Transition says whether an update may take an award from one status to
// another.
func Transition(from, to string) error {
	if contains(transitions[from], to) {
		return nil
	}
	switch from {
	case StatusConferred:
		return Invalid("input.status", "a CONFERRED award cannot become %s; revoke it with revokeAward", to)
	case StatusRevoked:
		return Invalid("input.status", "a REVOKED award no longer changes")
	}
	return Invalid("input.status", "a %s award cannot become %s", from, to)
}

// UpdateAward applies a checked replacement to the stored award: the
// lifecycle must allow the change of status, which joins the history.
func UpdateAward(old, next *Award, by string, at time.Time) (*Award, error) {
	if err := Transition(old.Status, next.Status); err != nil {
		return nil, err
	}
	if old.DecisionID != "" {
		// Conferred by a decision record: its details may be corrected,
		// not the decision, the province or the form it conferred.
		switch {
		case old.Decision != nil && (next.Decision == nil || *next.Decision != *old.Decision):
			return nil, Invalid("input.decision", "the award was conferred by decision %s; its decision does not change", old.DecisionID)
		case next.ProvinceID != old.ProvinceID:
			return nil, Invalid("input.provinceId", "the award was conferred by decision %s on a recipient of %s", old.DecisionID, old.ProvinceID)
		case next.AwardTypeID != old.AwardTypeID || next.Class != old.Class:
			return nil, Invalid("input.awardTypeId", "the award was conferred by decision %s as %s; the form does not change", old.DecisionID, old.AwardTypeID)
		case next.Authority != old.Authority:
			return nil, Invalid("input.authority", "the award was conferred by decision %s of %s", old.DecisionID, old.Authority)
		case next.Year != old.Year:
			return nil, Invalid("input.year", "the award was conferred by decision %s for %d", old.DecisionID, old.Year)
		}
	}
	out := *next
	out.ID, out.Meta, out.Revocation = old.ID, old.Meta, old.Revocation
	// The links to the decision record and the dossier stay; the honoree's
	// too unless the input names one (LinkHonoree), and a decision
	// record's honoree does not change.
	if old.DecisionID != "" && old.HonoreeID != "" && next.HonoreeID != "" && next.HonoreeID != old.HonoreeID {
		return nil, Invalid("input.honoreeId", "the award was conferred by decision %s on honoree %s", old.DecisionID, old.HonoreeID)
	}
	out.DecisionID, out.DossierID = old.DecisionID, old.DossierID
	if out.HonoreeID == "" {
		out.HonoreeID = old.HonoreeID
	}
	out.CommendationKind = old.CommendationKind
	out.History = append([]AwardEvent(nil), old.History...)
	if old.Status != next.Status {
		out.History = append(out.History, AwardEvent{Status: next.Status, At: at, By: by, Reason: next.RejectionReason, Decision: next.Decision})
	}
	return &out, nil
}

// RevocationInput is the command to revoke a conferred award.
type RevocationInput struct {
	Reason   string
	Decision DecisionInput
}

// Revoke revokes a conferred award by a later decision; the award keeps its
// conferral (decision, history).
func Revoke(ref Reference, now time.Time, old *Award, in RevocationInput, by string) (*Award, error) {
	c := newChecker(ref, now)
	rev := Revocation{
		Reason: c.text("reason", &in.Reason, true, MaxLong),
		Decision: Decision{
			Number: c.text("decision.number", &in.Decision.Number, true, MaxShort),
			Date:   c.date("decision.date", in.Decision.Date),
		},
		At: now, By: by,
	}
	if c.err != nil {
		return nil, c.err
	}
	if old.Status != StatusConferred {
		return nil, Invalid("id", "only a CONFERRED award can be revoked; this one is %s", old.Status)
	}
	if old.Decision != nil && rev.Decision.Date < old.Decision.Date {
		return nil, Invalid("decision.date", "the revocation (%s) cannot precede the conferral (%s)", rev.Decision.Date, old.Decision.Date)
	}
	out := *old
	out.Status, out.Revocation = StatusRevoked, &rev
	out.History = append(append([]AwardEvent(nil), old.History...),
		AwardEvent{Status: StatusRevoked, At: now, By: by, Reason: rev.Reason, Decision: &rev.Decision})
	out.derive()
	return &out, nil
}

// CanDelete refuses to delete a public decision: conferred and revoked
// awards stay; a proposal or rejection entered by mistake may go.
func CanDelete(a *Award) error {
	if a.Status == StatusConferred || a.Status == StatusRevoked {
		return Invalid("id", "a %s award is a public decision and cannot be deleted; revoke it with revokeAward", a.Status)
	}
	return nil
}

// CheckAwardFilter checks a list filter's ids and lengths.
func CheckAwardFilter(f AwardFilter) error {
	if f.MovementID != "" {
		if err := CheckID("filter.movementId", f.MovementID); err != nil {
			return err
		}
	}
	if err := CheckSearch("filter.recipientName", f.RecipientName); err != nil {
		return err
	}
	if err := CheckSearch("filter.search", f.Search); err != nil {
		return err
	}
	return nil
}
