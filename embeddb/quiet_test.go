package embeddb

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// A client that disconnects cleanly (the driver sends endSessions) leaves
// no warning in the log; a command FerretDB refuses otherwise still does.
func TestDisconnectIsQuiet(t *testing.T) {
	var out lockedBuffer
	logger := slog.New(slog.NewTextHandler(&out, &slog.HandlerOptions{Level: slog.LevelWarn}))
	ctx := context.Background()
	s, err := Start(ctx, t.TempDir(), "", logger)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	client, err := mongo.Connect(options.Client().ApplyURI(s.URI()))
	if err != nil {
		t.Fatal(err)
	}
	db := client.Database("quiet")
	if _, err := db.Collection("c").InsertOne(ctx, bson.D{{Key: "a", Value: 1}}); err != nil {
		t.Fatal(err)
	}
	// A command FerretDB does not have: its warning must stay.
	if err := db.RunCommand(ctx, bson.D{{Key: "noSuchThing", Value: 1}}).Err(); err == nil {
		t.Fatal("noSuchThing succeeded")
	}
	if err := client.Disconnect(ctx); err != nil {
		t.Fatal(err)
	}
	s.Close()
	time.Sleep(100 * time.Millisecond)
	log := out.String()
	if strings.Contains(log, "endSessions") {
		t.Errorf("the log has the endSessions warning:\n%s", log)
	}
	if !strings.Contains(log, "noSuchThing") || strings.Count(log, "Response header") != 1 {
		t.Errorf("another refused command's warning (header and message) is missing:\n%s", log)
	}
}

// The filter's own rules, on records as FerretDB writes them.
func TestQuietHandler(t *testing.T) {
	var out bytes.Buffer
	l := slog.New(newQuiet(slog.NewTextHandler(&out, nil))).With("name", "// conn ")
	l.Warn("Response header: length: 121, id: 1, response_to: 2, opcode: OP_MSG")
	l.Warn("Response message:\n{\"errmsg\": \"no such command: 'endSessions'\"}\n")
	if out.Len() != 0 {
		t.Errorf("endSessions refusal logged:\n%s", out.String())
	}
	l.Warn("Response header: length: 99, id: 3, response_to: 4, opcode: OP_MSG")
	l.Warn("Response message:\n{\"errmsg\": \"no such command: 'frob'\"}\n")
	l.Warn("disk almost full")
	got := out.String()
	for _, want := range []string{"id: 3", "'frob'", "disk almost full"} {
		if !strings.Contains(got, want) {
			t.Errorf("%q missing from:\n%s", want, got)
		}
	}
	if strings.Index(got, "id: 3") > strings.Index(got, "'frob'") {
		t.Errorf("header after message:\n%s", got)
	}
}
