package service

import (
	"context"
	"sort"

	"github.com/thidua/thidua/auth"
	"github.com/thidua/thidua/domain"
)

// Reward money: the base salary table, each award's reward, the year's
// totals.

// checkAwardType checks an award type to save; coefficients left out of
// the input (nil) are the stored ones at the version expected (the
// catalogue's, reloaded once if it holds another version: a version that
// differs still makes the save a CONFLICT).
func (s *Service) checkAwardType(ctx context.Context, in domain.AwardTypeInput, expected int) (*domain.AwardType, error) {
	t, err := domain.CheckAwardType(s.now(), in)
	if err != nil || in.RewardCoefficients != nil || expected == 0 {
		return t, err
	}
	old := s.ref().AwardType(in.ID)
	if old == nil || old.Version != expected {
		if err := s.Catalog.Reload(ctx); err != nil {
			return nil, err
		}
		old = s.ref().AwardType(in.ID)
	}
	if old != nil && old.Version == expected {
		t.RewardCoefficients = old.RewardCoefficients
	}
	return t, nil
}

// SaveBaseSalary creates (expected 0) or replaces the base salary from a
// date (policy: admin of "*").
func (s *Service) SaveBaseSalary(ctx context.Context, in domain.BaseSalaryInput, expected int) (*domain.BaseSalary, error) {
	return saveReference(ctx, s, auth.SaveBaseSalary, func() (*domain.BaseSalary, error) { return domain.CheckBaseSalary(s.now(), in) },
		func(b *domain.BaseSalary) (*domain.BaseSalary, error) {
			return s.Store.SaveBaseSalary(ctx, b, expected)
		},
		func(b *domain.BaseSalary) (string, int) { return b.From, b.Version })
}

// BaseSalaries is the base salary table, by date (public).
func (s *Service) BaseSalaries() []domain.BaseSalary { return s.ref().BaseSalaries }

// Reward is an award's reward money on its decision's date, or nil when it
// carries none (domain.AwardReward).
func (s *Service) Reward(a *domain.Award) *domain.Reward {
	ref := s.ref()
	return domain.AwardReward(a, ref.AwardType(a.AwardTypeID), ref.BaseSalaries)
}

// RewardTotal is the reward money of a province's CONFERRED awards of one
// form in a year: how many, how many of them carry an amount, and the sum.
type RewardTotal struct {
	ProvinceID  string
	AwardTypeID string
	Count       int
	Priced      int
	Amount      int64
}

// RewardTotals sums the reward money of the CONFERRED awards of a year
// (the awards' year) the caller can see, per province and form, ordered by
// province then the catalogue's order; provinceID narrows it to one.
func (s *Service) RewardTotals(ctx context.Context, year int, provinceID string) ([]RewardTotal, error) {
	if err := domain.CheckYear(s.now(), year); err != nil {
		return nil, err
	}
	f := domain.AwardFilter{Year: &year, Status: domain.StatusConferred, ProvinceID: provinceID}
	type key struct{ province, awardType string }
	sums := map[key]*RewardTotal{}
	list := func(p domain.PageArgs) (*domain.Page[domain.Award], error) { return s.Awards(ctx, f, p) }
	err := domain.EachPage(list, func(items []domain.Award) (bool, error) {
		for i := range items {
			a := &items[i]
			k := key{a.ProvinceID, a.AwardTypeID}
			t := sums[k]
			if t == nil {
				t = &RewardTotal{ProvinceID: a.ProvinceID, AwardTypeID: a.AwardTypeID}
				sums[k] = t
			}
			t.Count++
			if r := s.Reward(a); r != nil {
				t.Priced++
				t.Amount += r.Amount
			}
		}
		return true, nil
	})
	if err != nil {
		return nil, err
	}
	ref := s.ref()
	order := func(id string) int {
		if t := ref.AwardType(id); t != nil {
			return t.Order
		}
		return 1 << 30
	}
	out := make([]RewardTotal, 0, len(sums))
	for _, t := range sums {
		out = append(out, *t)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.ProvinceID != b.ProvinceID {
			return a.ProvinceID < b.ProvinceID
		}
		if oa, ob := order(a.AwardTypeID), order(b.AwardTypeID); oa != ob {
			return oa < ob
		}
		return a.AwardTypeID < b.AwardTypeID
	})
	return out, nil
}
