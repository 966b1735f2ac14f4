package repository

import (
	"context"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/thidua/thidua/domain"
)

// Reward money's reference data: an award type's coefficients (stored in
// its document) and the base salary table, one document a date.

const colBaseSalaries = "base_salaries"

type rewardCoefficientDoc struct {
	Class       string `bson:"class,omitempty"`
	Thousandths int    `bson:"thousandths"`
	From        string `bson:"from,omitempty"`
	To          string `bson:"to,omitempty"`
	Source      string `bson:"source,omitempty"`
	Confirmed   bool   `bson:"confirmed"`
}

// baseSalaryDoc is keyed by its date (YYYY-MM-DD).
type baseSalaryDoc struct {
	From   string `bson:"_id"`
	Amount int64  `bson:"amount"`
	Source string `bson:"source,omitempty"`
	Meta   meta   `bson:",inline"`
}

func (d *baseSalaryDoc) setMeta(m meta) { d.Meta = m }

func baseSalaryToDomain(d *baseSalaryDoc) *domain.BaseSalary {
	return &domain.BaseSalary{From: d.From, Amount: d.Amount, Source: d.Source, Meta: d.Meta.domain()}
}

func baseSalaryToDoc(b *domain.BaseSalary) (*baseSalaryDoc, error) {
	return &baseSalaryDoc{From: b.From, Amount: b.Amount, Source: b.Source, Meta: metaOf(b.Meta)}, nil
}

// BaseSalaries lists the base salary table by date.
func (s *Store) BaseSalaries(ctx context.Context) ([]domain.BaseSalary, error) {
	return listAll(ctx, s, colBaseSalaries, bson.D{{Key: "_id", Value: 1}}, baseSalaryToDomain)
}

// PutBaseSalary inserts or replaces a base salary (seeding).
func (s *Store) PutBaseSalary(ctx context.Context, b *domain.BaseSalary) error {
	return put(ctx, s, colBaseSalaries, b.From, b, &b.Meta, baseSalaryToDoc)
}

// SaveBaseSalary creates (expected 0; CONFLICT when the date has one) or
// replaces (at version expected) the base salary from a date; before is
// the stored one (nil when created).
func (s *Store) SaveBaseSalary(ctx context.Context, b *domain.BaseSalary, expected int) (before *domain.BaseSalary, err error) {
	return save(ctx, s, colBaseSalaries, "base salary", b.From, expected, b, &b.Meta, baseSalaryToDoc, baseSalaryToDomain)
}
