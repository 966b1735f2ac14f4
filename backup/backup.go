// Package backup copies the embedded store's data (DATA_DIR: one SQLite file
// per database, written by FerretDB) while the service serves, and fills an
// empty DATA_DIR from such a copy.
//
// The serving process makes the copy (Serve answers `thidua backup DEST` on
// a Unix socket in DATA_DIR): SQLite's VACUUM INTO reads one transaction's
// snapshot of a live WAL database, so the copy is consistent whatever is
// being written meanwhile, and nothing but the serving process opens the
// files for writing. A copy is written into a temporary directory beside
// DEST, synced, described by a manifest (files, sizes, SHA-256, documents
// per collection, migration level) written last, and renamed to DEST in one
// step: a backup cut short has no manifest, or is not at DEST, and Restore
// refuses it.
package backup

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/thidua/thidua/embeddb"
)

// ManifestName is the manifest's file name inside a backup directory.
const ManifestName = "MANIFEST.json"

// format is the manifest's format; Restore refuses any other.
const format = 1

// Manifest describes a backup: it is written last, so a directory without
// one is not a backup.
type Manifest struct {
	Format  int       `json:"format"`
	Created time.Time `json:"created"`
	Files   []File    `json:"files"`
}

// File is one database file of a backup.
type File struct {
	Name   string `json:"name"` // <database>.sqlite
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
	// Collections counts the documents of each collection.
	Collections map[string]int64 `json:"collections"`
	// MigrationLevel is the highest migration recorded in the database
	// (0 for none): the code that restores it must know it.
	MigrationLevel int `json:"migrationLevel"`
}

// Bytes is the total size of the files.
func (m *Manifest) Bytes() int64 {
	var n int64
	for _, f := range m.Files {
		n += f.Size
	}
	return n
}

// Summary says what the backup holds, one line per database.
func (m *Manifest) Summary() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d database file(s), %d bytes, taken %s\n", len(m.Files), m.Bytes(), m.Created.Format(time.RFC3339))
	for _, f := range m.Files {
		names := make([]string, 0, len(f.Collections))
		for c := range f.Collections {
			names = append(names, c)
		}
		sort.Strings(names)
		parts := make([]string, len(names))
		for i, c := range names {
			parts[i] = fmt.Sprintf("%s %d", c, f.Collections[c])
		}
		fmt.Fprintf(&b, "  %s (%d bytes, migration level %d): %s\n", f.Name, f.Size, f.MigrationLevel, strings.Join(parts, ", "))
	}
	return b.String()
}

// Write copies every database file of dataDir into the directory dest
// (which must not exist, or be empty), consistently even while FerretDB
// writes them, then reads the copy back against its manifest. dest appears
// whole or not at all.
//
// The attachments' chunk store (embeddb.ChunksFile), if any, is copied
// after the databases, with hold (if not nil) deferring chunk deletes
// meanwhile: every file the database copy names has its chunks in the
// copy (chunks are written before their file's document).
func Write(ctx context.Context, dataDir, dest string, hold func(context.Context) (release func())) (*Manifest, error) {
	dest, err := filepath.Abs(dest)
	if err != nil {
		return nil, err
	}
	if entries, err := os.ReadDir(dest); err == nil && len(entries) > 0 {
		return nil, fmt.Errorf("backup: %s exists and is not empty", dest)
	} else if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("backup: %w", err)
	}
	files, err := filepath.Glob(filepath.Join(dataDir, "*.sqlite"))
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("backup: no database in %s", dataDir)
	}
	tmp, err := os.MkdirTemp(filepath.Dir(dest), filepath.Base(dest)+".partial-")
	if err != nil {
		return nil, fmt.Errorf("backup: %w", err)
	}
	done := false
	defer func() {
		if !done {
			_ = os.RemoveAll(tmp)
		}
	}()
	if hold != nil {
		release := hold(ctx)
		defer release()
	}
	if _, err := os.Stat(filepath.Join(dataDir, embeddb.ChunksFile)); err == nil {
		files = append(files, filepath.Join(dataDir, embeddb.ChunksFile))
		if err := os.MkdirAll(filepath.Join(tmp, filepath.Dir(embeddb.ChunksFile)), 0o750); err != nil {
			return nil, fmt.Errorf("backup: %w", err)
		}
	}
	m := &Manifest{Format: format, Created: time.Now().UTC()}
	for _, src := range files {
		name, _ := filepath.Rel(dataDir, src)
		f, err := copyDatabase(ctx, dataDir, name, filepath.Join(tmp, name))
		if err != nil {
			return nil, fmt.Errorf("backup %s: %w", name, err)
		}
		m.Files = append(m.Files, *f)
	}
	raw, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return nil, err
	}
	if err := writeSynced(filepath.Join(tmp, ManifestName), raw); err != nil {
		return nil, fmt.Errorf("backup: %w", err)
	}
	if err := syncDir(tmp); err != nil {
		return nil, fmt.Errorf("backup: %w", err)
	}
	// An empty dest is replaced by the rename; a non-empty one (made
	// meanwhile) makes it fail.
	if err := os.Rename(tmp, dest); err != nil {
		return nil, fmt.Errorf("backup: %w", err)
	}
	done = true
	if err := syncDir(filepath.Dir(dest)); err != nil {
		return nil, fmt.Errorf("backup: %w", err)
	}
	if _, err := Verify(ctx, dest); err != nil {
		return nil, fmt.Errorf("backup written to %s but does not read back: %w", dest, err)
	}
	return m, nil
}

// copyDatabase writes a consistent copy of dataDir/name to path and
// describes it.
func copyDatabase(ctx context.Context, dataDir, name, path string) (*File, error) {
	db, err := embeddb.OpenSQLite(dataDir, strings.TrimSuffix(name, ".sqlite"))
	if err != nil {
		return nil, err
	}
	defer db.Close()
	// One read transaction: the copy is the database as of one commit.
	if _, err := db.ExecContext(ctx, `VACUUM INTO ?`, path); err != nil {
		return nil, err
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	err = f.Sync()
	f.Close()
	if err != nil {
		return nil, err
	}
	out := &File{Name: name}
	if out.Size, out.SHA256, err = checksum(path); err != nil {
		return nil, err
	}
	if out.Collections, out.MigrationLevel, err = describe(ctx, path, name == embeddb.ChunksFile); err != nil {
		return nil, err
	}
	return out, nil
}

// Verify reads the backup in dir: its manifest, each file's size and
// checksum, SQLite's integrity check and the documents per collection.
func Verify(ctx context.Context, dir string) (*Manifest, error) {
	raw, err := os.ReadFile(filepath.Join(dir, ManifestName))
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("%s is not a complete backup: it has no %s (a backup cut short has none)", dir, ManifestName)
	} else if err != nil {
		return nil, err
	}
	var m Manifest
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, fmt.Errorf("%s: %w", ManifestName, err)
	}
	if m.Format != format {
		return nil, fmt.Errorf("%s: format %d, this version reads %d", ManifestName, m.Format, format)
	}
	if len(m.Files) == 0 {
		return nil, fmt.Errorf("%s lists no file", ManifestName)
	}
	for _, f := range m.Files {
		if (f.Name != filepath.Base(f.Name) || !strings.HasSuffix(f.Name, ".sqlite")) && f.Name != embeddb.ChunksFile {
			return nil, fmt.Errorf("%s: bad file name %q", ManifestName, f.Name)
		}
		path := filepath.Join(dir, f.Name)
		size, sum, err := checksum(path)
		if err != nil {
			return nil, err
		}
		if size != f.Size || sum != f.SHA256 {
			return nil, fmt.Errorf("%s: %d bytes, SHA-256 %s; the manifest says %d bytes, %s: damaged or incomplete",
				f.Name, size, sum, f.Size, f.SHA256)
		}
		counts, level, err := describe(ctx, path, f.Name == embeddb.ChunksFile)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f.Name, err)
		}
		for c, n := range f.Collections {
			if counts[c] != n {
				return nil, fmt.Errorf("%s: collection %s holds %d documents, the manifest says %d", f.Name, c, counts[c], n)
			}
		}
		if len(counts) != len(f.Collections) || level != f.MigrationLevel {
			return nil, fmt.Errorf("%s: collections or migration level differ from the manifest", f.Name)
		}
	}
	return &m, nil
}

// Restore fills dataDir, which must hold nothing but its lock file (the
// caller holds the lock: no service runs on it), from the backup in src,
// after verifying it. codeLevel is the highest migration this code knows: a
// backup of a database migrated further was written by a newer version,
// and is refused. The service migrates the restored data at its next start.
func Restore(ctx context.Context, src, dataDir string, codeLevel int) (*Manifest, error) {
	m, err := Verify(ctx, src)
	if err != nil {
		return nil, fmt.Errorf("restore: %w", err)
	}
	for _, f := range m.Files {
		if f.MigrationLevel > codeLevel {
			return nil, fmt.Errorf("restore: %s is at migration %d, this version knows up to %d: restore it with the version that wrote it, or a newer one",
				f.Name, f.MigrationLevel, codeLevel)
		}
	}
	entries, err := os.ReadDir(dataDir)
	if err != nil {
		return nil, fmt.Errorf("restore: %w", err)
	}
	for _, e := range entries {
		if e.Name() != embeddb.LockFile {
			return nil, fmt.Errorf("restore: DATA_DIR %s is not empty (it holds %s): restore only into an empty directory", dataDir, e.Name())
		}
	}
	// Every file is copied (and synced) under a temporary name first, then
	// all are renamed: an interrupted restore leaves no database that
	// looks whole.
	for _, f := range m.Files {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dataDir, f.Name)), 0o750); err != nil {
			return nil, fmt.Errorf("restore: %w", err)
		}
		if err := copyFile(ctx, filepath.Join(src, f.Name), filepath.Join(dataDir, f.Name+".restoring")); err != nil {
			return nil, fmt.Errorf("restore %s: %w", f.Name, err)
		}
	}
	for _, f := range m.Files {
		if err := os.Rename(filepath.Join(dataDir, f.Name+".restoring"), filepath.Join(dataDir, f.Name)); err != nil {
			return nil, fmt.Errorf("restore: %w", err)
		}
	}
	if err := syncDir(dataDir); err != nil {
		return nil, fmt.Errorf("restore: %w", err)
	}
	return m, nil
}

// openCopy opens a database file of a backup read-only, as immutable (no
// lock, no journal files beside it).
func openCopy(path string) (*sql.DB, error) {
	return embeddb.OpenFile(path, "mode=ro&immutable=1", 1)
}

// describe checks a database file's integrity and counts the documents of
// each FerretDB collection, and reads its migration level.
func describe(ctx context.Context, path string, chunks bool) (map[string]int64, int, error) {
	db, err := openCopy(path)
	if err != nil {
		return nil, 0, err
	}
	defer db.Close()
	var ok string
	if err := db.QueryRowContext(ctx, `PRAGMA integrity_check`).Scan(&ok); err != nil {
		return nil, 0, err
	}
	if ok != "ok" {
		return nil, 0, fmt.Errorf("integrity check: %s", ok)
	}
	if chunks {
		var n int64 // the chunk store: its chunks
		if err := db.QueryRowContext(ctx, `SELECT count(*) FROM chunks`).Scan(&n); err != nil {
			return nil, 0, fmt.Errorf("count chunks: %w", err)
		}
		return map[string]int64{"chunks": n}, 0, nil
	}
	rows, err := db.QueryContext(ctx, `SELECT name, table_name FROM _ferretdb_collections`)
	if err != nil {
		return nil, 0, err
	}
	tables := map[string]string{}
	for rows.Next() {
		var name, table string
		if err := rows.Scan(&name, &table); err != nil {
			rows.Close()
			return nil, 0, err
		}
		tables[name] = table
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	counts := make(map[string]int64, len(tables))
	for name, table := range tables {
		var n int64
		if err := db.QueryRowContext(ctx, fmt.Sprintf(`SELECT count(*) FROM %q`, table)).Scan(&n); err != nil {
			return nil, 0, fmt.Errorf("count %s: %w", name, err)
		}
		counts[name] = n
	}
	level := 0
	if table, ok := tables["migrations"]; ok {
		var max sql.NullInt64
		q := fmt.Sprintf(`SELECT max(CAST(json_extract(_ferretdb_sjson, '$._id') AS INTEGER)) FROM %q`, table)
		if err := db.QueryRowContext(ctx, q).Scan(&max); err != nil {
			return nil, 0, fmt.Errorf("migration level: %w", err)
		}
		level = int(max.Int64)
	}
	return counts, level, nil
}

func checksum(path string) (int64, string, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, "", err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return 0, "", err
	}
	return n, hex.EncodeToString(h.Sum(nil)), nil
}

func copyFile(ctx context.Context, src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o640)
	if err != nil {
		return err
	}
	_, err = io.Copy(out, readerCtx{ctx, in})
	if err == nil {
		err = out.Sync()
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	return err
}

// readerCtx stops a copy when ctx ends.
type readerCtx struct {
	ctx context.Context
	r   io.Reader
}

func (r readerCtx) Read(p []byte) (int, error) {
	if err := r.ctx.Err(); err != nil {
		return 0, err
	}
	return r.r.Read(p)
}

func writeSynced(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o640)
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// CopyDatabase writes a consistent copy of database's file in dataDir to
// path (as Write does for each file), synced.
func CopyDatabase(ctx context.Context, dataDir, database, path string) error {
	_, err := copyDatabase(ctx, dataDir, database+".sqlite", path)
	return err
}

// ReplaceDatabase puts the copy at path (CopyDatabase) in place of
// database's file in dataDir, its journal files removed. Call it with the
// database closed and DATA_DIR's lock held.
func ReplaceDatabase(dataDir, database, path string) error {
	file := filepath.Join(dataDir, database+".sqlite")
	// A WAL left beside the copy would be read into it.
	for _, j := range []string{file + "-wal", file + "-shm"} {
		if err := os.Remove(j); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
	}
	if err := os.Rename(path, file); err != nil {
		return err
	}
	return syncDir(dataDir)
}
