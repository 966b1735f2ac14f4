package domain

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/thidua/thidua/vntext"
)

// Dossiers and decisions: a province (or the cluster) proposes recipients in
// a dossier (hồ sơ đề nghị khen thưởng) addressed to an authority; the
// commendation office of that authority's level vets it, returning it with
// reasons when it is incomplete; the authority signs one decision (quyết
// định khen thưởng) that confers an award on every recipient at once.

// Dossier kinds: the kinds of commendation of Law 06/2022/QH15 (see
// DossierKinds for the article each comes from).
const (
	KindRegular        = "REGULAR"          // khen thưởng thường xuyên (theo công trạng và thành tích)
	KindThematic       = "THEMATIC"         // khen thưởng theo đợt, theo chuyên đề
	KindUnscheduled    = "UNSCHEDULED"      // khen thưởng đột xuất
	KindDedication     = "DEDICATION"       // khen thưởng quá trình cống hiến
	KindYearsOfService = "YEARS_OF_SERVICE" // khen thưởng theo niên hạn
	KindForeign        = "FOREIGN"          // khen thưởng đối ngoại
)

// DossierKinds are the kinds a dossier may have.
var DossierKinds = []string{KindRegular, KindThematic, KindUnscheduled, KindDedication, KindYearsOfService, KindForeign}

// Dossier statuses.
const (
	DossierDraft     = "DRAFT"
	DossierSubmitted = "SUBMITTED"
	DossierReturned  = "RETURNED"
	DossierVetted    = "VETTED"
	DossierDecided   = "DECIDED"
	DossierRejected  = "REJECTED"
)

// dossierSteps are the moves of a dossier and the statuses each starts
// from: submitted from a draft (or once returned), returned or vetted once
// submitted (or forwarded: the central level's vetting), forwarded once
// vetted at its province (route.go), decided or rejected once vetted.
var dossierSteps = map[string][]string{
	DossierSubmitted: {DossierDraft, DossierReturned},
	DossierReturned:  {DossierSubmitted, DossierForwarded, DossierVetted},
	DossierVetted:    {DossierSubmitted, DossierForwarded},
	DossierForwarded: {DossierVetted},
	DossierDecided:   {DossierVetted},
	DossierRejected:  {DossierVetted, DossierForwarded},
}

// Dossier is a proposal of awards for several recipients. Owner is the
// proposing province, or "*" for the cluster; it is never public (its
// council votes and drafts are the office's), though the decision it leads
// to is.
type Dossier struct {
	ID            string             `json:"id"`
	Owner         string             `json:"owner"`
	ProvinceID    string             `json:"provinceId,omitempty"` // "" for the cluster's dossiers
	Kind          string             `json:"kind"`
	Authority     string             `json:"authority"` // whom it is addressed to
	Year          int                `json:"year"`      // the year of the achievements
	Title         string             `json:"title"`
	ProposingUnit string             `json:"proposingUnit"`
	MovementID    string             `json:"movementId,omitempty"`
	Letter        *Decision          `json:"letter,omitempty"` // tờ trình: number and date
	Council       *Council           `json:"council,omitempty"`
	Notice        *Notice            `json:"notice,omitempty"`  // the public notice of its names
	Forward       *Forwarding        `json:"forward,omitempty"` // the provincial chair's letter (route.go)
	Recipients    []DossierRecipient `json:"recipients"`
	Status        string             `json:"status"`
	History       []DossierEvent     `json:"history"`
	Warnings      []DossierWarning   `json:"warnings,omitempty"`
	DecisionID    string             `json:"decisionId,omitempty"`
	UnitID        string             `json:"unitId,omitempty"` // the proposing unit, if one of the province's
	Meta          `json:"-"`
}

// Council is the result of the emulation and commendation council's
// meeting on the dossier.
type Council struct {
	Date           string `json:"date"`
	MembersPresent int    `json:"membersPresent"`
	MembersTotal   int    `json:"membersTotal"`
}

// DossierRecipient is one proposed recipient of a dossier.
type DossierRecipient struct {
	HonoreeID   string    `json:"honoreeId,omitempty"`
	ProvinceID  string    `json:"provinceId"`
	Recipient   Recipient `json:"recipient"`
	AwardTypeID string    `json:"awardTypeId"`
	Class       string    `json:"class,omitempty"`
	Achievement string    `json:"achievement"`
	// BallotShare is the share of the council's secret ballots for the
	// recipient, in percent.
	BallotShare *float64 `json:"ballotShare,omitempty"`
	AwardID     string   `json:"awardId,omitempty"` // once decided
}

// DossierEvent is one move of a dossier: who, when, why.
type DossierEvent struct {
	Status  string    `json:"status"`
	At      time.Time `json:"at"`
	By      string    `json:"by,omitempty"`
	Reasons []string  `json:"reasons,omitempty"`
}

// DossierWarning is something the office should look at before deciding,
// found when the dossier was submitted: the same achievement proposed
// twice, say.
type DossierWarning struct {
	Recipient int    `json:"recipient"` // index in Recipients
	Message   string `json:"message"`
}

// DossierInput is the command to create or replace a dossier.
type DossierInput struct {
	ProvinceID    *string // nil: the cluster's dossier
	Kind          string
	Authority     string
	Year          int
	Title         string
	ProposingUnit string
	MovementID    *string
	Letter        *DecisionInput
	Council       *CouncilInput
	Notice        *NoticeInput
	Recipients    []DossierRecipientInput
	UnitID        *string // the proposing unit (checked by the service)
}

// CouncilInput is the council's result.
type CouncilInput struct {
	Date           string
	MembersPresent int
	MembersTotal   int
}

// DossierRecipientInput is one proposed recipient.
type DossierRecipientInput struct {
	HonoreeID   *string
	ProvinceID  *string
	Recipient   *RecipientInput
	AwardTypeID string
	Class       *string
	Achievement string
	BallotShare *float64
}

// OwnerScope is the scope that owns the dossier the input describes: its
// province, or "*" for the cluster's.
func (in DossierInput) OwnerScope() string {
	if in.ProvinceID != nil {
		return *in.ProvinceID
	}
	return ScopeAll
}

// RecipientKinds are the kinds of recipient (api.md's RecipientKind).
var RecipientKinds = []string{"INDIVIDUAL", "COLLECTIVE", "HOUSEHOLD"}

// MaxDossierRecipients bounds a dossier (and so a decision).
const MaxDossierRecipients = 500

// centralAuthorities decide at the central level: their dossiers are vetted
// and decided by the "*" scope (the central board and the cluster's
// secretariat). Every other authority is the proposing province's own.
var centralAuthorities = map[string]bool{"PRESIDENT": true, "GOVERNMENT": true, "PRIME_MINISTER": true, "MINISTER": true}

// Level is the scope that vets and decides a dossier addressed to
// authority by owner: "*" for central authorities, else the owner.
func Level(authority, owner string) string {
	if centralAuthorities[authority] || owner == ScopeAll {
		return ScopeAll
	}
	return owner
}

// Level is the scope that vets and decides the dossier where it is now: its
// province until the provincial chair forwards a dossier for a central
// authority (route.go), then "*".
func (d *Dossier) Level() string {
	if d.AwaitsForwarding() {
		return d.Owner
	}
	return Level(d.Authority, d.Owner)
}

// CheckDossier checks a dossier input and returns the dossier it describes
// (without id, status or meta). movement is the movement it names, read
// within the caller's access (nil when absent or hidden); honorees are the
// honorees its recipients name, by id, within the caller's access.
func CheckDossier(ref Reference, now time.Time, in DossierInput, movement *Movement, honorees map[string]*Honoree) (*Dossier, error) {
	c := newChecker(ref, now)
	d := &Dossier{Kind: in.Kind, Authority: in.Authority, Year: in.Year,
		Title:         c.text("input.title", &in.Title, true, MaxTitle),
		ProposingUnit: c.text("input.proposingUnit", &in.ProposingUnit, true, MaxName),
		Owner:         ScopeAll,
	}
	if !contains(DossierKinds, in.Kind) {
		c.fail("input.kind", "%q is not a kind of dossier: one of %v", in.Kind, DossierKinds)
	}
	c.year("input.year", in.Year)
	var p *Province
	if in.ProvinceID != nil {
		p = c.province("input.provinceId", *in.ProvinceID)
		d.ProvinceID, d.Owner = *in.ProvinceID, *in.ProvinceID
		if p != nil {
			c.activeOn("input.provinceId", p, minDate(yearStart(in.Year), now.Format(DateLayout)))
		}
	}
	d.Letter = c.decision("input.letter", in.Letter)
	d.Notice = c.notice("input.notice", in.Notice)
	if in.Council != nil {
		k := in.Council
		d.Council = &Council{Date: c.date("input.council.date", k.Date), MembersPresent: k.MembersPresent, MembersTotal: k.MembersTotal}
		switch {
		case k.MembersTotal < 1:
			c.fail("input.council.membersTotal", "must be at least 1")
		case k.MembersPresent < 1 || k.MembersPresent > k.MembersTotal:
			c.fail("input.council.membersPresent", "must be between 1 and the %d members", k.MembersTotal)
		}
	}
	if len(in.Recipients) > MaxDossierRecipients {
		c.fail("input.recipients", "a dossier proposes at most %d recipients", MaxDossierRecipients)
	}
	on := d.DecisionDate()
	for i, r := range in.Recipients {
		f := fmt.Sprintf("input.recipients[%d]", i)
		line := DossierRecipient{AwardTypeID: r.AwardTypeID, ProvinceID: d.ProvinceID,
			Achievement: c.text(f+".achievement", &r.Achievement, true, MaxLong)}
		if r.ProvinceID != nil {
			line.ProvinceID = *r.ProvinceID
			if d.ProvinceID != "" && line.ProvinceID != d.ProvinceID {
				c.fail(f+".provinceId", "a province's dossier proposes its own recipients (%s)", d.ProvinceID)
			}
		}
		if line.ProvinceID == "" {
			c.fail(f+".provinceId", "the cluster's dossier names each recipient's province")
		} else {
			c.province(f+".provinceId", line.ProvinceID)
		}
		if r.HonoreeID != nil {
			h := honorees[*r.HonoreeID]
			switch {
			case h == nil:
				c.fail(f+".honoreeId", "unknown honoree %q", *r.HonoreeID)
			case h.ProvinceID != line.ProvinceID:
				c.fail(f+".honoreeId", "the honoree belongs to %s, not %s", h.ProvinceID, line.ProvinceID)
			default:
				line.HonoreeID = h.ID
				line.Recipient = h.Recipient()
			}
		}
		if r.Recipient != nil {
			line.Recipient = c.recipient(f+".recipient", r.Recipient)
		}
		if r.HonoreeID == nil && r.Recipient == nil {
			c.fail(f+".recipient", "name the recipient, or the honoree it is (honoreeId)")
		}
		t := ref.AwardType(r.AwardTypeID)
		if t == nil {
			c.fail(f+".awardTypeId", "unknown award type %q", r.AwardTypeID)
		} else {
			line.Class = c.class(f+".class", t, r.Class)
			c.kind(f+".recipient.kind", t, line.Recipient.Kind)
			c.authority("input.authority", t, in.Authority, on)
		}
		if r.BallotShare != nil {
			c.number(f+".ballotShare", *r.BallotShare, 0, 100)
			v := *r.BallotShare
			line.BallotShare = &v
		}
		d.Recipients = append(d.Recipients, line)
	}
	d.MovementID = c.movement("input.movementId", in.MovementID, movement, d.ProvinceID)
	if c.err != nil {
		return nil, c.err
	}
	if d.Recipients == nil {
		d.Recipients = []DossierRecipient{}
	}
	return d, nil
}

// DecisionDate is the date the dossier is addressed for, at which the
// authorities and the law are judged (never today's): its submission
// letter's date (the decision cannot precede it), else the last day of its
// year.
func (d *Dossier) DecisionDate() string {
	if d.Letter != nil && d.Letter.Date != "" {
		return d.Letter.Date
	}
	return yearEnd(d.Year)
}

// NewDossier starts a checked dossier as a draft created by by at at.
func NewDossier(d *Dossier, by string, at time.Time) *Dossier {
	d.Status = DossierDraft
	d.History = []DossierEvent{{Status: DossierDraft, At: at, By: by}}
	return d
}

// EditDossier replaces a draft (or returned) dossier's content, keeping
// its status and history. Its owner does not change.
func EditDossier(old, next *Dossier) (*Dossier, error) {
	if old.Status != DossierDraft && old.Status != DossierReturned {
		return nil, Invalid("id", "a %s dossier cannot be changed: only drafts and returned dossiers can", old.Status)
	}
	if next.Owner != old.Owner {
		return nil, Invalid("input.provinceId", "a dossier stays with the province that prepared it (%s)", old.Owner)
	}
	// Warnings name recipients by position: they are found again at the
	// next submission.
	next.ID, next.Status, next.History, next.Meta = old.ID, old.Status, old.History, old.Meta
	return next, nil
}

// CanDeleteDossier allows deleting drafts only: once submitted, a dossier
// is part of the record.
func CanDeleteDossier(d *Dossier) error {
	if d.Status != DossierDraft || len(d.History) > 1 {
		return Invalid("id", "only a draft that was never submitted can be deleted; this one is %s", d.Status)
	}
	return nil
}

// Move takes a dossier to status, recording who and why; field names the
// input at fault. Returning and rejecting need reasons.
func Move(d *Dossier, status string, reasons []string, by string, at time.Time) (*Dossier, error) {
	from, ok := dossierSteps[status]
	if !ok || !contains(from, d.Status) {
		return nil, Invalid("id", "a %s dossier cannot become %s", d.Status, status)
	}
	switch {
	case status == DossierForwarded && d.Forward == nil:
		return nil, Invalid("id", "a dossier is forwarded with the provincial chair's letter (forwardDossier)")
	case status == DossierReturned && d.Status == DossierVetted && !d.AwaitsForwarding():
		return nil, Invalid("id", "a vetted dossier is returned only while it waits at its province for the chair's letter")
	}
	c := newChecker(nil, at)
	var clean []string
	for i := range reasons {
		clean = append(clean, c.text(fmt.Sprintf("reasons[%d]", i), &reasons[i], true, MaxLong))
	}
	if c.err != nil {
		return nil, c.err
	}
	if (status == DossierReturned || status == DossierRejected) && len(clean) == 0 {
		return nil, Invalid("reasons", "say why the dossier is %s", strings.ToLower(status))
	}
	if status == DossierReturned {
		d.Forward = nil // returned to the province: it takes the route again
	}
	d.Status = status
	d.History = append(d.History, DossierEvent{Status: status, At: at, By: by, Reasons: clean})
	return d, nil
}

// CheckSubmission checks what a dossier needs before it leaves the
// province: its submission letter, at least one recipient, and each
// recipient's eligibility given its earlier awards (history, by honoree
// id, conferred ones). It returns the warnings the office should see: the
// same achievement (recipient, award type, year) proposed twice, in this
// dossier or elsewhere (others: the proposals and awards already on
// record for the same recipients).
func CheckSubmission(ref Reference, rules []Prerequisite, d *Dossier, history map[string][]Award, others []Proposal) ([]DossierWarning, error) {
	if d.Letter == nil {
		return nil, Invalid("input.letter", "a dossier is submitted with its submission letter (number and date)")
	}
	if len(d.Recipients) == 0 {
		return nil, Invalid("input.recipients", "a dossier proposes at least one recipient")
	}
	for i, r := range d.Recipients {
		if err := Eligible(ref, rules, fmt.Sprintf("input.recipients[%d]", i), r, d.Year, history[r.HonoreeID]); err != nil {
			return nil, err
		}
		if err := CouncilShare(rules, fmt.Sprintf("input.recipients[%d]", i), r, d.Council); err != nil {
			return nil, err
		}
	}
	var warnings []DossierWarning
	seen := map[string]int{}
	for i, r := range d.Recipients {
		k := achievementKey(r.HonoreeID, r.Recipient, r.ProvinceID, r.AwardTypeID, d.Year)
		if j, ok := seen[k]; ok {
			warnings = append(warnings, DossierWarning{Recipient: i,
				Message: fmt.Sprintf("%s is proposed for %s twice in this dossier (recipients %d and %d)", r.Recipient.Name, typeName(ref, r.AwardTypeID), j+1, i+1)})
			continue
		}
		seen[k] = i
		for _, o := range others {
			if o.DossierID == d.ID && o.DossierID != "" {
				continue
			}
			if achievementKey(o.HonoreeID, o.Recipient, o.ProvinceID, o.AwardTypeID, o.Year) == k {
				warnings = append(warnings, DossierWarning{Recipient: i,
					Message: fmt.Sprintf("%s was already proposed for %s for %d (%s)", r.Recipient.Name, typeName(ref, r.AwardTypeID), d.Year, o.Where)})
				break
			}
		}
	}
	return append(warnings, Art6Warnings(ref, d, others)...), nil
}

// Proposal is an earlier proposal or award of the same achievement, for the
// duplicate warning.
type Proposal struct {
	DossierID   string
	HonoreeID   string
	ProvinceID  string
	Recipient   Recipient
	AwardTypeID string
	Year        int
	Achievement string // the achievement summary or citation, for Art6Warnings
	Where       string // "dossier …" or "award …"
}

// achievementKey identifies an achievement: the recipient (its honoree, or
// its kind and folded name in its province), the award type and the year.
func achievementKey(honoree string, r Recipient, province, awardType string, year int) string {
	return fmt.Sprintf("%s|%s|%d", HonoreeOf(honoree, r, province), awardType, year)
}

func typeName(ref Reference, id string) string {
	if t := ref.AwardType(id); t != nil {
		return t.Name
	}
	return id
}

// DecisionRecord is a commendation decision (quyết định khen thưởng): it
// confers awards on the recipients of a dossier. It is public. Owner is
// the level that decided it ("*" or the province).
type DecisionRecord struct {
	ID         string   `json:"id"`
	Owner      string   `json:"owner"`
	Published  bool     `json:"published"`
	Number     string   `json:"number"`
	Date       string   `json:"date"`
	Authority  string   `json:"authority"`
	IssuedBy   string   `json:"issuedBy"` // the issuing body, as printed
	Signer     Signer   `json:"signer"`
	LegalBasis string   `json:"legalBasis"`
	ProvinceID string   `json:"provinceId,omitempty"`
	DossierID  string   `json:"dossierId"`
	AwardIDs   []string `json:"awardIds"`
	Meta       `json:"-"`

	// Submission is the Prime Minister's submission letter (tờ trình) a
	// President's decision answers (Law 06/2022/QH15, Điều 83 khoản 2).
	Submission *Decision `json:"submission,omitempty"`
	// conferred: the dossier's recipient each award is for (Decide, Link).
	conferred []int
	notes     []string
}

// Signer is who signed a decision.
type Signer struct {
	Name     string `json:"name"`
	Position string `json:"position,omitempty"`
}

// DecisionRecordInput is the command to record a decision on a vetted
// dossier.
type DecisionRecordInput struct {
	DossierID string
	Number    string
	Date      string
	IssuedBy  string
	Signer    SignerInput
	// Submission is the Prime Minister's submission letter, required when
	// the President decides.
	Submission *DecisionInput
	// Recipients are those the decision confers and the form (the one
	// proposed or a lower one); nil: every recipient as proposed.
	Recipients []DecidedRecipientInput
}

// SignerInput names a signer.
type SignerInput struct {
	Name     string
	Position *string
}

// Decide checks a decision on a vetted dossier and returns it with the
// awards it confers — one per recipient, each pointing to the decision and
// the dossier, checked by the same rules as an award entered alone
// (CheckAward) — and the dossier as decided. Ids are the store's to fill
// (decision.ID and each award's ID must be set before the dossier's
// recipients point to them: see Link).
func Decide(ref Reference, now time.Time, d *Dossier, in DecisionRecordInput, by string) (*DecisionRecord, []*Award, error) {
	return DecideWith(ref, DefaultRouteRules, now, d, in, by)
}

// DecideWith is Decide under the route's rules: the decision answers the
// letter the dossier reached it with (route.go) and may confer a subset of
// the recipients or lower forms.
func DecideWith(ref Reference, rules RouteRules, now time.Time, d *Dossier, in DecisionRecordInput, by string) (*DecisionRecord, []*Award, error) {
	if d.Status != DossierVetted {
		return nil, nil, Invalid("input.dossierId", "a decision is recorded on a vetted dossier; this one is %s", d.Status)
	}
	if d.AwaitsForwarding() {
		return nil, nil, Invalid("input.dossierId", "a dossier for %s is forwarded by the provincial chair (forwardDossier) and vetted at the central level before it is decided", d.Authority)
	}
	c := newChecker(ref, now)
	dec := &DecisionRecord{Owner: d.Level(), Published: true, Authority: d.Authority, ProvinceID: d.ProvinceID, DossierID: d.ID,
		Number:   c.text("input.number", &in.Number, true, MaxShort),
		Date:     c.date("input.date", in.Date),
		IssuedBy: c.text("input.issuedBy", &in.IssuedBy, true, MaxName),
		Signer: Signer{Name: c.text("input.signer.name", &in.Signer.Name, true, MaxName),
			Position: c.text("input.signer.position", in.Signer.Position, false, MaxName)},
	}
	if in.Submission != nil || d.Authority == "PRESIDENT" {
		dec.Submission = c.decision("input.submission", in.Submission)
		if dec.Submission == nil {
			c.fail("input.submission", "the Prime Minister submits to the President (Law 06/2022/QH15, Điều 83 khoản 2): give the submission letter's number and date")
		}
	}
	if c.err != nil {
		return nil, nil, c.err
	}
	if l := AnsweredLetter(d); l != nil && dec.Date < l.Date {
		return nil, nil, Invalid("input.date", "the decision (%s) cannot precede the submission letter it answers (%s of %s)", dec.Date, l.Number, l.Date)
	}
	if s := dec.Submission; s != nil {
		if l := AnsweredLetter(d); l != nil && s.Date < l.Date {
			return nil, nil, Invalid("input.submission.date", "the Prime Minister's submission (%s) cannot precede the letter it sends on (%s of %s)", s.Date, l.Number, l.Date)
		}
		if dec.Date < s.Date {
			return nil, nil, Invalid("input.date", "the decision (%s) cannot precede the Prime Minister's submission it answers (%s of %s)", dec.Date, s.Number, s.Date)
		}
	}
	chosen, notes, err := selectRecipients(ref, rules.Ranks, d, in.Recipients, in.Recipients == nil)
	if err != nil {
		return nil, nil, err
	}
	dec.notes = notes
	seen := map[string]int{}
	for _, x := range chosen {
		r := d.Recipients[x.index]
		k := HonoreeOf(r.HonoreeID, r.Recipient, r.ProvinceID)
		if j, dup := seen[k]; dup {
			return nil, nil, Invalid("input.recipients", "recipients %d and %d are the same honoree (%s): a decision confers one award on each; name the one conferred",
				j+1, x.index+1, r.Recipient.Name)
		}
		seen[k] = x.index
	}
	dec.LegalBasis = LegalBasisOn(ref, dec.Date)
	var movement *Movement
	if d.MovementID != "" {
		movement = &Movement{ID: d.MovementID} // checked when the dossier was
	}
	picked := in.Recipients
	awards := make([]*Award, 0, len(chosen))
	for _, x := range chosen {
		i, r := x.index, d.Recipients[x.index]
		r.AwardTypeID, r.Class = x.awardTypeID, x.class
		var class *string
		if r.Class != "" {
			class = &r.Class
		}
		pos, org, ach := r.Recipient.Position, r.Recipient.Organization, r.Achievement
		in := AwardInput{ProvinceID: r.ProvinceID, AwardTypeID: r.AwardTypeID, Class: class, Authority: d.Authority,
			Recipient: &RecipientInput{Kind: r.Recipient.Kind, Name: r.Recipient.Name, Position: &pos, Organization: &org},
			Year:      d.Year, Status: StatusConferred, Decision: &DecisionInput{Number: dec.Number, Date: dec.Date},
			Citation: &ach}
		a, err := CheckAward(ref, now, in, movement)
		if err != nil {
			var e *Error
			if errors.As(err, &e) {
				if e.Field == "input.decision.date" {
					// The decision's own date (e.g. before the dossier's year).
					return nil, nil, Invalid("input.date", "%s", e.Message)
				}
				// Name the recipient of the dossier the problem is with.
				return nil, nil, Invalid(recipientField(picked, i), "recipient %d (%s): %s: %s", i+1, r.Recipient.Name, e.Field, e.Message)
			}
			return nil, nil, err
		}
		a.HonoreeID, a.DossierID, a.CommendationKind = r.HonoreeID, d.ID, d.Kind
		a.UnitID = d.UnitID
		NewAward(a, by, now)
		awards = append(awards, a)
		dec.conferred = append(dec.conferred, i)
	}
	return dec, awards, nil
}

// recipientField names the input at fault for a recipient the decision
// confers: its line of input.recipients, or the dossier when all are.
func recipientField(in []DecidedRecipientInput, index int) string {
	for k, x := range in {
		if x.Index == index {
			return fmt.Sprintf("input.recipients[%d]", k)
		}
	}
	return "input.dossierId"
}

// Link points the decision, its awards and the dossier at each other once
// the store has given them ids, and moves the dossier to DECIDED.
func Link(d *Dossier, dec *DecisionRecord, awards []*Award, by string, at time.Time) (*Dossier, error) {
	dec.AwardIDs = make([]string, len(awards))
	for i, a := range awards {
		a.DecisionID = dec.ID
		dec.AwardIDs[i] = a.ID
		r := i
		if dec.conferred != nil {
			r = dec.conferred[i]
		}
		d.Recipients[r].AwardID = a.ID
	}
	d.DecisionID = dec.ID
	// The history says who was not conferred and what was lowered.
	return Move(d, DossierDecided, dec.notes, by, at)
}

// Honoree is a recipient as a record of its own — a person or a collective
// — so that every award it received across the years can be found and the
// titles that build on earlier ones checked. Key is the office's own
// identifier for it (a staff number, an identity card number, a unit's
// code), unique within its province.
type Honoree struct {
	ID           string `json:"id"`
	Owner        string `json:"owner"`
	Published    bool   `json:"published"`
	ProvinceID   string `json:"provinceId"`
	Key          string `json:"key"`
	Kind         string `json:"kind"`
	Name         string `json:"name"`
	Position     string `json:"position,omitempty"`
	Organization string `json:"organization,omitempty"`
	// PendingProceedings notes discipline or an investigation pending
	// against the honoree (what, since when); "" when none. Proposing it
	// is a warning (ProceedingsWarnings).
	PendingProceedings string `json:"pendingProceedings,omitempty"`
	Meta               `json:"-"`
}

// Recipient is the honoree as an award names it.
func (h *Honoree) Recipient() Recipient {
	return Recipient{Kind: h.Kind, Name: h.Name, Position: h.Position, Organization: h.Organization}
}

// HonoreeInput is the command to create or replace an honoree.
type HonoreeInput struct {
	ProvinceID   string
	Key          string
	Kind         string
	Name         string
	Position     *string
	Organization *string
	// PendingProceedings: see Honoree.
	PendingProceedings *string
}

// CheckHonoree checks an honoree input. Honorees are not public: they are
// the province's register (names of people with their identifiers).
func CheckHonoree(ref Reference, now time.Time, in HonoreeInput) (*Honoree, error) {
	c := newChecker(ref, now)
	h := &Honoree{ProvinceID: in.ProvinceID, Owner: in.ProvinceID, Kind: in.Kind,
		Key:                c.text("input.key", &in.Key, true, MaxShort),
		Name:               c.text("input.name", &in.Name, true, MaxName),
		Position:           c.text("input.position", in.Position, false, MaxName),
		Organization:       c.text("input.organization", in.Organization, false, MaxName),
		PendingProceedings: c.text("input.pendingProceedings", in.PendingProceedings, false, MaxLong),
	}
	c.province("input.provinceId", in.ProvinceID)
	if !contains(RecipientKinds, in.Kind) {
		c.fail("input.kind", "%q is not a recipient kind", in.Kind)
	}
	if c.err != nil {
		return nil, c.err
	}
	return h, nil
}

// HonoreeKey is the form of a key the store keeps unique: folded, so that
// "CB-017" and "cb-017 " are the same honoree.
func HonoreeKey(key string) string { return vntext.Fold(key) }

// DossierFilter selects dossiers; zero fields select everything.
type DossierFilter struct {
	ProvinceID string
	Status     string
	Year       *int
	Authority  string
	Kind       string
	Search     string // words of the title or proposing unit, diacritics ignored
}

// DecisionFilter selects decisions.
type DecisionFilter struct {
	ProvinceID string
	Year       *int // of the decision's date
	Authority  string
}

// HonoreeFilter selects honorees.
type HonoreeFilter struct {
	ProvinceID string
	Kind       string
	Search     string // words of the name, organisation or key, diacritics ignored
}

// CheckSearch refuses a search text longer than the lists accept.
func CheckSearch(field, search string) error {
	if len(search) > MaxShort {
		return Invalid(field, "must be at most %d characters", MaxShort)
	}
	return nil
}
