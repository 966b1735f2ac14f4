package repository

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/thidua/thidua/domain"
)

// kind describes a collection of records: its name, what a record is called
// in errors, and the conversions between its documents (D) and the domain's
// records (T).
type kind[D, T any] struct {
	coll, name string
	toDomain   func(*D) *T
	toDoc      func(*T) (*D, error)
	// kept changes the read model after an acknowledged write, inside the
	// write's lock (readmodel.go).
	kept func(s *Store, rec *T, deleted bool)
}

var (
	movements = kind[movementDoc, domain.Movement]{colMovements, "movement", movementToDomain, movementToDoc, (*Store).keptMovement}
	awards    = kind[awardDoc, domain.Award]{colAwards, "award", awardToDomain, awardToDoc, (*Store).keptAward}
	reviews   = kind[reviewDoc, domain.PeriodReview]{colReviews, "period review", reviewToDomain, reviewToDoc,
		func(s *Store, r *domain.PeriodReview, _ bool) { s.keptReview(r) }}
)

// decode turns a raw document into a domain record.
func (k kind[D, T]) decode(raw bson.Raw) (*T, error) {
	var doc D
	if err := bson.Unmarshal(raw, &doc); err != nil {
		return nil, fmt.Errorf("decode %s: %w", k.name, err)
	}
	return k.toDomain(&doc), nil
}

// getOne finds one record by id within the read access. The query names
// only _id, which every server answers from its primary key (FerretDB on
// SQLite pushes down nothing else); the access is applied to the result.
func getOne[D, T any](ctx context.Context, s *Store, k kind[D, T], id string, acc domain.Access) (*T, error) {
	oid, ok := parseID(id)
	if !ok {
		return nil, domain.NotFound(k.name, id)
	}
	raw, err := s.byID(ctx, k.coll, oid)
	if errors.Is(err, errNoDocument) || err == nil && !sees(acc, raw) {
		return nil, domain.NotFound(k.name, id)
	}
	if err != nil {
		return nil, err
	}
	return k.decode(raw)
}

// byID reads one raw document by _id.
func (s *Store) byID(ctx context.Context, coll string, id any) (bson.Raw, error) {
	raw, err := s.c(coll).FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Raw()
	return raw, mapErr(err)
}

// byIDPrimary reads one raw document by _id from the primary: the read
// before a checked write, whatever read preference the URI names.
func (s *Store) byIDPrimary(ctx context.Context, coll string, id any) (bson.Raw, error) {
	raw, err := s.primary(coll).FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Raw()
	return raw, mapErr(err)
}

// sees reports whether a record is within the read access: published, or
// owned by a scope of the access.
func sees(a domain.Access, raw bson.Raw) bool {
	pub, _ := raw.Lookup("published").BooleanOK()
	owner, _ := raw.Lookup("owner").StringValueOK()
	return a.Sees(pub, owner)
}

// parseIDs parses ids, leaving out those that cannot be ids (they name
// nothing).
func parseIDs(ids []string) bson.A {
	out := bson.A{}
	for _, id := range ids {
		if oid, ok := parseID(id); ok {
			out = append(out, oid)
		}
	}
	return out
}

// getMany finds records by id within the read access, keyed by id.
func getMany[D, T any](ctx context.Context, s *Store, k kind[D, T], ids []string, acc domain.Access, idOf func(*T) string) (map[string]*T, error) {
	out := make(map[string]*T, len(ids))
	oids := parseIDs(ids)
	if len(oids) == 0 {
		return out, nil
	}
	cur, err := s.c(k.coll).Find(ctx, and(bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: oids}}}}, readFilter(acc)))
	if err != nil {
		return nil, mapErr(err)
	}
	var docs []D
	if err := cur.All(ctx, &docs); err != nil {
		return nil, mapErr(err)
	}
	for i := range docs {
		r := k.toDomain(&docs[i])
		out[idOf(r)] = r
	}
	return out, nil
}

// listAll lists a whole (small) collection.
func listAll[D, T any](ctx context.Context, s *Store, coll string, sort bson.D, toDomain func(*D) *T) ([]T, error) {
	return findList(ctx, s, coll, bson.D{}, sort, 0, toDomain)
}

// findList finds the records a filter selects, in sort order, at most
// limit of them (0: all; sort nil: the server's order).
func findList[D, T any](ctx context.Context, s *Store, coll string, filter, sort bson.D, limit int64, toDomain func(*D) *T) ([]T, error) {
	opts := options.Find()
	if sort != nil {
		opts.SetSort(sort)
	}
	if limit > 0 {
		opts.SetLimit(limit)
	}
	cur, err := s.c(coll).Find(ctx, filter, opts)
	if err != nil {
		return nil, mapErr(err)
	}
	var docs []D
	if err := cur.All(ctx, &docs); err != nil {
		return nil, mapErr(err)
	}
	out := make([]T, len(docs))
	for i := range docs {
		out[i] = *toDomain(&docs[i])
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
	hex        string // the id as the caller gave it
	expected   int
	read       domain.Access // what the caller may see, to explain a refusal
	write      domain.Access // what the caller may change
}

func newVersioned[D, T any](k kind[D, T], id string, expected int, read, write domain.Access) (versioned, error) {
	oid, ok := parseID(id)
	if !ok {
		return versioned{}, domain.NotFound(k.name, id)
	}
	return versioned{coll: k.coll, kind: k.name, id: oid, hex: id, expected: expected, read: read, write: write}, nil
}

// maintained are the stored fields the repository keeps itself: an update
// never takes them from the caller's record.
var maintained = map[string]bool{"_id": true, "createdAt": true, "version": true, "updatedAt": true}

// update replaces the stored fields of a record with those of the record
// change returns (given the stored record, which it may refuse), and returns
// the record as it was before and as it is after the write (the audit trail
// records the difference). The repository keeps _id and createdAt, counts
// the version and stamps updatedAt.
//
// The record is read by _id and checked here: visible to the caller (else
// NOT_FOUND), within its write access (else FORBIDDEN), at the expected
// version (else CONFLICT). The write then carries the same conditions, so
// on MongoDB it is atomic; on FerretDB, whose findAndModify is not, the
// in-process lock held since the read makes it so, and the write names only
// _id, which FerretDB on SQLite answers without scanning the collection.
func update[D, T any](ctx context.Context, s *Store, k kind[D, T], id string, expected int, read, write domain.Access,
	change func(old *T) (*T, error)) (before, after *T, err error) {
	w, err := newVersioned(k, id, expected, read, write)
	if err != nil {
		return nil, nil, err
	}
	defer s.lock(w.coll, w.id.Hex())()
	raw, err := s.check(ctx, w)
	if err != nil {
		return nil, nil, err
	}
	// Two decodings: change may modify the record it is given, before stays
	// as stored.
	if before, err = k.decode(raw); err != nil {
		return nil, nil, err
	}
	old, err := k.decode(raw)
	if err != nil {
		return nil, nil, err
	}
	rec, err := change(old)
	if err != nil {
		return nil, nil, err
	}
	if rec == nil {
		return nil, nil, fmt.Errorf("update %s: the change returned no record", k.name)
	}
	doc, err := k.toDoc(rec)
	if err != nil {
		return nil, nil, err
	}
	set, unset, err := fieldsOf(doc)
	if err != nil {
		return nil, nil, fmt.Errorf("encode %s: %w", k.name, err)
	}
	upd := bson.D{
		{Key: "$set", Value: append(set, bson.E{Key: "updatedAt", Value: s.stamp()})},
		{Key: "$inc", Value: bson.D{{Key: "version", Value: 1}}},
	}
	if len(unset) > 0 {
		upd = append(upd, bson.E{Key: "$unset", Value: unset})
	}
	var out D
	err = mapErr(s.c(w.coll).FindOneAndUpdate(ctx, s.writeFilter(w), upd,
		options.FindOneAndUpdate().SetReturnDocument(options.After)).Decode(&out))
	if errors.Is(err, errNoDocument) {
		return nil, nil, s.whyNot(ctx, w)
	}
	if err != nil {
		resync(ctx, s, k, w.id) // the server may have applied it
		return nil, nil, err
	}
	after = k.toDomain(&out)
	if k.kept != nil {
		k.kept(s, after, false)
	}
	return before, after, nil
}

// fieldsOf splits a document into the fields to $set (every stored field
// but the maintained ones) and those to $unset: the optional (omitempty)
// fields of its type that it leaves out, so that clearing an optional field
// clears it in storage too. Fields the type does not know are left alone.
func fieldsOf(doc any) (set, unset bson.D, err error) {
	raw, err := bson.Marshal(doc)
	if err != nil {
		return nil, nil, err
	}
	var d bson.D
	if err := bson.Unmarshal(raw, &d); err != nil {
		return nil, nil, err
	}
	present := map[string]bool{}
	for _, e := range d {
		present[e.Key] = true
		if !maintained[e.Key] {
			set = append(set, e)
		}
	}
	for _, key := range optionalKeys(reflect.TypeOf(doc)) {
		if !present[key] && !maintained[key] {
			unset = append(unset, bson.E{Key: key, Value: ""})
		}
	}
	return set, unset, nil
}

// optionalKeys lists the top-level keys of a document type tagged omitempty.
func optionalKeys(t reflect.Type) []string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	var out []string
	for i := 0; i < t.NumField(); i++ {
		tag := t.Field(i).Tag.Get("bson")
		name, opts, _ := strings.Cut(tag, ",")
		if name != "" && name != "-" && strings.Contains(","+opts+",", ",omitempty,") {
			out = append(out, name)
		}
	}
	return out
}

// remove deletes the record and returns it as it was; checked as update is,
// and refused when guard (if any), given the stored record, says so. The
// guard runs after the checks, so that it says nothing about a record the
// caller may not see or change.
func remove[D, T any](ctx context.Context, s *Store, k kind[D, T], id string, expected int, read, write domain.Access,
	guard func(old *T) error) (*T, error) {
	w, err := newVersioned(k, id, expected, read, write)
	if err != nil {
		return nil, err
	}
	defer s.lock(w.coll, w.id.Hex())()
	raw, err := s.check(ctx, w)
	if err != nil {
		return nil, err
	}
	old, err := k.decode(raw)
	if err != nil {
		return nil, err
	}
	if guard != nil {
		if err := guard(old); err != nil {
			return nil, err
		}
	}
	err = mapErr(s.c(w.coll).FindOneAndDelete(ctx, s.writeFilter(w)).Err())
	if errors.Is(err, errNoDocument) {
		return nil, s.whyNot(ctx, w)
	}
	if err != nil {
		resync(ctx, s, k, w.id) // the server may have applied it
		return nil, err
	}
	if k.kept != nil {
		k.kept(s, old, true)
	}
	return old, nil
}

// check reads the record a conditional write is about, and says why the
// write cannot happen, if it cannot.
func (s *Store) check(ctx context.Context, w versioned) (bson.Raw, error) {
	raw, err := s.byIDPrimary(ctx, w.coll, w.id)
	if errors.Is(err, errNoDocument) {
		return nil, domain.NotFound(w.kind, w.hex)
	}
	if err != nil {
		return nil, err
	}
	if err := explain(w, raw); err != nil {
		return nil, err
	}
	return raw, nil
}

// explain says why a conditional write cannot apply to the record raw, or
// nil if it can: a record the caller cannot change may still be one it can
// read (published); one it can neither read nor change does not exist for it.
func explain(w versioned, raw bson.Raw) error {
	owner, _ := raw.Lookup("owner").StringValueOK()
	version, _ := raw.Lookup("version").AsInt64OK()
	switch {
	case !sees(w.read, raw) && !w.write.Allows(owner):
		return domain.NotFound(w.kind, w.hex)
	case !w.write.Allows(owner):
		return domain.Forbidden("your roles do not allow changing this %s", w.kind)
	case int(version) != w.expected:
		return domain.Conflict("%s %s is at version %d, not %d", w.kind, w.hex, version, w.expected)
	}
	return nil
}

// writeFilter is the filter of a checked conditional write (see update).
func (s *Store) writeFilter(w versioned) bson.D {
	return s.checkedFilter(w.id, w.expected, w.write)
}

// checkedFilter is the filter of every write that was checked in Go first
// (update, remove, SetClusterYear, CloseVote, the reference writes): on
// MongoDB the record's _id, the version the check read and the owners the
// write access covers, so that the server applies the write only if
// nothing changed since the check (atomic, no lock). On FerretDB _id
// alone: FerretDB 1.24 on SQLite pushes down only a lone {_id} filter, and
// measured with version and owner in the filter a findAndModify read the
// whole collection (5x slower at 1,000 documents, growing with the
// collection; docs/storage.md). There the in-process lock held since the check
// makes the write exact instead.
func (s *Store) checkedFilter(id any, expected int, write domain.Access) bson.D {
	if s.caps.FerretDB {
		return bson.D{{Key: "_id", Value: id}}
	}
	return and(bson.D{{Key: "_id", Value: id}, {Key: "version", Value: expected}}, writeFilter(write))
}

// whyNot explains a conditional write that matched nothing although its
// check passed: the record changed or went away in between (MongoDB only).
func (s *Store) whyNot(ctx context.Context, w versioned) error {
	raw, err := s.byIDPrimary(ctx, w.coll, w.id)
	if errors.Is(err, errNoDocument) {
		return domain.NotFound(w.kind, w.hex)
	}
	if err != nil {
		return err
	}
	if err := explain(w, raw); err != nil {
		return err
	}
	return domain.Conflict("%s %s changed concurrently; read it again", w.kind, w.hex)
}

// exists reports whether a query matches at least one document.
func (s *Store) exists(ctx context.Context, coll string, filter bson.D) (bool, error) {
	err := mapErr(s.c(coll).FindOne(ctx, filter, options.FindOne().SetProjection(bson.D{{Key: "_id", Value: 1}})).Err())
	if errors.Is(err, errNoDocument) {
		return false, nil
	}
	return err == nil, err
}

// ownersIn returns the owners of a, as a bson array ([] when none).
func ownersIn(a domain.Access) bson.A {
	out := bson.A{}
	for _, o := range a.Owners {
		out = append(out, o)
	}
	return out
}

// readFilter restricts a query to published records and those the access
// covers.
func readFilter(a domain.Access) bson.D {
	if a.All {
		return nil
	}
	return bson.D{{Key: "$or", Value: bson.A{
		bson.D{{Key: "published", Value: true}},
		bson.D{{Key: "owner", Value: bson.D{{Key: "$in", Value: ownersIn(a)}}}},
	}}}
}

// writeFilter restricts a write to records the access covers.
func writeFilter(a domain.Access) bson.D {
	if a.All {
		return nil
	}
	return bson.D{{Key: "owner", Value: bson.D{{Key: "$in", Value: ownersIn(a)}}}}
}

// and joins filters: into one document when their keys differ (a flat
// filter is what servers push down to their storage best: FerretDB on
// PostgreSQL only pushes down top-level equalities), with $and otherwise.
func and(filters ...bson.D) bson.D {
	var parts []bson.D
	seen := map[string]bool{}
	flat := true
	for _, f := range filters {
		if len(f) == 0 {
			continue
		}
		parts = append(parts, f)
		for _, e := range f {
			if seen[e.Key] {
				flat = false
			}
			seen[e.Key] = true
		}
	}
	switch {
	case len(parts) == 0:
		return bson.D{}
	case len(parts) == 1:
		return parts[0]
	case flat:
		var out bson.D
		for _, p := range parts {
			out = append(out, p...)
		}
		return out
	default:
		arr := make(bson.A, len(parts))
		for i, p := range parts {
			arr[i] = p
		}
		return bson.D{{Key: "$and", Value: arr}}
	}
}
