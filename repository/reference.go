package repository

import (
	"context"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// Reference data (provinces and the catalogues) is small and read on every
// request; it is listed whole and kept in memory by package reference.

// Provinces lists every province, ordered by id.
func (s *Store) Provinces(ctx context.Context) ([]Province, error) {
	return listAll[Province](ctx, s, colProvinces, bson.D{{Key: "_id", Value: 1}})
}

// AwardTypes lists the award-type catalogue in its order.
func (s *Store) AwardTypes(ctx context.Context) ([]AwardType, error) {
	return listAll[AwardType](ctx, s, colAwardTypes, bson.D{{Key: "order", Value: 1}, {Key: "_id", Value: 1}})
}

// Indicators lists the indicator catalogue in its order.
func (s *Store) Indicators(ctx context.Context) ([]Indicator, error) {
	return listAll[Indicator](ctx, s, colIndicators, bson.D{{Key: "order", Value: 1}, {Key: "_id", Value: 1}})
}

func listAll[T any](ctx context.Context, s *Store, coll string, sort bson.D) ([]T, error) {
	cur, err := s.c(coll).Find(ctx, bson.D{}, options.Find().SetSort(sort))
	if err != nil {
		return nil, mapErr(err)
	}
	var out []T
	if err := cur.All(ctx, &out); err != nil {
		return nil, mapErr(err)
	}
	return out, nil
}

// PutProvince inserts or replaces a province (seeding, administration).
func (s *Store) PutProvince(ctx context.Context, p *Province) error {
	return s.put(ctx, colProvinces, p.ID, p, &p.Meta)
}

// PutAwardType inserts or replaces an award type.
func (s *Store) PutAwardType(ctx context.Context, t *AwardType) error {
	return s.put(ctx, colAwardTypes, t.ID, t, &t.Meta)
}

// PutIndicator inserts or replaces an indicator.
func (s *Store) PutIndicator(ctx context.Context, i *Indicator) error {
	return s.put(ctx, colIndicators, i.ID, i, &i.Meta)
}

// put upserts a reference record keyed by a slug, keeping createdAt and
// counting versions.
func (s *Store) put(ctx context.Context, coll, id string, doc any, m *Meta) error {
	defer s.lock(coll, id)()
	var old struct {
		Meta `bson:",inline"`
	}
	err := mapErr(s.c(coll).FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&old))
	now := s.stamp()
	switch {
	case err == errNoDocument:
		*m = Meta{Version: 1, CreatedAt: now, UpdatedAt: now}
		return insert(ctx, s, coll, doc)
	case err != nil:
		return err
	}
	*m = Meta{Version: old.Version + 1, CreatedAt: old.CreatedAt, UpdatedAt: now}
	_, err = s.c(coll).ReplaceOne(ctx, bson.D{{Key: "_id", Value: id}, {Key: "version", Value: old.Version}}, doc)
	return mapErr(err)
}
