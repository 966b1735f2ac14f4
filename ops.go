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
	cfg, dest, err := opsArgs("backup", "DEST (a new or empty directory)", "destination directory", "back MongoDB up with mongodump",
		args, getenv, stderr)
	if err != nil {
		return err
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
	cfg, src, err := opsArgs("restore", "SRC (a directory written by thidua backup)", "backup directory", "restore MongoDB with mongorestore",
		args, getenv, stderr)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(cfg.DataDir, 0o750); err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	lock, err := embeddb.LockDir(cfg.DataDir)
	if err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	defer lock.Release()
	m, err := backup.Restore(ctx, src, cfg.DataDir, repository.MigrationLevel(seed.Migrations()...))
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "thidua: %s restored into %s (migrations run at the next start): %s", src, cfg.DataDir, m.Summary())
	return nil
}

// opsArgs reads the one directory argument of the command name (usage
// shows it, want names it when it is missing) and the configuration, and
// refuses MONGODB_URI (mongo says what to use instead).
func opsArgs(name, usage, want, mongo string, args []string, getenv func(string) string, stderr io.Writer) (*config, string, error) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprintln(stderr, "usage: thidua "+name+" "+usage) }
	if err := fs.Parse(args); err != nil {
		return nil, "", err
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return nil, "", fmt.Errorf("%s: want one %s", name, want)
	}
	cfg, err := loadConfig(getenv)
	if err != nil {
		return nil, "", err
	}
	if cfg.MongoURI != "" {
		return nil, "", fmt.Errorf("%s: MONGODB_URI is set: %s (docs/operations.md, Backup and restore)", name, mongo)
	}
	return cfg, fs.Arg(0), nil
}
