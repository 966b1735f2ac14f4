package seed

import (
	"context"
	"fmt"

	"github.com/thidua/thidua/domain"
	"github.com/thidua/thidua/repository"
)

// LawPeriods is the law table as seeded (domain.DefaultLawPeriods): which
// law and decrees a decision cites, by its date.
var LawPeriods = domain.DefaultLawPeriods

// loadLawPeriods writes the periods of the law table a database lacks; a
// period an administrator corrected stays as corrected.
func loadLawPeriods(ctx context.Context, s *repository.Store) error {
	stored, err := s.LawPeriods(ctx)
	if err != nil {
		return err
	}
	have := map[string]bool{}
	for _, p := range stored {
		have[p.ID] = true
	}
	for i := range LawPeriods {
		p := LawPeriods[i]
		p.Decrees = append([]string(nil), p.Decrees...)
		if have[p.ID] {
			continue
		}
		if err := s.PutLawPeriod(ctx, &p); err != nil {
			return fmt.Errorf("law period %s: %w", p.ID, err)
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
