package repository

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// Change is a committed change of a record, read from MongoDB's change
// stream: the record after it (before it, for a deletion, when the
// collection keeps pre-images; else a record holding only its id).
type Change struct {
	Kind   string // award, movement, periodReview, provinceReport, dossier, unit, registration, initiative
	Op     string // CREATED, UPDATED, DELETED
	Record any    // *domain.Award, *domain.Movement, *domain.PeriodReview, *domain.ProvinceReport, *domain.Dossier
}

// ErrNoChangeStreams is returned where the server has no change streams
// (FerretDB, a standalone MongoDB): there the write path publishes.
var ErrNoChangeStreams = errors.New("change streams need a MongoDB replica set")

var watched = map[string]string{colAwards: "award", colMovements: "movement", colReviews: "periodReview", colReports: "provinceReport",
	colDossiers: "dossier", colUnits: "unit", colRegistrations: "registration", colInitiatives: "initiative"}

// WatchOptions tune WatchChanges.
type WatchOptions struct {
	// Opened, if set, is called each time the stream is open (the first
	// time: changes committed from now on are relayed).
	Opened func()
	// Failed, if set, is told every error of the stream (to log and count).
	Failed func(err error)
	// Attempts is how many opens in a row may fail before WatchChanges
	// gives up and returns the error (then each process publishes its own
	// writes); 0: 5.
	Attempts int
	// Backoff is the wait before reopening; 0: a second.
	Backoff time.Duration
}

// Stream is what WatchChanges reads of a *mongo.ChangeStream (a
// double in tests: fault points).
type Stream interface {
	TryNext(ctx context.Context) bool
	Event() bson.Raw
	ResumeToken() bson.Raw
	Err() error
	Close(ctx context.Context) error
}

// StreamOpener opens a change stream (WithChangeStreams, tests).
type StreamOpener func(ctx context.Context, pipeline mongo.Pipeline, opts *options.ChangeStreamOptionsBuilder) (Stream, error)

type driverStream struct{ *mongo.ChangeStream }

func (d driverStream) Event() bson.Raw { return d.Current }

// WithChangeStreams makes WatchChanges read the streams open returns
// (tests: a stream that fails, is invalidated or has lost its history).
func WithChangeStreams(open StreamOpener) Option {
	return func(s *Store, _ *options.ClientOptions) { s.openStream = open }
}

// Server errors a stream cannot resume from.
const (
	codeHistoryLost = 286 // ChangeStreamHistoryLost: the oplog no longer holds the resume point
	codeFatal       = 280 // ChangeStreamFatalError
)

// WatchChanges follows the committed changes of awards, movements, reviews,
// province reports and dossiers on a replica set — those of every process, and only
// committed ones — calling emit for each, until ctx ends (then nil).
//
// It resumes after a lost connection from the stream's latest resume
// token: after every batch, the post-batch token, which advances even when
// every change of the batch was filtered out. Before it has any token it
// starts at the cluster time of its call, so a reopen loses nothing. An
// invalidated stream (its database dropped) starts again after the
// invalidation. When the server no longer holds the resume point
// (ChangeStreamHistoryLost), the changes in between are lost: it says so
// (Failed) and starts from now. Every error goes to Failed; after
// Attempts failed opens in a row it returns the error, and the caller
// falls back to each process publishing its own writes.
func (s *Store) WatchChanges(ctx context.Context, emit func(Change), o WatchOptions) error {
	open := s.openStream
	if open == nil {
		if !s.caps.Transactions {
			return ErrNoChangeStreams
		}
		open = func(ctx context.Context, p mongo.Pipeline, opts *options.ChangeStreamOptionsBuilder) (Stream, error) {
			cs, err := s.db.Watch(ctx, p, opts)
			if err != nil {
				return nil, err
			}
			return driverStream{cs}, nil
		}
		// Deletions carry the record as it was where the collection keeps
		// pre-images (MongoDB 6+); best effort: without them a deletion
		// names only the record's id.
		for c := range watched {
			_ = s.db.RunCommand(ctx, bson.D{{Key: "create", Value: c}}).Err()
			_ = s.db.RunCommand(ctx, bson.D{{Key: "collMod", Value: c},
				{Key: "changeStreamPreAndPostImages", Value: bson.D{{Key: "enabled", Value: true}}}}).Err()
		}
	}
	if o.Attempts <= 0 {
		o.Attempts = 5
	}
	if o.Backoff <= 0 {
		o.Backoff = time.Second
	}
	failed := func(err error) {
		if o.Failed != nil && err != nil {
			o.Failed(err)
		}
	}
	colls := bson.A{}
	for c := range watched {
		colls = append(colls, c)
	}
	pipeline := mongo.Pipeline{{{Key: "$match", Value: bson.D{
		{Key: "ns.coll", Value: bson.D{{Key: "$in", Value: colls}}},
		{Key: "operationType", Value: bson.D{{Key: "$in", Value: bson.A{"insert", "update", "replace", "delete", "invalidate"}}}},
	}}}}
	var resume bson.Raw
	startAfter := false
	startAt := s.operationTime(ctx)
	failures := 0
	wait := func() bool {
		select {
		case <-ctx.Done():
			return false
		case <-time.After(o.Backoff):
			return true
		}
	}
	for ctx.Err() == nil {
		opts := options.ChangeStream().SetFullDocument(options.UpdateLookup).
			SetFullDocumentBeforeChange(options.WhenAvailable)
		switch {
		case resume != nil && startAfter:
			opts.SetStartAfter(resume)
		case resume != nil:
			opts.SetResumeAfter(resume)
		case startAt != nil:
			opts.SetStartAtOperationTime(startAt)
		}
		stream, err := open(ctx, pipeline, opts)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			failed(fmt.Errorf("open the change stream: %w", err))
			if lostHistory(err) {
				resume, startAt = nil, s.operationTime(ctx)
			}
			if failures++; failures >= o.Attempts {
				return fmt.Errorf("change stream: %d opens failed, the last: %w", failures, err)
			}
			if !wait() {
				return nil
			}
			continue
		}
		failures = 0
		if o.Opened != nil {
			o.Opened()
		}
		for {
			got := stream.TryNext(ctx)
			if tok := stream.ResumeToken(); tok != nil {
				resume, startAfter = tok, false
			}
			if got {
				if opType(stream.Event()) == "invalidate" {
					startAfter = true // resuming after an invalidation is refused
					break
				}
				if c, ok := decodeChange(stream.Event()); ok {
					emit(c)
				}
				continue
			}
			if stream.Err() != nil || ctx.Err() != nil {
				break
			}
		}
		err = stream.Err()
		_ = stream.Close(context.WithoutCancel(ctx))
		if ctx.Err() != nil {
			return nil
		}
		if err != nil {
			failed(fmt.Errorf("change stream: %w", err))
			if lostHistory(err) {
				failed(errors.New("change stream: changes between the last resume point and now were not relayed"))
				resume, startAt = nil, s.operationTime(ctx)
			}
		}
		if !wait() {
			return nil
		}
	}
	return nil
}

// lostHistory reports an error a stream cannot resume from.
func lostHistory(err error) bool {
	return hasCode(err, codeHistoryLost, codeFatal)
}

// operationTime is the cluster's time now (nil if unknown): where a stream
// without a resume token starts.
func (s *Store) operationTime(ctx context.Context) *bson.Timestamp {
	raw, err := s.db.RunCommand(ctx, bson.D{{Key: "ping", Value: 1}}).Raw()
	if err != nil {
		return nil
	}
	t, i, ok := raw.Lookup("operationTime").TimestampOK()
	if !ok {
		return nil
	}
	return &bson.Timestamp{T: t, I: i}
}

// opType is a change event's operationType.
func opType(raw bson.Raw) string {
	v, _ := raw.Lookup("operationType").StringValueOK()
	return v
}

// decodeChange turns a change event into a Change.
func decodeChange(raw bson.Raw) (Change, bool) {
	var ev struct {
		Op string `bson:"operationType"`
		NS struct {
			Coll string `bson:"coll"`
		} `bson:"ns"`
		Key struct {
			ID bson.ObjectID `bson:"_id"`
		} `bson:"documentKey"`
		Full   bson.Raw `bson:"fullDocument"`
		Before bson.Raw `bson:"fullDocumentBeforeChange"`
		Update struct {
			Updated bson.M   `bson:"updatedFields"`
			Removed []string `bson:"removedFields"`
		} `bson:"updateDescription"`
	}
	if bson.Unmarshal(raw, &ev) != nil {
		return Change{}, false
	}
	if _, guard := ev.Update.Updated[guardField]; ev.Op == "update" && guard && len(ev.Update.Updated) == 1 && len(ev.Update.Removed) == 0 {
		return Change{}, false // a guard's write (guards.go): no change of the record
	}
	kind, ok := watched[ev.NS.Coll]
	if !ok {
		return Change{}, false
	}
	c := Change{Kind: kind, Op: map[string]string{"insert": "CREATED", "update": "UPDATED", "replace": "UPDATED", "delete": "DELETED"}[ev.Op]}
	doc := ev.Full
	if c.Op == "DELETED" {
		doc = ev.Before
	}
	rec, err := decodeRecord(ev.NS.Coll, doc, ev.Key.ID)
	if err != nil {
		return Change{}, false
	}
	c.Record = rec
	return c, true
}

// decodeRecord decodes a stored document of coll into its domain record;
// with no document (a deletion without pre-image, or an update whose
// record is gone), a record holding only its id, which only a `*` reader
// may see.
func decodeRecord(coll string, doc bson.Raw, id bson.ObjectID) (any, error) {
	if len(doc) == 0 {
		doc, _ = bson.Marshal(bson.D{{Key: "_id", Value: id}, {Key: "owner", Value: "*"}})
	}
	switch coll {
	case colAwards:
		return awards.decode(doc)
	case colMovements:
		return movements.decode(doc)
	case colReviews:
		return reviews.decode(doc)
	case colDossiers:
		return dossiers.decode(doc)
	case colUnits:
		return units.decode(doc)
	case colRegistrations:
		return registrations.decode(doc)
	case colInitiatives:
		return initiatives.decode(doc)
	default:
		var d reportDoc
		if err := bson.Unmarshal(doc, &d); err != nil {
			return nil, err
		}
		return reportToDomain(&d), nil
	}
}
