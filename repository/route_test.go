package repository_test

import (
	"testing"

	"github.com/thidua/thidua/dbtest"
	"github.com/thidua/thidua/domain"
)

// Migration 10: the dossiers the old route sent straight to "*" stay with
// the central level on the new one. A province's dossier for a central
// authority waiting for the central vetting becomes FORWARDED with its own
// letter; vetted, decided and rejected ones count as forwarded; returned
// and draft ones, provincial ones and the cluster's are left alone.
func TestMigrationForwardsCentralDossiers(t *testing.T) {
	ctx := t.Context()
	s := dbtest.Store(t)
	store := func(authority, owner, status string) *domain.Dossier {
		d := &domain.Dossier{Owner: owner, Kind: domain.KindRegular, Authority: authority, Year: 2025, Title: "Hồ sơ",
			ProposingUnit: "Sở Nội vụ", Status: status, Letter: &domain.Decision{Number: "7/TTr", Date: "2026-01-05"},
			History: []domain.DossierEvent{{Status: status}}, Recipients: []domain.DossierRecipient{}}
		if owner != domain.ScopeAll {
			d.ProvinceID = owner
		}
		if err := s.CreateDossier(ctx, d); err != nil {
			t.Fatal(err)
		}
		return d
	}
	cases := []struct {
		d         *domain.Dossier
		status    string
		forwarded bool
	}{
		{store("PRESIDENT", "lang-son", domain.DossierSubmitted), domain.DossierForwarded, true},
		{store("PRIME_MINISTER", "lang-son", domain.DossierVetted), domain.DossierVetted, true},
		{store("MINISTER", "lang-son", domain.DossierDecided), domain.DossierDecided, true},
		{store("GOVERNMENT", "lang-son", domain.DossierRejected), domain.DossierRejected, true},
		{store("PRESIDENT", "lang-son", domain.DossierReturned), domain.DossierReturned, false},
		{store("PRESIDENT", "lang-son", domain.DossierDraft), domain.DossierDraft, false},
		{store("PROVINCE_CHAIR", "lang-son", domain.DossierSubmitted), domain.DossierSubmitted, false},
		{store("PRIME_MINISTER", domain.ScopeAll, domain.DossierSubmitted), domain.DossierSubmitted, false},
	}
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	next := reopen(t, s) // the read model as loaded after the migration
	for _, c := range cases {
		got, err := next.Dossier(ctx, c.d.ID, domain.Access{All: true})
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != c.status || (got.Forward != nil) != c.forwarded {
			t.Errorf("%s %s %s: now %s, forwarded %t; want %s, %t", c.d.Owner, c.d.Authority, c.d.Status, got.Status, got.Forward != nil,
				c.status, c.forwarded)
			continue
		}
		if c.forwarded && (got.Level() != domain.ScopeAll || got.Forward.Letter.Number != "7/TTr" || got.Version != 2) {
			t.Errorf("%s %s: level %s, letter %+v, version %d; want *, the dossier's own letter, version 2", c.d.Authority, c.d.Status,
				got.Level(), got.Forward.Letter, got.Version)
		}
		if c.status == domain.DossierForwarded && got.History[len(got.History)-1].Status != domain.DossierForwarded {
			t.Errorf("the migrated dossier's history: %+v", got.History)
		}
	}
	// The central level reads them by its level (a `*` reader reads all;
	// the stored level is what the read filter of the others uses).
	central := domain.Access{Owners: []string{domain.ScopeAll}}
	if _, err := next.Dossier(ctx, cases[0].d.ID, central); err != nil {
		t.Errorf("the central level does not read the migrated dossier: %v", err)
	}
}
