package repository

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/thidua/thidua/domain"
)

// Reference data (provinces and the catalogues) is small and read on every
// request; it is listed whole and kept in memory by package catalog.

// Provinces lists every province, ordered by id.
func (s *Store) Provinces(ctx context.Context) ([]domain.Province, error) {
	return listAll(ctx, s, colProvinces, bson.D{{Key: "_id", Value: 1}}, provinceToDomain)
}

// AwardTypes lists the award-type catalogue in its order.
func (s *Store) AwardTypes(ctx context.Context) ([]domain.AwardType, error) {
	return listAll(ctx, s, colAwardTypes, bson.D{{Key: "order", Value: 1}, {Key: "_id", Value: 1}}, awardTypeToDomain)
}

// Indicators lists the indicator catalogue in its order.
func (s *Store) Indicators(ctx context.Context) ([]domain.Indicator, error) {
	return listAll(ctx, s, colIndicators, bson.D{{Key: "order", Value: 1}, {Key: "_id", Value: 1}}, indicatorToDomain)
}

// PutProvince inserts or replaces a province (seeding, administration).
func (s *Store) PutProvince(ctx context.Context, p *domain.Province) error {
	return put(ctx, s, colProvinces, p.ID, p, &p.Meta, provinceToDoc)
}

// PutAwardType inserts or replaces an award type (seeding).
func (s *Store) PutAwardType(ctx context.Context, t *domain.AwardType) error {
	return put(ctx, s, colAwardTypes, t.ID, t, &t.Meta, awardTypeToDoc)
}

// PutIndicator inserts or replaces an indicator (seeding).
func (s *Store) PutIndicator(ctx context.Context, i *domain.Indicator) error {
	return put(ctx, s, colIndicators, i.ID, i, &i.Meta, indicatorToDoc)
}

// SaveAwardType creates (expected 0; CONFLICT when the id exists) or
// replaces (at version expected) an award type, filling in its Meta; before
// is the stored one (nil when created).
func (s *Store) SaveAwardType(ctx context.Context, t *domain.AwardType, expected int) (before *domain.AwardType, err error) {
	return save(ctx, s, colAwardTypes, "award type", t.ID, expected, t, &t.Meta, awardTypeToDoc, awardTypeToDomain)
}

// SaveIndicator is SaveAwardType for indicators.
func (s *Store) SaveIndicator(ctx context.Context, i *domain.Indicator, expected int) (before *domain.Indicator, err error) {
	return save(ctx, s, colIndicators, "indicator", i.ID, expected, i, &i.Meta, indicatorToDoc, indicatorToDomain)
}

// metaSetter is a document whose meta can be set (the reference documents).
type metaSetter interface{ setMeta(meta) }

func (d *provinceDoc) setMeta(m meta)  { d.Meta = m }
func (d *awardTypeDoc) setMeta(m meta) { d.Meta = m }
func (d *indicatorDoc) setMeta(m meta) { d.Meta = m }
func (d *clusterDoc) setMeta(m meta)   { d.Meta = m }

// put upserts a reference record keyed by a slug, keeping createdAt and
// counting versions. The replace is checked as every versioned write is
// (checkedFilter): a replace that matched nothing is a CONFLICT.
//
// A record stored as rec already (meta aside) is left as it is: several
// processes seeding one database at once (seed.PrepareData) each put the same
// records, and a duplicate key on the insert, or a replace that matched
// nothing, because another put the same record first is not a conflict.
func put[D any, T any, PD interface {
	*D
	metaSetter
}](ctx context.Context, s *Store, coll, id string, rec *T, m *domain.Meta, toDoc func(*T) (PD, error)) error {
	doc, err := toDoc(rec)
	if err != nil {
		return err
	}
	defer s.lock(coll, id)()
	old, err := storedAs(ctx, s, coll, id, doc)
	now := s.stamp()
	switch {
	case errors.Is(err, errNoDocument):
		doc.setMeta(meta{Version: 1, CreatedAt: now, UpdatedAt: now})
		if err := insert(ctx, s, coll, doc); err != nil {
			if isDuplicateKey(err) {
				return putByOther(ctx, s, coll, id, doc, m, err)
			}
			return err
		}
		*m = domain.Meta{Version: 1, CreatedAt: now, UpdatedAt: now}
		return nil
	case err != nil:
		return err
	case old.same:
		*m = old.meta.domain()
		return nil
	}
	nm := meta{Version: old.meta.Version + 1, CreatedAt: old.meta.CreatedAt, UpdatedAt: now}
	doc.setMeta(nm)
	res, err := s.c(coll).ReplaceOne(ctx, s.checkedFilter(id, old.meta.Version, domain.Access{All: true}), doc)
	if err != nil {
		return mapErr(err)
	}
	if res.MatchedCount == 0 {
		return putByOther(ctx, s, coll, id, doc, m, domain.Conflict("%s %s changed concurrently", coll, id))
	}
	*m = nm.domain()
	return nil
}

// putByOther settles a put whose write was refused (refusal) because the
// record changed meanwhile: done if it is now stored as doc (another
// process put the same), the refusal otherwise.
func putByOther[D any, PD interface {
	*D
	metaSetter
}](ctx context.Context, s *Store, coll, id string, doc PD, m *domain.Meta, refusal error) error {
	now, err := storedAs(ctx, s, coll, id, doc)
	if err != nil || !now.same {
		return refusal
	}
	*m = now.meta.domain()
	return nil
}

// stored is a stored reference record's meta, and whether the rest of it
// is as a document to write says (storedAs).
type stored struct {
	meta meta
	same bool
}

// storedAs reads record id of coll from the primary (errNoDocument when
// there is none) and compares it with doc, meta aside.
func storedAs[D any, PD interface {
	*D
	metaSetter
}](ctx context.Context, s *Store, coll, id string, doc PD) (stored, error) {
	raw, err := s.byIDPrimary(ctx, coll, id)
	if err != nil {
		return stored{}, err
	}
	var om struct {
		Meta meta `bson:",inline"`
	}
	if err := bson.Unmarshal(raw, &om); err != nil {
		return stored{}, fmt.Errorf("decode %s %s: %w", coll, id, err)
	}
	// Both through the same type, meta zeroed: the same bytes if the
	// same record.
	var have D
	if err := bson.Unmarshal(raw, PD(&have)); err != nil {
		return stored{meta: om.Meta}, nil // another shape: not the same
	}
	want := *doc
	PD(&have).setMeta(meta{})
	PD(&want).setMeta(meta{})
	a, err1 := bson.Marshal(PD(&have))
	b, err2 := bson.Marshal(PD(&want))
	return stored{meta: om.Meta, same: err1 == nil && err2 == nil && bytes.Equal(a, b)}, nil
}

// save creates (expected 0) or replaces (at version expected) a reference
// record keyed by a slug; see SaveAwardType.
func save[D any, T any, PD interface {
	*D
	metaSetter
}](ctx context.Context, s *Store, coll, name, id string, expected int, rec *T, m *domain.Meta,
	toDoc func(*T) (PD, error), toDomain func(PD) *T) (*T, error) {
	doc, err := toDoc(rec)
	if err != nil {
		return nil, err
	}
	defer s.lock(coll, id)()
	raw, err := s.byIDPrimary(ctx, coll, id)
	found := err == nil
	if err != nil && !errors.Is(err, errNoDocument) {
		return nil, err
	}
	now := s.stamp()
	if expected == 0 {
		if found {
			return nil, domain.Conflict("%s %s already exists", name, id)
		}
		nm := meta{Version: 1, CreatedAt: now, UpdatedAt: now}
		doc.setMeta(nm)
		if err := insert(ctx, s, coll, doc); err != nil { // a concurrent create: duplicate key, CONFLICT
			return nil, err
		}
		*m = nm.domain()
		return nil, nil
	}
	if !found {
		return nil, domain.NotFound(name, id)
	}
	var old D
	var om struct {
		Meta meta `bson:",inline"`
	}
	if err := bson.Unmarshal(raw, PD(&old)); err != nil {
		return nil, fmt.Errorf("decode %s: %w", name, err)
	}
	if err := bson.Unmarshal(raw, &om); err != nil {
		return nil, fmt.Errorf("decode %s: %w", name, err)
	}
	if om.Meta.Version != expected {
		return nil, domain.Conflict("%s %s is at version %d, not %d", name, id, om.Meta.Version, expected)
	}
	before := toDomain(&old)
	nm := meta{Version: expected + 1, CreatedAt: om.Meta.CreatedAt, UpdatedAt: now}
	doc.setMeta(nm)
	res, err := s.c(coll).ReplaceOne(ctx, s.checkedFilter(id, expected, domain.Access{All: true}), doc)
	if err != nil {
		return nil, mapErr(err)
	}
	if res.MatchedCount == 0 {
		return nil, domain.Conflict("%s %s changed concurrently; read it again", name, id)
	}
	*m = nm.domain()
	return before, nil
}
