package repository

import (
	"context"
	"errors"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/thidua/thidua/domain"
)

// ParseID parses a record id given by a client; field names the argument.
func ParseID(field, id string) (bson.ObjectID, error) {
	oid, err := bson.ObjectIDFromHex(id)
	if err != nil {
		return oid, domain.Invalid(field, "%q is not a valid id", id)
	}
	return oid, nil
}

// getOne finds one record by id within the read access.
func getOne[T any](ctx context.Context, s *Store, coll, kind string, id bson.ObjectID, acc Access) (*T, error) {
	var doc T
	err := mapErr(s.c(coll).FindOne(ctx, and(bson.D{{Key: "_id", Value: id}}, acc.readFilter())).Decode(&doc))
	if errors.Is(err, errNoDocument) {
		return nil, domain.NotFound(kind, id.Hex())
	}
	if err != nil {
		return nil, err
	}
	return &doc, nil
}

// getMany finds records by id within the read access, keyed by id.
func getMany[T any](ctx context.Context, s *Store, coll string, ids []bson.ObjectID, acc Access, idOf func(*T) bson.ObjectID) (map[bson.ObjectID]*T, error) {
	out := make(map[bson.ObjectID]*T, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	cur, err := s.c(coll).Find(ctx, and(bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: ids}}}}, acc.readFilter()))
	if err != nil {
		return nil, mapErr(err)
	}
	var docs []T
	if err := cur.All(ctx, &docs); err != nil {
		return nil, mapErr(err)
	}
	for i := range docs {
		out[idOf(&docs[i])] = &docs[i]
	}
	return out, nil
}

// insert stores a new record.
func insert(ctx context.Context, s *Store, coll string, doc any) error {
	_, err := s.c(coll).InsertOne(ctx, doc)
	return mapErr(err)
}

// versioned describes a conditional write on one record: it applies only if
// the record has the expected version and is within the write access.
type versioned struct {
	coll, kind string
	id         bson.ObjectID
	expected   int
	read       Access // what the caller may see, to explain a refusal
	write      Access // what the caller may change
}

// update applies set to the record and returns it as it was before and as
// it is after the write (the audit trail records the difference). The record
// is read with the write's own condition, so "before" is exactly the version
// the write replaced: if it changed in between, the write matches nothing.
func update[T any](ctx context.Context, s *Store, w versioned, set bson.D) (before, after *T, err error) {
	defer s.lock(w.coll, w.id.Hex())()
	var old, doc T
	err = mapErr(s.c(w.coll).FindOne(ctx, w.filter()).Decode(&old))
	if errors.Is(err, errNoDocument) {
		return nil, nil, s.whyNot(ctx, w)
	}
	if err != nil {
		return nil, nil, err
	}
	upd := bson.D{
		{Key: "$set", Value: append(set, bson.E{Key: "updatedAt", Value: s.stamp()})},
		{Key: "$inc", Value: bson.D{{Key: "version", Value: 1}}},
	}
	err = mapErr(s.c(w.coll).FindOneAndUpdate(ctx, w.filter(), upd,
		options.FindOneAndUpdate().SetReturnDocument(options.After)).Decode(&doc))
	if errors.Is(err, errNoDocument) {
		return nil, nil, s.whyNot(ctx, w)
	}
	if err != nil {
		return nil, nil, err
	}
	return &old, &doc, nil
}

// remove deletes the record and returns it as it was.
func remove[T any](ctx context.Context, s *Store, w versioned) (*T, error) {
	defer s.lock(w.coll, w.id.Hex())()
	var old T
	err := mapErr(s.c(w.coll).FindOneAndDelete(ctx, w.filter()).Decode(&old))
	if errors.Is(err, errNoDocument) {
		return nil, s.whyNot(ctx, w)
	}
	if err != nil {
		return nil, err
	}
	return &old, nil
}

func (w versioned) filter() bson.D {
	return and(bson.D{{Key: "_id", Value: w.id}, {Key: "version", Value: w.expected}}, w.write.writeFilter())
}

// whyNot explains a conditional write that matched nothing: the record is
// absent (or invisible), out of the caller's scope, or at another version.
func (s *Store) whyNot(ctx context.Context, w versioned) error {
	var cur struct {
		Owner   string `bson:"owner"`
		Version int    `bson:"version"`
	}
	// A record the caller cannot change may still be one it can read
	// (published); one it can neither read nor change does not exist for it.
	err := mapErr(s.c(w.coll).FindOne(ctx, and(bson.D{{Key: "_id", Value: w.id}}, w.read.readFilter())).Decode(&cur))
	switch {
	case errors.Is(err, errNoDocument):
		return domain.NotFound(w.kind, w.id.Hex())
	case err != nil:
		return err
	case !w.write.allows(cur.Owner):
		return domain.Forbidden("your roles do not allow changing this %s", w.kind)
	case cur.Version != w.expected:
		return domain.Conflict("%s %s is at version %d, not %d", w.kind, w.id.Hex(), cur.Version, w.expected)
	default:
		return domain.Conflict("%s %s changed concurrently; read it again", w.kind, w.id.Hex())
	}
}

// isEmpty reports whether a collection has no documents.
func (s *Store) isEmpty(ctx context.Context, coll string) (bool, error) {
	err := mapErr(s.c(coll).FindOne(ctx, bson.D{}, options.FindOne().SetProjection(bson.D{{Key: "_id", Value: 1}})).Err())
	if errors.Is(err, errNoDocument) {
		return true, nil
	}
	return false, err
}
