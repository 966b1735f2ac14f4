package main

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/thidua/thidua/domain"
	"github.com/thidua/thidua/repository"
	"github.com/thidua/thidua/seed"
)

// A migration that fails stops the start with a message naming it, and
// leaves the data as the previous version left it: what the migrations
// before it and the failing one wrote is gone, and the service (without
// the failing migration) serves the data as before.
func TestFailedMigrationLeavesDataAsItWas(t *testing.T) {
	env := map[string]string{"DATA_DIR": t.TempDir(), "LOG_LEVEL": "error"}
	base, stop := start(t, env)
	tok := devToken(t, env, "lang-son=editor")
	viewer := devToken(t, env, "*=viewer")
	if _, code, _, err := post(base, tok, `mutation { createMovement(input: {title: "Trước nâng cấp", scope: PROVINCE, kind: ANNUAL, provinceId: "lang-son"}) { id } }`); err != nil || code != "" {
		t.Fatalf("create: %q %v", code, err)
	}
	before := movementsByID(t, base, viewer)
	if err := stop(); err != nil {
		t.Fatal(err)
	}

	write := func(title string) func(context.Context, *repository.Store) error {
		return func(ctx context.Context, s *repository.Store) error {
			return s.CreateMovement(ctx, &domain.Movement{Title: title, Scope: "NATIONAL", Kind: "ANNUAL", Owner: domain.ScopeAll, Published: true})
		}
	}
	failing := append(seed.Migrations(),
		repository.Migration{ID: 998, Name: "a migration that works", Up: write("Di chuyển 998")},
		repository.Migration{ID: 999, Name: "a migration that fails", Up: func(ctx context.Context, s *repository.Store) error {
			if err := write("Di chuyển 999")(ctx, s); err != nil {
				return err
			}
			return errors.New("injected failure")
		}})
	var out syncBuffer
	env["ADDR"] = freeAddr(t)
	err := runService(context.Background(), nil, func(k string) string { return env[k] }, &out, &out, failing)
	if err == nil || !strings.Contains(err.Error(), "migration 999 (a migration that fails): injected failure") ||
		!strings.Contains(err.Error(), "left as it was before them") {
		t.Fatalf("start with a failing migration: %v\n%s", err, out.String())
	}
	if leftover, _ := filepath.Glob(filepath.Join(env["DATA_DIR"], "*.premigration")); len(leftover) > 0 {
		t.Errorf("the copy before the migrations is left: %v", leftover)
	}

	base, _ = start(t, env)
	after := movementsByID(t, base, viewer)
	if len(after) != len(before) {
		t.Errorf("%d movements after the failed migration, %d before", len(after), len(before))
	}
	for id, doc := range before {
		if after[id] != doc {
			t.Errorf("after the failed migration:\n%s\nbefore:\n%s", after[id], doc)
		}
	}
}

// Data written by earlier versions (migrate/testdata: each file the
// database of the commit it is named after) is migrated by a start and
// served.
func TestServiceServesOlderData(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("migrate", "testdata", "*.sqlite"))
	if len(files) == 0 {
		t.Fatal("no data of earlier versions")
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			raw, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			env := map[string]string{"DATA_DIR": t.TempDir(), "LOG_LEVEL": "error"}
			if err := os.WriteFile(filepath.Join(env["DATA_DIR"], "thidua.sqlite"), raw, 0o640); err != nil {
				t.Fatal(err)
			}
			base, _ := start(t, env)
			viewer := devToken(t, env, "*=viewer")
			if n := count(t, base, viewer, `{ awards(first: 1) { totalCount } }`, "awards"); n == 0 {
				t.Error("no award served from the older data")
			}
			if n := len(movementsByID(t, base, viewer)); n == 0 {
				t.Error("no movement served from the older data")
			}
		})
	}
}
