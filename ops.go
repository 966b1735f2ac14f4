package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/thidua/thidua/backup"
	"github.com/thidua/thidua/embeddb"
	"github.com/thidua/thidua/repository"
	"github.com/thidua/thidua/seed"
)

// runBackup writes a backup of DATA_DIR to the directory DEST: the serving
// process makes it (backup.Serve, on DATA_DIR's socket); when no process
// serves DATA_DIR, this one takes the directory's lock and makes it.
func runBackup(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("backup", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprintln(stderr, "usage: thidua backup DEST (a new or empty directory)") }
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return errors.New("backup: want one destination directory")
	}
	dest := fs.Arg(0)
	cfg, err := loadConfig(getenv)
	if err != nil {
		return err
	}
	if cfg.MongoURI != "" {
		return errors.New("backup: MONGODB_URI is set: back MongoDB up with mongodump (docs/operations.md, Backup and restore)")
	}
	m, err := backup.Request(ctx, cfg.DataDir, dest)
	how := "by the running service"
	if errors.Is(err, backup.ErrNotServing) {
		// No service: this process may read the files if it holds the
		// lock (a service starting meanwhile waits for it).
		lock, lerr := embeddb.LockDir(cfg.DataDir)
		if lerr != nil {
			return fmt.Errorf("backup: %w (and the service's socket does not answer)", lerr)
		}
		defer lock.Release()
		m, err = backup.Write(ctx, cfg.DataDir, dest, nil) // no service runs: nothing deletes meanwhile
		how = "with no service running"
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "thidua: backup of %s written to %s %s, verified: %s", cfg.DataDir, dest, how, m.Summary())
	return nil
}

// runRestore fills an empty DATA_DIR from the backup in SRC. The service
// migrates it at its next start.
func runRestore(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("restore", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprintln(stderr, "usage: thidua restore SRC (a directory written by thidua backup)") }
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return errors.New("restore: want one backup directory")
	}
	cfg, err := loadConfig(getenv)
	if err != nil {
		return err
	}
	if cfg.MongoURI != "" {
		return errors.New("restore: MONGODB_URI is set: restore MongoDB with mongorestore (docs/operations.md, Backup and restore)")
	}
	if err := os.MkdirAll(cfg.DataDir, 0o750); err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	lock, err := embeddb.LockDir(cfg.DataDir)
	if err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	defer lock.Release()
	m, err := backup.Restore(ctx, fs.Arg(0), cfg.DataDir, repository.MigrationLevel(seed.Migrations()...))
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "thidua: %s restored into %s (migrations run at the next start): %s", fs.Arg(0), cfg.DataDir, m.Summary())
	return nil
}
