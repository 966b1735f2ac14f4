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

// keysetFilter returns the filter selecting documents after the cursor.
func (o order[D]) keysetFilter(after string) (bson.D, error) {
	bad := domain.Invalid("after", "malformed cursor")
	raw, err := base64.RawURLEncoding.DecodeString(after)
	if err != nil {
		return nil, bad
	}
	var c cursor
	if err := json.Unmarshal(raw, &c); err != nil {
		return nil, bad
	}
	id, err := bson.ObjectIDFromHex(c.I)
	if err != nil {
		return nil, bad
	}
	// JSON numbers decode as float64; the sort keys here are ints or strings.
	var k any
	switch v := c.K.(type) {
	case float64:
		k = int64(v)
	case string:
		k = v
	default:
		return nil, bad
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
	dir := 1
	if o.desc {
		dir = -1
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
		SetSort(bson.D{{Key: o.field, Value: dir}, {Key: "_id", Value: dir}}).
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
