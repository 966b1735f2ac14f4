package repository

import (
	"context"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/thidua/thidua/domain"
)

// The law table (domain.LawPeriod): reference data like the catalogues,
// keyed by a slug.

const colLawPeriods = "law_periods"

type lawPeriodDoc struct {
	ID          string   `bson:"_id"`
	ValidFrom   string   `bson:"validFrom,omitempty"`
	ValidTo     string   `bson:"validTo,omitempty"`
	Law         string   `bson:"law"`
	Decrees     []string `bson:"decrees"`
	Text        string   `bson:"text"`
	Note        string   `bson:"note,omitempty"`
	Unconfirmed bool     `bson:"unconfirmed,omitempty"`
	Meta        meta     `bson:",inline"`
}

func (d *lawPeriodDoc) setMeta(m meta) { d.Meta = m }

func lawPeriodToDomain(d *lawPeriodDoc) *domain.LawPeriod {
	return &domain.LawPeriod{ID: d.ID, ValidFrom: d.ValidFrom, ValidTo: d.ValidTo, Law: d.Law, Decrees: d.Decrees,
		Text: d.Text, Note: d.Note, Unconfirmed: d.Unconfirmed, Meta: d.Meta.domain()}
}

func lawPeriodToDoc(p *domain.LawPeriod) (*lawPeriodDoc, error) {
	return &lawPeriodDoc{ID: p.ID, ValidFrom: p.ValidFrom, ValidTo: p.ValidTo, Law: p.Law, Decrees: p.Decrees,
		Text: p.Text, Note: p.Note, Unconfirmed: p.Unconfirmed, Meta: metaOf(p.Meta)}, nil
}

// LawPeriods lists the law table, earliest period first.
func (s *Store) LawPeriods(ctx context.Context) ([]domain.LawPeriod, error) {
	// A period open at its start has no validFrom: null sorts before any
	// date, on MongoDB and FerretDB alike.
	return listAll(ctx, s, colLawPeriods, bson.D{{Key: "validFrom", Value: 1}, {Key: "_id", Value: 1}}, lawPeriodToDomain)
}

// PutLawPeriod inserts or replaces a period of the law table (seeding).
func (s *Store) PutLawPeriod(ctx context.Context, p *domain.LawPeriod) error {
	return put(ctx, s, colLawPeriods, p.ID, p, &p.Meta, lawPeriodToDoc)
}

// SaveLawPeriod is SaveAwardType for the law table.
func (s *Store) SaveLawPeriod(ctx context.Context, p *domain.LawPeriod, expected int) (before *domain.LawPeriod, err error) {
	return save(ctx, s, colLawPeriods, "law period", p.ID, expected, p, &p.Meta, lawPeriodToDoc, lawPeriodToDomain)
}
