// Package dbtest gives tests a real database and a fresh database for each
// test: by default one embedded FerretDB server per test binary; with
// MONGODB_TEST_URI set, that deployment (MongoDB, a replica set in CI) and no
// embedded server.
package dbtest

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"github.com/thidua/thidua/embeddb"
	"github.com/thidua/thidua/repository"
)

// EnvReadModel names the service's setting the tests honour too: with
// READ_MODEL=off every store a test opens through this package (Store,
// Options) answers lists from the database even on FerretDB, as on
// MongoDB. CI runs the whole suite a second time so.
const EnvReadModel = "READ_MODEL"

// EnvURI names the variable that points the tests at a deployment of the
// caller's instead of the embedded server.
const EnvURI = "MONGODB_TEST_URI"

var (
	uri      string
	embedded bool // uri is the embedded server this package started
	counter  atomic.Int64
)

// Main starts the embedded server (unless MONGODB_TEST_URI is set), runs
// the tests and stops it. Call it from TestMain.
func Main(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	stop, err := setup()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer stop()
	return m.Run()
}

// setup points the package at MONGODB_TEST_URI when it is set, else at an
// embedded server it starts; stop releases what it started.
func setup() (stop func(), err error) {
	switch v := os.Getenv(EnvReadModel); v {
	case "", "on", "off":
	default:
		return nil, fmt.Errorf("dbtest: %s=%q: want on or off", EnvReadModel, v)
	}
	if u := os.Getenv(EnvURI); u != "" {
		uri, embedded = u, false
		return func() {}, nil
	}
	dir, err := os.MkdirTemp("", "thidua-test-*")
	if err != nil {
		return nil, err
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))
	srv, err := embeddb.Start(context.Background(), dir, "", logger)
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	uri, embedded = srv.URI(), true
	return func() {
		srv.Close()
		os.RemoveAll(dir)
	}, nil
}

// URI is the connection string of the test server: MONGODB_TEST_URI when
// set, else the embedded server's.
func URI() string { return uri }

// Embedded reports whether the tests run on the embedded server this
// package started (false with MONGODB_TEST_URI).
func Embedded() bool { return embedded }

// NewName returns a database name no other test uses (nor another test
// binary sharing a MONGODB_TEST_URI deployment: the process id is in it).
func NewName(t testing.TB) string {
	return fmt.Sprintf("t%d_%d", os.Getpid(), counter.Add(1))
}

// ReadModel reports whether the stores tests open answer lists from the
// read model where there is one (FerretDB): false with READ_MODEL=off.
func ReadModel() bool { return os.Getenv(EnvReadModel) != "off" }

// Options are what every store a test opens takes before its own options:
// repository.WithoutReadModel with READ_MODEL=off. A test that calls
// repository.Open itself passes them.
func Options(opts ...repository.Option) []repository.Option {
	if ReadModel() {
		return opts
	}
	return append([]repository.Option{repository.WithoutReadModel()}, opts...)
}

// Store opens a fresh database with its indexes; it is dropped when the test
// ends.
func Store(t testing.TB, opts ...repository.Option) *repository.Store {
	t.Helper()
	if uri == "" {
		t.Fatal("dbtest: call dbtest.Main from TestMain")
	}
	ctx := t.Context()
	if embedded {
		// As the service on the embedded server: attachments' bytes in a
		// chunk store of their own (embeddb.Chunks).
		chunks, err := embeddb.OpenChunks(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = chunks.Close() })
		opts = append([]repository.Option{repository.WithChunkStore(chunks)}, opts...)
	}
	s, err := repository.Open(ctx, uri, NewName(t), Options(opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		_ = s.Drop(ctx)
		_ = s.Close(ctx)
	})
	if err := s.EnsureIndexes(ctx); err != nil {
		t.Fatal(err)
	}
	return s
}

// ReplicaSet is Store for tests of what only MongoDB with transactions does
// (a replica set or a sharded cluster): it skips the test unless
// MONGODB_TEST_URI points at one.
func ReplicaSet(t testing.TB, opts ...repository.Option) *repository.Store {
	t.Helper()
	if os.Getenv(EnvURI) == "" {
		t.Skip("needs MongoDB with transactions: set MONGODB_TEST_URI to a replica set")
	}
	s := Store(t, opts...)
	if !s.Capabilities().Transactions {
		t.Skip("MONGODB_TEST_URI is not a replica set or sharded cluster")
	}
	return s
}
