package seed

import (
	"context"
	"reflect"

	"github.com/thidua/thidua/domain"
	"github.com/thidua/thidua/repository"
)

// Migrations are the data migrations of the founding data (numbered after
// the repository's own shape migrations). Each compares before it writes,
// so running one again changes nothing.
func Migrations() []repository.Migration {
	return []repository.Migration{
		{ID: 3, Name: "award-type catalogue per the law in force at the decision", Up: migrateCatalogue},
		{ID: 4, Name: "provinces name their predecessors and administrative centre", Up: migrateProvinces},
		{ID: 5, Name: "the 2022 review is tied only to the movements the article names", Up: migrateReviewMovements},
		{ID: 8, Name: "the law table; award-type authorities by decision date after the district level", Up: migrateLaw},
		{ID: 15, Name: "award types carry their reward coefficients", Up: migrateRewardCoefficients},
		{ID: 16, Name: "the base salary table", Up: LoadBaseSalaries},
	}
}

// migrateCatalogue brings the stored award types to the catalogue of this
// code: new forms are added, changed ones replaced (a new version); types
// an administrator added are kept.
func migrateCatalogue(ctx context.Context, s *repository.Store) error {
	return replaceAwardTypes(ctx, s, func(have domain.AwardType, ok bool, want domain.AwardType) bool {
		return !ok || !sameAwardType(have, want)
	})
}

// replaceAwardTypes writes each type of the catalogue of this code (in its
// catalogue order) whose stored form (ok false when none is stored) replace
// says to replace.
func replaceAwardTypes(ctx context.Context, s *repository.Store, replace func(have domain.AwardType, ok bool, want domain.AwardType) bool) error {
	stored, err := s.AwardTypes(ctx)
	if err != nil {
		return err
	}
	byID := map[string]domain.AwardType{}
	for _, t := range stored {
		byID[t.ID] = t
	}
	for i := range AwardTypes {
		want := AwardTypes[i]
		want.Order = i + 1
		if have, ok := byID[want.ID]; !replace(have, ok, want) {
			continue
		}
		if err := s.PutAwardType(ctx, &want); err != nil {
			return err
		}
	}
	return nil
}

func sameAwardType(a, b domain.AwardType) bool {
	a.Meta, b.Meta = domain.Meta{}, domain.Meta{}
	return reflect.DeepEqual(normAwardType(a), normAwardType(b))
}

func normAwardType(t domain.AwardType) domain.AwardType {
	for _, p := range []*[]string{&t.Classes, &t.Authorities, &t.RecipientKinds} {
		if len(*p) == 0 {
			*p = nil
		}
	}
	if len(t.AuthorityRules) == 0 {
		t.AuthorityRules = nil
	}
	return t
}

// migrateProvinces adds what the founding data now says of each province
// (predecessors, administrative centre) where the stored record lacks it.
func migrateProvinces(ctx context.Context, s *repository.Store) error {
	stored, err := s.Provinces(ctx)
	if err != nil {
		return err
	}
	byID := map[string]domain.Province{}
	for _, p := range stored {
		byID[p.ID] = p
	}
	for i := range Provinces {
		want := Provinces[i]
		have, ok := byID[want.ID]
		if !ok {
			continue // founding data not loaded (or removed by an administrator): nothing to amend
		}
		changed := false
		if len(have.PredecessorIDs) == 0 && len(want.PredecessorIDs) > 0 {
			have.PredecessorIDs, changed = want.PredecessorIDs, true
		}
		if have.AdministrativeCentre == "" && want.AdministrativeCentre != "" {
			have.AdministrativeCentre, changed = want.AdministrativeCentre, true
		}
		if changed {
			if err := s.PutProvince(ctx, &have); err != nil {
				return err
			}
		}
	}
	return nil
}

// migrateReviewMovements unties the founding review from the movements the
// article does not name, if nobody has edited the review since it was
// seeded (version 1).
func migrateReviewMovements(ctx context.Context, s *repository.Store) error {
	id := ID("review:2022-07-20")
	r, err := s.PeriodReview(ctx, id, domain.Access{All: true})
	if domain.ErrorCode(err) == domain.CodeNotFound {
		return nil
	}
	if err != nil {
		return err
	}
	want := ReviewMovementIDs()
	if r.Version != 1 || reflect.DeepEqual(r.MovementIDs, want) {
		return nil
	}
	all := domain.Access{All: true}
	_, _, err = s.UpdatePeriodReview(ctx, id, r.Version, all, all, func(old *domain.PeriodReview) (*domain.PeriodReview, error) {
		out := *old
		out.MovementIDs = want
		return &out, nil
	})
	return err
}
