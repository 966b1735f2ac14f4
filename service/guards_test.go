package service_test

import (
	"context"
	"testing"
	"time"

	"github.com/thidua/thidua/auth"
	"github.com/thidua/thidua/catalog"
	"github.com/thidua/thidua/dbtest"
	"github.com/thidua/thidua/domain"
	"github.com/thidua/thidua/repository"
	"github.com/thidua/thidua/seed"
	"github.com/thidua/thidua/service"
)

// snapshotServices are two services over one database: plain, and tx whose
// store behaves as MongoDB's transactions do (a transaction sees its first
// snapshot: repository.TxDouble).
func snapshotServices(t *testing.T) (plain, tx *service.Service, d *repository.TxDouble, as context.Context) {
	t.Helper()
	ctx := context.Background()
	store := dbtest.Store(t)
	if err := seed.Load(ctx, store); err != nil {
		t.Fatal(err)
	}
	refs, err := catalog.New(ctx, store)
	if err != nil {
		t.Fatal(err)
	}
	now := func() time.Time { return time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC) }
	d = &repository.TxDouble{Store: store}
	plain = &service.Service{Store: store, Catalog: refs, Now: now}
	tx = &service.Service{Store: d, Catalog: refs, Now: now}
	as = auth.WithPrincipal(ctx, &auth.Principal{Subject: "u-1", Roles: map[string]auth.Role{"lang-son": auth.Editor}})
	return plain, tx, d, as
}

// Under snapshot isolation, a file attached in a transaction whose
// dossier another transaction submits meanwhile is refused: the re-read
// would see the first snapshot (a draft); the guard writes the dossier on
// the condition that it still is one.
func TestAttachGuardHoldsUnderSnapshotIsolation(t *testing.T) {
	plain, tx, d, as := snapshotServices(t)
	pid := "lang-son"
	dos, err := plain.CreateDossier(as, domain.DossierInput{ProvinceID: &pid, Kind: domain.KindRegular, Authority: "PROVINCE_CHAIR",
		Year: 2025, Title: "Hồ sơ", ProposingUnit: "Sở Nội vụ", Letter: &domain.DecisionInput{Number: "1/TTr", Date: "2026-11-01"},
		Recipients: []domain.DossierRecipientInput{{Recipient: &domain.RecipientInput{Kind: "INDIVIDUAL", Name: "Vi Văn Sơn"},
			AwardTypeID: "bang-khen-chu-tich-tinh", Achievement: "Thành tích"}}})
	if err != nil {
		t.Fatal(err)
	}
	d.OnSnapshot = func(_ context.Context, kind, id string) {
		if kind == "dossier" && id == dos.ID {
			d.OnSnapshot = nil
			if _, err := plain.SubmitDossier(as, dos.ID, dos.Version); err != nil {
				t.Errorf("submit meanwhile: %v", err)
			}
		}
	}
	pdf := []byte("%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n")
	err = tx.InTransaction(as, func(ctx context.Context) error {
		_, err := tx.AttachFile(ctx, dos.ID, service.FileBytes{Name: "to-trinh.pdf", Data: pdf})
		return err
	})
	if domain.ErrorCode(err) != domain.CodeConflict {
		t.Errorf("attach while the dossier was submitted: %v, want CONFLICT", err)
	}
	files, err := plain.Attachments(as, "dossier", []string{dos.ID})
	if err != nil || len(files[dos.ID]) != 0 {
		t.Errorf("the submitted dossier's files: %v, %v; want none", files[dos.ID], err)
	}
}

// Under snapshot isolation, an award created in a transaction while
// another deletes the movement it names is refused: the award's check saw
// the movement in its snapshot; the guard writes the movement, which the
// deletion removed.
func TestMovementGuardHoldsUnderSnapshotIsolation(t *testing.T) {
	plain, tx, d, as := snapshotServices(t)
	pid := "lang-son"
	m, err := plain.CreateMovement(as, domain.MovementInput{Title: "Thi đua", Scope: "PROVINCE", Kind: "ANNUAL", ProvinceID: &pid})
	if err != nil {
		t.Fatal(err)
	}
	d.OnSnapshot = func(_ context.Context, kind, id string) {
		if kind == "movement" && id == m.ID {
			d.OnSnapshot = nil
			if err := plain.DeleteMovement(as, m.ID, m.Version); err != nil {
				t.Errorf("delete meanwhile: %v", err)
			}
		}
	}
	err = tx.InTransaction(as, func(ctx context.Context) error {
		_, err := tx.CreateAward(ctx, domain.AwardInput{ProvinceID: "lang-son", AwardTypeID: "giay-khen", Authority: "UNIT_HEAD",
			Year: 2025, Status: "PROPOSED", MovementID: &m.ID, Recipient: &domain.RecipientInput{Kind: "INDIVIDUAL", Name: "Vi Thị Hoa"}})
		return err
	})
	if err == nil {
		t.Errorf("an award naming a movement deleted meanwhile was created")
	}
	first := 10
	page, _ := plain.Awards(as, domain.AwardFilter{}, domain.PageArgs{First: &first})
	if page != nil && len(page.Items) != 0 {
		t.Errorf("awards after the race: %d, want none", len(page.Items))
	}
}

// The catalogue is reloaded after the commit, not inside the transaction
// (whose uncommitted writes it would serve process-wide).
func TestCatalogReloadsAfterTheCommit(t *testing.T) {
	_, tx, _, _ := snapshotServices(t)
	admin := auth.WithPrincipal(context.Background(), &auth.Principal{Subject: "a-1", Roles: map[string]auth.Role{"*": auth.Admin}})
	err := tx.InTransaction(admin, func(ctx context.Context) error {
		if _, err := tx.SaveIndicator(ctx, domain.IndicatorInput{ID: "chi-tieu-moi", Name: "Chỉ tiêu mới", Unit: "%", Aggregation: "SUM"}, 0); err != nil {
			return err
		}
		if tx.Reference().Indicator("chi-tieu-moi") != nil {
			t.Error("the catalogue serves the indicator before its transaction committed")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if tx.Reference().Indicator("chi-tieu-moi") == nil {
		t.Error("the catalogue does not serve the indicator after the commit")
	}
}

// When the change stream gives up, each command publishes its own change
// again (the per-command fallback).
func TestRelayFallsBackToCommands(t *testing.T) {
	plain, _, _, as := snapshotServices(t)
	bus := service.NewBus(0)
	plain.Events = bus
	sub := bus.Subscribe(&auth.Principal{Subject: "v", Roles: map[string]auth.Role{"*": auth.Viewer}}, "movement", nil)
	defer sub.Close()
	if err := plain.RelayChanges(as, func(ctx context.Context, emit func(kind, op string, record any)) error {
		return repository.ErrNoChangeStreams
	}); err == nil {
		t.Fatal("RelayChanges: nil, want the stream's error")
	}
	pid := "lang-son"
	if _, err := plain.CreateMovement(as, domain.MovementInput{Title: "Thi đua", Scope: "PROVINCE", Kind: "ANNUAL", ProvinceID: &pid}); err != nil {
		t.Fatal(err)
	}
	select {
	case e := <-sub.Events():
		if e.Op != "CREATED" {
			t.Errorf("event %+v", e)
		}
	case <-time.After(2 * time.Second):
		t.Error("no event after the stream gave up: nobody publishes")
	}
}
