package embeddb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	_ "modernc.org/sqlite" // the driver FerretDB opens its files with
)

// FerretDB 1.24 on SQLite keeps each database in DATA_DIR/<db>.sqlite, each
// collection in a table named in its _ferretdb_collections table, each
// document as JSON text in the column _ferretdb_sjson. It looks a document up
// by _id (a find, count, findAndModify, update or delete whose filter is
// exactly {_id: <string or ObjectID>}, and every update and delete it then
// writes) with the expression _ferretdb_sjson->'$._id', but the _id index it
// creates is on _ferretdb_sjson->"_id". SQLite uses an index on an
// expression only for that exact expression, so every such lookup parsed
// every document of the collection (4.4 s for one updateAward at 100,000
// awards). The index below is on the expression the lookups use. It lives
// beside FerretDB's metadata, not in it: listIndexes does not show it,
// dropIndexes leaves it, and dropping the collection (DROP TABLE) drops it.

// idLookupSQL is the expression FerretDB 1.24 compares a pushed-down _id with
// (metadata.IDColumn in its sqlite backend).
const idLookupSQL = `_ferretdb_sjson->'$._id'`

// idIndexPrefix names the index of a table: FerretDB names its own
// "<table>_<index name>", so no name of FerretDB's starts with this.
const idIndexPrefix = "thidua_id_"

// sweepEvery is how often a running server looks for collection tables
// created since the last look (a collection first written after start).
const sweepEvery = 2 * time.Second

// IDIndexName is the name of the SQLite index on the _id lookup expression
// of a collection's table.
func IDIndexName(table string) string { return idIndexPrefix + table }

// IDLookupSQL is the statement FerretDB 1.24 runs for a find by _id on a
// collection's table (with the _id as the one argument), for tests that ask
// SQLite for its plan.
func IDLookupSQL(table string) string {
	return fmt.Sprintf(`SELECT _ferretdb_sjson FROM %q WHERE %s = ?`, table, idLookupSQL)
}

// OpenSQLite opens the SQLite file of database db under dir, read and write
// but never creating it, waiting up to 10 s for FerretDB's write lock.
// The caller closes it.
func OpenSQLite(dir, db string) (*sql.DB, error) {
	return openFile(filepath.Join(dir, db+".sqlite"))
}

func openFile(path string) (*sql.DB, error) {
	return OpenFile(path, "mode=rw&_pragma=busy_timeout(10000)", 1)
}

// OpenFile opens the SQLite file at path with the driver FerretDB uses, the
// URI parameters query (mode, pragmas) and at most maxConns connections.
// The caller closes it.
func OpenFile(path, query string, maxConns int) (*sql.DB, error) {
	u := url.URL{Scheme: "file", Opaque: (&url.URL{Path: path}).EscapedPath(), RawQuery: query}
	conn, err := sql.Open("sqlite", u.String())
	if err != nil {
		return nil, err
	}
	conn.SetMaxOpenConns(maxConns)
	return conn, nil
}

// indexIDs creates the _id lookup index on every collection table of every
// database file under dir that lacks it, and returns how many it created.
// It is idempotent. It skips a file whose size and modification time (and
// its WAL's) are those recorded in seen at the last look, and records them.
func indexIDs(ctx context.Context, dir string, seen map[string]fileStamp) (int, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.sqlite"))
	if err != nil {
		return 0, err
	}
	created := 0
	var errs []error
	for _, f := range files {
		stamp, ok := stampOf(f)
		if !ok || (seen != nil && seen[f] == stamp) {
			continue
		}
		n, err := indexFile(ctx, f)
		created += n
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", filepath.Base(f), err))
			continue
		}
		if seen != nil {
			if n > 0 { // our own write changed the stamp
				stamp, _ = stampOf(f)
			}
			seen[f] = stamp
		}
	}
	if seen != nil {
		for f := range seen {
			if _, err := os.Stat(f); err != nil {
				delete(seen, f) // the database was dropped
			}
		}
	}
	return created, errors.Join(errs...)
}

// indexFile creates the missing _id lookup indexes of one database file.
func indexFile(ctx context.Context, path string) (int, error) {
	conn, err := openFile(path)
	if err != nil {
		return 0, err
	}
	defer conn.Close()
	rows, err := conn.QueryContext(ctx, `SELECT c.table_name FROM _ferretdb_collections c
		WHERE NOT EXISTS (SELECT 1 FROM sqlite_master m WHERE m.type = 'index' AND m.name = ? || c.table_name)`,
		idIndexPrefix)
	if err != nil {
		if strings.Contains(err.Error(), "no such table") {
			return 0, nil // a database FerretDB is creating right now: next look
		}
		return 0, err
	}
	var tables []string
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			rows.Close()
			return 0, err
		}
		tables = append(tables, t)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	created := 0
	for _, t := range tables {
		q := fmt.Sprintf(`CREATE INDEX IF NOT EXISTS %q ON %q (%s)`, IDIndexName(t), t, idLookupSQL)
		if _, err := conn.ExecContext(ctx, q); err != nil {
			if strings.Contains(err.Error(), "no such table") {
				continue // the collection was dropped meanwhile
			}
			return created, fmt.Errorf("index %s: %w", t, err)
		}
		created++
	}
	return created, nil
}

// fileStamp is what changes when SQLite writes a database file (in WAL
// mode the WAL first, the file at checkpoints).
type fileStamp struct {
	size, walSize   int64
	mtime, walMtime time.Time
}

func stampOf(path string) (fileStamp, bool) {
	fi, err := os.Stat(path)
	if err != nil {
		return fileStamp{}, false
	}
	s := fileStamp{size: fi.Size(), mtime: fi.ModTime()}
	if wi, err := os.Stat(path + "-wal"); err == nil {
		s.walSize, s.walMtime = wi.Size(), wi.ModTime()
	}
	return s, true
}

// sweep indexes new collection tables every sweepEvery until ctx ends.
func sweep(ctx context.Context, dir string, logger *slog.Logger) {
	seen := map[string]fileStamp{}
	t := time.NewTicker(sweepEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		n, err := indexIDs(ctx, dir, seen)
		if err != nil && ctx.Err() == nil && logger != nil {
			logger.Warn("embedded database: _id lookup index", "err", err)
		}
		if n > 0 && logger != nil {
			logger.Debug("embedded database: _id lookup indexes created", "count", n)
		}
	}
}
