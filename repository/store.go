// Package repository stores thidua's records in MongoDB (or the embedded
// FerretDB). It speaks the domain's records and string ids (its documents
// and ObjectIDs stay inside), implements service.Store, applies the access
// it is given to every query, keeps a version on every record, migrates
// stored data (migrate.go), and maps driver errors to domain errors in one
// place (mapErr).
package repository

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"net"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/event"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"go.mongodb.org/mongo-driver/v2/x/mongo/driver/topology"

	"github.com/thidua/thidua/domain"
)

// Collection names.
const (
	colProvinces  = "provinces"
	colAwardTypes = "award_types"
	colIndicators = "indicators"
	colMovements  = "movements"
	colAwards     = "awards"
	colReviews    = "period_reviews"
	colReports    = "province_reports"
)

// Capabilities are what the connected server can do beyond what both
// MongoDB and FerretDB 1.x do.
type Capabilities struct {
	// FerretDB is true for FerretDB. Its findAndModify reads and then
	// writes without a compare-and-set, so two concurrent conditional
	// updates of one document could both match: writes to one document
	// are serialised in this process (see Store.lock).
	FerretDB bool
	// Transactions is true for a MongoDB replica set or sharded cluster.
	Transactions bool
}

// Store is the database of one thidua deployment.
type Store struct {
	client *mongo.Client
	db     *mongo.Database
	caps   Capabilities
	now    func() time.Time
	locks  [64]sync.Mutex
	// actLocks serialise the recording of one decision act on several
	// dossiers (lockDecisionAct).
	actLocks [16]sync.Mutex
	// rm answers lists from memory where this process is the only writer
	// (FerretDB); nil on MongoDB (readmodel.go).
	rm          *readModel
	noReadModel bool
	// faults, in tests, fails a journaled decision at a step (WithFaults).
	faults func(step string) error
	// openStream, in tests, opens WatchChanges' streams (WithChangeStreams).
	openStream StreamOpener
	// chunkWrites bounds the attachment chunks read and written at once,
	// whatever the number of uploads (files.go).
	chunkWrites chan struct{}
	// chunks, if set, keeps attachments' bytes (WithChunkStore, files.go).
	chunks ChunkStore
	// fence stops every send to the database once the writer lease has
	// run out (fence.go, lease.go).
	fence fence
	// commitMargin is how long past its context's deadline a
	// transaction's commit may run (WithCommitMargin).
	commitMargin time.Duration
}

// WithoutReadModel makes the store answer every list from the database
// even on FerretDB (the read model's equivalence test).
func WithoutReadModel() Option {
	return func(s *Store, _ *options.ClientOptions) { s.noReadModel = true }
}

// Option configures a Store.
type Option func(*Store, *options.ClientOptions)

// WithClock sets the clock used for createdAt/updatedAt.
func WithClock(now func() time.Time) Option {
	return func(s *Store, _ *options.ClientOptions) { s.now = now }
}

// WithMonitor sees every command sent to the server (metrics, round-trip
// tests).
func WithMonitor(m *event.CommandMonitor) Option {
	return func(_ *Store, c *options.ClientOptions) { c.SetMonitor(m) }
}

// WithTimeout sets the client's operation timeout: the limit of each
// operation whose context has no deadline (0: none).
func WithTimeout(d time.Duration) Option {
	return func(_ *Store, c *options.ClientOptions) {
		if d > 0 {
			c.SetTimeout(d)
		}
	}
}

// Open connects to the server at uri, probes its capabilities and returns the
// store of database name. The caller closes it.
func Open(ctx context.Context, uri, name string, opts ...Option) (*Store, error) {
	return OpenClient(ctx, options.Client().ApplyURI(uri), name, opts...)
}

// OpenClient is Open with full client options (a command monitor, say).
func OpenClient(ctx context.Context, copts *options.ClientOptions, name string, opts ...Option) (*Store, error) {
	if copts.ServerSelectionTimeout == nil {
		copts.SetServerSelectionTimeout(5 * time.Second)
	}
	copts.SetBSONOptions(&options.BSONOptions{UseLocalTimeZone: false, DefaultDocumentM: true})
	s := &Store{now: time.Now, chunkWrites: make(chan struct{}, maxChunkWrites)}
	for _, o := range opts {
		o(s, copts)
	}
	dial := (&net.Dialer{}).DialContext
	if copts.Dialer != nil {
		dial = copts.Dialer.DialContext
	}
	copts.SetDialer(fenceDialer{dial: dial, f: &s.fence})
	client, err := mongo.Connect(copts)
	if err != nil {
		return nil, fmt.Errorf("connect: %w", err)
	}
	s.client, s.db = client, client.Database(name)
	if err := s.probe(ctx); err != nil {
		_ = client.Disconnect(ctx)
		return nil, err
	}
	if s.caps.FerretDB && copts.Timeout != nil {
		// A client-wide timeout (WithTimeout) makes the driver add
		// maxTimeMS to every command, and FerretDB 1.24 refuses it on some
		// ("distinct: unknown field maxTimeMS": the start's sweep failed):
		// there the operations' contexts bound them instead.
		_ = client.Disconnect(ctx)
		copts.Timeout = nil
		if client, err = mongo.Connect(copts); err != nil {
			return nil, fmt.Errorf("connect: %w", err)
		}
		s.client, s.db = client, client.Database(name)
	}
	if s.caps.FerretDB && !s.noReadModel {
		s.rm = newReadModel()
	}
	return s, nil
}

func (s *Store) probe(ctx context.Context) error {
	var info bson.M
	if err := s.client.Database("admin").RunCommand(ctx, bson.D{{Key: "buildInfo", Value: 1}}).Decode(&info); err != nil {
		return fmt.Errorf("probe database: %w", err)
	}
	_, s.caps.FerretDB = info["ferretdbVersion"]
	var hello bson.M
	if err := s.client.Database("admin").RunCommand(ctx, bson.D{{Key: "hello", Value: 1}}).Decode(&hello); err != nil {
		return fmt.Errorf("probe database: %w", err)
	}
	_, rs := hello["setName"]
	msg, _ := hello["msg"].(string)
	s.caps.Transactions = !s.caps.FerretDB && (rs || msg == "isdbgrid")
	return nil
}

// Capabilities reports what the server can do.
func (s *Store) Capabilities() Capabilities { return s.caps }

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error {
	return mapErr(s.client.Ping(ctx, nil))
}

// Close disconnects from the server.
func (s *Store) Close(ctx context.Context) error { return s.client.Disconnect(ctx) }

// Drop removes the whole database (tests).
func (s *Store) Drop(ctx context.Context) error { return s.db.Drop(ctx) }

func (s *Store) c(name string) *mongo.Collection { return s.db.Collection(name) }

// stamp returns the current time at BSON precision.
func (s *Store) stamp() time.Time { return s.now().UTC().Truncate(time.Millisecond) }

// lock serialises read-modify-write operations on one record when the server
// does not make them atomic (FerretDB). It returns the unlock function.
func (s *Store) lock(collection, id string) func() {
	return s.stripe(s.locks[:], collection, id)
}

// stripe holds, on FerretDB, the one of locks that key's parts (joined
// with a zero byte) hash to. It returns the unlock function.
func (s *Store) stripe(locks []sync.Mutex, parts ...string) func() {
	if !s.caps.FerretDB {
		return func() {}
	}
	h := fnv.New32a()
	for i, p := range parts {
		if i > 0 {
			_, _ = h.Write([]byte{0})
		}
		_, _ = h.Write([]byte(p))
	}
	m := &locks[h.Sum32()%uint32(len(locks))]
	m.Lock()
	return m.Unlock
}

// errNoDocument is returned by helpers when a single-document query matched
// nothing; callers turn it into the right domain error.
var errNoDocument = errors.New("no document")

// isDuplicateKey reports whether err (as mapErr returned it) is a unique
// index's refusal.
func isDuplicateKey(err error) bool {
	var de *domain.Error
	return errors.As(err, &de) && de.Err != nil && mongo.IsDuplicateKeyError(de.Err)
}

// mapErr is the one place where driver errors become domain errors.
func mapErr(err error) error {
	var sse topology.ServerSelectionError
	switch {
	case err == nil:
		return nil
	case errors.Is(err, mongo.ErrNoDocuments):
		return errNoDocument
	case mongo.IsDuplicateKeyError(err):
		return &domain.Error{Code: domain.CodeConflict, Message: "a record with the same key already exists", Err: err}
	case errors.Is(err, context.Canceled):
		return err
	case mongo.IsTimeout(err), mongo.IsNetworkError(err), errors.As(err, &sse),
		errors.Is(err, context.DeadlineExceeded), errors.Is(err, mongo.ErrClientDisconnected):
		return domain.Unavailable(err)
	default:
		return fmt.Errorf("database: %w", err)
	}
}

// indexes are the indexes every list relies on on MongoDB: each matches a
// list's equality filter followed by its sort (so a page is an index range
// read in order, with no in-memory sort). Unique ones enforce the domain's
// keys. The writer lease's collection is not here (lease.go owns it).
func indexes() map[string][]mongo.IndexModel {
	all := recordIndexes()
	for coll, models := range fileIndexes() { // GridFS's, for attachments (files.go)
		all[coll] = models
	}
	for coll, models := range grassrootsIndexes() { // units, registrations, initiatives (grassroots.go)
		all[coll] = models
	}
	all[colAwards] = append(all[colAwards], awardUnitIndex)
	return all
}

func recordIndexes() map[string][]mongo.IndexModel {
	newestAward := bson.D{{Key: "year", Value: -1}, {Key: "_id", Value: -1}}
	byTitle := bson.D{{Key: "titleKey", Value: 1}, {Key: "_id", Value: 1}}
	newestEntry := bson.D{{Key: "atMs", Value: -1}, {Key: "_id", Value: -1}}
	prefixed := func(field string, order bson.D) bson.D {
		return append(bson.D{{Key: field, Value: 1}}, order...)
	}
	return map[string][]mongo.IndexModel{
		colMovements: {
			{Keys: byTitle},
			{Keys: prefixed("scope", byTitle)},
			{Keys: prefixed("provinceId", byTitle)},
		},
		colAwards: {
			{Keys: newestAward},
			{Keys: prefixed("provinceId", newestAward)},
			{Keys: prefixed("movementId", newestAward)}, // also deleteMovement's reference check
			{Keys: prefixed("awardTypeId", newestAward)},
			{Keys: prefixed("status", newestAward)}, // also CountConferred's status
			{Keys: bson.D{{Key: "recipient.nameKey", Value: 1}}},
			{Keys: bson.D{{Key: "searchKey", Value: 1}}},
			{Keys: bson.D{{Key: "honoreeId", Value: 1}}},
			{Keys: bson.D{{Key: "decisionId", Value: 1}}},
		},
		colReviews: {
			{Keys: bson.D{{Key: "date", Value: -1}, {Key: "_id", Value: -1}}},
			{Keys: bson.D{{Key: "movementIds", Value: 1}}}, // deleteMovement's reference check
			{Keys: bson.D{{Key: "kind", Value: 1}, {Key: "year", Value: 1}, {Key: "period", Value: 1}},
				Options: options.Index().SetUnique(true).SetName("review_key")},
		},
		colAudit: {
			{Keys: newestEntry},
			{Keys: prefixed("provinceId", newestEntry)},
		},
		colVotes: {
			{Keys: bson.D{{Key: "clusterId", Value: 1}, {Key: "year", Value: 1}},
				Options: options.Index().SetUnique(true).SetName("one_vote_per_cluster_year")},
		},
		colBallots: {
			{Keys: bson.D{{Key: "reviewId", Value: 1}, {Key: "round", Value: 1}, {Key: "provinceId", Value: 1}},
				Options: options.Index().SetUnique(true).SetName("one_ballot_per_province_and_round")},
		},
		colDossiers: {
			{Keys: bson.D{{Key: "year", Value: -1}, {Key: "_id", Value: -1}}},
			{Keys: bson.D{{Key: "provinceId", Value: 1}, {Key: "year", Value: -1}, {Key: "_id", Value: -1}}},
			{Keys: bson.D{{Key: "status", Value: 1}, {Key: "year", Value: -1}, {Key: "_id", Value: -1}}},
		},
		colDecisions: {
			{Keys: bson.D{{Key: "date", Value: -1}, {Key: "_id", Value: -1}}},
			{Keys: bson.D{{Key: "provinceId", Value: 1}, {Key: "date", Value: -1}, {Key: "_id", Value: -1}}},
		},
		colHonorees: {
			{Keys: bson.D{{Key: "searchKey", Value: 1}, {Key: "_id", Value: 1}}},
			{Keys: bson.D{{Key: "provinceId", Value: 1}, {Key: "keyFolded", Value: 1}},
				Options: options.Index().SetUnique(true).SetName("one_key_per_province")},
		},
		colReports: {
			{Keys: bson.D{{Key: "reviewId", Value: 1}, {Key: "provinceId", Value: 1}},
				Options: options.Index().SetUnique(true).SetName("report_key")},
		},
	}
}

// superseded are indexes earlier versions created that a longer one above
// now serves; EnsureIndexes drops them where they exist.
var superseded = map[string][]string{
	colMovements: {"scope_1"},
	colAwards:    {"provinceId_1_year_-1", "movementId_1"},
	colAudit:     {"provinceId_1_atMs_-1"},
	colBallots:   {oldBallotKey}, // one ballot a round since migration 12
}

// EnsureIndexes creates the indexes every query relies on (indexes); it is
// idempotent.
func (s *Store) EnsureIndexes(ctx context.Context) error {
	all := indexes()
	for coll := range all {
		if err := s.createIndexes(ctx, all, coll); err != nil {
			return err
		}
	}
	for coll, names := range superseded {
		if err := s.dropIndexes(ctx, coll, names...); err != nil {
			return err
		}
	}
	return nil
}

// dropIndexes drops the named indexes of a collection where they exist.
func (s *Store) dropIndexes(ctx context.Context, coll string, names ...string) error {
	existing, err := s.c(coll).Indexes().ListSpecifications(ctx)
	if err != nil {
		return fmt.Errorf("indexes of %s: %w", coll, mapErr(err))
	}
	for _, spec := range existing {
		for _, name := range names {
			if spec.Name == name {
				// Another process starting may have dropped it first.
				if err := s.c(coll).Indexes().DropOne(ctx, name); err != nil && !hasCode(err, codeIndexNotFound) {
					return fmt.Errorf("drop index %s of %s: %w", name, coll, mapErr(err))
				}
			}
		}
	}
	return nil
}

// createIndexes creates the indexes of the named collections, one at a
// time: FerretDB 1.24 drops the connection when createIndexes names several
// indexes that already exist.
func (s *Store) createIndexes(ctx context.Context, all map[string][]mongo.IndexModel, colls ...string) error {
	for _, coll := range colls {
		for _, m := range all[coll] {
			if err := s.createIndex(ctx, coll, m); err != nil {
				return fmt.Errorf("indexes of %s: %w", coll, mapErr(err))
			}
		}
	}
	return nil
}

// Server error codes of index commands.
const (
	codeIndexNotFound               = 27
	codeIndexAlreadyExists          = 68
	codeIndexOptionsConflict        = 85
	codeIndexKeySpecsConflict       = 86
	codeIndexBuildAlreadyInProgress = 276
)

// createIndex creates one index. Several processes starting at once on one
// database create the same indexes side by side: the server may answer
// one of them that the index is being built (it is tried again, for up to
// 2 s) or that the index exists; the latter is an error only if no index
// on the same keys is there when listed.
func (s *Store) createIndex(ctx context.Context, coll string, m mongo.IndexModel) error {
	for wait := 50 * time.Millisecond; ; wait = min(2*wait, time.Second) {
		_, err := s.c(coll).Indexes().CreateOne(ctx, m)
		switch {
		case err == nil:
			return nil
		case hasCode(err, codeIndexBuildAlreadyInProgress) && wait < time.Second:
			select {
			case <-time.After(wait):
				continue
			case <-ctx.Done():
				return ctx.Err()
			}
		case hasCode(err, codeIndexAlreadyExists, codeIndexOptionsConflict, codeIndexKeySpecsConflict):
			keys, merr := bson.Marshal(m.Keys)
			specs, lerr := s.c(coll).Indexes().ListSpecifications(ctx)
			if merr != nil || lerr != nil {
				return err
			}
			for _, spec := range specs {
				if bytes.Equal(spec.KeysDocument, keys) {
					return nil // made by another process
				}
			}
		}
		return err
	}
}

// hasCode reports whether err is a server error with one of codes.
func hasCode(err error, codes ...int) bool {
	var se mongo.ServerError
	if !errors.As(err, &se) {
		return false
	}
	for _, c := range codes {
		if se.HasErrorCode(c) {
			return true
		}
	}
	return false
}

// newMeta is the meta of a record created now.
func (s *Store) newMeta() meta {
	now := s.stamp()
	return meta{Version: 1, CreatedAt: now, UpdatedAt: now}
}

// Name is the database's name.
func (s *Store) Name() string { return s.db.Name() }
