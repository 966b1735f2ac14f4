package dbtest

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/event"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/thidua/thidua/domain"
	"github.com/thidua/thidua/embeddb"
	"github.com/thidua/thidua/repository"
)

// TestMongoDBTestURI points MONGODB_TEST_URI at a server this test starts
// (an embedded FerretDB standing in for the caller's MongoDB): setup then
// starts no server of its own, and Store opens a fresh database on the given
// one.
func TestMongoDBTestURI(t *testing.T) {
	ctx := context.Background()
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))
	srv, err := embeddb.Start(ctx, t.TempDir(), "", logger)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()

	t.Setenv(EnvURI, srv.URI())
	stop, err := setup()
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	if URI() != srv.URI() || Embedded() {
		t.Fatalf("URI() = %q (embedded %v), want the given %q", URI(), Embedded(), srv.URI())
	}

	name := fmt.Sprintf("t%d_%d", os.Getpid(), counter.Load()+1) // the name Store will choose
	t.Run("store", func(t *testing.T) {
		s := Store(t)
		if err := s.Ping(t.Context()); err != nil {
			t.Fatal(err)
		}
		// The store's database is on the given server.
		client, err := mongo.Connect(options.Client().ApplyURI(srv.URI()))
		if err != nil {
			t.Fatal(err)
		}
		defer client.Disconnect(ctx)
		names, err := client.ListDatabaseNames(ctx, bson.D{})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Contains(names, name) {
			t.Fatalf("database %s not on the given server: %v", name, names)
		}
	})
	// Dropped when the test ended.
	client, err := mongo.Connect(options.Client().ApplyURI(srv.URI()))
	if err != nil {
		t.Fatal(err)
	}
	defer client.Disconnect(ctx)
	names, err := client.ListDatabaseNames(ctx, bson.D{})
	if err != nil {
		t.Fatal(err)
	}
	if slices.Contains(names, name) {
		t.Fatalf("database %s left behind", name)
	}

	// Without the variable, an embedded server of the package's own.
	t.Setenv(EnvURI, "")
	stop2, err := setup()
	if err != nil {
		t.Fatal(err)
	}
	defer stop2()
	if !Embedded() || URI() == srv.URI() {
		t.Fatalf("without %s: URI() = %q, embedded %v", EnvURI, URI(), Embedded())
	}
}

// READ_MODEL reaches the stores tests open: with it off a list is a
// database query even on FerretDB; with it on (or unset) the read model
// answers it there. Another value stops setup.
func TestReadModelSetting(t *testing.T) {
	srv, err := embeddb.Start(t.Context(), t.TempDir(), "", slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	t.Setenv(EnvURI, srv.URI())
	for _, v := range []string{"", "on", "off"} {
		t.Setenv(EnvReadModel, v)
		stop, err := setup()
		if err != nil {
			t.Fatal(err)
		}
		var queries atomic.Int64
		s := Store(t, repository.WithMonitor(&event.CommandMonitor{Started: func(_ context.Context, e *event.CommandStartedEvent) {
			if e.CommandName == "find" || e.CommandName == "aggregate" {
				queries.Add(1)
			}
		}}))
		if err := s.Warm(t.Context()); err != nil {
			t.Fatal(err)
		}
		before := queries.Load()
		if _, err := s.Movements(t.Context(), domain.MovementFilter{}, domain.Access{All: true}, domain.PageArgs{}); err != nil {
			t.Fatal(err)
		}
		if queried, want := queries.Load() > before, v == "off"; queried != want || ReadModel() == want {
			t.Errorf("READ_MODEL=%q: a list queried the database: %v, want %v (ReadModel() = %v)", v, queried, want, ReadModel())
		}
		stop()
	}
	t.Setenv(EnvReadModel, "no")
	if _, err := setup(); err == nil || !strings.Contains(err.Error(), "READ_MODEL") {
		t.Errorf("READ_MODEL=no: setup error %v, want one naming READ_MODEL", err)
	}
}
