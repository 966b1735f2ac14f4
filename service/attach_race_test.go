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

func TestMain(m *testing.M) { dbtest.Main(m) }

// racingStore submits the dossier while its file is being stored.
type racingStore struct {
	*repository.Store
	duringPut func()
}

func (r *racingStore) PutFile(ctx context.Context, a *domain.Attachment, data []byte) error {
	if r.duringPut != nil {
		r.duringPut()
	}
	return r.Store.PutFile(ctx, a, data)
}

// A dossier submitted while a file was uploading to it gets no file: the
// upload is refused (CONFLICT) and the file removed.
func TestAttachRacingSubmission(t *testing.T) {
	ctx := context.Background()
	store := dbtest.Store(t)
	if err := seed.Load(ctx, store); err != nil {
		t.Fatal(err)
	}
	refs, err := catalog.New(ctx, store)
	if err != nil {
		t.Fatal(err)
	}
	rs := &racingStore{Store: store}
	now := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	svc := &service.Service{Store: rs, Catalog: refs, Now: func() time.Time { return now }}
	as := auth.WithPrincipal(ctx, &auth.Principal{Subject: "u-1", Roles: map[string]auth.Role{"lang-son": auth.Editor}})
	pid := "lang-son"
	d, err := svc.CreateDossier(as, domain.DossierInput{ProvinceID: &pid, Kind: domain.KindRegular, Authority: "PROVINCE_CHAIR",
		Year: 2025, Title: "Hồ sơ", ProposingUnit: "Sở Nội vụ", Letter: &domain.DecisionInput{Number: "1/TTr", Date: "2026-11-01"},
		Recipients: []domain.DossierRecipientInput{{Recipient: &domain.RecipientInput{Kind: "INDIVIDUAL", Name: "Vi Văn Sơn"},
			AwardTypeID: "bang-khen-chu-tich-tinh", Achievement: "Thành tích"}}})
	if err != nil {
		t.Fatal(err)
	}
	rs.duringPut = func() {
		rs.duringPut = nil
		if _, err := svc.SubmitDossier(as, d.ID, d.Version); err != nil {
			t.Errorf("submit during the upload: %v", err)
		}
	}
	pdf := []byte("%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n")
	if _, err := svc.AttachFile(as, d.ID, "to-trinh.pdf", pdf); domain.ErrorCode(err) != domain.CodeConflict {
		t.Errorf("attach racing a submission: %v, want CONFLICT", err)
	}
	files, err := svc.Attachments(as, "dossier", []string{d.ID})
	if err != nil || len(files[d.ID]) != 0 {
		t.Errorf("the submitted dossier's files: %v, %v; want none", files[d.ID], err)
	}
}
