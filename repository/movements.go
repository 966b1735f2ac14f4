package repository

import (
	"context"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/thidua/thidua/domain"
	"github.com/thidua/thidua/vntext"
)

var movementOrder = order[movementDoc]{
	field: "titleKey",
	key:   func(d *movementDoc) any { return d.TitleKey },
	id:    func(d *movementDoc) any { return d.ID },
}

func movementFilter(f domain.MovementFilter) bson.D {
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

// CreateMovement stores a new movement as given and fills in its id and
// meta.
func (s *Store) CreateMovement(ctx context.Context, m *domain.Movement) error {
	return create(ctx, s, movements, m, func(m *domain.Movement) string { return m.ID },
		func(m *domain.Movement, id string, meta domain.Meta) { m.ID, m.Meta = id, meta })
}

// Movement reads one movement within the read access.
func (s *Store) Movement(ctx context.Context, id string, read domain.Access) (*domain.Movement, error) {
	if rm, err := s.model(ctx); err != nil || rm != nil {
		if err != nil {
			return nil, err
		}
		return rm.movement(id, read)
	}
	return getOne(ctx, s, movements, id, read)
}

// MovementsByID reads movements by id within the read access; ids that
// name no visible movement have no entry.
func (s *Store) MovementsByID(ctx context.Context, ids []string, read domain.Access) (map[string]*domain.Movement, error) {
	return byIDs(ctx, s, movements, ids, read, func(m *domain.Movement) string { return m.ID }, s.Movement)
}

// Movements lists movements ordered by title.
func (s *Store) Movements(ctx context.Context, f domain.MovementFilter, read domain.Access, p domain.PageArgs) (*domain.Page[domain.Movement], error) {
	if rm, err := s.model(ctx); err != nil || rm != nil {
		if err != nil {
			return nil, err
		}
		return rm.movementPage(f, read, p)
	}
	return findPage(ctx, s, colMovements, and(movementFilter(f), readFilter(read)), movementOrder, movementToDomain, p)
}

// UpdateMovement replaces the movement with the one change returns, given
// the stored one (see update).
func (s *Store) UpdateMovement(ctx context.Context, id string, expected int, read, write domain.Access,
	change func(old *domain.Movement) (*domain.Movement, error)) (before, after *domain.Movement, err error) {
	return update(ctx, s, movements, id, expected, read, write, change)
}

// DeleteMovement deletes a movement that no award or review refers to. The
// references are looked for only once the caller is known to see and be
// allowed to change the movement at that version: a refusal must not reveal
// a movement hidden from it.
func (s *Store) DeleteMovement(ctx context.Context, id string, expected int, read, write domain.Access) (*domain.Movement, error) {
	return remove(ctx, s, movements, id, expected, read, write, func(old *domain.Movement) error {
		oid, _ := parseID(old.ID)
		for _, ref := range []struct{ coll, field, what string }{
			{colAwards, "movementId", "awards"}, {colReviews, "movementIds", "period reviews"},
		} {
			found, err := s.exists(ctx, ref.coll, bson.D{{Key: ref.field, Value: oid}})
			if err != nil {
				return err
			}
			if found {
				// Checked before the delete: a reference added in between is
				// possible without transactions (see docs/storage.md).
				return domain.Conflict("movement %s is referred to by %s; remove those references first", old.ID, ref.what)
			}
		}
		return nil
	})
}
