package repository_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/event"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/thidua/thidua/dbtest"
	"github.com/thidua/thidua/repository"
)

// A superseded index another process starting at the same time drops
// between this one's listing and its drop (the drop answers IndexNotFound)
// does not stop the start.
func TestEnsureIndexesToleratesAnIndexDroppedByAnother(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	name := dbtest.NewName(t)
	other := otherProcess(t)
	// An index an earlier version made, which EnsureIndexes drops.
	if _, err := other.Database(name).Collection("movements").Indexes().CreateOne(ctx,
		mongo.IndexModel{Keys: bson.D{{Key: "scope", Value: 1}}}); err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	dropped := false
	s, err := repository.Open(ctx, dbtest.URI(), name, repository.WithMonitor(&event.CommandMonitor{
		Started: func(_ context.Context, e *event.CommandStartedEvent) {
			if e.CommandName != "dropIndexes" {
				return
			}
			coll, _ := e.Command.Lookup("dropIndexes").StringValueOK()
			index, _ := e.Command.Lookup("index").StringValueOK()
			once.Do(func() { // the other process is first
				dropped = other.Database(name).Collection(coll).Indexes().DropOne(context.Background(), index) == nil
			})
		},
	}))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = s.Drop(context.Background()); _ = s.Close(context.Background()) }()
	if err := s.EnsureIndexes(ctx); err != nil {
		t.Fatalf("EnsureIndexes after another process dropped the index: %v", err)
	}
	if !dropped {
		t.Fatal("the other process did not drop the index first: the race was not made")
	}
}

// An index another process created first, under another name (an older
// version's), answers "already exists" (IndexOptionsConflict on MongoDB):
// the keys are indexed, and the start goes on.
func TestEnsureIndexesToleratesAnIndexCreatedByAnother(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	name := dbtest.NewName(t)
	other := otherProcess(t)
	var once sync.Once
	var made error = errNotRaced
	s, err := repository.Open(ctx, dbtest.URI(), name, repository.WithMonitor(&event.CommandMonitor{
		Started: func(_ context.Context, e *event.CommandStartedEvent) {
			if e.CommandName != "createIndexes" {
				return
			}
			coll, _ := e.Command.Lookup("createIndexes").StringValueOK()
			idx, _ := e.Command.Lookup("indexes").Array().Index(0).DocumentOK()
			keys := idx.Lookup("key").Document()
			once.Do(func() { // the other process is first
				_, made = other.Database(name).Collection(coll).Indexes().CreateOne(context.Background(),
					mongo.IndexModel{Keys: keys, Options: options.Index().SetName("made_by_another")})
			})
		},
	}))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = s.Drop(context.Background()); _ = s.Close(context.Background()) }()
	if err := s.EnsureIndexes(ctx); err != nil {
		t.Fatalf("EnsureIndexes after another process created the index: %v", err)
	}
	if made != nil {
		t.Fatalf("the other process did not create the index first: %v", made)
	}
}

var errNotRaced = errors.New("no createIndexes was sent")

// otherProcess is a client of its own: another process on the database.
func otherProcess(t *testing.T) *mongo.Client {
	t.Helper()
	c, err := mongo.Connect(options.Client().ApplyURI(dbtest.URI()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Disconnect(context.Background()) })
	return c
}
