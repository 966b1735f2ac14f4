package service_test

import (
	"context"
	"io"
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

func (r *racingStore) PutFileAt(ctx context.Context, a *domain.Attachment, data io.ReaderAt, size int64) error {
	if r.duringPut != nil {
		r.duringPut()
	}
	return r.Store.PutFileAt(ctx, a, data, size)
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
	if _, err := svc.AttachFile(as, d.ID, service.FileBytes{Name: "to-trinh.pdf", Data: pdf}); domain.ErrorCode(err) != domain.CodeConflict {
		t.Errorf("attach racing a submission: %v, want CONFLICT", err)
	}
	files, err := svc.Attachments(as, "dossier", []string{d.ID})
	if err != nil || len(files[d.ID]) != 0 {
		t.Errorf("the submitted dossier's files: %v, %v; want none", files[d.ID], err)
	}
}

// openCount is an upload that counts how often it is opened.
type openCount struct {
	service.FileBytes
	opened int
}

func (o *openCount) Open() (string, io.ReaderAt, int64, error) {
	o.opened++
	return o.FileBytes.Open()
}

// An upload is opened (read from the request) only once the caller may
// attach to the record: a viewer's, a neighbouring editor's and one to a
// record that does not exist are refused unread. A name's invisible
// characters are dropped, its Vietnamese letters kept (NFC).
func TestAttachChecksBeforeReading(t *testing.T) {
	ctx := context.Background()
	store := dbtest.Store(t)
	if err := seed.Load(ctx, store); err != nil {
		t.Fatal(err)
	}
	refs, err := catalog.New(ctx, store)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	svc := &service.Service{Store: store, Catalog: refs, Now: func() time.Time { return now }}
	as := func(scope string, role auth.Role) context.Context {
		return auth.WithPrincipal(ctx, &auth.Principal{Subject: "u-" + scope, Roles: map[string]auth.Role{scope: role}})
	}
	pid := "lang-son"
	d, err := svc.CreateDossier(as("lang-son", auth.Editor), domain.DossierInput{ProvinceID: &pid, Kind: domain.KindRegular, Authority: "PROVINCE_CHAIR",
		Year: 2025, Title: "Hồ sơ", ProposingUnit: "Sở Nội vụ", Letter: &domain.DecisionInput{Number: "1/TTr", Date: "2026-11-01"},
		Recipients: []domain.DossierRecipientInput{{Recipient: &domain.RecipientInput{Kind: "INDIVIDUAL", Name: "Vi Văn Sơn"},
			AwardTypeID: "bang-khen-chu-tich-tinh", Achievement: "Thành tích"}}})
	if err != nil {
		t.Fatal(err)
	}
	pdf := []byte("%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n")
	for _, c := range []struct {
		ctx    context.Context
		record string
		want   domain.Code
	}{
		{as("lang-son", auth.Viewer), d.ID, domain.CodeForbidden},
		{as("cao-bang", auth.Editor), d.ID, domain.CodeNotFound},
		{as("lang-son", auth.Editor), "665f1b2c3d4e5f6a7b8c9d0e", domain.CodeNotFound},
		{ctx, d.ID, domain.CodeUnauthenticated},
	} {
		up := &openCount{FileBytes: service.FileBytes{Name: "a.pdf", Data: pdf}}
		if _, err := svc.AttachFile(c.ctx, c.record, up); domain.ErrorCode(err) != c.want || up.opened != 0 {
			t.Errorf("attach to %s: %v, opened %d times; want %s, unopened", c.record, err, up.opened, c.want)
		}
	}
	// "Tờ trình" with its marks decomposed (NFD), a bidi override and
	// zero-width characters.
	name := "To\u031b\u0300 tri\u0300nh\u200b\u202e\ufeff\u2066.pdf"
	a, err := svc.AttachFile(as("lang-son", auth.Editor), d.ID, service.FileBytes{Name: name, Data: pdf})
	if err != nil {
		t.Fatal(err)
	}
	if a.Name != "Tờ trình.pdf" {
		t.Errorf("stored name %q, want %q", a.Name, "Tờ trình.pdf")
	}
}
