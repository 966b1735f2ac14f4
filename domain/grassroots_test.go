package domain_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/thidua/thidua/domain"
	"github.com/thidua/thidua/seed"
)

func intp(v int) *int { return &v }

func TestCheckRegistration(t *testing.T) {
	ref, now := testRef(), time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)
	unit := &domain.Unit{ID: "u1", ProvinceID: "lang-son"}
	title := func(id string, count *int, names ...string) domain.RegisteredTitleInput {
		return domain.RegisteredTitleInput{AwardTypeID: id, Count: count, Names: names}
	}
	for _, c := range []struct {
		name   string
		titles []domain.RegisteredTitleInput
		unit   *domain.Unit
		field  string
		counts []int
	}{
		{"names count", []domain.RegisteredTitleInput{title("lao-dong-tien-tien", nil, "A", "B")}, unit, "", []int{2}},
		{"a count and some names", []domain.RegisteredTitleInput{title("lao-dong-tien-tien", intp(5), "A")}, unit, "", []int{5}},
		{"a collective title counts once", []domain.RegisteredTitleInput{title("tap-the-lao-dong-tien-tien", nil)}, unit, "", []int{1}},
		{"fewer than the names", []domain.RegisteredTitleInput{title("lao-dong-tien-tien", intp(1), "A", "B")}, unit, "input.titles[0].count", nil},
		{"neither count nor names", []domain.RegisteredTitleInput{title("lao-dong-tien-tien", nil)}, unit, "input.titles[0].count", nil},
		{"a collective title with names", []domain.RegisteredTitleInput{title("tap-the-lao-dong-tien-tien", nil, "A")}, unit, "input.titles[0].count", nil},
		{"twice", []domain.RegisteredTitleInput{title("lao-dong-tien-tien", intp(1)), title("lao-dong-tien-tien", intp(2))}, unit, "input.titles[1].awardTypeId", nil},
		{"unknown title", []domain.RegisteredTitleInput{title("khong-co", intp(1))}, unit, "input.titles[0].awardTypeId", nil},
		{"no titles", nil, unit, "input.titles", nil},
		{"unknown unit", []domain.RegisteredTitleInput{title("lao-dong-tien-tien", intp(1))}, nil, "input.unitId", nil},
	} {
		r, err := domain.CheckRegistration(ref, now, domain.RegistrationInput{UnitID: "u1", Year: 2025, Titles: c.titles}, c.unit)
		if got := errField(err); got != c.field {
			t.Errorf("%s: field %q (%v), want %q", c.name, got, err, c.field)
			continue
		}
		for i, n := range c.counts {
			if r.Titles[i].Count != n {
				t.Errorf("%s: title %d counts %d, want %d", c.name, i, r.Titles[i].Count, n)
			}
		}
	}
}

func TestCheckInitiativeFor(t *testing.T) {
	rec := &domain.Decision{Number: "1/QĐ", Date: "2025-10-01"}
	register := []domain.Initiative{
		{Year: 2025, Level: domain.InitiativeBase, Authors: []string{"Hoàng Thị Mai"}, UnitID: "u1", RecognisedBy: rec},
		{Year: 2025, Level: domain.InitiativeProvince, Authors: []string{"Lý Văn Tư"}, RecognisedBy: rec},
		{Year: 2025, Level: domain.InitiativeBase, Authors: []string{"Đỗ Văn Nam"}},
	}
	award := func(name, unit string, year int, kind, status string) *domain.Award {
		return &domain.Award{AwardTypeID: domain.NeedsInitiative, Recipient: domain.Recipient{Kind: kind, Name: name},
			UnitID: unit, Year: year, Status: status}
	}
	for _, c := range []struct {
		name string
		a    *domain.Award
		ok   bool
	}{
		{"an author, folded", award("hoang thi mai", "u1", 2025, "INDIVIDUAL", "PROPOSED"), true},
		{"an author of a provincial one, any unit", award("Lý Văn Tư", "u9", 2025, "INDIVIDUAL", "CONFERRED"), true},
		{"not an author", award("Nguyễn Văn An", "u1", 2025, "INDIVIDUAL", "PROPOSED"), false},
		{"another year", award("Hoàng Thị Mai", "u1", 2024, "INDIVIDUAL", "PROPOSED"), false},
		{"another unit", award("Hoàng Thị Mai", "u2", 2025, "INDIVIDUAL", "PROPOSED"), false},
		{"not recognised", award("Đỗ Văn Nam", "", 2025, "INDIVIDUAL", "PROPOSED"), false},
		{"rejected needs none", award("Nguyễn Văn An", "", 2025, "INDIVIDUAL", "REJECTED"), true},
	} {
		err := domain.CheckInitiativeFor(c.a, domain.NewRegister(register), "input.recipient.name")
		if (err == nil) != c.ok || err != nil && errField(err) != "input.recipient.name" {
			t.Errorf("%s: %v, want ok %v", c.name, err, c.ok)
		}
	}
	other := award("Nguyễn Văn An", "", 2025, "INDIVIDUAL", "PROPOSED")
	other.AwardTypeID = "lao-dong-tien-tien"
	if err := domain.CheckInitiativeFor(other, domain.Register{}, "x"); err != nil {
		t.Errorf("Lao động tiên tiến needs no initiative: %v", err)
	}
}

func TestTitleByName(t *testing.T) {
	for text, want := range map[string]string{
		"I. DANH HIỆU LAO ĐỘNG TIÊN TIẾN": "lao-dong-tien-tien",
		"II. TẬP THỂ LAO ĐỘNG TIÊN TIẾN":  "tap-the-lao-dong-tien-tien",
		"chien si thi dua co so":          "chien-si-thi-dua-co-so",
		"tap-the-lao-dong-xuat-sac":       "tap-the-lao-dong-xuat-sac",
		"A. CÁ NHÂN":                      "",
	} {
		got := ""
		if at := domain.TitleByName(seed.AwardTypes, text); at != nil {
			got = at.ID
		}
		if got != want {
			t.Errorf("TitleByName(%q) = %q, want %q", text, got, want)
		}
	}
}

func TestEmulationReport(t *testing.T) {
	lines := domain.EmulationReport(
		[]domain.EmulationRegistration{{UnitID: "u1", Titles: []domain.RegisteredTitle{{AwardTypeID: "lao-dong-tien-tien", Count: 4}}}},
		[]domain.TitleTally{{UnitID: "u1", AwardTypeID: "lao-dong-tien-tien", Proposed: 3, Conferred: 2},
			{UnitID: "u2", AwardTypeID: "giay-khen", Proposed: 1}})
	if len(lines) != 2 || lines[0] != (domain.ReportLine{UnitID: "u1", AwardTypeID: "lao-dong-tien-tien", Registered: 4, Proposed: 3, Conferred: 2}) ||
		lines[1].Registered != 0 || lines[1].Proposed != 1 {
		t.Errorf("report: %+v", lines)
	}
}

// A dossier's individual proposals of Chiến sĩ thi đua cơ sở are checked
// against the register of the dossier's year, as awards are (the
// condition's article is unconfirmed: domain.InitiativeBasis); the field
// names the recipient at fault.
func TestCheckDossierInitiatives(t *testing.T) {
	rec := &domain.Decision{Number: "1/QĐ", Date: "2025-10-01"}
	register := []domain.Initiative{
		{Year: 2025, Level: domain.InitiativeBase, Authors: []string{"Hoàng Thị Mai"}, UnitID: "u1", RecognisedBy: rec},
		{Year: 2025, Level: domain.InitiativeBase, Authors: []string{"Đỗ Văn Nam"}},
	}
	person := func(name, awardType string) domain.DossierRecipient {
		return domain.DossierRecipient{AwardTypeID: awardType, Recipient: domain.Recipient{Kind: "INDIVIDUAL", Name: name}}
	}
	collective := domain.DossierRecipient{AwardTypeID: domain.NeedsInitiative, Recipient: domain.Recipient{Kind: "COLLECTIVE", Name: "Phòng Nội vụ"}}
	for _, c := range []struct {
		name  string
		unit  string
		year  int
		rs    []domain.DossierRecipient
		field string
	}{
		{"an author, folded", "u1", 2025, []domain.DossierRecipient{person("hoang thi mai", domain.NeedsInitiative)}, ""},
		{"another title needs none", "u1", 2025, []domain.DossierRecipient{person("Nguyễn Văn An", "lao-dong-tien-tien")}, ""},
		{"a collective needs none", "u1", 2025, []domain.DossierRecipient{collective}, ""},
		{"the second is no author", "u1", 2025, []domain.DossierRecipient{person("Hoàng Thị Mai", domain.NeedsInitiative), person("Nguyễn Văn An", domain.NeedsInitiative)}, "input.recipients[1].recipient.name"},
		{"another year", "u1", 2024, []domain.DossierRecipient{person("Hoàng Thị Mai", domain.NeedsInitiative)}, "input.recipients[0].recipient.name"},
		{"another unit", "u2", 2025, []domain.DossierRecipient{person("Hoàng Thị Mai", domain.NeedsInitiative)}, "input.recipients[0].recipient.name"},
		{"not recognised", "", 2025, []domain.DossierRecipient{person("Đỗ Văn Nam", domain.NeedsInitiative)}, "input.recipients[0].recipient.name"},
	} {
		d := &domain.Dossier{UnitID: c.unit, Year: c.year, Recipients: c.rs}
		if err := domain.CheckDossierInitiatives(d, domain.NewRegister(register)); errField(err) != c.field {
			t.Errorf("%s: %v, want field %q", c.name, err, c.field)
		}
		if needs := domain.NeedsInitiatives(d); needs != (c.name != "another title needs none" && c.name != "a collective needs none") {
			t.Errorf("%s: NeedsInitiatives %v", c.name, needs)
		}
	}
}

// BenchmarkImportInitiativeChecks checks 2,000 proposals of Chiến sĩ thi
// đua cơ sở against a register of 2,000 recognised initiatives of three
// authors each, as one import does: the register is read (folded) once.
func BenchmarkImportInitiativeChecks(b *testing.B) {
	rec := &domain.Decision{Number: "1/QĐ", Date: "2025-10-01"}
	var list []domain.Initiative
	for i := range 2000 {
		list = append(list, domain.Initiative{Year: 2025, Level: domain.InitiativeBase, RecognisedBy: rec,
			Authors: []string{fmt.Sprintf("Nguyễn Văn Người %d", i), fmt.Sprintf("Trần Thị Hà %d", i), fmt.Sprintf("Lê Đức %d", i)}})
	}
	awards := make([]*domain.Award, 2000)
	for i := range awards {
		awards[i] = &domain.Award{AwardTypeID: domain.NeedsInitiative, Year: 2025, Status: "PROPOSED",
			Recipient: domain.Recipient{Kind: "INDIVIDUAL", Name: fmt.Sprintf("Lê Đức %d", i)}}
	}
	for b.Loop() {
		register := domain.NewRegister(list)
		for _, a := range awards {
			if err := domain.CheckInitiativeFor(a, register, "x"); err != nil {
				b.Fatal(err)
			}
		}
	}
}
