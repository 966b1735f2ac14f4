package repository

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"slices"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/thidua/thidua/domain"
)

// Attachments are stored as GridFS files of the bucket "attachments":
// attachments.files holds one document a file (_id, length, chunkSize,
// uploadDate, filename, metadata: owner, parentKind, parentId, contentType,
// sha256, uploadedBy) and attachments.chunks its bytes ({_id, files_id, n,
// data}), so MongoDB's tools (mongofiles, any driver's bucket) read them.
//
// The driver's bucket works on FerretDB 1.24 too, but reads a file's chunks
// with the filter {files_id} sorted by n, and FerretDB on SQLite pushes down
// only a filter that is exactly {_id}: any other reads and decodes every
// chunk of every file in Go (measured: 1.8 s to read a 100 KB file among
// 55 MB of others; the delete by files_id, 2.3 s). So the files document also
// lists its chunks' ids (chunkIds, which other tools ignore) and on FerretDB
// each chunk is read and deleted by _id. Even that walks the whole chunks
// table in SQLite (no index on _id: ~120 ms a lookup at 55 MB stored), so on
// FerretDB the chunks are large (ferretChunkSize), to make few lookups a
// file. On MongoDB chunks have GridFS's usual size and are read with the
// {files_id, n} index. A file without chunkIds (written by another tool) is
// read by files_id on either server.
//
// On the embedded server the chunks' bytes are not in the database at all
// but in a ChunkStore (WithChunkStore: embeddb.Chunks, a SQLite file of
// BLOBs): FerretDB stores a binary field as base64 in JSON and decodes the
// whole document on every read (160 ms of CPU a 4 MiB chunk; a 5 MB
// download took 0.6 s). The files document says so (chunkStore: "local")
// and lists the chunks' ids as ever; files written before keep their
// chunks in attachments.chunks and are read from there.
const (
	bucket          = "attachments"
	colFiles        = bucket + ".files"
	colChunks       = bucket + ".chunks"
	mongoChunkSize  = 255 << 10 // GridFS's default
	ferretChunkSize = 4 << 20
)

type fileDoc struct {
	ID         bson.ObjectID   `bson:"_id"`
	Length     int64           `bson:"length"`
	ChunkSize  int32           `bson:"chunkSize"`
	UploadDate time.Time       `bson:"uploadDate"`
	Filename   string          `bson:"filename"`
	Metadata   fileMeta        `bson:"metadata"`
	ChunkIDs   []bson.ObjectID `bson:"chunkIds,omitempty"`
	// ChunkStore is "local" when the chunks are in the store's ChunkStore.
	ChunkStore string `bson:"chunkStore,omitempty"`
}

// chunkStoreLocal marks a file whose chunks are in the ChunkStore.
const chunkStoreLocal = "local"

// ChunkStore keeps attachments' bytes, chunk by chunk, outside the database
// (WithChunkStore).
type ChunkStore interface {
	PutChunk(ctx context.Context, id string, data []byte) error
	GetChunk(ctx context.Context, id string) (data []byte, found bool, err error)
	DeleteChunks(ctx context.Context, ids []string) error
	ChunksBefore(ctx context.Context, t time.Time) ([]string, error)
}

// WithChunkStore keeps the bytes of attachments written from now on in cs
// instead of GridFS's chunks collection (the embedded server; see above).
func WithChunkStore(cs ChunkStore) Option {
	return func(s *Store, _ *options.ClientOptions) { s.chunks = cs }
}

func hexIDs(ids []bson.ObjectID) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = hexID(id)
	}
	return out
}

type fileMeta struct {
	Owner       string `bson:"owner"`
	ParentKind  string `bson:"parentKind"`
	ParentID    string `bson:"parentId"`
	ContentType string `bson:"contentType"`
	SHA256      string `bson:"sha256"`
	UploadedBy  string `bson:"uploadedBy"`
}

type chunkDoc struct {
	ID      bson.ObjectID `bson:"_id"`
	FilesID bson.ObjectID `bson:"files_id"`
	N       int32         `bson:"n"`
	Data    []byte        `bson:"data"`
}

func (d *fileDoc) attachment() *domain.Attachment {
	return &domain.Attachment{
		ID: hexID(d.ID), Owner: d.Metadata.Owner, ParentKind: d.Metadata.ParentKind, ParentID: d.Metadata.ParentID,
		Name: d.Filename, ContentType: d.Metadata.ContentType, Size: d.Length, SHA256: d.Metadata.SHA256,
		UploadedAt: d.UploadDate, UploadedBy: d.Metadata.UploadedBy,
	}
}

// fileIndexes are GridFS's indexes (under the names drivers look for) and
// the one FilesOf reads by on MongoDB.
func fileIndexes() map[string][]mongo.IndexModel {
	return map[string][]mongo.IndexModel{
		colFiles: {
			{Keys: bson.D{{Key: "filename", Value: 1}, {Key: "uploadDate", Value: 1}}},
			{Keys: bson.D{{Key: "metadata.parentKind", Value: 1}, {Key: "metadata.parentId", Value: 1}, {Key: "uploadDate", Value: 1}}},
		},
		colChunks: {
			{Keys: bson.D{{Key: "files_id", Value: 1}, {Key: "n", Value: 1}}, Options: options.Index().SetUnique(true)},
		},
	}
}

func (s *Store) chunkSize() int {
	if s.caps.FerretDB {
		return ferretChunkSize
	}
	return mongoChunkSize
}

// PutFile is PutFileAt of a file whole in memory.
func (s *Store) PutFile(ctx context.Context, a *domain.Attachment, data []byte) error {
	return s.PutFileAt(ctx, a, bytes.NewReader(data), int64(len(data)))
}

// PutFileAt stores the size bytes of r as the attachment a: it assigns
// a.ID, a.UploadedAt, a.Size and a.SHA256 (of the bytes) and keeps the rest
// of a as the file's metadata. The chunks are written first, one at a time
// (at most maxChunkWrites chunks of all uploads are in memory at once), and
// the files document last, so no reader sees a file before it is whole; if
// any write fails, what was written is removed.
func (s *Store) PutFileAt(ctx context.Context, a *domain.Attachment, r io.ReaderAt, size int64) error {
	chunk := s.chunkSize()
	doc := fileDoc{
		ID: bson.NewObjectID(), Length: size, ChunkSize: int32(chunk), UploadDate: s.stamp(),
		Filename: a.Name,
		Metadata: fileMeta{Owner: a.Owner, ParentKind: a.ParentKind, ParentID: a.ParentID,
			ContentType: a.ContentType, UploadedBy: a.UploadedBy},
	}
	if s.chunks != nil {
		doc.ChunkStore = chunkStoreLocal
	}
	sum := sha256.New()
	for off := int64(0); off < size; off += int64(chunk) {
		c := chunkDoc{ID: bson.NewObjectID(), FilesID: doc.ID, N: int32(len(doc.ChunkIDs))}
		doc.ChunkIDs = append(doc.ChunkIDs, c.ID)
		if err := s.writeChunk(ctx, &c, r, off, min(int64(chunk), size-off), sum); err != nil {
			return s.undoFile(ctx, &doc, false, err)
		}
	}
	doc.Metadata.SHA256 = hex.EncodeToString(sum.Sum(nil))
	if _, err := s.c(colFiles).InsertOne(ctx, doc); err != nil {
		// The insert may have been done though it failed (a timeout).
		return s.undoFile(ctx, &doc, true, err)
	}
	a.ID, a.UploadedAt, a.Size, a.SHA256 = hexID(doc.ID), doc.UploadDate, doc.Length, doc.Metadata.SHA256
	return nil
}

// maxChunkWrites is how many attachment chunks are read and written at
// once, by all uploads together: each is a chunk in memory (4 MiB on
// FerretDB), and several more in the embedded server while it stores it.
const maxChunkWrites = 2

// writeChunk reads the n bytes of c at off in r, adds them to sum and
// inserts c, holding one of the store's chunk-write slots meanwhile.
func (s *Store) writeChunk(ctx context.Context, c *chunkDoc, r io.ReaderAt, off, n int64, sum hash.Hash) error {
	select {
	case s.chunkWrites <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-s.chunkWrites }()
	c.Data = make([]byte, n)
	if k, err := r.ReadAt(c.Data, off); int64(k) < n {
		if err == nil || errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF
		}
		return fmt.Errorf("read the upload: %w", err)
	}
	sum.Write(c.Data)
	var err error
	if s.chunks != nil {
		err = s.chunks.PutChunk(ctx, hexID(c.ID), c.Data)
	} else {
		_, err = s.c(colChunks).InsertOne(ctx, c)
	}
	c.Data = nil
	return err
}

// undoFile removes what PutFile wrote of doc after err, even when err is the
// end of ctx, and returns err.
func (s *Store) undoFile(ctx context.Context, doc *fileDoc, filesDoc bool, err error) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	var undo error
	if filesDoc {
		_, undo = s.c(colFiles).DeleteOne(ctx, bson.D{{Key: "_id", Value: doc.ID}})
	}
	if undo == nil {
		undo = s.deleteChunks(ctx, doc)
	}
	if undo != nil {
		return fmt.Errorf("%w (removing the file's written chunks failed too: %v)", mapErr(err), undo)
	}
	return mapErr(err)
}

// deleteChunks deletes the chunks of doc: on FerretDB one by _id each (the
// one filter it does not decode the collection for), else by files_id.
func (s *Store) deleteChunks(ctx context.Context, doc *fileDoc) error {
	if doc.ChunkStore == chunkStoreLocal {
		if s.chunks == nil {
			return fmt.Errorf("attachment %s keeps its chunks in a chunk store this process has not opened", hexID(doc.ID))
		}
		return s.chunks.DeleteChunks(ctx, hexIDs(doc.ChunkIDs))
	}
	if !s.caps.FerretDB || len(doc.ChunkIDs) == 0 {
		_, err := s.c(colChunks).DeleteMany(ctx, bson.D{{Key: "files_id", Value: doc.ID}})
		return err
	}
	models := make([]mongo.WriteModel, len(doc.ChunkIDs))
	for i, id := range doc.ChunkIDs {
		models[i] = mongo.NewDeleteOneModel().SetFilter(bson.D{{Key: "_id", Value: id}})
	}
	_, err := s.c(colChunks).BulkWrite(ctx, models, options.BulkWrite().SetOrdered(false))
	return err
}

// OpenFile returns the attachment id and a reader of its bytes, which the
// caller closes; NOT_FOUND if there is no such file. The first chunk is
// read before it returns; the reader checks each chunk, and the SHA-256 of
// the whole before it gives the last chunk's bytes, and fails rather than
// return bytes that are not the file's.
//
// allow, given the file's record, says whether the caller may read it: it
// is asked before any of the file's content is read (a file the caller may
// not read is NOT_FOUND, whatever its content).
func (s *Store) OpenFile(ctx context.Context, id string, allow func(*domain.Attachment) bool) (*domain.Attachment, io.ReadCloser, error) {
	oid, ok := parseID(id)
	if !ok {
		return nil, nil, domain.NotFound("file", id)
	}
	var doc fileDoc
	if err := s.c(colFiles).FindOne(ctx, bson.D{{Key: "_id", Value: oid}}).Decode(&doc); err != nil {
		if err = mapErr(err); errors.Is(err, errNoDocument) {
			return nil, nil, domain.NotFound("file", id)
		}
		return nil, nil, err
	}
	if allow != nil && !allow(doc.attachment()) {
		return nil, nil, domain.NotFound("file", id)
	}
	if doc.Length > 0 && doc.ChunkSize <= 0 {
		return nil, nil, fmt.Errorf("attachment %s is corrupt: chunk size %d", id, doc.ChunkSize)
	}
	r := &fileReader{ctx: ctx, s: s, doc: doc, hash: sha256.New()}
	if err := r.fill(); err != nil {
		_ = r.Close()
		return nil, nil, err
	}
	return doc.attachment(), r, nil
}

// fileReader reads a file's chunks one at a time, in order.
type fileReader struct {
	ctx  context.Context
	s    *Store
	doc  fileDoc
	next int32         // the number of the next chunk to read
	buf  []byte        // what is left of the last chunk read
	cur  *mongo.Cursor // the chunks by files_id, when not read by _id
	hash hash.Hash     // of the chunks read
	read int64         // their length
	err  error         // once set, every Read returns it
}

func (r *fileReader) Read(p []byte) (int, error) {
	for len(r.buf) == 0 && r.err == nil {
		r.err = r.fill()
	}
	if len(r.buf) == 0 {
		return 0, r.err
	}
	n := copy(p, r.buf)
	r.buf = r.buf[n:]
	return n, nil
}

// fill reads the next chunk into buf, or returns io.EOF after the last one
// (once the whole is checked).
func (r *fileReader) fill() error {
	d := &r.doc
	if r.read == d.Length {
		return io.EOF
	}
	var c chunkDoc
	switch {
	case d.ChunkStore == chunkStoreLocal:
		if int(r.next) >= len(d.ChunkIDs) {
			return r.corrupt("fewer chunks than its length")
		}
		if r.s.chunks == nil {
			return r.corrupt("its chunks are in a chunk store this process has not opened")
		}
		data, found, err := r.s.chunks.GetChunk(r.ctx, hexID(d.ChunkIDs[r.next]))
		if err != nil {
			return err
		} else if !found {
			return r.corrupt(fmt.Sprintf("chunk %d is missing", r.next))
		}
		c = chunkDoc{ID: d.ChunkIDs[r.next], FilesID: d.ID, N: r.next, Data: data}
	case r.s.caps.FerretDB && len(d.ChunkIDs) > 0:
		if int(r.next) >= len(d.ChunkIDs) {
			return r.corrupt("fewer chunks than its length")
		}
		err := r.s.c(colChunks).FindOne(r.ctx, bson.D{{Key: "_id", Value: d.ChunkIDs[r.next]}}).Decode(&c)
		if err = mapErr(err); errors.Is(err, errNoDocument) {
			return r.corrupt(fmt.Sprintf("chunk %d is missing", r.next))
		} else if err != nil {
			return err
		}
	default:
		if r.cur == nil {
			cur, err := r.s.c(colChunks).Find(r.ctx, bson.D{{Key: "files_id", Value: d.ID}},
				options.Find().SetSort(bson.D{{Key: "n", Value: 1}}))
			if err != nil {
				return mapErr(err)
			}
			r.cur = cur
		}
		if !r.cur.Next(r.ctx) {
			if err := r.cur.Err(); err != nil {
				return mapErr(err)
			}
			return r.corrupt(fmt.Sprintf("chunk %d is missing", r.next))
		}
		if err := r.cur.Decode(&c); err != nil {
			return mapErr(err)
		}
	}
	want := min(int64(d.ChunkSize), d.Length-r.read)
	if c.FilesID != d.ID || c.N != r.next || int64(len(c.Data)) != want {
		return r.corrupt(fmt.Sprintf("chunk %d is not the one expected (n %d, %d bytes, want %d)", r.next, c.N, len(c.Data), want))
	}
	r.hash.Write(c.Data)
	r.read += want
	r.next++
	// The whole is checked before its last bytes are given: a reader that
	// passes them on (an HTTP response) is cut short, not completed.
	if r.read == d.Length && d.Metadata.SHA256 != "" && hex.EncodeToString(r.hash.Sum(nil)) != d.Metadata.SHA256 {
		return r.corrupt("its SHA-256 does not match its bytes")
	}
	r.buf = c.Data
	return nil
}

func (r *fileReader) corrupt(what string) error {
	return fmt.Errorf("attachment %s is corrupt: %s", hexID(r.doc.ID), what)
}

func (r *fileReader) Close() error {
	r.buf, r.err = nil, errors.New("read of a closed attachment")
	if r.cur != nil {
		err := r.cur.Close(context.WithoutCancel(r.ctx))
		r.cur = nil
		return mapErr(err)
	}
	return nil
}

// FilesOf returns the attachments of the parents of kind parentKind with
// ids parentIDs, in one query, keyed by parent id, each parent's in the
// order they were uploaded. A parent without attachments has no key.
func (s *Store) FilesOf(ctx context.Context, parentKind string, parentIDs []string) (map[string][]domain.Attachment, error) {
	out := map[string][]domain.Attachment{}
	if len(parentIDs) == 0 {
		return out, nil
	}
	cur, err := s.c(colFiles).Find(ctx,
		bson.D{{Key: "metadata.parentKind", Value: parentKind}, {Key: "metadata.parentId", Value: bson.D{{Key: "$in", Value: parentIDs}}}},
		options.Find().SetSort(bson.D{{Key: "uploadDate", Value: 1}, {Key: "_id", Value: 1}}).
			SetProjection(bson.D{{Key: "chunkIds", Value: 0}}))
	if err != nil {
		return nil, mapErr(err)
	}
	var docs []fileDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, mapErr(err)
	}
	for i := range docs {
		a := docs[i].attachment()
		out[a.ParentID] = append(out[a.ParentID], *a)
	}
	return out, nil
}

// DeleteFile deletes the attachment id (NOT_FOUND if there is none): its
// files document first, so that it is gone for readers at once, then its
// chunks.
func (s *Store) DeleteFile(ctx context.Context, id string) error {
	oid, ok := parseID(id)
	if !ok {
		return domain.NotFound("file", id)
	}
	var doc fileDoc
	err := s.c(colFiles).FindOne(ctx, bson.D{{Key: "_id", Value: oid}},
		options.FindOne().SetProjection(chunksProjection)).Decode(&doc)
	if err = mapErr(err); errors.Is(err, errNoDocument) {
		return domain.NotFound("file", id)
	} else if err != nil {
		return err
	}
	return s.deleteFileDoc(ctx, &doc)
}

// DeleteFilesOf deletes every attachment of the record parentKind/parentID
// (a deleted dossier's), each as DeleteFile does, and returns how many.
func (s *Store) DeleteFilesOf(ctx context.Context, parentKind, parentID string) (int, error) {
	cur, err := s.c(colFiles).Find(ctx,
		bson.D{{Key: "metadata.parentKind", Value: parentKind}, {Key: "metadata.parentId", Value: parentID}},
		options.Find().SetProjection(chunksProjection))
	if err != nil {
		return 0, mapErr(err)
	}
	var docs []fileDoc
	if err := cur.All(ctx, &docs); err != nil {
		return 0, mapErr(err)
	}
	for i := range docs {
		if err := s.deleteFileDoc(ctx, &docs[i]); err != nil {
			return i, err
		}
	}
	return len(docs), nil
}

// chunksProjection is what deleting a file needs of its document: where
// its chunks are.
var chunksProjection = bson.D{{Key: "_id", Value: 1}, {Key: "chunkIds", Value: 1}, {Key: "chunkStore", Value: 1}}

// deleteFileDoc deletes a file's document, then its chunks.
func (s *Store) deleteFileDoc(ctx context.Context, doc *fileDoc) error {
	if _, err := s.c(colFiles).DeleteOne(ctx, bson.D{{Key: "_id", Value: doc.ID}}); err != nil {
		return mapErr(err)
	}
	return mapErr(s.deleteChunks(ctx, doc))
}

// SweepFiles removes what is provably left over of attachments: the files
// (document and chunks) of a dossier or decision that no longer exists,
// and the chunks of a file that has no document, if that file was begun
// before olderThan. A file being uploaded has chunks before its document,
// so the caller runs this before it serves, with olderThan no later than
// the start of any upload another process may still be writing. It
// returns how many files and orphaned chunks it removed.
func (s *Store) SweepFiles(ctx context.Context, olderThan time.Time) (files, chunks int, err error) {
	cur, err := s.c(colFiles).Find(ctx, bson.D{}, options.Find().SetProjection(append(bson.D{
		{Key: "metadata.parentKind", Value: 1}, {Key: "metadata.parentId", Value: 1}}, chunksProjection...)))
	if err != nil {
		return 0, 0, mapErr(err)
	}
	var docs []fileDoc
	if err := cur.All(ctx, &docs); err != nil {
		return 0, 0, mapErr(err)
	}
	parents := map[string]string{domain.ParentDossier: colDossiers, domain.ParentDecision: colDecisions}
	exists := map[string]map[string]bool{}
	for kind, coll := range parents {
		var ids []string
		for _, d := range docs {
			if d.Metadata.ParentKind == kind {
				ids = append(ids, d.Metadata.ParentID)
			}
		}
		if exists[kind], err = s.existing(ctx, coll, ids); err != nil {
			return 0, 0, err
		}
	}
	for i := range docs {
		d := &docs[i]
		if _, known := parents[d.Metadata.ParentKind]; !known || exists[d.Metadata.ParentKind][d.Metadata.ParentID] {
			continue
		}
		if err := s.deleteFileDoc(ctx, d); err != nil {
			return files, 0, err
		}
		files++
	}

	// The chunk store's chunks stored before olderThan that no file names.
	if s.chunks != nil {
		named := map[string]bool{}
		for _, d := range docs {
			for _, id := range d.ChunkIDs {
				named[hexID(id)] = true
			}
		}
		stored, err := s.chunks.ChunksBefore(ctx, olderThan)
		if err != nil {
			return files, 0, fmt.Errorf("chunk store: %w", err)
		}
		var orphans []string
		for _, id := range stored {
			if !named[id] {
				orphans = append(orphans, id)
			}
		}
		if err := s.chunks.DeleteChunks(ctx, orphans); err != nil {
			return files, 0, fmt.Errorf("chunk store: %w", err)
		}
		chunks += len(orphans)
	}

	// The chunks of files begun before olderThan whose document is gone.
	vals, err := s.c(colChunks).Distinct(ctx, "files_id",
		bson.D{{Key: "files_id", Value: bson.D{{Key: "$lt", Value: bson.NewObjectIDFromTimestamp(olderThan)}}}}).Raw()
	if err != nil {
		return files, chunks, mapErr(err)
	}
	values, err := vals.Values()
	if err != nil {
		return files, chunks, fmt.Errorf("chunks' file ids: %w", err)
	}
	var fileIDs []bson.ObjectID
	var ids []string
	for _, v := range values {
		if id, ok := v.ObjectIDOK(); ok { // another tool's file, by another id type: not ours to judge
			fileIDs = append(fileIDs, id)
			ids = append(ids, hexID(id))
		}
	}
	if len(fileIDs) == 0 {
		return files, chunks, nil
	}
	kept, err := s.existing(ctx, colFiles, ids)
	if err != nil {
		return files, chunks, err
	}
	var orphans bson.A
	for _, id := range fileIDs {
		if !kept[hexID(id)] {
			orphans = append(orphans, id)
		}
	}
	if len(orphans) == 0 {
		return files, chunks, nil
	}
	res, err := s.c(colChunks).DeleteMany(ctx, bson.D{{Key: "files_id", Value: bson.D{{Key: "$in", Value: orphans}}}})
	if err != nil {
		return files, chunks, mapErr(err)
	}
	return files, chunks + int(res.DeletedCount), nil
}

// pointLookups is how many ids existing looks up one by one on FerretDB
// rather than with one $in that reads the whole collection.
const pointLookups = 1000

// existing returns which of ids (hex object ids) are the _id of a document
// of coll.
func (s *Store) existing(ctx context.Context, coll string, ids []string) (map[string]bool, error) {
	out := map[string]bool{}
	if len(ids) == 0 {
		return out, nil
	}
	oids := parseIDs(slices.Compact(slices.Sorted(slices.Values(ids))))
	if s.caps.FerretDB && len(oids) <= pointLookups {
		// FerretDB pushes down only a lone {_id} filter: an $in decodes
		// the whole collection (every dossier, at every start's sweep: a
		// resident-memory peak at 100,000 awards), a lookup by _id does not.
		for _, id := range oids {
			err := s.c(coll).FindOne(ctx, bson.D{{Key: "_id", Value: id}}, options.FindOne().SetProjection(bson.D{{Key: "_id", Value: 1}})).Err()
			switch {
			case err == nil:
				out[hexID(id.(bson.ObjectID))] = true
			case !errors.Is(err, mongo.ErrNoDocuments):
				return nil, mapErr(err)
			}
		}
		return out, nil
	}
	cur, err := s.c(coll).Find(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: oids}}}},
		options.Find().SetProjection(bson.D{{Key: "_id", Value: 1}}))
	if err != nil {
		return nil, mapErr(err)
	}
	var found []struct {
		ID bson.ObjectID `bson:"_id"`
	}
	if err := cur.All(ctx, &found); err != nil {
		return nil, mapErr(err)
	}
	for _, f := range found {
		out[hexID(f.ID)] = true
	}
	return out, nil
}
