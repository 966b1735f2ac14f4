// Package embeddb runs FerretDB (SQLite backend) inside the process, so that
// thidua needs no database server on a developer's machine or in tests. It is
// reached through the MongoDB driver over the wire protocol, like MongoDB.
package embeddb

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/FerretDB/FerretDB/ferretdb"
)

// Server is a running embedded FerretDB.
type Server struct {
	uri    string
	cancel context.CancelFunc
	done   chan struct{}
	lock   *DirLock // the data directory's lock (SQLite only)
	dir    string   // the data directory (SQLite only)
	swept  chan struct{}
	after  func(dir string)
}

// Option changes how Start starts.
type Option func(*startOptions)

type startOptions struct{ beforeOpen, afterClose func(dir string) }

// BeforeOpen runs f with the data directory's lock held, before anything
// opens its database files.
func BeforeOpen(f func(dir string)) Option { return func(o *startOptions) { o.beforeOpen = f } }

// AfterClose runs f at Close with the data directory's lock still held,
// after FerretDB has closed the database files.
func AfterClose(f func(dir string)) Option { return func(o *startOptions) { o.afterClose = f } }

// Start starts FerretDB with its SQLite files under dir, listening on
// 127.0.0.1 on a free port, and returns once it accepts connections.
// addr may name the listen address ("127.0.0.1:0" when empty).
// It holds an exclusive lock on dir (lock.go) until Close: a second Start
// on the same directory, in this process or another, fails with a
// *DirInUseError.
func Start(ctx context.Context, dir, addr string, logger *slog.Logger, opts ...Option) (*Server, error) {
	var o startOptions
	for _, opt := range opts {
		opt(&o)
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("data dir: %w", err)
	}
	if err := os.MkdirAll(abs, 0o750); err != nil {
		return nil, fmt.Errorf("data dir: %w", err)
	}
	lock, err := LockDir(abs)
	if err != nil {
		return nil, err
	}
	if o.beforeOpen != nil {
		o.beforeOpen(abs)
	}
	// Before FerretDB opens the files: every collection already stored,
	// in a database written by any earlier version, gets its _id lookup
	// index (idindex.go); the first start after an upgrade builds them.
	if _, err := indexIDs(ctx, abs, nil); err != nil {
		lock.Release()
		return nil, fmt.Errorf("embedded database: _id lookup indexes: %w", err)
	}
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	s, err := start(ctx, &ferretdb.Config{
		Listener: ferretdb.ListenerConfig{TCP: addr},
		Handler:  "sqlite",
		// A small page cache per SQLite connection (FerretDB pools up to
		// 100): lists are answered from the service's memory, so the
		// default 2 MB each only held memory (docs/performance.md).
		SQLiteURL: "file:" + abs + "/?_pragma=cache_size(-256)",
		Logger:    quietLogger(logger),
	})
	if err != nil {
		lock.Release()
		return nil, err
	}
	s.lock, s.dir, s.swept, s.after = lock, abs, make(chan struct{}), o.afterClose
	// Collections created from now on (by an insert, an index, GridFS)
	// get theirs within sweepEvery.
	sweepCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	stop := s.cancel
	s.cancel = func() { cancel(); stop() }
	go func() {
		defer close(s.swept)
		sweep(sweepCtx, abs, logger)
	}()
	return s, nil
}

// IndexIDs gives every collection table of the embedded SQLite databases
// that lacks it the index _id lookups use (idindex.go), now rather than at
// the next sweep, and returns how many it created. It does nothing on
// PostgreSQL.
func (s *Server) IndexIDs(ctx context.Context) (int, error) {
	if s.dir == "" {
		return 0, nil
	}
	return indexIDs(ctx, s.dir, nil)
}

// Dir is the absolute data directory ("" on PostgreSQL).
func (s *Server) Dir() string { return s.dir }

// StartPostgreSQL starts FerretDB over a PostgreSQL database (pgURL), as a
// stand-in for a separate database server (benchmarks).
func StartPostgreSQL(ctx context.Context, pgURL, addr string, logger *slog.Logger) (*Server, error) {
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	return start(ctx, &ferretdb.Config{
		Listener:      ferretdb.ListenerConfig{TCP: addr},
		Handler:       "postgresql",
		PostgreSQLURL: pgURL,
		Logger:        quietLogger(logger),
	})
}

func start(ctx context.Context, cfg *ferretdb.Config) (*Server, error) {
	f, err := ferretdb.New(cfg)
	if err != nil {
		return nil, fmt.Errorf("embedded database: %w", err)
	}
	// FerretDB lives as long as the Server, not as long as the caller's ctx.
	runCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	s := &Server{cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(s.done)
		_ = f.Run(runCtx)
	}()
	// MongoDBURI blocks until the listener has its address.
	uriCh := make(chan string, 1)
	go func() { uriCh <- f.MongoDBURI() }()
	select {
	case s.uri = <-uriCh:
	case <-time.After(30 * time.Second):
		s.Close()
		return nil, fmt.Errorf("embedded database did not start listening")
	}
	return s, nil
}

// quietLogger is logger without FerretDB's warning on every disconnect
// (see quiet).
func quietLogger(logger *slog.Logger) *slog.Logger {
	if logger == nil {
		return nil
	}
	return slog.New(newQuiet(logger.Handler()))
}

// URI is the MongoDB connection string of the server.
func (s *Server) URI() string { return s.uri }

// Close stops the server and waits for its files to be closed.
func (s *Server) Close() {
	s.cancel()
	<-s.done
	if s.swept != nil {
		<-s.swept
	}
	if s.after != nil {
		s.after(s.dir)
	}
	s.lock.Release()
}
