// Package dbtest gives tests a real database: one embedded FerretDB server per
// test binary, and a fresh database for each test.
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

var (
	uri     string
	counter atomic.Int64
)

// Main starts the embedded server, runs the tests and stops it. Call it from
// TestMain.
func Main(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	dir, err := os.MkdirTemp("", "thidua-test-*")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))
	srv, err := embeddb.Start(context.Background(), dir, "", logger)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer srv.Close()
	uri = srv.URI()
	return m.Run()
}

// URI is the connection string of the test server.
func URI() string { return uri }

// NewName returns a database name no other test uses.
func NewName(t testing.TB) string {
	return fmt.Sprintf("t%d_%d", os.Getpid(), counter.Add(1))
}

// Store opens a fresh database with its indexes; it is dropped when the test
// ends.
func Store(t testing.TB, opts ...repository.Option) *repository.Store {
	t.Helper()
	if uri == "" {
		t.Fatal("dbtest: call dbtest.Main from TestMain")
	}
	ctx := t.Context()
	s, err := repository.Open(ctx, uri, NewName(t), opts...)
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
