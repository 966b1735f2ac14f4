package embeddb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// ChunksFile is the file, under the data directory, of the attachments'
// bytes on the embedded server (Chunks). It is in a folder of its own:
// FerretDB takes every DATA_DIR/*.sqlite for one of its databases.
const ChunksFile = "attachments/chunks.sqlite"

// Chunks keeps the bytes of attachments, chunk by chunk, in a SQLite file of
// its own beside FerretDB's. FerretDB 1.24 on SQLite stores a document as
// JSON text and a binary field as base64 inside it, and decodes the whole
// JSON on every read: 160 ms of CPU a 4 MiB chunk, so a 5 MB download took
// 0.6 s. Here a chunk is a BLOB read as it is. The documents that describe
// the files stay in the database (GridFS's attachments.files), which names
// each file's chunks; the repository writes a file's chunks before its
// document and deletes them after it, and sweeps chunks no document names.
type Chunks struct {
	db   *sql.DB
	path string
	// While a backup copies the database and then this file, deletes wait
	// (Hold): a file the database copy still names keeps its chunks.
	mu       sync.Mutex
	holds    int
	deferred []string
}

// OpenChunks opens (creating it if need be) the chunks file under the data
// directory dir.
func OpenChunks(dir string) (*Chunks, error) {
	path := filepath.Join(dir, ChunksFile)
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return nil, fmt.Errorf("chunks: %w", err)
	}
	// One writer at a time (SQLite's rule); readers share the WAL.
	db, err := OpenFile(path, "_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)", 4)
	if err != nil {
		return nil, fmt.Errorf("chunks: %w", err)
	}
	if _, err := db.Exec(`CREATE TABLE IF NOT EXISTS chunks (id TEXT PRIMARY KEY, data BLOB NOT NULL, created INTEGER NOT NULL)`); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("chunks %s: %w", path, err)
	}
	return &Chunks{db: db, path: path}, nil
}

// Path is the file's path.
func (c *Chunks) Path() string { return c.path }

// Close closes the file.
func (c *Chunks) Close() error { return c.db.Close() }

// PutChunk stores data as the chunk id, durably (synchronous FULL) before it
// returns. Storing the same id again replaces it.
func (c *Chunks) PutChunk(ctx context.Context, id string, data []byte) error {
	_, err := c.db.ExecContext(ctx, `INSERT OR REPLACE INTO chunks (id, data, created) VALUES (?, ?, ?)`,
		id, data, time.Now().UnixMilli())
	return err
}

// GetChunk returns the chunk id; false if there is none.
func (c *Chunks) GetChunk(ctx context.Context, id string) ([]byte, bool, error) {
	var data []byte
	err := c.db.QueryRowContext(ctx, `SELECT data FROM chunks WHERE id = ?`, id).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, false, nil
	}
	return data, err == nil, err
}

// Hold defers deletes until the returned release is called: a backup
// copies the database first and this file after it, so a file deleted in
// between must keep its chunks in the copy (the restored database's sweep
// removes them if no file names them).
func (c *Chunks) Hold(ctx context.Context) (release func()) {
	c.mu.Lock()
	c.holds++
	c.mu.Unlock()
	var once sync.Once
	return func() {
		once.Do(func() {
			c.mu.Lock()
			c.holds--
			var ids []string
			if c.holds == 0 {
				ids, c.deferred = c.deferred, nil
			}
			c.mu.Unlock()
			if len(ids) > 0 {
				// The backup's request may have ended: the deletes still run
				// (left over, the next start's sweep removes them).
				dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
				_ = c.deleteNow(dctx, ids)
				cancel()
			}
		})
	}
}

// DeleteChunks deletes the chunks ids (those it does not hold are no error);
// while a backup holds deletes, later.
func (c *Chunks) DeleteChunks(ctx context.Context, ids []string) error {
	c.mu.Lock()
	if c.holds > 0 {
		c.deferred = append(c.deferred, ids...)
		c.mu.Unlock()
		return nil
	}
	c.mu.Unlock()
	return c.deleteNow(ctx, ids)
}

func (c *Chunks) deleteNow(ctx context.Context, ids []string) error {
	tx, err := c.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback() }()
	for _, id := range ids {
		if _, err := tx.ExecContext(ctx, `DELETE FROM chunks WHERE id = ?`, id); err != nil {
			return err
		}
	}
	return tx.Commit()
}

// ChunksBefore lists the ids of the chunks stored before t.
func (c *Chunks) ChunksBefore(ctx context.Context, t time.Time) ([]string, error) {
	rows, err := c.db.QueryContext(ctx, `SELECT id FROM chunks WHERE created < ?`, t.UnixMilli())
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}
