package domain

import (
	"fmt"
	"strings"
	"time"

	"github.com/thidua/thidua/vntext"
)

// The route a dossier takes (Law 06/2022/QH15, Điều 83 and 84; Decree
// 98/2023/NĐ-CP, Điều 46; Decree 152/2025/NĐ-CP, Điều 44).
//
// A dossier for the proposing province's own authority (PROVINCE_CHAIR and
// below) and every dossier of the cluster takes the short route: DRAFT →
// SUBMITTED → VETTED (its level's commendation office) → DECIDED. A province's
// dossier for a central authority (the President, the Government, the Prime
// Minister, a minister) takes the long one:
//
//	DRAFT → SUBMITTED → VETTED      the province's office vets (vetter of the province)
//	      → FORWARDED               the provincial chair's submission letter (decider of the province),
//	                                once the provincial council's result is on the dossier
//	      → VETTED                  the central office vets again (vetter of *)
//	      → DECIDED                 the central decider records the decision; where the
//	                                President decides, with the Prime Minister's submission
//	                                (tờ trình, Điều 83 khoản 2)
//
// Each vetting level may return the dossier to the province's editors with
// reasons: the province's office a SUBMITTED dossier (or a VETTED one still
// waiting for the chair), the central office a FORWARDED one (which then
// takes the route again from the province). The deciding level rejects.

// DossierForwarded: the provincial chair sent it to the central level.
const DossierForwarded = "FORWARDED"

// Forwarding is the provincial chair's submission letter (tờ trình) that
// sent a province-vetted dossier to the central level.
type Forwarding struct {
	Letter Decision  `json:"letter"`
	At     time.Time `json:"at"`
	By     string    `json:"by,omitempty"`
}

// Notice is the public notice of a dossier's names (niêm yết công khai),
// from and to (dates, inclusive).
type Notice struct {
	From string `json:"from"`
	To   string `json:"to"`
}

// NoticeInput is the notice as written.
type NoticeInput struct {
	From string
	To   string
}

// NeedsForwarding reports whether the dossier goes to the central level
// through its province's chair: a province's dossier for a central
// authority. The cluster's own dossiers are the central level's from the
// start.
func NeedsForwarding(d *Dossier) bool { return centralAuthorities[d.Authority] && d.Owner != ScopeAll }

// notice checks a notice as written (dates, from ≤ to).
func (c *checker) notice(field string, in *NoticeInput) *Notice {
	if in == nil {
		return nil
	}
	n := &Notice{From: c.date(field+".from", in.From), To: c.date(field+".to", in.To)}
	if c.err == nil && n.To < n.From {
		c.fail(field+".to", "the notice ends (%s) before it starts (%s)", n.To, n.From)
	}
	return n
}

// AwaitsForwarding tells whether d waits at its province for the chair's
// letter that sends it to the central level (Forward).
func (d *Dossier) AwaitsForwarding() bool { return NeedsForwarding(d) && d.Forward == nil }

// Forward sends a province-vetted dossier for a central authority to the
// central level with the provincial chair's submission letter. The letter
// is dated on or after the dossier's own letter and the provincial
// council's meeting, whose result the dossier must carry.
func Forward(now time.Time, d *Dossier, letter DecisionInput, by string) (*Dossier, error) {
	if !NeedsForwarding(d) {
		return nil, Invalid("id", "a dossier for %s is decided at its own level (%s): it is not forwarded", d.Authority, d.Level())
	}
	if d.Status != DossierVetted || d.Forward != nil {
		return nil, Invalid("id", "a dossier is forwarded once its province has vetted it; this one is %s", d.Status)
	}
	if d.Council == nil {
		return nil, Invalid("council", "record the provincial council's result on the dossier before it is forwarded (Law 06/2022/QH15, Điều 84)")
	}
	c := newChecker(nil, now)
	l := c.decision("letter", &letter)
	if c.err != nil {
		return nil, c.err
	}
	if d.Letter != nil && l.Date < d.Letter.Date {
		return nil, Invalid("letter.date", "the chair's letter (%s) cannot precede the dossier's own letter (%s)", l.Date, d.Letter.Date)
	}
	if l.Date < d.Council.Date {
		return nil, Invalid("letter.date", "the chair's letter (%s) cannot precede the provincial council's meeting (%s)", l.Date, d.Council.Date)
	}
	d.Forward = &Forwarding{Letter: *l, At: now, By: by}
	return Move(d, DossierForwarded, nil, by, now)
}

// AnsweredLetter is the letter a decision on the dossier answers: the
// provincial chair's for a forwarded dossier, else the dossier's own.
func AnsweredLetter(d *Dossier) *Decision {
	if d.Forward != nil {
		return &d.Forward.Letter
	}
	return d.Letter
}

// RouteRules are the route's rules that are data: the public notice, the
// ranking of forms a decision may lower a proposal to, and the public
// holidays working days skip.
type RouteRules struct {
	Notice NoticeRule
	// Ranks are chains of award types, highest first: a decision may
	// confer a type later in the chain instead of one earlier (the same
	// authority must decide it). Within one type, FIRST > SECOND > THIRD.
	Ranks [][]string
	// Holidays are the public holidays (YYYY-MM-DD, or MM-DD every year).
	Holidays []string
}

// NoticeRule says which proposals need a public notice, how long, and why.
type NoticeRule struct {
	Forms          []string // award forms (AwardType.Form)
	AwardTypes     []string // single award types besides
	MinWorkingDays int
	Basis          string
}

// DefaultRouteRules are the rules of the law as far as it was read: the
// notice for orders and state honorary titles (Decree 98/2023 Art. 46(2),
// Decree 152/2025 Art. 44: whether Chiến sĩ thi đua toàn quốc is included
// was not confirmed, so it is not); the ranking chains are the order of the
// law's list (Law 06/2022 Art. 33: Sao vàng, Hồ Chí Minh, Độc lập, Lao
// động) and each level's own title above its certificate (not confirmed
// text); the holidays are the fixed ones of the Labour Code 2019 Art. 112
// (the lunar ones, Tết and the Hùng Kings' day, change every year: add them
// as dates).
var DefaultRouteRules = RouteRules{
	Notice: NoticeRule{Forms: []string{"ORDER", "HONORARY_TITLE"}, MinWorkingDays: 10,
		Basis: "Nghị định 98/2023/NĐ-CP, Điều 46 khoản 2; Nghị định 152/2025/NĐ-CP, Điều 44"},
	Ranks: [][]string{
		{"huan-chuong-sao-vang", "huan-chuong-ho-chi-minh", "huan-chuong-doc-lap", "huan-chuong-lao-dong"},
		{"chien-si-thi-dua-toan-quoc", "bang-khen-thu-tuong"},
		{"co-thi-dua-chinh-phu", "bang-khen-thu-tuong"},
		{"co-thi-dua-bo", "bang-khen-bo-truong"},
		{"co-thi-dua-tinh", "tap-the-lao-dong-xuat-sac", "bang-khen-chu-tich-tinh"},
		{"chien-si-thi-dua-tinh", "bang-khen-chu-tich-tinh"},
	},
	Holidays: []string{"01-01", "04-30", "05-01", "09-02"},
}

// WorkingDays counts the working days from from to to, both included:
// Monday to Friday, public holidays left out.
func WorkingDays(from, to string, holidays []string) int {
	f, err1 := time.Parse(DateLayout, from)
	t, err2 := time.Parse(DateLayout, to)
	if err1 != nil || err2 != nil {
		return 0
	}
	off := map[string]bool{}
	for _, h := range holidays {
		off[h] = true
	}
	n := 0
	for d := f; !d.After(t); d = d.AddDate(0, 0, 1) {
		if d.Weekday() == time.Saturday || d.Weekday() == time.Sunday {
			continue
		}
		if s := d.Format(DateLayout); off[s] || off[s[5:]] {
			continue
		}
		n++
	}
	return n
}

// CheckHoliday checks a public holiday as RouteRules.Holidays has it: a
// date (YYYY-MM-DD) or a day of every year (MM-DD).
func CheckHoliday(s string) error {
	if len(s) == 5 {
		if _, err := time.Parse("01-02", s); err == nil {
			return nil
		}
	}
	return CheckDate("holiday", s)
}

// needsNotice reports whether recipient r's proposal needs a public notice.
func (n NoticeRule) needsNotice(ref Reference, awardTypeID string) bool {
	if contains(n.AwardTypes, awardTypeID) {
		return true
	}
	t := ref.AwardType(awardTypeID)
	return t != nil && contains(n.Forms, t.Form)
}

// CheckNotice checks, before a dossier is submitted, the public notice of
// its names when a recipient is proposed for a form that needs one: at
// least the rule's working days, ending before the council meets.
func CheckNotice(ref Reference, rules RouteRules, d *Dossier) error {
	rule := rules.Notice
	need := -1
	for i, r := range d.Recipients {
		if rule.needsNotice(ref, r.AwardTypeID) {
			need = i
			break
		}
	}
	if need < 0 {
		return nil
	}
	what := typeName(ref, d.Recipients[need].AwardTypeID)
	if d.Notice == nil {
		return Invalid("input.notice", "%s needs a public notice of at least %d working days before the council meets (%s)",
			what, rule.MinWorkingDays, rule.Basis)
	}
	if n := WorkingDays(d.Notice.From, d.Notice.To, rules.Holidays); n < rule.MinWorkingDays {
		return Invalid("input.notice", "the public notice for %s lasts %d working days (%s to %s); at least %d are needed (%s)",
			what, n, d.Notice.From, d.Notice.To, rule.MinWorkingDays, rule.Basis)
	}
	if d.Council == nil {
		return Invalid("input.council", "the public notice ends before the council meets: record the council's meeting (%s)", rule.Basis)
	}
	if d.Notice.To >= d.Council.Date {
		return Invalid("input.notice.to", "the public notice must end before the council meets (%s); it ends %s (%s)",
			d.Council.Date, d.Notice.To, rule.Basis)
	}
	return nil
}

// DecidedRecipientInput is one recipient a decision confers, and the form
// it confers (the one proposed, or a lower one).
type DecidedRecipientInput struct {
	Index       int // in the dossier's recipients, from 0
	AwardTypeID string
	Class       *string
}

// classRank orders classes: FIRST is the highest.
var classRank = map[string]int{"FIRST": 1, "SECOND": 2, "THIRD": 3}

// NotHigher reports whether conferring (toType, toClass) on a proposal of
// (fromType, fromClass) confers the same form or a lower one: a lower
// class of the same type, or a type later in one of the ranking chains.
func NotHigher(ranks [][]string, fromType, fromClass, toType, toClass string) bool {
	if fromType == toType {
		return fromClass == toClass || fromClass != "" && toClass != "" && classRank[toClass] > classRank[fromClass]
	}
	for _, chain := range ranks {
		from, to := -1, -1
		for i, id := range chain {
			switch id {
			case fromType:
				from = i
			case toType:
				to = i
			}
		}
		if from >= 0 && to > from {
			return true
		}
	}
	return false
}

// selection is what a decision confers: the dossier's recipient index and
// the form, in the dossier's order.
type selection struct {
	index       int
	awardTypeID string
	class       string
}

// selectRecipients checks a decision's recipients against the dossier: a
// subset of them, each at the form proposed or a lower one; all of them as
// proposed when absent. It returns the selection and the history's notes
// (recipients not conferred, forms lowered).
func selectRecipients(ref Reference, ranks [][]string, d *Dossier, in []DecidedRecipientInput, all bool) ([]selection, []string, error) {
	if all {
		out := make([]selection, len(d.Recipients))
		for i, r := range d.Recipients {
			out[i] = selection{i, r.AwardTypeID, r.Class}
		}
		return out, nil, nil
	}
	if len(in) == 0 {
		return nil, nil, Invalid("input.recipients", "a decision confers at least one recipient; reject the dossier to confer none")
	}
	chosen := map[int]selection{}
	for k, x := range in {
		f := fmt.Sprintf("input.recipients[%d]", k)
		if x.Index < 0 || x.Index >= len(d.Recipients) {
			return nil, nil, Invalid(f+".index", "the dossier has recipients 0 to %d", len(d.Recipients)-1)
		}
		if _, dup := chosen[x.Index]; dup {
			return nil, nil, Invalid(f+".index", "index %d is named twice", x.Index)
		}
		p := d.Recipients[x.Index]
		class := ""
		if x.Class != nil {
			class = *x.Class
		}
		if !NotHigher(ranks, p.AwardTypeID, p.Class, x.AwardTypeID, class) {
			return nil, nil, Invalid(f+".awardTypeId", "%s was proposed for %s; a decision confers it or a lower form, not %s",
				p.Recipient.Name, formName(ref, p.AwardTypeID, p.Class), formName(ref, x.AwardTypeID, class))
		}
		chosen[x.Index] = selection{x.Index, x.AwardTypeID, class}
	}
	var out []selection
	var notes []string
	for i, r := range d.Recipients {
		s, ok := chosen[i]
		switch {
		case !ok:
			notes = append(notes, fmt.Sprintf("recipient %d (%s): %s not conferred", i+1, r.Recipient.Name, formName(ref, r.AwardTypeID, r.Class)))
			continue
		case s.awardTypeID != r.AwardTypeID || s.class != r.Class:
			notes = append(notes, fmt.Sprintf("recipient %d (%s): %s conferred instead of %s", i+1, r.Recipient.Name,
				formName(ref, s.awardTypeID, s.class), formName(ref, r.AwardTypeID, r.Class)))
		}
		out = append(out, s)
	}
	return out, notes, nil
}

func formName(ref Reference, id, class string) string {
	if class == "" {
		return typeName(ref, id)
	}
	return typeName(ref, id) + " " + class
}

// HonoreeOf identifies who an award goes to: its honoree record, or its
// kind and folded name in its province.
func HonoreeOf(honoree string, r Recipient, province string) string {
	if honoree != "" {
		return "h:" + honoree
	}
	return "n:" + province + "|" + r.Kind + "|" + vntext.Fold(r.Name)
}

// SameDecision reports whether two decisions are the same act: the same
// authority, date and number (case, spacing and diacritics ignored).
func SameDecision(a, b *DecisionRecord) bool {
	return a.Authority == b.Authority && a.Date == b.Date &&
		vntext.Fold(strings.Join(strings.Fields(a.Number), "")) == vntext.Fold(strings.Join(strings.Fields(b.Number), ""))
}

// OneAwardPerHonoree refuses a decision that would give an honoree a
// second award of the same decision: existing are the awards the same
// decision (SameDecision) already conferred, recorded on other dossiers.
// CONFLICT on input.number; nothing is written.
func OneAwardPerHonoree(dec *DecisionRecord, existing []Award, list []*Award) error {
	had := map[string]string{}
	for _, a := range existing {
		had[HonoreeOf(a.HonoreeID, a.Recipient, a.ProvinceID)] = a.ID
	}
	for _, a := range list {
		if id, ok := had[HonoreeOf(a.HonoreeID, a.Recipient, a.ProvinceID)]; ok {
			return &Error{Code: CodeConflict, Field: "input.number", Message: fmt.Sprintf(
				"decision %s of %s already conferred award %s on %s (one award per honoree per decision)", dec.Number, dec.Date, id, a.Recipient.Name)}
		}
	}
	return nil
}
