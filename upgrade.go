package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/thidua/thidua/backup"
	"github.com/thidua/thidua/embeddb"
	"github.com/thidua/thidua/repository"
)

// upgrade runs the migrations a start finds pending. On the embedded store
// it first copies the database beside itself; if a migration fails, the
// copy is put back once FerretDB has closed the files (rollBack, at
// embeddb's Close), so the data is as the previous version left it and
// that version can serve it again. On MongoDB there is no copy: take a
// mongodump before an upgrade (docs/operations.md, Backup and restore).
type upgrade struct {
	copy   string // the copy of the data before the migrations
	failed bool
}

func (u *upgrade) migrate(ctx context.Context, store *repository.Store, emb *embeddb.Server, database string,
	migrations []repository.Migration, pending []int, logger *slog.Logger) error {
	if emb != nil {
		u.copy = filepath.Join(emb.Dir(), database+".sqlite.premigration")
		_ = os.Remove(u.copy)
		if err := backup.CopyDatabase(ctx, emb.Dir(), database, u.copy); err != nil {
			return fmt.Errorf("migrations %v not run: copy of the data before them: %w", pending, err)
		}
	}
	logger.Info("migrating", "pending", pending)
	err := store.Migrate(ctx, migrations...)
	if err == nil {
		if u.copy != "" {
			_ = os.Remove(u.copy)
			u.copy = ""
		}
		return nil
	}
	if u.copy == "" {
		return fmt.Errorf("migrations: %w (MongoDB: the data may be part migrated; restore the mongodump taken before the upgrade, or fix and start again: migrations are idempotent)", err)
	}
	u.failed = true
	return fmt.Errorf("migrations: %w; the data is left as it was before them (the previous version serves it)", err)
}

// rollBack puts the copy back after a failed migration; the database is
// closed.
func (u *upgrade) rollBack(dir, database string, logger *slog.Logger) {
	if !u.failed {
		return
	}
	if err := backup.ReplaceDatabase(dir, database, u.copy); err != nil {
		logger.Error("the data before the failed migration could not be put back: it is in "+u.copy, "err", err)
		return
	}
	logger.Info("data put back as it was before the failed migration")
}
