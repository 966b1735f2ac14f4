package repository_test

import (
	"strings"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/thidua/thidua/dbtest"
	"github.com/thidua/thidua/domain"
	"github.com/thidua/thidua/seed"
)

// A database written by the code of commit fa3094f (before the law
// table): awards decided on 14/3/2023, 1/6/2024, 15/8/2025 and 1/9/2025 (that
// one with a legal basis an office wrote itself), a proposal for 2026, and
// a decision of 10/3/2026 on a dossier — every text from 2024 on citing
// Decree 98/2023. Migrations 8 and 9 seed the law table, correct the award
// types nobody edited, and give each generated text the one in force on
// its date; the hand-written text stays; a second run changes nothing.
func TestMigrateLawTable(t *testing.T) {
	ctx := t.Context()
	s, db := dataOf(t, "fa3094f.sqlite")
	if n, _ := db.Collection("law_periods").CountDocuments(ctx, bson.D{}); n != 0 {
		t.Fatal("the old data already has the law table: not the previous commit's data")
	}
	// An administrator's edit before the upgrade stays (Thôn văn hóa by
	// a district chair only, with a basis of the office's own).
	types, err := s.AwardTypes(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, at := range types {
		if at.ID == "tap-the-lao-dong-tien-tien" {
			at.LegalBasis = "sửa bởi quản trị"
			if _, err := s.SaveAwardType(ctx, &at, at.Version); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := s.Migrate(ctx, seed.Migrations()...); err != nil {
		t.Fatal(err)
	}
	periods, err := s.LawPeriods(ctx)
	if err != nil || len(periods) != 3 || periods[2].ValidFrom != "2025-07-01" {
		t.Fatalf("the law table after the migration: %+v, %v", periods, err)
	}
	all, first := domain.Access{All: true}, 100
	page, err := s.Awards(ctx, domain.AwardFilter{}, all, domain.PageArgs{First: &first})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{ // recipient → a text its basis must contain, or the exact text kept
		"Sở Nội vụ tỉnh Lạng Sơn": "Nghị định số 91/2017/NĐ-CP",  // 14/3/2023
		"Hoàng Văn Minh":          "Nghị định số 98/2023/NĐ-CP",  // 1/6/2024
		"Lý Thị Lan":              "Nghị định số 152/2025/NĐ-CP", // 15/8/2025
		"Nông Văn Đức":            "Nghị định số 152/2025/NĐ-CP", // a 2026 proposal
		"Hà Văn Tuấn":             "Nghị định số 152/2025/NĐ-CP", // decided 10/3/2026
		"Vi Thị Hằng":             "(văn phòng ghi)",             // written by the office
	}
	versions := map[string]int{}
	for _, a := range page.Items {
		w, ok := want[a.Recipient.Name]
		if !ok {
			continue
		}
		delete(want, a.Recipient.Name)
		versions[a.ID] = a.Version
		if !strings.Contains(a.LegalBasis, w) {
			t.Errorf("%s (%v): legal basis %q, want it to contain %q", a.Recipient.Name, a.Decision, a.LegalBasis, w)
		}
		if strings.Contains(a.LegalBasis, "98/2023") && a.Decision != nil && a.Decision.Date >= "2025-07-01" {
			t.Errorf("%s decided %s still cites the repealed Decree 98/2023", a.Recipient.Name, a.Decision.Date)
		}
		if edited := a.Recipient.Name == "Vi Thị Hằng"; edited != (a.Version == 1) {
			t.Errorf("%s: version %d after the migration", a.Recipient.Name, a.Version)
		}
	}
	if len(want) != 0 {
		t.Errorf("awards not found: %v", want)
	}
	decs, err := s.Decisions(ctx, domain.DecisionFilter{}, all, domain.PageArgs{First: &first})
	if err != nil || len(decs.Items) != 1 {
		t.Fatalf("decisions: %v, %v", decs, err)
	}
	if d := decs.Items[0]; !strings.Contains(d.LegalBasis, "152/2025") || strings.Contains(d.LegalBasis, "98/2023") || d.Version != 2 {
		t.Errorf("the decision of 10/3/2026 cites %q (version %d)", d.LegalBasis, d.Version)
	}
	// The catalogue: the flag by the Prime Minister from 2024, commune
	// chairs from 1/7/2025, unconfirmed rules marked; the edited type kept.
	byID := awardTypesByID(t, s)
	flag, cs, ttt := byID["co-thi-dua-chinh-phu"], byID["chien-si-thi-dua-co-so"], byID["tap-the-lao-dong-tien-tien"]
	if !domain.AuthorityAllowed(&flag, "PRIME_MINISTER", "2024-10-14") || !flag.AuthorityRules[0].Unconfirmed {
		t.Errorf("the Government flag after the migration: %+v", flag.AuthorityRules)
	}
	if !domain.AuthorityAllowed(&cs, "COMMUNE_CHAIR", "2025-07-01") || domain.AuthorityAllowed(&cs, "COMMUNE_CHAIR", "2025-06-30") {
		t.Errorf("Chiến sĩ thi đua cơ sở after the migration: %+v", cs.AuthorityRules)
	}
	if ttt.LegalBasis != "sửa bởi quản trị" || domain.AuthorityAllowed(&ttt, "COMMUNE_CHAIR", "2025-07-01") {
		t.Errorf("the type an administrator edited was replaced: %+v", ttt)
	}
	// Idempotent: run again unrecorded, nothing changes.
	if _, err := db.Collection("migrations").DeleteMany(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: bson.A{8, 9}}}}}); err != nil {
		t.Fatal(err)
	}
	if err := s.Migrate(ctx, seed.Migrations()...); err != nil {
		t.Fatal(err)
	}
	again, err := s.Awards(ctx, domain.AwardFilter{}, all, domain.PageArgs{First: &first})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range again.Items {
		if v, ok := versions[a.ID]; ok && v != a.Version {
			t.Errorf("%s changed on a second run: version %d → %d", a.Recipient.Name, v, a.Version)
		}
	}
}

// The law table reads earliest period first, whatever the ids: a period
// open at its start (no date) before any dated one.
func TestLawPeriodsInDateOrder(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s := dbtest.Store(t)
	for _, p := range []domain.LawPeriod{
		{ID: "a-2025", ValidFrom: "2025-07-01", Law: "Luật 06/2022/QH15"},
		{ID: "m-2024", ValidFrom: "2024-01-01", ValidTo: "2025-06-30", Law: "Luật 06/2022/QH15"},
		{ID: "z-open", ValidTo: "2023-12-31", Law: "Luật 15/2003/QH11"},
	} {
		if err := s.PutLawPeriod(ctx, &p); err != nil {
			t.Fatal(err)
		}
	}
	got, err := s.LawPeriods(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, p := range got {
		ids = append(ids, p.ID)
	}
	if strings.Join(ids, ",") != "z-open,m-2024,a-2025" {
		t.Errorf("law periods in the order %v", ids)
	}
}
