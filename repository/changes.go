package repository

import (
	"context"
	"errors"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// Change is a committed change of a record, read from MongoDB's change
// stream: the record after it (before it, for a deletion, when the
// collection keeps pre-images; else a record holding only its id).
type Change struct {
	Kind   string // award, movement, periodReview, provinceReport, dossier
	Op     string // CREATED, UPDATED, DELETED
	Record any    // *domain.Award, *domain.Movement, *domain.PeriodReview, *domain.ProvinceReport, *domain.Dossier
}

// ErrNoChangeStreams is returned where the server has no change streams
// (FerretDB, a standalone MongoDB): there the write path publishes.
var ErrNoChangeStreams = errors.New("change streams need a MongoDB replica set")

var watched = map[string]string{colAwards: "award", colMovements: "movement", colReviews: "periodReview", colReports: "provinceReport",
	colDossiers: "dossier"}

// WatchChanges follows the committed changes of awards, movements, reviews,
// province reports and dossiers on a replica set — those of every process, and only
// committed ones — calling emit for each, until ctx ends. It resumes after
// a lost connection from the last change seen. MongoDB only: written to
// run where MongoDB exists, not run here (README).
func (s *Store) WatchChanges(ctx context.Context, emit func(Change)) error {
	if !s.caps.Transactions {
		return ErrNoChangeStreams
	}
	colls := bson.A{}
	for c := range watched {
		colls = append(colls, c)
	}
	pipeline := mongo.Pipeline{{{Key: "$match", Value: bson.D{
		{Key: "ns.coll", Value: bson.D{{Key: "$in", Value: colls}}},
		{Key: "operationType", Value: bson.D{{Key: "$in", Value: bson.A{"insert", "update", "replace", "delete"}}}},
	}}}}
	// Deletions carry the record as it was where the collection keeps
	// pre-images (MongoDB 6+); best effort: without them a deletion names
	// only the record's id.
	for c := range watched {
		_ = s.db.RunCommand(ctx, bson.D{{Key: "create", Value: c}}).Err()
		_ = s.db.RunCommand(ctx, bson.D{{Key: "collMod", Value: c},
			{Key: "changeStreamPreAndPostImages", Value: bson.D{{Key: "enabled", Value: true}}}}).Err()
	}
	var resume bson.Raw
	for ctx.Err() == nil {
		opts := options.ChangeStream().SetFullDocument(options.UpdateLookup).
			SetFullDocumentBeforeChange(options.WhenAvailable)
		if resume != nil {
			opts.SetResumeAfter(resume)
		}
		stream, err := s.db.Watch(ctx, pipeline, opts)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			time.Sleep(time.Second)
			continue
		}
		for stream.Next(ctx) {
			resume = stream.ResumeToken()
			if c, ok := decodeChange(stream.Current); ok {
				emit(c)
			}
		}
		_ = stream.Close(context.WithoutCancel(ctx))
		if ctx.Err() == nil {
			time.Sleep(time.Second)
		}
	}
	return nil
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
	}
	if bson.Unmarshal(raw, &ev) != nil {
		return Change{}, false
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
	default:
		var d reportDoc
		if err := bson.Unmarshal(doc, &d); err != nil {
			return nil, err
		}
		return reportToDomain(&d), nil
	}
}
