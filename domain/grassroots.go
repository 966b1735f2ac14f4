package domain

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/thidua/thidua/vntext"
)

// The grassroots cycle (domain.md, "The route a dossier takes" 1–3): the
// units of a province, what each registers for a year, and the register
// of recognised initiatives that Chiến sĩ thi đua cơ sở is checked against.

// Recipient kinds the grassroots rules tell apart.
const (
	recipientIndividual = "INDIVIDUAL"
	recipientHousehold  = "HOUSEHOLD"
)

// Unit kinds.
const (
	UnitDepartment = "DEPARTMENT"
	UnitCommune    = "COMMUNE"
	UnitSchool     = "SCHOOL"
	UnitHospital   = "HOSPITAL"
	UnitEnterprise = "ENTERPRISE"
	UnitOther      = "OTHER"
)

// UnitKinds are the kinds of unit.
var UnitKinds = []string{UnitDepartment, UnitCommune, UnitSchool, UnitHospital, UnitEnterprise, UnitOther}

// Unit is a unit of a province (a department, a commune, a school, an
// enterprise), optionally under a parent unit. The province's structure
// is public: units are published.
type Unit struct {
	ID         string `json:"id"`
	Owner      string `json:"owner"`
	Published  bool   `json:"published"`
	ProvinceID string `json:"provinceId"`
	Name       string `json:"name"`
	Kind       string `json:"kind"`
	ParentID   string `json:"parentId,omitempty"`
	Meta       `json:"-"`
}

// UnitInput is the command to create or replace a unit.
type UnitInput struct {
	ProvinceID string
	Name       string
	Kind       string
	ParentID   *string
}

// CheckUnit checks a unit input. parent is the unit ParentID names, read
// within the caller's access (nil when absent or hidden); ancestors are
// the ids above it (to refuse a cycle when self, the unit being replaced,
// is among them).
func CheckUnit(ref Reference, now time.Time, in UnitInput, self string, parent *Unit, ancestors []string) (*Unit, error) {
	c := newChecker(ref, now)
	u := &Unit{ProvinceID: in.ProvinceID, Owner: in.ProvinceID, Published: true, Kind: in.Kind,
		Name: c.text("input.name", &in.Name, true, MaxName)}
	c.province("input.provinceId", in.ProvinceID)
	if !contains(UnitKinds, in.Kind) {
		c.fail("input.kind", "%q is not a kind of unit", in.Kind)
	}
	if in.ParentID != nil {
		switch {
		case parent == nil:
			c.fail("input.parentId", "unknown unit %q", *in.ParentID)
		case parent.ProvinceID != in.ProvinceID:
			c.fail("input.parentId", "the parent unit belongs to %s, not %s", parent.ProvinceID, in.ProvinceID)
		case self != "" && (parent.ID == self || contains(ancestors, self)):
			c.fail("input.parentId", "a unit cannot be under itself")
		default:
			u.ParentID = parent.ID
		}
	}
	return u, c.err
}

// UnitKey is the form of a unit's name the store keeps unique within its
// province, and the import matches: folded.
func UnitKey(name string) string { return vntext.Fold(name) }

// RegisteredTitle is one title a registration aims for: a collective title
// for the unit itself (Count 1), or an individual title for Count of its
// people (Names, when known).
type RegisteredTitle struct {
	AwardTypeID string   `json:"awardTypeId"`
	Count       int      `json:"count"`
	Names       []string `json:"names,omitempty"`
}

// EmulationRegistration is a unit's registration for a year (đăng ký thi
// đua): the titles it and its people aim for. One per unit and year; the
// province's own record (not published).
type EmulationRegistration struct {
	ID         string            `json:"id"`
	Owner      string            `json:"owner"`
	Published  bool              `json:"published"`
	ProvinceID string            `json:"provinceId"`
	UnitID     string            `json:"unitId"`
	Year       int               `json:"year"`
	Titles     []RegisteredTitle `json:"titles"`
	Meta       `json:"-"`
}

// RegisteredTitleInput is one title of a registration input.
type RegisteredTitleInput struct {
	AwardTypeID string
	Count       *int
	Names       []string
}

// RegistrationInput is the command to register a unit for a year.
type RegistrationInput struct {
	UnitID string
	Year   int
	Titles []RegisteredTitleInput
}

// MaxRegisteredCount bounds the people registered for one title.
const MaxRegisteredCount = 100000

// CheckRegistration checks a registration of unit (nil: unknown or hidden).
// A collective title counts the unit once; an individual title counts
// Count people (at least its names).
func CheckRegistration(ref Reference, now time.Time, in RegistrationInput, unit *Unit) (*EmulationRegistration, error) {
	c := newChecker(ref, now)
	c.year("input.year", in.Year)
	r := &EmulationRegistration{Year: in.Year, Titles: []RegisteredTitle{}}
	if unit == nil {
		c.fail("input.unitId", "unknown unit %q", in.UnitID)
	} else {
		r.UnitID, r.ProvinceID, r.Owner = unit.ID, unit.ProvinceID, unit.ProvinceID
	}
	if len(in.Titles) == 0 {
		c.fail("input.titles", "register at least one title")
	}
	seen := map[string]bool{}
	for i, t := range in.Titles {
		f := fmt.Sprintf("input.titles[%d]", i)
		at := ref.AwardType(t.AwardTypeID)
		if at == nil {
			c.fail(f+".awardTypeId", "unknown award type %q", t.AwardTypeID)
			continue
		}
		if seen[t.AwardTypeID] {
			c.fail(f+".awardTypeId", "%s is registered twice", at.Name)
		}
		seen[t.AwardTypeID] = true
		rt := RegisteredTitle{AwardTypeID: t.AwardTypeID}
		for j, n := range t.Names {
			n := n
			rt.Names = append(rt.Names, c.text(fmt.Sprintf("%s.names[%d]", f, j), &n, true, MaxName))
		}
		collective := !contains(at.RecipientKinds, recipientIndividual) && !contains(at.RecipientKinds, recipientHousehold)
		switch {
		case collective && (t.Count != nil && *t.Count != 1 || len(t.Names) > 0):
			c.fail(f+".count", "%s is the unit's own title: it counts once and names no one", at.Name)
		case collective:
			rt.Count = 1
		case t.Count == nil:
			rt.Count = len(rt.Names)
			if rt.Count == 0 {
				c.fail(f+".count", "give how many people aim for %s, or their names", at.Name)
			}
		case *t.Count < len(rt.Names) || *t.Count < 1 || *t.Count > MaxRegisteredCount:
			c.fail(f+".count", "must be between %d (the names given, at least 1) and %d", max(len(rt.Names), 1), MaxRegisteredCount)
		default:
			rt.Count = *t.Count
		}
		r.Titles = append(r.Titles, rt)
	}
	return r, c.err
}

// Initiative levels.
const (
	InitiativeBase     = "BASE"
	InitiativeProvince = "PROVINCE"
)

// InitiativeLevels are the levels an initiative is recognised at.
var InitiativeLevels = []string{InitiativeBase, InitiativeProvince}

// Initiative is an entry of the initiative register (sáng kiến): its
// authors, unit and year, the level it was recognised at and the
// recognising decision (none yet: registered, not recognised). The
// province's own record (not published).
type Initiative struct {
	ID           string    `json:"id"`
	Owner        string    `json:"owner"`
	Published    bool      `json:"published"`
	ProvinceID   string    `json:"provinceId"`
	Title        string    `json:"title"`
	Authors      []string  `json:"authors"`
	UnitID       string    `json:"unitId,omitempty"`
	Year         int       `json:"year"`
	Level        string    `json:"level"`
	RecognisedBy *Decision `json:"recognisedBy,omitempty"`
	Meta         `json:"-"`
}

// InitiativeInput is the command to create or replace an initiative.
type InitiativeInput struct {
	ProvinceID   string
	Title        string
	Authors      []string
	UnitID       *string
	Year         int
	Level        string
	RecognisedBy *DecisionInput
}

// MaxAuthors bounds an initiative's authors.
const MaxAuthors = 50

// CheckInitiative checks an initiative; unit is the unit UnitID names
// (nil: unknown or hidden).
func CheckInitiative(ref Reference, now time.Time, in InitiativeInput, unit *Unit) (*Initiative, error) {
	c := newChecker(ref, now)
	x := &Initiative{ProvinceID: in.ProvinceID, Owner: in.ProvinceID, Year: in.Year, Level: in.Level,
		Title: c.text("input.title", &in.Title, true, MaxTitle), Authors: []string{}}
	c.province("input.provinceId", in.ProvinceID)
	c.year("input.year", in.Year)
	if !contains(InitiativeLevels, in.Level) {
		c.fail("input.level", "%q is not a level (BASE or PROVINCE)", in.Level)
	}
	if len(in.Authors) == 0 || len(in.Authors) > MaxAuthors {
		c.fail("input.authors", "name between 1 and %d authors", MaxAuthors)
	}
	for i, a := range in.Authors {
		a := a
		x.Authors = append(x.Authors, c.text(fmt.Sprintf("input.authors[%d]", i), &a, true, MaxName))
	}
	if in.UnitID != nil {
		switch {
		case unit == nil:
			c.fail("input.unitId", "unknown unit %q", *in.UnitID)
		case unit.ProvinceID != in.ProvinceID:
			c.fail("input.unitId", "the unit belongs to %s, not %s", unit.ProvinceID, in.ProvinceID)
		default:
			x.UnitID = unit.ID
		}
	}
	x.RecognisedBy = c.decision("input.recognisedBy", in.RecognisedBy)
	if x.RecognisedBy != nil && c.err == nil && x.RecognisedBy.Date < yearStart(in.Year) {
		c.fail("input.recognisedBy.date", "a decision dated %s cannot recognise an initiative of %d", x.RecognisedBy.Date, in.Year)
	}
	return x, c.err
}

// InitiativeFilter selects initiatives of a province.
type InitiativeFilter struct {
	ProvinceID string
	Year       *int
	UnitID     string
	Search     string // words of the title or an author, diacritics ignored
}

// RegistrationFilter selects registrations of a province.
type RegistrationFilter struct {
	ProvinceID string
	Year       *int
	UnitID     string
}

// NeedsInitiative is the title a recognised initiative is a condition of:
// Chiến sĩ thi đua cơ sở.
const NeedsInitiative = "chien-si-thi-dua-co-so"

// InitiativeBasis is the condition's source. The criteria article was not
// confirmed in the official text (docs/domain.md, "The law behind the rules").
const InitiativeBasis = "Luật Thi đua, khen thưởng số 06/2022/QH15 (tiêu chuẩn Chiến sĩ thi đua cơ sở; điều khoản chưa đối chiếu)"

// CheckInitiativeFor checks an individual's Chiến sĩ thi đua cơ sở (other
// awards pass) against the register: an initiative recognised at BASE
// level or higher in the award's year with the recipient among its
// authors (names compared folded) and, when both name a unit, of the
// award's unit. A rejected proposal needs none. field names the
// recipient's name.
func CheckInitiativeFor(a *Award, register Register, field string) error {
	if !needsInitiative(a.AwardTypeID, a.Recipient.Kind) || a.Status == StatusRejected ||
		register.Recognises(a.Recipient.Name, a.UnitID, a.Year) {
		return nil
	}
	return noInitiative(field, a.Year, a.Recipient.Name)
}

// needsInitiative reports whether a recipient of kind proposed for
// awardType needs an initiative in the register.
func needsInitiative(awardType, kind string) bool {
	return awardType == NeedsInitiative && kind == recipientIndividual
}

// noInitiative refuses a proposal of Chiến sĩ thi đua cơ sở for name in
// year that the register does not back.
func noInitiative(field string, year int, name string) error {
	return Invalid(field, "Chiến sĩ thi đua cơ sở needs an initiative recognised in %d with %s among its authors (%s); the register has none",
		year, name, InitiativeBasis)
}

// CheckDossierInitiatives checks a dossier's individual recipients
// proposed for Chiến sĩ thi đua cơ sở against the initiative register of
// the dossier's year, as CheckInitiativeFor checks an award (the condition's
// article is unconfirmed: InitiativeBasis).
func CheckDossierInitiatives(d *Dossier, register Register) error {
	for i, r := range d.Recipients {
		if needsInitiative(r.AwardTypeID, r.Recipient.Kind) && !register.Recognises(r.Recipient.Name, d.UnitID, d.Year) {
			return noInitiative(fmt.Sprintf("input.recipients[%d].recipient.name", i), d.Year, r.Recipient.Name)
		}
	}
	return nil
}

// NeedsInitiatives reports whether a dossier proposes Chiến sĩ thi đua cơ
// sở for a person (so its register must be read).
func NeedsInitiatives(d *Dossier) bool {
	for _, r := range d.Recipients {
		if needsInitiative(r.AwardTypeID, r.Recipient.Kind) {
			return true
		}
	}
	return false
}

// Register is an initiative register as the checks read it: the
// initiatives recognised at a listed level, found by each author's name
// folded once (an import checks thousands of rows against one register).
type Register struct {
	byAuthor map[string][]registerEntry // by vntext.Fold of an author's name
}

type registerEntry struct {
	year int
	unit string
}

// NewRegister keeps the recognised initiatives of list (recognised, at one
// of InitiativeLevels), found by their authors' folded names.
func NewRegister(list []Initiative) Register {
	r := Register{byAuthor: map[string][]registerEntry{}}
	for _, x := range list {
		if x.RecognisedBy == nil || !contains(InitiativeLevels, x.Level) {
			continue
		}
		for _, au := range x.Authors {
			key := vntext.Fold(au)
			r.byAuthor[key] = append(r.byAuthor[key], registerEntry{year: x.Year, unit: x.UnitID})
		}
	}
	return r
}

// Recognises reports whether the register holds an initiative of year,
// recognised, with name among its authors (and of unit, when both name
// one).
func (r Register) Recognises(name, unit string, year int) bool {
	for _, x := range r.byAuthor[vntext.Fold(name)] {
		if x.year == year && (unit == "" || x.unit == "" || unit == x.unit) {
			return true
		}
	}
	return false
}

// ReportLine is one line of the year-end report: a unit's title, as
// registered, proposed (awards in any status) and conferred.
type ReportLine struct {
	UnitID      string
	AwardTypeID string
	Registered  int
	Proposed    int
	Conferred   int
}

// TitleTally counts the awards of a unit and title.
type TitleTally struct {
	UnitID, AwardTypeID string
	Proposed, Conferred int
}

// TitleTallies folds tally rows grouped by unit, award type and status
// (TallyUnit, TallyAwardType, TallyStatus) into a tally per unit and
// title: every award as proposed, the CONFERRED ones also as conferred.
func TitleTallies(rows []TallyRow) []TitleTally {
	at := map[[2]string]int{} // a unit's title: its index in out
	var out []TitleTally
	for _, r := range rows {
		k := [2]string{r.UnitID, r.AwardTypeID}
		i, ok := at[k]
		if !ok {
			i, at[k] = len(out), len(out)
			out = append(out, TitleTally{UnitID: r.UnitID, AwardTypeID: r.AwardTypeID})
		}
		out[i].Proposed += r.Count
		if r.Status == StatusConferred {
			out[i].Conferred += r.Count
		}
	}
	return out
}

// EmulationReport lays the registrations of a year beside the awards'
// tallies, one line per unit and title that has either, ordered by unit
// then by title.
func EmulationReport(regs []EmulationRegistration, tallies []TitleTally) []ReportLine {
	lines := map[[2]string]*ReportLine{}
	line := func(unit, title string) *ReportLine {
		k := [2]string{unit, title}
		if lines[k] == nil {
			lines[k] = &ReportLine{UnitID: unit, AwardTypeID: title}
		}
		return lines[k]
	}
	for _, r := range regs {
		for _, t := range r.Titles {
			line(r.UnitID, t.AwardTypeID).Registered += t.Count
		}
	}
	for _, t := range tallies {
		l := line(t.UnitID, t.AwardTypeID)
		l.Proposed += t.Proposed
		l.Conferred += t.Conferred
	}
	out := make([]ReportLine, 0, len(lines))
	for _, l := range lines {
		out = append(out, *l)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].UnitID != out[j].UnitID {
			return out[i].UnitID < out[j].UnitID
		}
		return out[i].AwardTypeID < out[j].AwardTypeID
	})
	return out
}

// TitleByName finds the award type a spreadsheet names: by id, or by its
// name folded, the longest name contained in text (so that "Tập thể lao
// động tiên tiến" is not read as "Lao động tiên tiến"); nil when none.
func TitleByName(types []AwardType, text string) *AwardType {
	key := vntext.Fold(text)
	if key == "" {
		return nil
	}
	var best *AwardType
	for i := range types {
		t := &types[i]
		name := vntext.Fold(t.Name)
		if key == t.ID || key == name {
			return t
		}
		if name != "" && strings.Contains(key, name) && (best == nil || len(name) > len(vntext.Fold(best.Name))) {
			best = t
		}
	}
	return best
}

// YearEnd is the last day of year (YYYY-MM-DD).
func YearEnd(year int) string { return yearEnd(year) }

// DefaultAuthority is the authority an imported title is decided by when
// the list does not say: the unit's head where the title allows it (a
// commune's chair for a commune), else the province's chair, else the
// first the title allows on the date.
func DefaultAuthority(t *AwardType, unitKind, on string) string {
	prefer := []string{"UNIT_HEAD", "PROVINCE_CHAIR"}
	if unitKind == UnitCommune {
		prefer = []string{"COMMUNE_CHAIR", "UNIT_HEAD", "PROVINCE_CHAIR"}
	}
	for _, a := range prefer {
		if AuthorityAllowed(t, a, on) {
			return a
		}
	}
	if list := AuthoritiesOn(t, on); len(list) > 0 {
		return list[0]
	}
	return prefer[0]
}
