package repository_test

import (
	"fmt"
	"testing"

	"github.com/thidua/thidua/dbtest"
	"github.com/thidua/thidua/domain"
	"github.com/thidua/thidua/repository"
)

// A read model loaded from the image a store sealed is the one a load from
// the database gives: every kind, every row, in order, with its keys. A
// write after the seal makes the image not current.
func TestReadModelImageLoadsWhatTheDatabaseHolds(t *testing.T) {
	if !dbtest.ReadModel() {
		t.Skip("READ_MODEL=off: no read model to take an image of")
	}
	if !dbtest.Embedded() {
		t.Skip("the read model is FerretDB's")
	}
	ctx := t.Context()
	s := dbtest.Store(t)
	if err := s.EnsureIndexes(ctx); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 6; i++ {
		y := 2020 + i
		m := &domain.Movement{Title: fmt.Sprint("Phong trào ", i), Scope: "PROVINCE", Kind: "ANNUAL", ProvinceID: "lang-son",
			Owner: "lang-son", Published: i%2 == 0, StartYear: &y}
		if err := s.CreateMovement(ctx, m); err != nil {
			t.Fatal(err)
		}
		a := &domain.Award{Owner: "lang-son", ProvinceID: "lang-son", AwardTypeID: "giay-khen", Authority: "UNIT_HEAD",
			Recipient: domain.Recipient{Kind: "INDIVIDUAL", Name: fmt.Sprint("Nguyễn Văn ", i)}, Year: 2020 + i,
			Status: domain.StatusProposed, MovementID: m.ID}
		if err := s.CreateAward(ctx, a); err != nil {
			t.Fatal(err)
		}
		r := &domain.PeriodReview{Owner: domain.ScopeAll, Kind: "YEAR_END", Year: 2020 + i, Period: fmt.Sprint("kỳ ", i),
			Date: fmt.Sprintf("202%d-12-20", i), HostProvinceID: "lang-son", MovementIDs: []string{m.ID}}
		if err := s.CreatePeriodReview(ctx, r); err != nil {
			t.Fatal(err)
		}
		if err := s.CreateHonoree(ctx, &domain.Honoree{Owner: "lang-son", ProvinceID: "lang-son", Key: fmt.Sprint("k", i),
			Kind: "INDIVIDUAL", Name: fmt.Sprint("Lý Thị ", i)}); err != nil {
			t.Fatal(err)
		}
	}
	if err := decide(ctx, s, vettedDossier(t, s)); err != nil {
		t.Fatal(err)
	}
	vettedDossier(t, s)
	grassroots(t, s)
	if err := s.Warm(ctx); err != nil {
		t.Fatal(err)
	}
	img, err := s.SealReadModel()
	if err != nil || img == nil {
		t.Fatalf("seal: %v %v", img, err)
	}
	if !img.Current() {
		t.Error("an image is not current right after its seal")
	}

	warm, cold := reopen(t, s), reopen(t, s)
	if err := warm.WarmFromImage(ctx, img.Bytes()); err != nil {
		t.Fatal(err)
	}
	if err := cold.Warm(ctx); err != nil {
		t.Fatal(err)
	}
	if err := repository.SameReadModel(warm, cold); err != nil {
		t.Errorf("the image's read model differs from the database's: %v", err)
	}
	if err := warm.WarmFromImage(ctx, img.Bytes()[:len(img.Bytes())-3]); err == nil {
		t.Error("a truncated image loads")
	}

	if err := s.CreateMovement(ctx, &domain.Movement{Title: "Sau", Scope: "NATIONAL", Kind: "ANNUAL", Owner: domain.ScopeAll}); err != nil {
		t.Fatal(err)
	}
	if img.Current() {
		t.Error("an image is current after a write")
	}
}
