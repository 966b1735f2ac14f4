package embeddb

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

func startTest(t *testing.T, dir string) (*Server, *mongo.Client) {
	t.Helper()
	srv, err := Start(t.Context(), dir, "", slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	client, err := mongo.Connect(options.Client().ApplyURI(srv.URI()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = client.Disconnect(context.Background()) })
	return srv, client
}

// tables maps each collection of database db under dir to its table.
func tables(t *testing.T, dir, db string) map[string]string {
	t.Helper()
	conn, err := OpenSQLite(dir, db)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	rows, err := conn.QueryContext(t.Context(), `SELECT name, table_name FROM _ferretdb_collections`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var name, table string
		if err := rows.Scan(&name, &table); err != nil {
			t.Fatal(err)
		}
		out[name] = table
	}
	return out
}

// plan is SQLite's query plan of q (one line per step).
func plan(t *testing.T, dir, db, q string, args ...any) string {
	t.Helper()
	conn, err := OpenSQLite(dir, db)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	rows, err := conn.QueryContext(t.Context(), "EXPLAIN QUERY PLAN "+q, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var lines []string
	for rows.Next() {
		var id, parent, notUsed int
		var detail string
		if err := rows.Scan(&id, &parent, &notUsed, &detail); err != nil {
			t.Fatal(err)
		}
		lines = append(lines, detail)
	}
	return strings.Join(lines, "; ")
}

// ferretPlan is the SQLite plan FerretDB itself reports for a find by _id
// (its explain runs EXPLAIN QUERY PLAN on the statement its find runs).
func ferretPlan(t *testing.T, db *mongo.Database, coll string, id any) string {
	t.Helper()
	// A pooled connection of FerretDB's that has not run a statement since
	// the index was created still plans EXPLAIN with the schema it read
	// before (a statement that runs re-reads it): run one first.
	_ = db.Collection(coll).FindOne(t.Context(), bson.D{{Key: "_id", Value: id}}).Err()
	var res bson.M
	err := db.RunCommand(t.Context(), bson.D{{Key: "explain", Value: bson.D{
		{Key: "find", Value: coll}, {Key: "filter", Value: bson.D{{Key: "_id", Value: id}}}}}}).Decode(&res)
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprint(res["queryPlanner"])
}

// assertIndexed checks that every collection of database db is looked up
// by _id through its index: FerretDB's own plan of a find, and SQLite's
// plan of the update and delete statements FerretDB writes by _id.
func assertIndexed(t *testing.T, dir string, db *mongo.Database) {
	t.Helper()
	all := tables(t, dir, db.Name())
	if len(all) == 0 {
		t.Fatal("no collections")
	}
	id := `"x"`
	for coll, table := range all {
		want := "USING INDEX " + IDIndexName(table)
		for what, got := range map[string]string{
			"find (FerretDB's explain)": ferretPlan(t, db, coll, bson.NewObjectID()),
			"find":                      plan(t, dir, db.Name(), IDLookupSQL(table), id),
			"update": plan(t, dir, db.Name(),
				fmt.Sprintf(`UPDATE %q SET _ferretdb_sjson = ? WHERE _ferretdb_sjson->'$._id' = ?`, table), "{}", id),
			"delete": plan(t, dir, db.Name(),
				fmt.Sprintf(`DELETE FROM %q WHERE _ferretdb_sjson->'$._id' IN (?, ?)`, table), id, id),
		} {
			if !strings.Contains(got, want) {
				t.Errorf("%s.%s: %s by _id: plan %q, want %q", db.Name(), coll, what, got, want)
			}
		}
	}
}

// waitIndexed waits up to a few sweeps for every table of db to have its
// index.
func waitIndexed(t *testing.T, dir, db string) {
	t.Helper()
	deadline := time.Now().Add(3 * sweepEvery)
	for {
		conn, err := OpenSQLite(dir, db)
		if err != nil {
			t.Fatal(err)
		}
		var missing int
		err = conn.QueryRowContext(t.Context(), `SELECT count(*) FROM _ferretdb_collections c
			WHERE NOT EXISTS (SELECT 1 FROM sqlite_master m WHERE m.type = 'index' AND m.name = ? || c.table_name)`,
			idIndexPrefix).Scan(&missing)
		conn.Close()
		if err != nil {
			t.Fatal(err)
		}
		if missing == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d collections of %s still without their _id index after %s", missing, db, 3*sweepEvery)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// Collections created while the server runs, however they come to be (an
// insert, createIndexes, create, GridFS, a capped collection), are looked
// up by _id through an index within a sweep, without anyone asking.
func TestIDLookupsUseAnIndex(t *testing.T) {
	dir := t.TempDir()
	_, client := startTest(t, dir)
	ctx := t.Context()
	db := client.Database("app")
	if _, err := db.Collection("inserted").InsertOne(ctx, bson.D{{Key: "_id", Value: bson.NewObjectID()}, {Key: "a", Value: 1}}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Collection("indexed").Indexes().CreateOne(ctx, mongo.IndexModel{Keys: bson.D{{Key: "a", Value: 1}}}); err != nil {
		t.Fatal(err)
	}
	if err := db.CreateCollection(ctx, "created"); err != nil {
		t.Fatal(err)
	}
	if err := db.CreateCollection(ctx, "capped", options.CreateCollection().SetCapped(true).SetSizeInBytes(1<<20)); err != nil {
		t.Fatal(err)
	}
	bucket := db.GridFSBucket(options.GridFSBucket().SetName("attachments"))
	if _, err := bucket.UploadFromStream(ctx, "f", bytes.NewReader(make([]byte, 1000))); err != nil {
		t.Fatal(err)
	}
	// A second database, created after the first sweeps.
	time.Sleep(sweepEvery)
	other := client.Database("other")
	if _, err := other.Collection("later").InsertOne(ctx, bson.D{{Key: "_id", Value: "s"}}); err != nil {
		t.Fatal(err)
	}

	for _, d := range []*mongo.Database{db, other} {
		waitIndexed(t, dir, d.Name())
		assertIndexed(t, dir, d)
	}
	names := slices.Sorted(func(yield func(string) bool) {
		for n := range tables(t, dir, "app") {
			if !yield(n) {
				return
			}
		}
	})
	if want := []string{"attachments.chunks", "attachments.files", "capped", "created", "indexed", "inserted"}; !slices.Equal(names, want) {
		t.Fatalf("collections %v, want %v", names, want)
	}
}

// The extra index is SQLite's, outside FerretDB's metadata: FerretDB's own
// index commands, rename and drop work as before with it present, and a
// renamed or re-created collection is looked up by index too.
func TestFerretDBToleratesTheIDIndex(t *testing.T) {
	dir := t.TempDir()
	srv, client := startTest(t, dir)
	ctx := t.Context()
	db := client.Database("app")
	c := db.Collection("c")
	id := bson.NewObjectID()
	if _, err := c.InsertOne(ctx, bson.D{{Key: "_id", Value: id}, {Key: "a", Value: 1}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Indexes().CreateOne(ctx, mongo.IndexModel{Keys: bson.D{{Key: "a", Value: 1}}}); err != nil {
		t.Fatal(err)
	}
	if n, err := srv.IndexIDs(ctx); err != nil || n != 1 {
		t.Fatalf("IndexIDs: %d, %v; want 1 created", n, err)
	}
	if n, err := srv.IndexIDs(ctx); err != nil || n != 0 {
		t.Fatalf("IndexIDs again: %d, %v; want 0 (idempotent)", n, err)
	}

	specs, err := c.Indexes().ListSpecifications(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var listed []string
	for _, s := range specs {
		listed = append(listed, s.Name)
	}
	if !slices.Equal(listed, []string{"_id_", "a_1"}) {
		t.Fatalf("listIndexes: %v, want [_id_ a_1]", listed)
	}
	if err := c.Indexes().DropAll(ctx); err != nil {
		t.Fatalf("dropIndexes: %v", err)
	}
	if err := db.RunCommand(ctx, bson.D{{Key: "renameCollection", Value: "app.c"}, {Key: "to", Value: "app.d"}}).Err(); err != nil {
		if err := client.Database("admin").RunCommand(ctx, bson.D{{Key: "renameCollection", Value: "app.c"}, {Key: "to", Value: "app.d"}}).Err(); err != nil {
			t.Fatalf("renameCollection: %v", err)
		}
	}
	d := db.Collection("d")
	if err := d.FindOneAndUpdate(ctx, bson.D{{Key: "_id", Value: id}}, bson.D{{Key: "$set", Value: bson.D{{Key: "a", Value: 2}}}}).Err(); err != nil {
		t.Fatalf("findAndModify after rename: %v", err)
	}
	assertIndexed(t, dir, db)

	// Dropped (its table and both indexes go) and created again: a new
	// table, indexed by the next sweep.
	if err := d.Drop(ctx); err != nil {
		t.Fatalf("drop: %v", err)
	}
	if _, err := d.InsertOne(ctx, bson.D{{Key: "_id", Value: id}}); err != nil {
		t.Fatal(err)
	}
	waitIndexed(t, dir, "app")
	assertIndexed(t, dir, db)
	if err := d.FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Err(); err != nil {
		t.Fatal(err)
	}
	if err := db.Drop(ctx); err != nil {
		t.Fatalf("dropDatabase: %v", err)
	}
}

// A database written by an earlier version (migrate/testdata) gets the
// index on every collection when the server starts, before anyone reads.
func TestOldDatabaseGetsTheIDIndexAtStart(t *testing.T) {
	for _, file := range []string{"be2fba8.sqlite", "cdb5f88.sqlite"} {
		t.Run(file, func(t *testing.T) {
			dir := t.TempDir()
			src, err := os.ReadFile(filepath.Join("..", "migrate", "testdata", file))
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, "thidua.sqlite"), src, 0o600); err != nil {
				t.Fatal(err)
			}
			srv, client := startTest(t, dir)
			// Indexed already: nothing is left for a sweep to do.
			if n, err := srv.IndexIDs(t.Context()); err != nil || n != 0 {
				t.Fatalf("IndexIDs after start: %d, %v; want 0 (done at start)", n, err)
			}
			assertIndexed(t, dir, client.Database("thidua"))
		})
	}
}
