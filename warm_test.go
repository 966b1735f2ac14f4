package main

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/thidua/thidua/backup"
	"github.com/thidua/thidua/dbtest"
	"github.com/thidua/thidua/embeddb"
)

// After a clean stop the next start reads the read model from the snapshot
// the stop wrote, and serves what it served; the snapshot is gone once
// read (a crash after the start finds none). A database changed behind a
// snapshot (here through FerretDB by another process, as an operator
// would) makes the start read the database instead, and serve the change.
func TestWarmStartAfterCleanStop(t *testing.T) {
	if !dbtest.ReadModel() {
		t.Skip("READ_MODEL=off: no read model, so nothing to snapshot")
	}
	env := map[string]string{"DATA_DIR": t.TempDir(), "LOG_LEVEL": "info"}
	base, stop, _ := startLogged(t, env)
	tok := devToken(t, env, "lang-son=editor")
	viewer := devToken(t, env, "*=viewer")
	for i := 0; i < 5; i++ {
		if _, code, _, err := post(base, tok, `mutation { createMovement(input: {title: "Ấm `+string(rune('A'+i))+`", scope: PROVINCE, kind: ANNUAL, provinceId: "lang-son"}) { id } }`); err != nil || code != "" {
			t.Fatalf("create: %q %v", code, err)
		}
	}
	before := movementsByID(t, base, viewer)
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	snapshot := filepath.Join(env["DATA_DIR"], backup.SnapshotName)
	if _, err := os.Stat(snapshot); err != nil {
		t.Fatalf("no snapshot after a clean stop: %v", err)
	}

	base, stop, log := startLogged(t, env)
	if !strings.Contains(log.String(), `from="snapshot of the last clean stop"`) {
		t.Errorf("a start after a clean stop did not use the snapshot:\n%s", log)
	}
	if _, err := os.Stat(snapshot); err == nil {
		t.Error("the snapshot is still there once the service started")
	}
	after := movementsByID(t, base, viewer)
	if len(after) != len(before) {
		t.Errorf("%d movements after a warm start, %d before", len(after), len(before))
	}
	var changed string
	for id, doc := range before {
		if after[id] != doc {
			t.Errorf("after a warm start:\n%s\nbefore:\n%s", after[id], doc)
		}
		if strings.Contains(doc, "Ấm A") {
			changed = id
		}
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}

	// Another process changes a movement behind the snapshot.
	ctx := context.Background()
	emb, err := embeddb.Start(ctx, env["DATA_DIR"], "", slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	client, err := mongo.Connect(options.Client().ApplyURI(emb.URI()))
	if err != nil {
		t.Fatal(err)
	}
	oid, _ := bson.ObjectIDFromHex(changed)
	res, err := client.Database("thidua").Collection("movements").UpdateOne(ctx, bson.D{{Key: "_id", Value: oid}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "title", Value: "Đổi sau lưng"}}}})
	if err != nil || res.ModifiedCount != 1 {
		t.Fatalf("change behind the snapshot: %v %+v", err, res)
	}
	_ = client.Disconnect(ctx)
	emb.Close()

	base, _, log = startLogged(t, env)
	if !strings.Contains(log.String(), `the database changed after the snapshot`) {
		t.Errorf("a start on a database changed behind the snapshot:\n%s", log)
	}
	if got := movementsByID(t, base, viewer)[changed]; !strings.Contains(got, "Đổi sau lưng") {
		t.Errorf("the change behind the snapshot is not served: %s", got)
	}
}
