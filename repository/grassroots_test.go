package repository_test

import (
	"cmp"
	"fmt"
	"slices"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/thidua/thidua/dbtest"
	"github.com/thidua/thidua/domain"
	"github.com/thidua/thidua/repository"
	"github.com/thidua/thidua/seed"
	"github.com/thidua/thidua/service"
)

var _ service.GrassrootsStore = (*repository.Store)(nil)

// A database written before the grassroots cycle gets its collections'
// indexes from migrations 13 and 14: a unit's name is unique in its
// province (diacritics and case ignored), a unit registers once a year.
func TestMigrateGrassrootsIndexes(t *testing.T) {
	ctx := t.Context()
	s, db := dataOf(t, "cdb5f88.sqlite")
	names := func(coll string) map[string]bool { return indexNames(t, db, coll) }
	if err := s.Migrate(ctx, seed.Migrations()...); err != nil {
		t.Fatal(err)
	}
	if !names("units")["one_unit_name_per_province"] || !names("registrations")["one_registration_per_unit_year"] ||
		!names("initiatives")["provinceId_1_year_1__id_1"] || !names("awards")["unitId_1"] {
		t.Fatalf("after migrations 13 and 14: units %v, registrations %v, initiatives %v, awards %v",
			names("units"), names("registrations"), names("initiatives"), names("awards"))
	}
	for _, id := range []int{13, 14} {
		if n, err := db.Collection("migrations").CountDocuments(ctx, bson.D{{Key: "_id", Value: id}}); err != nil || n != 1 {
			t.Errorf("migration %d recorded %d times (%v), want once", id, n, err)
		}
	}
	u := &domain.Unit{Owner: "lang-son", Published: true, ProvinceID: "lang-son", Name: "Sở Giáo dục và Đào tạo", Kind: domain.UnitDepartment}
	if err := s.CreateUnit(ctx, u); err != nil {
		t.Fatal(err)
	}
	twin := &domain.Unit{Owner: "lang-son", Published: true, ProvinceID: "lang-son", Name: "so giao duc va dao tao", Kind: domain.UnitOther}
	if err := s.CreateUnit(ctx, twin); domain.ErrorCode(err) != domain.CodeConflict {
		t.Errorf("a second unit of the same name: %v, want CONFLICT", err)
	}
	r := &domain.EmulationRegistration{Owner: "lang-son", ProvinceID: "lang-son", UnitID: u.ID, Year: 2025,
		Titles: []domain.RegisteredTitle{{AwardTypeID: "lao-dong-tien-tien", Count: 3}}}
	if err := s.CreateRegistration(ctx, r); err != nil {
		t.Fatal(err)
	}
	again := *r
	again.ID = ""
	if err := s.CreateRegistration(ctx, &again); domain.ErrorCode(err) != domain.CodeConflict {
		t.Errorf("a second registration of the unit for 2025: %v, want CONFLICT", err)
	}
}

// CreateAwards stores all or none: a batch refused after an earlier one
// was acknowledged leaves no award behind, in the database or the lists.
func TestCreateAwardsAllOrNone(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s := dbtest.Store(t)
	if err := seed.Load(ctx, s); err != nil {
		t.Fatal(err)
	}
	client, err := mongo.Connect(options.Client().ApplyURI(dbtest.URI()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = client.Disconnect(ctx) })
	awards := client.Database(s.Name()).Collection("awards")
	before, err := awards.CountDocuments(ctx, bson.D{})
	if err != nil {
		t.Fatal(err)
	}
	// A unique index on the recipient's name makes the 700th award (in the
	// second batch of 500) a duplicate of the first.
	if _, err := awards.Indexes().CreateOne(ctx, mongo.IndexModel{Keys: bson.D{{Key: "recipient.nameKey", Value: 1}, {Key: "year", Value: 1}},
		Options: options.Index().SetUnique(true).SetName("test_unique_name")}); err != nil {
		t.Fatal(err)
	}
	list := func(n int, dup bool) []*domain.Award {
		out := make([]*domain.Award, n)
		for i := range out {
			name := fmt.Sprintf("Người %04d", i)
			if dup && i == 699 {
				name = "Người 0000"
			}
			out[i] = &domain.Award{Owner: "lang-son", ProvinceID: "lang-son", AwardTypeID: "lao-dong-tien-tien",
				Authority: "UNIT_HEAD", Recipient: domain.Recipient{Kind: "INDIVIDUAL", Name: name}, Year: 2025,
				Status: domain.StatusProposed, UnitID: "u1"}
		}
		return out
	}
	if err := s.CreateAwards(ctx, list(800, true)); err == nil {
		t.Fatal("a bulk write with a refused award succeeded")
	}
	if n, _ := awards.CountDocuments(ctx, bson.D{}); n != before {
		t.Errorf("after the refused bulk write the database holds %d awards, want %d", n, before)
	}
	tallies, err := s.AwardTallies(ctx, "lang-son", 2025)
	if err != nil || len(tallies) != 0 {
		t.Errorf("the lists show %+v (%v) after the refused bulk write, want nothing", tallies, err)
	}
	ok := list(600, false)
	if err := s.CreateAwards(ctx, ok); err != nil {
		t.Fatal(err)
	}
	tallies, err = s.AwardTallies(ctx, "lang-son", 2025)
	if err != nil || len(tallies) != 1 || tallies[0].Proposed != 600 || tallies[0].UnitID != "u1" {
		t.Errorf("tallies after 600 stored: %+v (%v)", tallies, err)
	}
	if a, err := s.Award(ctx, ok[599].ID, domain.Access{All: true}); err != nil || a.UnitID != "u1" {
		t.Errorf("a stored award reads %+v (%v)", a, err)
	}
}

// BenchmarkInitiativesList reads one province's year of the initiative
// register (1,000 entries) from the database among 4,000 entries of four
// provinces and years: the size that decides whether the lists need the
// read model (docs/domain.md, "The grassroots cycle").
func BenchmarkInitiativesList(b *testing.B) {
	ctx := b.Context()
	s := dbtest.Store(b)
	for i := range 4000 {
		p, y := []string{"lang-son", "cao-bang"}[i%2], 2024+i/2%2
		x := &domain.Initiative{Owner: p, ProvinceID: p, Title: fmt.Sprintf("Sáng kiến %d", i), Authors: []string{"Tác giả"},
			Year: y, Level: domain.InitiativeBase, RecognisedBy: &domain.Decision{Number: "1/QĐ", Date: "2025-01-02"}}
		if err := s.CreateInitiative(ctx, x); err != nil {
			b.Fatal(err)
		}
	}
	year := 2025
	if err := s.Warm(ctx); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		list, err := s.Initiatives(ctx, domain.InitiativeFilter{ProvinceID: "lang-son", Year: &year}, domain.Access{Owners: []string{"lang-son"}})
		if err != nil || len(list) != 1000 {
			b.Fatalf("%d, %v", len(list), err)
		}
	}
}

// grassroots stores two units, a registration and two initiatives.
func grassroots(t *testing.T, s *repository.Store) {
	t.Helper()
	ctx := t.Context()
	var parent string
	for _, name := range []string{"Sở Y tế", "Bệnh viện Đa khoa tỉnh"} {
		u := &domain.Unit{Owner: "lang-son", Published: true, ProvinceID: "lang-son", Name: name, Kind: domain.UnitHospital, ParentID: parent}
		if err := s.CreateUnit(ctx, u); err != nil {
			t.Fatal(err)
		}
		parent = u.ID
	}
	if err := s.CreateRegistration(ctx, &domain.EmulationRegistration{Owner: "lang-son", ProvinceID: "lang-son", UnitID: parent, Year: 2025,
		Titles: []domain.RegisteredTitle{{AwardTypeID: "lao-dong-tien-tien", Count: 2, Names: []string{"Ai", "Bình"}}}}); err != nil {
		t.Fatal(err)
	}
	for i, by := range []*domain.Decision{nil, {Number: "3/QĐ", Date: "2025-10-01"}} {
		if err := s.CreateInitiative(ctx, &domain.Initiative{Owner: "lang-son", ProvinceID: "lang-son", Title: fmt.Sprint("Sáng kiến ", i),
			Authors: []string{"Ai"}, UnitID: parent, Year: 2025, Level: domain.InitiativeBase, RecognisedBy: by}); err != nil {
			t.Fatal(err)
		}
	}
}

// AwardTallies counts one province's year by unit and title, every status
// as proposed and the conferred ones apart; other provinces and years are
// not counted, and awards without a unit are counted under "". (The suite
// runs twice: with the read model, and with READ_MODEL=off the database's
// grouping.)
func TestAwardTalliesByUnitAndTitle(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s := dbtest.Store(t)
	if err := seed.Load(ctx, s); err != nil {
		t.Fatal(err)
	}
	var list []*domain.Award
	add := func(n int, province string, year int, unit, title, status string) {
		for range n {
			list = append(list, &domain.Award{Owner: province, ProvinceID: province, AwardTypeID: title,
				Authority: "UNIT_HEAD", Recipient: domain.Recipient{Kind: "INDIVIDUAL", Name: fmt.Sprintf("Người %d", len(list))},
				Year: year, Status: status, UnitID: unit})
		}
	}
	add(3, "lang-son", 2025, "u1", "lao-dong-tien-tien", domain.StatusConferred)
	add(2, "lang-son", 2025, "u1", "lao-dong-tien-tien", domain.StatusProposed)
	add(1, "lang-son", 2025, "u1", "chien-si-thi-dua-co-so", domain.StatusConferred)
	add(4, "lang-son", 2025, "u2", "lao-dong-tien-tien", domain.StatusProposed)
	add(2, "lang-son", 2025, "", "lao-dong-tien-tien", domain.StatusConferred)
	add(5, "lang-son", 2024, "u1", "lao-dong-tien-tien", domain.StatusConferred)
	add(5, "cao-bang", 2025, "u1", "lao-dong-tien-tien", domain.StatusConferred)
	if err := s.CreateAwards(ctx, list); err != nil {
		t.Fatal(err)
	}
	got, err := s.AwardTallies(ctx, "lang-son", 2025)
	if err != nil {
		t.Fatal(err)
	}
	slices.SortFunc(got, func(a, b domain.TitleTally) int {
		return cmp.Or(cmp.Compare(a.UnitID, b.UnitID), cmp.Compare(a.AwardTypeID, b.AwardTypeID))
	})
	want := []domain.TitleTally{
		{UnitID: "", AwardTypeID: "lao-dong-tien-tien", Proposed: 2, Conferred: 2},
		{UnitID: "u1", AwardTypeID: "chien-si-thi-dua-co-so", Proposed: 1, Conferred: 1},
		{UnitID: "u1", AwardTypeID: "lao-dong-tien-tien", Proposed: 5, Conferred: 3},
		{UnitID: "u2", AwardTypeID: "lao-dong-tien-tien", Proposed: 4, Conferred: 0},
	}
	if !slices.Equal(got, want) {
		t.Errorf("tallies\n got %+v\nwant %+v", got, want)
	}
}
