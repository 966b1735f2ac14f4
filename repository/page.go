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

// MaxPageSize is the largest page a list query returns.
const MaxPageSize = 100

// DefaultPageSize is the page size when none is asked for.
const DefaultPageSize = 20

// PageArgs are Relay forward-pagination arguments.
type PageArgs struct {
	First *int
	After *string
}

// Page is one page of a list.
type Page[T any] struct {
	Items   []T
	Cursors []string
	HasNext bool
	HasPrev bool
	// Count counts every record that matches the filter (and the access),
	// in one more round trip; call it only when totalCount is asked for.
	Count func(ctx context.Context) (int, error)
}

// order is a keyset ordering: one sort field, then _id, in one direction.
type order struct {
	field string
	desc  bool
	key   func(doc any) any // the sort value of a document
	id    func(doc any) any // the _id of a document
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
func (o order) keysetFilter(after string) (bson.D, error) {
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
		return DefaultPageSize, nil
	}
	if *first < 0 || *first > MaxPageSize {
		return 0, domain.Invalid("first", "must be between 0 and %d", MaxPageSize)
	}
	return *first, nil
}

// findPage runs one keyset-paginated query.
func findPage[T any](ctx context.Context, s *Store, coll string, filter bson.D, o order, args PageArgs) (*Page[T], error) {
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
	page := &Page[T]{
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
	var items []T
	if err := cur.All(ctx, &items); err != nil {
		return nil, mapErr(err)
	}
	if len(items) > n {
		items = items[:n]
		page.HasNext = true
	}
	page.Items = items
	for i := range items {
		page.Cursors = append(page.Cursors, encodeCursor(o.key(&items[i]), o.id(&items[i])))
	}
	return page, nil
}
