package seed

import (
	"context"
	"fmt"
	"slices"

	"github.com/thidua/thidua/domain"
	"github.com/thidua/thidua/repository"
)

// LawPeriods is the law table as seeded (domain.DefaultLawPeriods): which
// law and decrees a decision cites, by its date.
var LawPeriods = domain.DefaultLawPeriods

// loadLawPeriods writes the periods of the law table a database lacks; a
// period an administrator corrected stays as corrected.
func loadLawPeriods(ctx context.Context, s *repository.Store) error {
	return putMissing(ctx, LawPeriods, s.LawPeriods, func(ctx context.Context, p *domain.LawPeriod) error {
		p.Decrees = slices.Clone(p.Decrees)
		return s.PutLawPeriod(ctx, p)
	}, func(p domain.LawPeriod) string { return p.ID }, "law period")
}

// putMissing stores each record of want whose key no stored record has
// (load reads the stored ones); a stored one stays as it is. what names a
// record in an error, before its key.
func putMissing[T any](ctx context.Context, want []T, load func(context.Context) ([]T, error),
	put func(context.Context, *T) error, key func(T) string, what string) error {
	stored, err := load(ctx)
	if err != nil {
		return err
	}
	have := map[string]bool{}
	for _, r := range stored {
		have[key(r)] = true
	}
	for _, r := range want {
		if have[key(r)] {
			continue
		}
		if err := put(ctx, &r); err != nil {
			return fmt.Errorf("%s %s: %w", what, key(r), err)
		}
	}
	return nil
}

// migrateLaw (8) seeds the law table, and brings the award types this
// change corrected (the Government flag by the Prime Minister from 2024,
// commune chairs from 1/7/2025, rules marked unconfirmed) to the
// catalogue of this code — only where the stored type is still what the
// previous code seeded: a type an administrator edited stays as edited.
func migrateLaw(ctx context.Context, s *repository.Store) error {
	if err := loadLawPeriods(ctx, s); err != nil {
		return err
	}
	return replaceAwardTypes(ctx, s, func(have domain.AwardType, ok bool, want domain.AwardType) bool {
		return ok && !sameAwardType(have, want) && sameAwardType(have, previousAwardType(want))
	})
}

// previousAwardType is an award type as the code before migration 8 seeded
// it: no rule marked unconfirmed, without the rules this change added, and
// without reward coefficients (migration 15 adds those later).
func previousAwardType(t domain.AwardType) domain.AwardType {
	t.RewardCoefficients = nil
	var rs []domain.AuthorityRule
	for _, r := range t.AuthorityRules {
		if r == communeFrom2025 || r.Basis == practiceTTg2024 {
			continue
		}
		r.Unconfirmed = false
		rs = append(rs, r)
	}
	return withRules(t, rs)
}
