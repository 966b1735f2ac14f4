package domain

import (
	"fmt"
	"sort"

	"github.com/thidua/thidua/vntext"
)

// Eligibility: titles that build on earlier ones count windows of years,
// not mere presence; the council's secret ballot reaches a share of all
// its members; some things are warnings for the office rather than
// refusals. Each rule cites its source; what was not checked against the
// gazette is marked Unconfirmed (docs/domain.md, "The law behind the rules"), and
// the ELIGIBILITY_RULES setting replaces the table where an office reads
// the law otherwise.

// DefaultPrerequisites are the conditions thidua checks when a dossier is
// submitted. The wording of Law 06/2022/QH15 was read from secondary
// copies of the law, not the gazette.
var DefaultPrerequisites = []Prerequisite{
	{
		// Điều 21: "02 lần liên tục được tặng danh hiệu chiến sĩ thi đua
		// Bộ, ban, ngành, tỉnh". The provincial title is conferred for
		// three years of Chiến sĩ thi đua cơ sở (Điều 22), so two
		// consecutive conferrals are at most three years apart. Titles
		// counted for an earlier national title are not counted again.
		AwardTypeID: "chien-si-thi-dua-toan-quoc",
		Needs:       []string{"chien-si-thi-dua-tinh"},
		Times:       2, Consecutive: true, Period: 3, Exclusive: true,
		Basis: "Luật Thi đua, khen thưởng số 06/2022/QH15, Điều 21",
	},
	{
		// The national title is proposed the year after the second
		// provincial one (domain.md, "The route a dossier takes" 6): the
		// implementing decree's article is not confirmed.
		AwardTypeID: "chien-si-thi-dua-toan-quoc",
		Needs:       []string{"chien-si-thi-dua-tinh"},
		Times:       2, Consecutive: true, Period: 3, Exclusive: true, Adjacent: true,
		Basis:       "đề nghị vào năm liền kề năm được tặng Chiến sĩ thi đua cấp tỉnh lần thứ hai — văn bản chưa đối chiếu",
		Unconfirmed: true,
	},
	{
		// The council's secret ballot: 90% of all its members for the
		// national title (Decree 91/2017/NĐ-CP, Điều 45 khoản 8, for
		// decisions until 2023). The threshold of the decrees in force
		// since is not confirmed: it is this setting's value.
		AwardTypeID:    "chien-si-thi-dua-toan-quoc",
		MinBallotShare: 90,
		Basis:          "Nghị định số 91/2017/NĐ-CP, Điều 45 khoản 8 (từ 90% tổng số thành viên Hội đồng); ngưỡng hiện hành là cấu hình ELIGIBILITY_RULES",
		Unconfirmed:    true,
	},
	{
		// Điều 22: "03 lần liên tục đạt danh hiệu Chiến sĩ thi đua cơ sở";
		// each base-level year counts for one provincial title only.
		AwardTypeID: "chien-si-thi-dua-tinh",
		Needs:       []string{"chien-si-thi-dua-co-so"},
		Times:       3, Consecutive: true, Period: 1, Exclusive: true,
		Basis: "Luật Thi đua, khen thưởng số 06/2022/QH15, Điều 22",
	},
}

// Prerequisite is a condition the law sets on a title: that the recipient
// received one of Needs at least Times times in the Within years before the
// proposal's year (consecutive years when Consecutive), or that the
// council's ballot reached MinBallotShare. Basis cites the article;
// Unconfirmed marks a rule not checked against the gazette.
type Prerequisite struct {
	AwardTypeID string
	Class       string // "" for any class
	Needs       []string
	NeedsClass  string // the class the earlier award must have; "" for any
	Times       int
	Consecutive bool
	// Period is the most years between two conferrals that still count as
	// consecutive ("lần liên tục": a title conferred every three years is
	// consecutive three years apart); 0 or 1: successive years.
	Period int
	Within int // years before the proposal's year; 0: any time before
	// Exclusive: a conferral counts for one title only — those up to the
	// year of an earlier award of AwardTypeID were counted for it.
	Exclusive bool
	// Adjacent: the last conferral counted is in the year just before the
	// proposal's year.
	Adjacent bool
	// MinBallotShare is the least share, in percent of all the council's
	// members, of the secret ballots for the recipient; 0: not checked.
	MinBallotShare float64
	Basis          string
	Unconfirmed    bool
}

// Eligible checks a proposed recipient against the prerequisites of its
// award type, given its conferred awards (history). A recipient without
// an honoree record has no history to check: a title with prerequisites
// needs one (an award decided on paper is linked to it with
// AwardInput.HonoreeID).
func Eligible(ref Reference, rules []Prerequisite, field string, r DossierRecipient, year int, history []Award) error {
	for _, p := range rules {
		if p.AwardTypeID != r.AwardTypeID || p.Class != "" && p.Class != r.Class || len(p.Needs) == 0 {
			continue
		}
		want := p.describe(ref)
		if r.HonoreeID == "" {
			return Invalid(field+".honoreeId", "%s requires %s (%s): name the honoree so its earlier awards can be checked",
				typeName(ref, r.AwardTypeID), want, p.Basis)
		}
		// Counted already: up to the last earlier conferral of the title.
		spent := 0
		if p.Exclusive {
			for _, a := range history {
				if a.Status == StatusConferred && a.AwardTypeID == p.AwardTypeID && a.Year < year && a.Year > spent {
					spent = a.Year
				}
			}
		}
		years := map[int]bool{}
		for _, a := range history {
			if a.Status != StatusConferred || !contains(p.Needs, a.AwardTypeID) || p.NeedsClass != "" && a.Class != p.NeedsClass {
				continue
			}
			if a.Year > year || p.Within > 0 && a.Year <= year-p.Within || a.Year <= spent {
				continue
			}
			years[a.Year] = true
		}
		if !p.met(years, year) {
			return Invalid(field+".awardTypeId", "%s requires %s (%s); %s has %s",
				typeName(ref, r.AwardTypeID), want, p.Basis, r.Recipient.Name, haveText(years, spent))
		}
	}
	return nil
}

// CouncilShare checks the council's secret ballot for a recipient against
// the thresholds of its award type: the share of the ballots cast for it
// (ballotShare, of the members present) is taken over all the members.
func CouncilShare(rules []Prerequisite, field string, r DossierRecipient, council *Council) error {
	for _, p := range rules {
		if p.AwardTypeID != r.AwardTypeID || p.Class != "" && p.Class != r.Class || p.MinBallotShare <= 0 {
			continue
		}
		switch {
		case council == nil || council.MembersTotal < 1:
			return Invalid("input.council", "%s needs the council's secret ballot (%s of all members; %s): record the council's meeting",
				r.AwardTypeID, FormatNumber(p.MinBallotShare)+"%", p.Basis)
		case r.BallotShare == nil:
			return Invalid(field+".ballotShare", "%s needs the council's secret ballot (%s of all members; %s): record the share",
				r.AwardTypeID, FormatNumber(p.MinBallotShare)+"%", p.Basis)
		}
		share := *r.BallotShare * float64(council.MembersPresent) / float64(council.MembersTotal)
		if share+1e-9 < p.MinBallotShare {
			return Invalid(field+".ballotShare", "%s won %s of the ballots of %d members present, %s of all %d members; %s needs %s (%s)",
				r.Recipient.Name, FormatNumber(*r.BallotShare)+"%", council.MembersPresent, FormatNumber(share)+"%",
				council.MembersTotal, r.AwardTypeID, FormatNumber(p.MinBallotShare)+"%", p.Basis)
		}
	}
	return nil
}

// Art6Warnings warns where one achievement is proposed for two forms: the
// same recipient, year and achievement summary under another award type,
// in this dossier or in the proposals and awards on record (Law 06/2022/QH15,
// Điều 6: one achievement earns one form). A warning, not a refusal: the
// office judges whether the achievements differ.
func Art6Warnings(ref Reference, d *Dossier, others []Proposal) []DossierWarning {
	var out []DossierWarning
	for i, r := range d.Recipients {
		who, what := achievementKey(r.HonoreeID, r.Recipient, r.ProvinceID, "", d.Year), vntext.Fold(r.Achievement)
		warn := func(where string) {
			out = append(out, DossierWarning{Recipient: i, Message: fmt.Sprintf(
				"%s: the same achievement is proposed for another form (%s); one achievement earns one form (Luật Thi đua, khen thưởng số 06/2022/QH15, Điều 6)",
				r.Recipient.Name, where)})
		}
		for j, o := range d.Recipients[:i] {
			if o.AwardTypeID != r.AwardTypeID && achievementKey(o.HonoreeID, o.Recipient, o.ProvinceID, "", d.Year) == who && vntext.Fold(o.Achievement) == what {
				warn(fmt.Sprintf("%s, recipient %d of this dossier", typeName(ref, o.AwardTypeID), j+1))
				break
			}
		}
		for _, o := range others {
			if o.DossierID == d.ID && o.DossierID != "" || o.AwardTypeID == r.AwardTypeID || o.Achievement == "" {
				continue
			}
			if achievementKey(o.HonoreeID, o.Recipient, o.ProvinceID, "", o.Year) == who && vntext.Fold(o.Achievement) == what {
				warn(fmt.Sprintf("%s, %s", typeName(ref, o.AwardTypeID), o.Where))
				break
			}
		}
	}
	return out
}

// ProceedingsWarnings warns of recipients whose honoree record notes
// discipline or an investigation pending (Decree 152/2025/NĐ-CP, Điều 4
// khoản 4: not proposed while it is pending). A warning, not a refusal: the
// article's text is unconfirmed (docs/domain.md), and the office closes the case.
func ProceedingsWarnings(d *Dossier, honorees map[string]*Honoree) []DossierWarning {
	var out []DossierWarning
	for i, r := range d.Recipients {
		if h := honorees[r.HonoreeID]; r.HonoreeID != "" && h != nil && h.PendingProceedings != "" {
			out = append(out, DossierWarning{Recipient: i, Message: fmt.Sprintf(
				"%s: discipline or an investigation is pending (%s); no commendation while it is (Nghị định số 152/2025/NĐ-CP, Điều 4 khoản 4 — chưa đối chiếu văn bản)",
				r.Recipient.Name, h.PendingProceedings)})
		}
	}
	return out
}

func (p Prerequisite) met(years map[int]bool, year int) bool {
	if !p.Consecutive {
		return len(years) >= p.Times && (!p.Adjacent || years[year-1])
	}
	// Consecutive: a run of Times conferrals, each at most Period years
	// after the one before; Adjacent: a run ending the year before the
	// proposal's.
	run := 0
	list := make([]int, 0, len(years))
	for y := range years {
		list = append(list, y)
	}
	sort.Ints(list)
	for i, y := range list {
		if i > 0 && y-list[i-1] <= max(p.Period, 1) {
			run++
		} else {
			run = 1
		}
		if run >= p.Times && (!p.Adjacent || y == year-1) {
			return true
		}
	}
	return false
}

func (p Prerequisite) describe(ref Reference) string {
	names := make([]string, len(p.Needs))
	for i, id := range p.Needs {
		names[i] = typeName(ref, id)
		if p.NeedsClass != "" {
			names[i] += " " + p.NeedsClass
		}
	}
	s := fmt.Sprintf("%d time(s) %v", p.Times, names)
	if p.Consecutive {
		s = fmt.Sprintf("%d consecutive time(s) %v", p.Times, names)
	}
	if p.Within > 0 {
		s += fmt.Sprintf(" in the %d years before", p.Within)
	}
	if p.Adjacent {
		s += ", the last of them the year before"
	}
	if p.Exclusive {
		s += ", not counted for an earlier such title"
	}
	return s
}

func haveText(years map[int]bool, spent int) string {
	list := make([]int, 0, len(years))
	for y := range years {
		list = append(list, y)
	}
	sort.Ints(list)
	s := "none"
	if len(list) > 0 {
		s = fmt.Sprintf("them in %v", list)
	}
	if spent > 0 {
		s += fmt.Sprintf(" (those up to %d counted for an earlier title)", spent)
	}
	return s
}
