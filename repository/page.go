package repository

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/thidua/thidua/domain"
)

// order is a keyset ordering: one sort field, then _id, in one direction.
type order[D any] struct {
	field string
	desc  bool
	key   func(doc *D) any // the sort value of a document
	id    func(doc *D) any // the _id of a document
}

type cursor struct {
	K any    `json:"k"`
	I string `json:"i"`
}

func encodeCursor(k any, id any) string {
	var ids string
	switch v := id.(type) {
	case bson.ObjectID:
		ids = v.Hex()
	default:
		ids = fmt.Sprint(v)
	}
	b, _ := json.Marshal(cursor{K: k, I: ids})
	return base64.RawURLEncoding.EncodeToString(b)
}

// memCursor is a decoded keyset cursor, for the database path and the
// read model alike.
type memCursor struct {
	key any // int for years, string for titles and dates
	id  string
}

// decodeCursor reads a cursor; a malformed one is BAD_USER_INPUT on after.
func decodeCursor(after string) (*memCursor, error) {
	bad := domain.Invalid("after", "malformed cursor")
	raw, err := base64.RawURLEncoding.DecodeString(after)
	if err != nil {
		return nil, bad
	}
	var c cursor
	if err := json.Unmarshal(raw, &c); err != nil {
		return nil, bad
	}
	if _, err := bson.ObjectIDFromHex(c.I); err != nil {
		return nil, bad
	}
	switch v := c.K.(type) {
	case float64:
		return &memCursor{key: int(v), id: c.I}, nil
	case string:
		return &memCursor{key: v, id: c.I}, nil
	}
	return nil, bad
}

// keysetFilter returns the filter selecting documents after the cursor.
func (o order[D]) keysetFilter(after string) (bson.D, error) {
	c, err := decodeCursor(after)
	if err != nil {
		return nil, err
	}
	id, _ := bson.ObjectIDFromHex(c.id) // checked by decodeCursor
	k := c.key
	if y, ok := k.(int); ok {
		k = int64(y)
	}
	op := "$gt"
	if o.desc {
		op = "$lt"
	}
	return bson.D{{Key: "$or", Value: bson.A{
		bson.D{{Key: o.field, Value: bson.D{{Key: op, Value: k}}}},
		bson.D{{Key: o.field, Value: k}, {Key: "_id", Value: bson.D{{Key: op, Value: id}}}},
	}}}, nil
}

// sort is the order's sort document: its field, then _id, both ways alike.
func (o order[D]) sort() bson.D {
	dir := 1
	if o.desc {
		dir = -1
	}
	return bson.D{{Key: o.field, Value: dir}, {Key: "_id", Value: dir}}
}

func pageSize(first *int) (int, error) {
	if first == nil {
		return domain.DefaultPageSize, nil
	}
	if *first < 0 || *first > domain.MaxPageSize {
		return 0, domain.Invalid("first", "must be between 0 and %d", domain.MaxPageSize)
	}
	return *first, nil
}

// findPage runs one keyset-paginated query.
func findPage[D, T any](ctx context.Context, s *Store, coll string, filter bson.D, o order[D], toDomain func(*D) *T,
	args domain.PageArgs) (*domain.Page[T], error) {
	n, err := pageSize(args.First)
	if err != nil {
		return nil, err
	}
	q := filter
	if args.After != nil && *args.After != "" {
		ks, err := o.keysetFilter(*args.After)
		if err != nil {
			return nil, err
		}
		q = and(filter, ks)
	}
	page := &domain.Page[T]{
		HasPrev: args.After != nil && *args.After != "",
		Count: func(ctx context.Context) (int, error) {
			c, err := s.c(coll).CountDocuments(ctx, filter)
			return int(c), mapErr(err)
		},
	}
	if n == 0 {
		return page, nil
	}
	opts := options.Find().
		SetSort(o.sort()).
		SetLimit(int64(n + 1))
	cur, err := s.c(coll).Find(ctx, q, opts)
	if err != nil {
		return nil, mapErr(err)
	}
	var docs []D
	if err := cur.All(ctx, &docs); err != nil {
		return nil, mapErr(err)
	}
	if len(docs) > n {
		docs = docs[:n]
		page.HasNext = true
	}
	page.Items = make([]T, len(docs))
	for i := range docs {
		page.Items[i] = *toDomain(&docs[i])
		page.Cursors = append(page.Cursors, encodeCursor(o.key(&docs[i]), o.id(&docs[i])))
	}
	return page, nil
}
