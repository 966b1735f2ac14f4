package repository

import (
	"context"
	"errors"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/thidua/thidua/vntext"
)

// MovementFilter selects movements; zero fields select everything.
type MovementFilter struct {
	Scope      string
	ProvinceID string
	Year       *int   // active in that year
	Search     string // words of the title, diacritics ignored
}

var movementOrder = order{
	field: "titleKey",
	key:   func(d any) any { return d.(*Movement).TitleKey },
	id:    func(d any) any { return d.(*Movement).ID },
}

func (f MovementFilter) bson() bson.D {
	q := bson.D{}
	if f.Scope != "" {
		q = append(q, bson.E{Key: "scope", Value: f.Scope})
	}
	if f.ProvinceID != "" {
		q = append(q, bson.E{Key: "provinceId", Value: f.ProvinceID})
	}
	var parts []bson.D
	if f.Year != nil {
		parts = append(parts,
			bson.D{{Key: "$or", Value: bson.A{bson.D{{Key: "startYear", Value: nil}}, bson.D{{Key: "startYear", Value: bson.D{{Key: "$lte", Value: *f.Year}}}}}}},
			bson.D{{Key: "$or", Value: bson.A{bson.D{{Key: "endYear", Value: nil}}, bson.D{{Key: "endYear", Value: bson.D{{Key: "$gte", Value: *f.Year}}}}}}},
		)
	}
	if k := vntext.Fold(f.Search); k != "" {
		q = append(q, bson.E{Key: "titleKey", Value: containsRegex(k)})
	}
	return and(append([]bson.D{q}, parts...)...)
}

// CreateMovement stores a new movement and fills in its id and meta.
func (s *Store) CreateMovement(ctx context.Context, m *Movement) error {
	now := s.stamp()
	if m.ID.IsZero() {
		m.ID = bson.NewObjectID()
	}
	m.TitleKey = vntext.Fold(m.Title)
	m.Meta = Meta{Version: 1, CreatedAt: now, UpdatedAt: now}
	return insert(ctx, s, colMovements, m)
}

// Movement reads one movement within the read access.
func (s *Store) Movement(ctx context.Context, id bson.ObjectID, read Access) (*Movement, error) {
	return getOne[Movement](ctx, s, colMovements, "movement", id, read)
}

// MovementsByID reads movements by id within the read access.
func (s *Store) MovementsByID(ctx context.Context, ids []bson.ObjectID, read Access) (map[bson.ObjectID]*Movement, error) {
	return getMany(ctx, s, colMovements, ids, read, func(m *Movement) bson.ObjectID { return m.ID })
}

// Movements lists movements ordered by title.
func (s *Store) Movements(ctx context.Context, f MovementFilter, read Access, p PageArgs) (*Page[Movement], error) {
	return findPage[Movement](ctx, s, colMovements, and(f.bson(), read.readFilter()), movementOrder, p)
}

// UpdateMovement replaces the editable fields of a movement.
func (s *Store) UpdateMovement(ctx context.Context, id bson.ObjectID, expected int, read, write Access, m *Movement) (before, after *Movement, err error) {
	return update[Movement](ctx, s, versioned{colMovements, "movement", id, expected, read, write}, func(*Movement) (bson.D, error) {
		return bson.D{
			{Key: "owner", Value: m.Owner}, {Key: "published", Value: m.Published},
			{Key: "title", Value: m.Title}, {Key: "titleKey", Value: vntext.Fold(m.Title)},
			{Key: "scope", Value: m.Scope}, {Key: "kind", Value: m.Kind},
			{Key: "provinceId", Value: m.ProvinceID}, {Key: "launchedBy", Value: m.LaunchedBy},
			{Key: "startYear", Value: m.StartYear}, {Key: "endYear", Value: m.EndYear},
			{Key: "description", Value: m.Description},
		}, nil
	})
}

// DeleteMovement deletes a movement that no award or review refers to.
func (s *Store) DeleteMovement(ctx context.Context, id bson.ObjectID, expected int, read, write Access) (*Movement, error) {
	for _, ref := range []struct{ coll, field, what string }{
		{colAwards, "movementId", "awards"}, {colReviews, "movementIds", "period reviews"},
	} {
		err := mapErr(s.c(ref.coll).FindOne(ctx, bson.D{{Key: ref.field, Value: id}}).Err())
		if err == nil {
			// Checked before the delete: a reference added in between is
			// possible without transactions (see README).
			return nil, conflictf("movement %s is referred to by %s; remove those references first", id.Hex(), ref.what)
		}
		if !errors.Is(err, errNoDocument) {
			return nil, err
		}
	}
	return remove[Movement](ctx, s, versioned{colMovements, "movement", id, expected, read, write}, nil)
}
