package repository

import (
	"context"
	"errors"
	"fmt"

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

// getOne finds one record by id within the read access. The query names
// only _id, which every server answers from its primary key (FerretDB on
// SQLite pushes down nothing else); the access is applied to the result.
func getOne[T any](ctx context.Context, s *Store, coll, kind string, id bson.ObjectID, acc Access) (*T, error) {
	raw, err := s.byID(ctx, coll, id)
	if errors.Is(err, errNoDocument) || err == nil && !acc.sees(raw) {
		return nil, domain.NotFound(kind, id.Hex())
	}
	if err != nil {
		return nil, err
	}
	var doc T
	if err := bson.Unmarshal(raw, &doc); err != nil {
		return nil, fmt.Errorf("decode %s: %w", kind, err)
	}
	return &doc, nil
}

// byID reads one raw document by _id.
func (s *Store) byID(ctx context.Context, coll string, id bson.ObjectID) (bson.Raw, error) {
	raw, err := s.c(coll).FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Raw()
	return raw, mapErr(err)
}

// sees reports whether a record is within the read access: published, or
// owned by a scope of the access.
func (a Access) sees(raw bson.Raw) bool {
	if a.All {
		return true
	}
	if pub, ok := raw.Lookup("published").BooleanOK(); ok && pub {
		return true
	}
	owner, _ := raw.Lookup("owner").StringValueOK()
	return a.allows(owner)
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

// update applies the fields change returns (given the stored record, which
// it may refuse) to the record and returns it as it was before and as
// it is after the write (the audit trail records the difference).
//
// The record is read by _id and checked here: visible to the caller (else
// NOT_FOUND), within its write access (else FORBIDDEN), at the expected
// version (else CONFLICT). The write then carries the same conditions, so
// on MongoDB it is atomic; on FerretDB, whose findAndModify is not, the
// in-process lock held since the read makes it so, and the write names only
// _id, which FerretDB on SQLite answers without scanning the collection.
func update[T any](ctx context.Context, s *Store, w versioned, change func(old *T) (bson.D, error)) (before, after *T, err error) {
	defer s.lock(w.coll, w.id.Hex())()
	var old, doc T
	if err := s.check(ctx, w, &old); err != nil {
		return nil, nil, err
	}
	set, err := change(&old)
	if err != nil {
		return nil, nil, err
	}
	upd := bson.D{
		{Key: "$set", Value: append(set, bson.E{Key: "updatedAt", Value: s.stamp()})},
		{Key: "$inc", Value: bson.D{{Key: "version", Value: 1}}},
	}
	err = mapErr(s.c(w.coll).FindOneAndUpdate(ctx, s.writeFilter(w), upd,
		options.FindOneAndUpdate().SetReturnDocument(options.After)).Decode(&doc))
	if errors.Is(err, errNoDocument) {
		return nil, nil, s.whyNot(ctx, w)
	}
	if err != nil {
		return nil, nil, err
	}
	return &old, &doc, nil
}

// remove deletes the record and returns it as it was; checked as update is,
// and refused when guard (if any), given the stored record, says so.
func remove[T any](ctx context.Context, s *Store, w versioned, guard func(old *T) error) (*T, error) {
	defer s.lock(w.coll, w.id.Hex())()
	var old T
	if err := s.check(ctx, w, &old); err != nil {
		return nil, err
	}
	if guard != nil {
		if err := guard(&old); err != nil {
			return nil, err
		}
	}
	err := mapErr(s.c(w.coll).FindOneAndDelete(ctx, s.writeFilter(w)).Err())
	if errors.Is(err, errNoDocument) {
		return nil, s.whyNot(ctx, w)
	}
	if err != nil {
		return nil, err
	}
	return &old, nil
}

// check reads the record a conditional write is about into out, and says
// why the write cannot happen, if it cannot.
func (s *Store) check(ctx context.Context, w versioned, out any) error {
	raw, err := s.byID(ctx, w.coll, w.id)
	if errors.Is(err, errNoDocument) {
		return domain.NotFound(w.kind, w.id.Hex())
	}
	if err != nil {
		return err
	}
	if err := explain(w, raw); err != nil {
		return err
	}
	if err := bson.Unmarshal(raw, out); err != nil {
		return fmt.Errorf("decode %s: %w", w.kind, err)
	}
	return nil
}

// explain says why a conditional write cannot apply to the record raw, or
// nil if it can: a record the caller cannot change may still be one it can
// read (published); one it can neither read nor change does not exist for it.
func explain(w versioned, raw bson.Raw) error {
	owner, _ := raw.Lookup("owner").StringValueOK()
	version, _ := raw.Lookup("version").AsInt64OK()
	switch {
	case !w.read.sees(raw) && !w.write.allows(owner):
		return domain.NotFound(w.kind, w.id.Hex())
	case !w.write.allows(owner):
		return domain.Forbidden("your roles do not allow changing this %s", w.kind)
	case int(version) != w.expected:
		return domain.Conflict("%s %s is at version %d, not %d", w.kind, w.id.Hex(), version, w.expected)
	}
	return nil
}

// writeFilter is the filter of a checked conditional write (see update).
func (s *Store) writeFilter(w versioned) bson.D {
	if s.caps.FerretDB {
		return bson.D{{Key: "_id", Value: w.id}}
	}
	return w.filter()
}

func (w versioned) filter() bson.D {
	return and(bson.D{{Key: "_id", Value: w.id}, {Key: "version", Value: w.expected}}, w.write.writeFilter())
}

// whyNot explains a conditional write that matched nothing although its
// check passed: the record changed or went away in between (MongoDB only).
func (s *Store) whyNot(ctx context.Context, w versioned) error {
	raw, err := s.byID(ctx, w.coll, w.id)
	if errors.Is(err, errNoDocument) {
		return domain.NotFound(w.kind, w.id.Hex())
	}
	if err != nil {
		return err
	}
	if err := explain(w, raw); err != nil {
		return err
	}
	return domain.Conflict("%s %s changed concurrently; read it again", w.kind, w.id.Hex())
}

// isEmpty reports whether a collection has no documents.
func (s *Store) isEmpty(ctx context.Context, coll string) (bool, error) {
	err := mapErr(s.c(coll).FindOne(ctx, bson.D{}, options.FindOne().SetProjection(bson.D{{Key: "_id", Value: 1}})).Err())
	if errors.Is(err, errNoDocument) {
		return true, nil
	}
	return false, err
}
