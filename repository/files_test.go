package repository_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/event"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/thidua/thidua/dbtest"
	"github.com/thidua/thidua/domain"
	"github.com/thidua/thidua/embeddb"
	"github.com/thidua/thidua/repository"
)

// fileStore is a store on a fresh database, and that database seen by a
// client of the test's own (to look at what is stored).
func fileStore(t *testing.T, opts ...repository.Option) (*repository.Store, *mongo.Database) {
	t.Helper()
	ctx := context.Background()
	name := dbtest.NewName(t)
	s, err := repository.Open(ctx, dbtest.URI(), name, dbtest.Options(opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	client, err := mongo.Connect(options.Client().ApplyURI(dbtest.URI()).
		SetBSONOptions(&options.BSONOptions{DefaultDocumentM: true}))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = s.Drop(ctx)
		_ = s.Close(ctx)
		_ = client.Disconnect(ctx)
	})
	return s, client.Database(name)
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return b
}

func count(t *testing.T, db *mongo.Database, coll string) int64 {
	t.Helper()
	n, err := db.Collection(coll).CountDocuments(context.Background(), bson.D{})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func readAll(t *testing.T, s *repository.Store, id string) (*domain.Attachment, []byte) {
	t.Helper()
	a, r, err := s.OpenFile(context.Background(), id, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return a, b
}

func TestFileRoundTrip(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	at := time.Date(2026, 3, 8, 9, 30, 0, 123456789, time.UTC)
	s, db := fileStore(t, repository.WithClock(func() time.Time { return at }))
	for _, size := range []int{1, 100 << 10, 9<<20 + 7} { // one chunk; several chunks on either server
		data := randomBytes(size)
		a := &domain.Attachment{Owner: "lang-son", ParentKind: domain.ParentDossier, ParentID: "d1",
			Name: "Tờ trình đề nghị khen thưởng.pdf", ContentType: domain.TypePDF, UploadedBy: "u1"}
		if err := s.PutFile(ctx, a, data); err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(data)
		want := domain.Attachment{ID: a.ID, Owner: "lang-son", ParentKind: "dossier", ParentID: "d1",
			Name: "Tờ trình đề nghị khen thưởng.pdf", ContentType: domain.TypePDF, Size: int64(size),
			SHA256: hex.EncodeToString(sum[:]), UploadedAt: at.Truncate(time.Millisecond), UploadedBy: "u1"}
		if len(a.ID) != 24 || *a != want {
			t.Fatalf("PutFile set %+v, want %+v", *a, want)
		}
		got, b := readAll(t, s, a.ID)
		if *got != want {
			t.Errorf("OpenFile = %+v, want %+v", *got, want)
		}
		if !bytes.Equal(b, data) {
			t.Errorf("%d bytes stored, %d read back, equal %v", size, len(b), bytes.Equal(b, data))
		}

		// GridFS's layout: the driver's bucket reads the file.
		var out bytes.Buffer
		oid, _ := bson.ObjectIDFromHex(a.ID)
		if _, err := db.GridFSBucket(options.GridFSBucket().SetName("attachments")).DownloadToStream(ctx, oid, &out); err != nil || !bytes.Equal(out.Bytes(), data) {
			t.Errorf("the driver's GridFS bucket reads %d bytes, %v", out.Len(), err)
		}
		var doc bson.M
		if err := db.Collection("attachments.files").FindOne(ctx, bson.D{{Key: "_id", Value: oid}}).Decode(&doc); err != nil {
			t.Fatal(err)
		}
		meta, _ := doc["metadata"].(bson.M)
		if doc["filename"] != a.Name || doc["length"] != int64(size) || doc["uploadDate"] != bson.NewDateTimeFromTime(at) ||
			meta["owner"] != "lang-son" || meta["parentKind"] != "dossier" || meta["parentId"] != "d1" ||
			meta["contentType"] != domain.TypePDF || meta["sha256"] != want.SHA256 || meta["uploadedBy"] != "u1" {
			t.Errorf("files document %v", doc)
		}
	}

	// A file the driver's bucket wrote (no list of chunk ids) is read too.
	data := randomBytes(600 << 10)
	id, err := db.GridFSBucket(options.GridFSBucket().SetName("attachments")).UploadFromStream(ctx, "khác.png", bytes.NewReader(data),
		options.GridFSUpload().SetMetadata(bson.D{{Key: "parentKind", Value: "decision"}, {Key: "parentId", Value: "q1"}}))
	if err != nil {
		t.Fatal(err)
	}
	a, b := readAll(t, s, id.Hex())
	if !bytes.Equal(b, data) || a.Name != "khác.png" || a.ParentID != "q1" || a.Size != int64(len(data)) {
		t.Errorf("a file of the driver's bucket: %+v, %d bytes, equal %v", *a, len(b), bytes.Equal(b, data))
	}
}

func TestFileReaderRefusesChangedBytes(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, db := fileStore(t)
	data := randomBytes(9 << 20)
	a := &domain.Attachment{ParentKind: "dossier", ParentID: "d1", Name: "a.pdf"}
	if err := s.PutFile(ctx, a, data); err != nil {
		t.Fatal(err)
	}
	oid, _ := bson.ObjectIDFromHex(a.ID)
	chunks := db.Collection("attachments.chunks")
	var last bson.M
	if err := chunks.FindOne(ctx, bson.D{{Key: "files_id", Value: oid}, {Key: "n", Value: 2}}).Decode(&last); err != nil {
		t.Fatal(err)
	}
	changed := bytes.Clone(last["data"].(bson.Binary).Data)
	changed[0]++
	if _, err := chunks.UpdateOne(ctx, bson.D{{Key: "_id", Value: last["_id"]}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "data", Value: bson.Binary{Data: changed}}}}}); err != nil {
		t.Fatal(err)
	}
	_, r, err := s.OpenFile(ctx, a.ID, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if b, err := io.ReadAll(r); err == nil || len(b) >= len(data) {
		t.Fatalf("read %d of %d bytes of a changed file, error %v; want an error before the end", len(b), len(data), err)
	}
	if _, err := chunks.DeleteOne(ctx, bson.D{{Key: "_id", Value: last["_id"]}}); err != nil {
		t.Fatal(err)
	}
	_, r, err = s.OpenFile(ctx, a.ID, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if b, err := io.ReadAll(r); err == nil {
		t.Fatalf("read %d bytes of a file with a chunk missing without an error", len(b))
	}
}

func TestFilesOf(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var minutes atomic.Int64
	s, _ := fileStore(t, repository.WithClock(func() time.Time { return base.Add(time.Duration(minutes.Load()) * time.Minute) }))
	put := func(kind, parent, name string, at int64) string {
		minutes.Store(at)
		a := &domain.Attachment{Owner: "*", ParentKind: kind, ParentID: parent, Name: name, ContentType: domain.TypePDF}
		if err := s.PutFile(ctx, a, []byte(name)); err != nil {
			t.Fatal(err)
		}
		return a.ID
	}
	// Uploaded in this order, at these times: the list follows the times.
	a2 := put("dossier", "A", "a2.pdf", 5)
	b1 := put("dossier", "B", "b1.pdf", 1)
	a1 := put("dossier", "A", "a1.pdf", 2)
	a3 := put("dossier", "A", "a3.pdf", 9)
	put("decision", "A", "decision of the same id.pdf", 3)
	put("dossier", "C", "not asked for.pdf", 3)

	got, err := s.FilesOf(ctx, "dossier", []string{"A", "B", "none"})
	if err != nil {
		t.Fatal(err)
	}
	ids := func(as []domain.Attachment) []string {
		var out []string
		for _, a := range as {
			out = append(out, a.ID)
		}
		return out
	}
	if len(got) != 2 || !equalStrings(ids(got["A"]), []string{a1, a2, a3}) || !equalStrings(ids(got["B"]), []string{b1}) {
		t.Errorf("FilesOf = %v, want A: %v, B: %v", got, []string{a1, a2, a3}, []string{b1})
	}
	if a := got["A"][0]; a.Name != "a1.pdf" || a.Size != 6 || a.Owner != "*" || !a.UploadedAt.Equal(base.Add(2*time.Minute)) {
		t.Errorf("FilesOf's A[0] = %+v", a)
	}
	if got, err := s.FilesOf(ctx, "dossier", nil); err != nil || len(got) != 0 {
		t.Errorf("FilesOf(no parents) = %v, %v", got, err)
	}
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestFileNotFoundAndDelete(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, db := fileStore(t)
	a := &domain.Attachment{ParentKind: "decision", ParentID: "q", Name: "a.pdf"}
	if err := s.PutFile(ctx, a, randomBytes(9<<20)); err != nil {
		t.Fatal(err)
	}
	absent := bson.NewObjectID().Hex()
	for _, id := range []string{"", "x", absent, "ZZ" + absent[2:], bson.NewObjectID().Hex() + "0"} {
		if _, _, err := s.OpenFile(ctx, id, nil); domain.ErrorCode(err) != domain.CodeNotFound {
			t.Errorf("OpenFile(%q): %v, want NOT_FOUND", id, err)
		}
		if err := s.DeleteFile(ctx, id); domain.ErrorCode(err) != domain.CodeNotFound {
			t.Errorf("DeleteFile(%q): %v, want NOT_FOUND", id, err)
		}
	}
	if n := count(t, db, "attachments.chunks"); n < 2 {
		t.Fatalf("%d chunks stored, want several", n)
	}
	if err := s.DeleteFile(ctx, a.ID); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.OpenFile(ctx, a.ID, nil); domain.ErrorCode(err) != domain.CodeNotFound {
		t.Errorf("OpenFile of a deleted file: %v, want NOT_FOUND", err)
	}
	if err := s.DeleteFile(ctx, a.ID); domain.ErrorCode(err) != domain.CodeNotFound {
		t.Errorf("DeleteFile of a deleted file: %v, want NOT_FOUND", err)
	}
	if got, err := s.FilesOf(ctx, "decision", []string{"q"}); err != nil || len(got) != 0 {
		t.Errorf("FilesOf after the delete = %v, %v", got, err)
	}
	if f, c := count(t, db, "attachments.files"), count(t, db, "attachments.chunks"); f != 0 || c != 0 {
		t.Errorf("after the delete: %d files documents, %d chunks remain", f, c)
	}
}

func TestFileUploadCutShortLeavesNothing(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var inserts atomic.Int64
	s, db := fileStore(t, repository.WithMonitor(&event.CommandMonitor{
		Succeeded: func(_ context.Context, e *event.CommandSucceededEvent) {
			if e.CommandName == "insert" && inserts.Add(1) == 1 {
				cancel() // the request ends after the first chunks are written
			}
		},
	}))
	a := &domain.Attachment{ParentKind: "dossier", ParentID: "d", Name: "a.pdf"}
	err := s.PutFile(ctx, a, randomBytes(9<<20))
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("PutFile cut short: %v, want context.Canceled", err)
	}
	if inserts.Load() != 1 {
		t.Fatalf("%d inserts before the cut, want 1 (the test needs a file of several inserts)", inserts.Load())
	}
	if a.ID != "" {
		t.Errorf("PutFile failed but set the id %s", a.ID)
	}
	if f, c := count(t, db, "attachments.files"), count(t, db, "attachments.chunks"); f != 0 || c != 0 {
		t.Errorf("after a failed upload: %d files documents, %d chunks remain", f, c)
	}
}

// TestMeasureFiles times uploads and downloads: a 5 MB file alone, then a
// 100 KB file among 200 others (~50 MB). Run with THIDUA_MEASURE_FILES=1.
func TestMeasureFiles(t *testing.T) {
	if os.Getenv("THIDUA_MEASURE_FILES") == "" {
		t.Skip("set THIDUA_MEASURE_FILES=1 to measure")
	}
	ctx := context.Background()
	s, _ := fileStore(t)
	roundTrip := func(label string, size int) string {
		data := randomBytes(size)
		a := &domain.Attachment{ParentKind: "dossier", ParentID: "m", Name: "m.pdf"}
		t0 := time.Now()
		if err := s.PutFile(ctx, a, data); err != nil {
			t.Fatal(err)
		}
		up := time.Since(t0)
		t0 = time.Now()
		_, b := readAll(t, s, a.ID)
		down := time.Since(t0)
		if !bytes.Equal(b, data) {
			t.Fatal("bytes differ")
		}
		t.Logf("%s: upload %v, download %v", label, up.Round(time.Millisecond), down.Round(time.Millisecond))
		return a.ID
	}
	roundTrip("5 MB, alone", 5<<20)
	t0 := time.Now()
	for i := 0; i < 200; i++ {
		a := &domain.Attachment{ParentKind: "dossier", ParentID: "other", Name: "o.pdf"}
		if err := s.PutFile(ctx, a, randomBytes(250<<10)); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("200 files of 250 KB stored in %v", time.Since(t0).Round(time.Millisecond))
	id := roundTrip("100 KB among 200 files (55 MB)", 100<<10)
	roundTrip("5 MB among 200 files", 5<<20)
	t0 = time.Now()
	got, err := s.FilesOf(ctx, "dossier", []string{"other", "m"})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("FilesOf of %d files: %v", len(got["other"])+len(got["m"]), time.Since(t0).Round(time.Millisecond))
	t0 = time.Now()
	if err := s.DeleteFile(ctx, id); err != nil {
		t.Fatal(err)
	}
	t.Logf("delete of the 100 KB file: %v", time.Since(t0).Round(time.Millisecond))
}

// The sweep at start removes the files of records that are gone and the
// chunks of files that have no document, begun before its cutoff; it
// leaves live files, and the chunks of a file begun since (an upload in
// progress), alone.
func TestSweepFiles(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, db := fileStore(t)
	live := bson.NewObjectID()
	if _, err := db.Collection("dossiers").InsertOne(ctx, bson.D{{Key: "_id", Value: live}}); err != nil {
		t.Fatal(err)
	}
	put := func(parentKind, parentID string) string {
		a := &domain.Attachment{Name: "a.pdf", Owner: "lang-son", ParentKind: parentKind, ParentID: parentID}
		if err := s.PutFile(ctx, a, randomBytes(1000)); err != nil {
			t.Fatal(err)
		}
		return a.ID
	}
	kept := put(domain.ParentDossier, live.Hex())
	gone := put(domain.ParentDossier, bson.NewObjectID().Hex())          // its dossier was deleted
	goneDecision := put(domain.ParentDecision, bson.NewObjectID().Hex()) // its decision too
	other := put("report", bson.NewObjectID().Hex())                     // a kind the sweep does not know
	cutoff := time.Now()
	old := bson.NewObjectIDFromTimestamp(cutoff.Add(-time.Hour))
	recent := bson.NewObjectIDFromTimestamp(cutoff.Add(time.Minute))
	for i, filesID := range []bson.ObjectID{old, old, recent} {
		if _, err := db.Collection("attachments.chunks").InsertOne(ctx,
			bson.D{{Key: "files_id", Value: filesID}, {Key: "n", Value: int32(i)}, {Key: "data", Value: []byte("x")}}); err != nil {
			t.Fatal(err)
		}
	}

	files, chunks, err := s.SweepFiles(ctx, cutoff)
	if err != nil {
		t.Fatal(err)
	}
	if files != 2 || chunks != 2 {
		t.Errorf("swept %d files and %d orphaned chunks, want 2 and 2", files, chunks)
	}
	for _, id := range []string{gone, goneDecision} {
		if _, _, err := s.OpenFile(ctx, id, nil); domain.ErrorCode(err) != domain.CodeNotFound {
			t.Errorf("the file %s of a deleted record: %v, want NOT_FOUND", id, err)
		}
	}
	for _, id := range []string{kept, other} {
		readAll(t, s, id)
	}
	for _, c := range []struct {
		id   bson.ObjectID
		want int64
	}{{old, 0}, {recent, 1}} {
		if n, _ := db.Collection("attachments.chunks").CountDocuments(ctx, bson.D{{Key: "files_id", Value: c.id}}); n != c.want {
			t.Errorf("chunks of file %s: %d, want %d", c.id.Hex(), n, c.want)
		}
	}
	// 3 live files of one chunk each, and the upload in progress.
	if n := count(t, db, "attachments.chunks"); n != 3 {
		t.Errorf("%d chunks left, want 3", n)
	}
	if n, err := s.DeleteFilesOf(ctx, domain.ParentDossier, live.Hex()); err != nil || n != 1 {
		t.Errorf("DeleteFilesOf = %d, %v; want 1", n, err)
	}
	if _, _, err := s.OpenFile(ctx, kept, nil); domain.ErrorCode(err) != domain.CodeNotFound {
		t.Errorf("a deleted dossier's file: %v, want NOT_FOUND", err)
	}
}

// On the embedded server attachments' bytes are in a chunk store of their
// own (a SQLite file of BLOBs): files written with it are read from it,
// files written before it from GridFS's chunks, deleting a file deletes
// its chunks there, and the sweep removes chunks no file names.
func TestFileChunkStore(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	old, db := fileStore(t)
	chunks, err := embeddb.OpenChunks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer chunks.Close()
	s, err := repository.Open(ctx, dbtest.URI(), db.Name(), repository.WithChunkStore(chunks))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close(ctx)
	attachment := func() *domain.Attachment { // of a kind the sweep does not judge
		return &domain.Attachment{Owner: "lang-son", ParentKind: "test", ParentID: "d1", Name: "a.pdf"}
	}
	before := randomBytes(300 << 10)
	a0 := attachment()
	if err := old.PutFile(ctx, a0, before); err != nil {
		t.Fatal(err)
	}
	if _, b := readAll(t, s, a0.ID); !bytes.Equal(b, before) {
		t.Errorf("a file written before the chunk store: %d bytes read back, want %d equal", len(b), len(before))
	}
	gridChunks := count(t, db, "attachments.chunks")
	data := randomBytes(9<<20 + 7)
	a := attachment()
	if err := s.PutFile(ctx, a, data); err != nil {
		t.Fatal(err)
	}
	if _, b := readAll(t, s, a.ID); !bytes.Equal(b, data) {
		t.Errorf("%d bytes stored, %d read back", len(data), len(b))
	}
	if n := count(t, db, "attachments.chunks"); n != gridChunks {
		t.Errorf("GridFS's chunks went from %d to %d: the bytes should be in the chunk store", gridChunks, n)
	}
	stored := func() int {
		ids, err := chunks.ChunksBefore(ctx, time.Now().Add(time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		return len(ids)
	}
	if n := stored(); n != 3 {
		t.Errorf("%d chunks in the chunk store, want 3 (9 MiB in 4 MiB chunks)", n)
	}
	// An orphan (an upload cut before its document): swept; the file's kept.
	if err := chunks.PutChunk(ctx, "6b0a00000000000000000001", []byte("orphan")); err != nil {
		t.Fatal(err)
	}
	if _, n, err := s.SweepFiles(ctx, time.Now().Add(time.Second)); err != nil || n != 1 {
		t.Errorf("sweep: %d chunks removed, %v; want 1", n, err)
	}
	if _, b := readAll(t, s, a.ID); !bytes.Equal(b, data) {
		t.Errorf("after the sweep the file reads %d bytes, want %d", len(b), len(data))
	}
	if err := s.DeleteFile(ctx, a.ID); err != nil {
		t.Fatal(err)
	}
	if n := stored(); n != 0 {
		t.Errorf("%d chunks left after the file's delete, want 0", n)
	}
}

// The service opens its store with a client-wide timeout (DB_TIMEOUT); on
// FerretDB, which refuses the maxTimeMS the driver then adds, the store
// leaves it out: the start's sweep (a distinct) works.
func TestClientTimeoutOnFerretDB(t *testing.T) {
	t.Parallel()
	s := dbtest.Store(t, repository.WithTimeout(30*time.Second))
	if _, _, err := s.SweepFiles(context.Background(), time.Now()); err != nil {
		t.Fatalf("sweep with a client timeout: %v", err)
	}
}
