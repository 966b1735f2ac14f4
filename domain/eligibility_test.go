package domain_test

import (
	"strings"
	"testing"

	"github.com/thidua/thidua/domain"
)

func conferred(typ string, years ...int) []domain.Award {
	var out []domain.Award
	for _, y := range years {
		out = append(out, domain.Award{AwardTypeID: typ, Year: y, Status: domain.StatusConferred})
	}
	return out
}

// Eligibility counts windows: each rule with its source (docs/domain.md, "The law
// behind the rules").
func TestEligibilityWindows(t *testing.T) {
	ref := testRef()
	const cs, tinh, tq = "chien-si-thi-dua-co-so", "chien-si-thi-dua-tinh", "chien-si-thi-dua-toan-quoc"
	join := func(lists ...[]domain.Award) []domain.Award {
		var out []domain.Award
		for _, l := range lists {
			out = append(out, l...)
		}
		return out
	}
	cases := []struct {
		name, source string
		typ          string
		year         int
		history      []domain.Award
		want         string // "" eligible, else a word of the refusal
	}{
		{"provincial: three consecutive base years", "Law 06/2022 Art. 22", tinh, 2021, conferred(cs, 2019, 2020, 2021), ""},
		{"provincial: base years counted once (used for the 2021 title)", "Law 06/2022 Art. 22; domain.md 6", tinh, 2023,
			join(conferred(cs, 2019, 2020, 2021, 2022, 2023), conferred(tinh, 2021)), "counted for an earlier title"},
		{"provincial: three fresh base years after the first title", "Law 06/2022 Art. 22", tinh, 2024,
			join(conferred(cs, 2019, 2020, 2021, 2022, 2023, 2024), conferred(tinh, 2021)), ""},
		{"national: the year after the second provincial title", "Law 06/2022 Art. 21; domain.md 6 (unconfirmed)", tq, 2023,
			conferred(tinh, 2019, 2022), ""},
		{"national: two years after the second provincial title", "domain.md 6 (unconfirmed)", tq, 2025,
			conferred(tinh, 2019, 2022), "the year before"},
		{"national: in the year of the second provincial title", "domain.md 6 (unconfirmed)", tq, 2022,
			conferred(tinh, 2019, 2022), "the year before"},
		{"national: provincial titles counted for an earlier national one", "Law 06/2022 Art. 21", tq, 2026,
			join(conferred(tinh, 2019, 2022, 2025), conferred(tq, 2023)), "counted for an earlier title"},
		{"national: paper-era titles linked to the honoree count", "api.md: AwardInput.honoreeId", tq, 2023,
			conferred(tinh, 2019, 2022), ""},
	}
	for _, c := range cases {
		r := domain.DossierRecipient{HonoreeID: "h1", AwardTypeID: c.typ, Recipient: domain.Recipient{Name: "Vi Văn Sơn"}}
		err := domain.Eligible(ref, domain.DefaultPrerequisites, "input.recipients[0]", r, c.year, c.history)
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%s (%s): %v, want eligible", c.name, c.source, err)
		case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
			t.Errorf("%s (%s): %v, want a refusal saying %q", c.name, c.source, err, c.want)
		}
	}
}

// The council's secret ballot, over all its members, at the configured
// threshold (90% by default: Decree 91/2017/NĐ-CP Art. 45(8)).
func TestCouncilShare(t *testing.T) {
	f := func(v float64) *float64 { return &v }
	council := func(present, total int) *domain.Council {
		return &domain.Council{Date: "2026-01-10", MembersPresent: present, MembersTotal: total}
	}
	cases := []struct {
		name    string
		typ     string
		share   *float64
		council *domain.Council
		field   string // "" accepted
	}{
		{"all present, 90%", "chien-si-thi-dua-toan-quoc", f(90), council(10, 10), ""},
		{"9 of 10 present, all for it: 90% of all", "chien-si-thi-dua-toan-quoc", f(100), council(9, 10), ""},
		{"9 of 10 present, 95%: 85.5% of all", "chien-si-thi-dua-toan-quoc", f(95), council(9, 10), "input.recipients[0].ballotShare"},
		{"all present, 89%", "chien-si-thi-dua-toan-quoc", f(89), council(10, 10), "input.recipients[0].ballotShare"},
		{"no share recorded", "chien-si-thi-dua-toan-quoc", nil, council(10, 10), "input.recipients[0].ballotShare"},
		{"no council recorded", "chien-si-thi-dua-toan-quoc", f(100), nil, "input.council"},
		{"a form without a threshold", "bang-khen-chu-tich-tinh", nil, nil, ""},
	}
	for _, c := range cases {
		r := domain.DossierRecipient{AwardTypeID: c.typ, BallotShare: c.share, Recipient: domain.Recipient{Name: "Vi Văn Sơn"}}
		err := domain.CouncilShare(domain.DefaultPrerequisites, "input.recipients[0]", r, c.council)
		var de *domain.Error
		switch {
		case c.field == "" && err != nil:
			t.Errorf("%s: %v, want accepted", c.name, err)
		case c.field != "" && (err == nil || !asError(err, &de) || de.Field != c.field):
			t.Errorf("%s: %v, want BAD_USER_INPUT on %s", c.name, err, c.field)
		}
	}
	// The threshold is a setting (ELIGIBILITY_RULES): 80% lets 85.5% pass.
	rules := []domain.Prerequisite{{AwardTypeID: "chien-si-thi-dua-toan-quoc", MinBallotShare: 80, Basis: "cấu hình"}}
	r := domain.DossierRecipient{AwardTypeID: "chien-si-thi-dua-toan-quoc", BallotShare: f(95)}
	if err := domain.CouncilShare(rules, "f", r, council(9, 10)); err != nil {
		t.Errorf("at a configured 80%%: %v", err)
	}
}

// Warnings, not refusals: one achievement for two forms (Law 06/2022 Art.
// 6) and discipline or an investigation pending (Decree 152/2025 Art.
// 4(4), unconfirmed).
func TestLawWarnings(t *testing.T) {
	ref := testRef()
	an := domain.Recipient{Kind: "INDIVIDUAL", Name: "Nguyễn Văn An"}
	d := &domain.Dossier{ID: "d1", Year: 2025, Recipients: []domain.DossierRecipient{
		{ProvinceID: "lang-son", AwardTypeID: "bang-khen-chu-tich-tinh", Recipient: an, Achievement: "Dẫn đầu phong trào"},
		{ProvinceID: "lang-son", AwardTypeID: "giay-khen", Recipient: an, Achievement: "dan dau phong trao"},
		{ProvinceID: "lang-son", AwardTypeID: "giay-khen", Recipient: an, Achievement: "Cứu người trong lũ"},
		{HonoreeID: "h2", ProvinceID: "lang-son", AwardTypeID: "bang-khen-chu-tich-tinh", Recipient: domain.Recipient{Kind: "INDIVIDUAL", Name: "Lò Thị Mai"}, Achievement: "Hoàn thành xuất sắc"},
	}}
	others := []domain.Proposal{
		{DossierID: "d2", HonoreeID: "h2", AwardTypeID: "lao-dong-tien-tien", Year: 2025, Achievement: "Hoàn thành xuất sắc", Where: "dossier d2"},
		{DossierID: "d3", HonoreeID: "h2", AwardTypeID: "giay-khen", Year: 2024, Achievement: "Hoàn thành xuất sắc", Where: "dossier d3"},
	}
	w := domain.Art6Warnings(ref, d, others)
	got := map[int]string{}
	for _, x := range w {
		got[x.Recipient] = x.Message
	}
	if len(w) != 2 || !strings.Contains(got[1], "Điều 6") || !strings.Contains(got[3], "dossier d2") {
		t.Errorf("Art. 6 warnings: %+v; want recipient 1 (same achievement as 0) and 3 (dossier d2), not 2 (another achievement) nor d3 (another year)", w)
	}
	hs := map[string]*domain.Honoree{"h2": {ID: "h2", PendingProceedings: "đang xem xét kỷ luật từ 01/2026"}}
	pw := domain.ProceedingsWarnings(d, hs)
	if len(pw) != 1 || pw[0].Recipient != 3 || !strings.Contains(pw[0].Message, "Điều 4 khoản 4") {
		t.Errorf("pending-proceedings warnings: %+v", pw)
	}
	if pw := domain.ProceedingsWarnings(d, map[string]*domain.Honoree{"h2": {ID: "h2"}}); len(pw) != 0 {
		t.Errorf("no proceedings, warnings %+v", pw)
	}
}
