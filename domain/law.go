package domain

import "time"

// The law over time: which law and implementing decrees a decision cites
// is catalogue data with validity dates (LawPeriod), judged at the
// decision's date — never at today's. A `*` admin corrects it
// (saveLawPeriod); DefaultLawPeriods is what is seeded, and what the rules
// fall back on when the catalogue holds no period for a date.

// LawPeriod is one row of the law table: decisions dated ValidFrom to
// ValidTo (inclusive; empty: open-ended) are made under Law and Decrees,
// and cite Text. Unconfirmed marks a row whose text was not checked against the
// gazette.
type LawPeriod struct {
	ID          string   `json:"id"`
	ValidFrom   string   `json:"validFrom,omitempty"`
	ValidTo     string   `json:"validTo,omitempty"`
	Law         string   `json:"law"`
	Decrees     []string `json:"decrees"`
	Text        string   `json:"text"`
	Note        string   `json:"note,omitempty"`
	Unconfirmed bool     `json:"unconfirmed,omitempty"`
	Meta        `json:"-"`
}

// Covers says whether a decision dated on falls in the period.
func (p *LawPeriod) Covers(on string) bool {
	return inRange(on, p.ValidFrom, p.ValidTo)
}

// The laws and decrees of the seeded periods (docs/domain.md, "The law behind the
// rules"; domain.md, "The law over time").
const (
	law2003Text  = "Luật Thi đua, Khen thưởng số 15/2003/QH11 (sửa đổi, bổ sung năm 2005, 2009, 2013)"
	law2022Text  = "Luật Thi đua, khen thưởng số 06/2022/QH15"
	decree91     = "Nghị định số 91/2017/NĐ-CP"
	decree98     = "Nghị định số 98/2023/NĐ-CP"
	decree28     = "Nghị định số 28/2024/NĐ-CP"
	decree152    = "Nghị định số 152/2025/NĐ-CP"
	Law2022Start = "2024-01-01" // Law 06/2022/QH15 in force (its Điều 95)
	// Decree152Start is the first day of Decree 152/2025/NĐ-CP, whose
	// Điều 59 repeals Decrees 98/2023 and 28/2024.
	Decree152Start = "2025-07-01"
	// DistrictLevelEnd is the last day of the district level: district
	// chairs decide nothing after it (api.md, Authority; the two-level
	// local government from 1/7/2025).
	DistrictLevelEnd = "2025-06-30"
)

// DefaultLawPeriods are the three periods of the law table.
var DefaultLawPeriods = []LawPeriod{
	{ID: "luat-2003-nd-91-2017", ValidTo: "2023-12-31", Law: law2003Text, Decrees: []string{decree91},
		Text: law2003Text + "; " + decree91},
	{ID: "luat-2022-nd-98-2023", ValidFrom: Law2022Start, ValidTo: DistrictLevelEnd, Law: law2022Text, Decrees: []string{decree98, decree28},
		Text: law2022Text + "; " + decree98 + "; " + decree28},
	{ID: "luat-2022-nd-152-2025", ValidFrom: Decree152Start, Law: law2022Text, Decrees: []string{decree152},
		Text: law2022Text + "; " + decree152,
		Note: "Nghị định 152/2025/NĐ-CP, Điều 59 bãi bỏ Nghị định 98/2023/NĐ-CP và 28/2024/NĐ-CP"},
}

// LawPeriodOn is the period of periods a decision dated on falls in (the
// first that covers it, in their order), or nil.
func LawPeriodOn(periods []LawPeriod, on string) *LawPeriod {
	for i := range periods {
		if periods[i].Covers(on) {
			return &periods[i]
		}
	}
	return nil
}

// LegalBasisOn is the text a decision dated on cites: the catalogue's
// period for the date, else the seeded one.
func LegalBasisOn(ref Reference, on string) string {
	if ref != nil {
		if p := LawPeriodOn(ref.LawPeriods(), on); p != nil {
			return p.Text
		}
	}
	if p := LawPeriodOn(DefaultLawPeriods, on); p != nil {
		return p.Text
	}
	return ""
}

// LawPeriodInput is the command to create or replace a law period.
type LawPeriodInput struct {
	ID          string
	ValidFrom   *string
	ValidTo     *string
	Law         string
	Decrees     []string
	Text        string
	Note        *string
	Unconfirmed bool
}

// CheckLawPeriod checks a law period: a slug id, ordered dates, the law
// and the text a decision cites.
func CheckLawPeriod(now time.Time, in LawPeriodInput) (*LawPeriod, error) {
	c := newChecker(nil, now)
	c.slug("input.id", in.ID)
	p := &LawPeriod{ID: in.ID, Law: c.text("input.law", &in.Law, true, MaxShort),
		Text: c.text("input.text", &in.Text, true, MaxLong), Note: c.text("input.note", in.Note, false, MaxLong),
		Unconfirmed: in.Unconfirmed, Decrees: []string{}}
	p.ValidFrom, p.ValidTo = c.validity("input.valid", in.ValidFrom, in.ValidTo)
	for i := range in.Decrees {
		p.Decrees = append(p.Decrees, c.text("input.decrees", &in.Decrees[i], true, MaxShort))
	}
	return p, c.err
}
