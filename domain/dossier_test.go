package domain_test

import (
	"strings"
	"testing"
	"time"

	"github.com/thidua/thidua/domain"
)

var at = time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)

// The dossier's moves: each from the statuses the flow allows, returning
// and rejecting with reasons; every move recorded.
func TestDossierMoves(t *testing.T) {
	cases := []struct {
		from, to string
		reasons  []string
		ok       bool
	}{
		{domain.DossierDraft, domain.DossierSubmitted, nil, true},
		{domain.DossierReturned, domain.DossierSubmitted, nil, true},
		{domain.DossierSubmitted, domain.DossierReturned, []string{"Thiếu biên bản"}, true},
		{domain.DossierSubmitted, domain.DossierReturned, nil, false},
		{domain.DossierSubmitted, domain.DossierReturned, []string{"  "}, false},
		{domain.DossierSubmitted, domain.DossierVetted, nil, true},
		{domain.DossierVetted, domain.DossierDecided, nil, true},
		{domain.DossierVetted, domain.DossierRejected, []string{"Chưa đủ điều kiện"}, true},
		{domain.DossierVetted, domain.DossierRejected, nil, false},
		{domain.DossierDraft, domain.DossierVetted, nil, false},
		{domain.DossierSubmitted, domain.DossierDecided, nil, false},
		{domain.DossierDecided, domain.DossierReturned, []string{"x"}, false},
		{domain.DossierRejected, domain.DossierSubmitted, nil, false},
		{domain.DossierVetted, domain.DossierSubmitted, nil, false},
	}
	for _, c := range cases {
		d := &domain.Dossier{Status: c.from, History: []domain.DossierEvent{{Status: c.from}}}
		got, err := domain.Move(d, c.to, c.reasons, "u-1", at)
		if (err == nil) != c.ok {
			t.Errorf("%s → %s (%v): %v, want ok=%t", c.from, c.to, c.reasons, err, c.ok)
			continue
		}
		if c.ok && (got.Status != c.to || len(got.History) != 2 || got.History[1].By != "u-1" || len(got.History[1].Reasons) != len(c.reasons)) {
			t.Errorf("%s → %s: %+v", c.from, c.to, got)
		}
	}
}

// The level that vets and decides: "*" for central authorities, else the
// province.
func TestDossierLevel(t *testing.T) {
	for authority, want := range map[string]string{"PRESIDENT": "*", "GOVERNMENT": "*", "PRIME_MINISTER": "*", "MINISTER": "*",
		"PROVINCE_CHAIR": "lang-son", "COMMUNE_CHAIR": "lang-son", "UNIT_HEAD": "lang-son"} {
		if got := domain.Level(authority, "lang-son"); got != want {
			t.Errorf("Level(%s, lang-son) = %s, want %s", authority, got, want)
		}
	}
	if got := domain.Level("PROVINCE_CHAIR", "*"); got != "*" {
		t.Errorf("the cluster's dossier's level: %s", got)
	}
}

// Titles that build on earlier ones: the table of Law 06/2022 (Điều 21,
// 22), with consecutive conferrals counted by the title's cycle.
func TestEligibility(t *testing.T) {
	ref := testRef()
	award := func(typ string, year int, status string) domain.Award {
		return domain.Award{AwardTypeID: typ, Year: year, Status: status}
	}
	cases := []struct {
		name    string
		typ     string
		year    int
		history []domain.Award
		honoree string
		want    string // "" ok, else a word of the message
	}{
		{"national CSTĐ without history", "chien-si-thi-dua-toan-quoc", 2025, nil, "h1", "Điều 21"},
		{"national CSTĐ, two provincial titles three years apart", "chien-si-thi-dua-toan-quoc", 2023,
			[]domain.Award{award("chien-si-thi-dua-tinh", 2019, "CONFERRED"), award("chien-si-thi-dua-tinh", 2022, "CONFERRED")}, "h1", ""},
		{"national CSTĐ, provincial titles five years apart", "chien-si-thi-dua-toan-quoc", 2023,
			[]domain.Award{award("chien-si-thi-dua-tinh", 2017, "CONFERRED"), award("chien-si-thi-dua-tinh", 2022, "CONFERRED")}, "h1", "Điều 21"},
		{"national CSTĐ, one of them revoked", "chien-si-thi-dua-toan-quoc", 2023,
			[]domain.Award{award("chien-si-thi-dua-tinh", 2019, "REVOKED"), award("chien-si-thi-dua-tinh", 2022, "CONFERRED")}, "h1", "Điều 21"},
		{"provincial CSTĐ, three consecutive years", "chien-si-thi-dua-tinh", 2025,
			[]domain.Award{award("chien-si-thi-dua-co-so", 2023, "CONFERRED"), award("chien-si-thi-dua-co-so", 2024, "CONFERRED"),
				award("chien-si-thi-dua-co-so", 2025, "CONFERRED")}, "h1", ""},
		{"provincial CSTĐ, a gap", "chien-si-thi-dua-tinh", 2025,
			[]domain.Award{award("chien-si-thi-dua-co-so", 2021, "CONFERRED"), award("chien-si-thi-dua-co-so", 2023, "CONFERRED"),
				award("chien-si-thi-dua-co-so", 2024, "CONFERRED")}, "h1", "Điều 22"},
		{"provincial CSTĐ, later years do not count", "chien-si-thi-dua-tinh", 2022,
			[]domain.Award{award("chien-si-thi-dua-co-so", 2023, "CONFERRED"), award("chien-si-thi-dua-co-so", 2024, "CONFERRED"),
				award("chien-si-thi-dua-co-so", 2025, "CONFERRED")}, "h1", "Điều 22"},
		{"a title with a rule needs the honoree", "chien-si-thi-dua-tinh", 2025, nil, "", "honoree"},
		{"a title without a rule", "bang-khen-chu-tich-tinh", 2025, nil, "", ""},
	}
	for _, c := range cases {
		r := domain.DossierRecipient{HonoreeID: c.honoree, AwardTypeID: c.typ, Recipient: domain.Recipient{Name: "Vi Văn Sơn"}}
		err := domain.Eligible(ref, domain.DefaultPrerequisites, "input.recipients[0]", r, c.year, c.history)
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%s: %v, want eligible", c.name, err)
		case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
			t.Errorf("%s: %v, want a refusal naming %q", c.name, err, c.want)
		}
	}
}

// The same achievement twice — in the dossier, or in another dossier or
// award — is a warning, not a refusal; names compare without diacritics.
func TestDuplicateAchievementWarnings(t *testing.T) {
	ref := testRef()
	d := &domain.Dossier{ID: "d1", Year: 2025, Letter: &domain.Decision{Number: "1", Date: "2026-01-01"}, Recipients: []domain.DossierRecipient{
		{ProvinceID: "lang-son", AwardTypeID: "bang-khen-chu-tich-tinh", Recipient: domain.Recipient{Kind: "INDIVIDUAL", Name: "Nguyễn Văn An"}},
		{ProvinceID: "lang-son", AwardTypeID: "bang-khen-chu-tich-tinh", Recipient: domain.Recipient{Kind: "INDIVIDUAL", Name: "nguyen van an"}},
		{ProvinceID: "lang-son", AwardTypeID: "giay-khen", Recipient: domain.Recipient{Kind: "INDIVIDUAL", Name: "Hoàng Thị Mai"}},
		{ProvinceID: "lang-son", AwardTypeID: "bang-khen-chu-tich-tinh", Recipient: domain.Recipient{Kind: "INDIVIDUAL", Name: "Lý Văn Tư"}},
	}}
	others := []domain.Proposal{
		{DossierID: "d2", ProvinceID: "lang-son", AwardTypeID: "giay-khen", Year: 2025, Recipient: domain.Recipient{Kind: "INDIVIDUAL", Name: "Hoàng Thị Mai"}, Where: "dossier d2"},
		{DossierID: "d3", ProvinceID: "lang-son", AwardTypeID: "bang-khen-chu-tich-tinh", Year: 2024, Recipient: domain.Recipient{Kind: "INDIVIDUAL", Name: "Lý Văn Tư"}, Where: "dossier d3"},
		{DossierID: "d1", ProvinceID: "lang-son", AwardTypeID: "bang-khen-chu-tich-tinh", Year: 2025, Recipient: domain.Recipient{Kind: "INDIVIDUAL", Name: "Lý Văn Tư"}, Where: "dossier d1"},
	}
	w, err := domain.CheckSubmission(ref, nil, d, nil, others)
	if err != nil {
		t.Fatal(err)
	}
	if len(w) != 2 || w[0].Recipient != 1 || w[1].Recipient != 2 || !strings.Contains(w[1].Message, "dossier d2") {
		t.Errorf("warnings: %+v, want recipient 1 (twice in the dossier) and 2 (in dossier d2)", w)
	}
	d.Letter = nil
	if _, err := domain.CheckSubmission(ref, nil, d, nil, nil); domain.ErrorCode(err) != domain.CodeInvalid {
		t.Errorf("a dossier without its letter: %v, want BAD_USER_INPUT", err)
	}
}

// An award conferred by a decision record keeps its links and its decision
// through corrections.
func TestDecidedAwardKeepsItsDecision(t *testing.T) {
	old := &domain.Award{ID: "a1", ProvinceID: "lang-son", AwardTypeID: "bang-khen-chu-tich-tinh", Status: domain.StatusConferred,
		Decision: &domain.Decision{Number: "2468/QĐ-UBND", Date: "2026-11-20"}, DecisionID: "q1", DossierID: "d1", HonoreeID: "h1"}
	next := *old
	next.DecisionID, next.DossierID, next.HonoreeID = "", "", ""
	next.Citation = "Đã sửa trích yếu"
	got, err := domain.UpdateAward(old, &next, "u-1", at)
	if err != nil || got.DecisionID != "q1" || got.DossierID != "d1" || got.HonoreeID != "h1" || got.Citation != "Đã sửa trích yếu" {
		t.Errorf("a correction: %+v, %v", got, err)
	}
	next.Decision = &domain.Decision{Number: "1/QĐ", Date: "2026-11-21"}
	if _, err := domain.UpdateAward(old, &next, "u-1", at); domain.ErrorCode(err) != domain.CodeInvalid {
		t.Errorf("changing the decision of a decided award: %v, want BAD_USER_INPUT", err)
	}
}
