package graph

import (
	"github.com/thidua/thidua/domain"
	"github.com/thidua/thidua/graph/model"
	"github.com/thidua/thidua/service"
)

// Reward money's conversions (money.graphqls).

func toRewardCoefficient(c *domain.RewardCoefficient) *model.RewardCoefficient {
	if c == nil {
		return nil
	}
	return &model.RewardCoefficient{Class: enumPtr[model.AwardClass](c.Class), Coefficient: float64(c.Thousandths) / 1000,
		Thousandths: c.Thousandths, ValidFrom: model.Date(c.From).Ptr(), ValidTo: model.Date(c.To).Ptr(),
		Source: str(c.Source), Confirmed: c.Confirmed}
}

func toRewardCoefficients(list []domain.RewardCoefficient) []*model.RewardCoefficient {
	return mapList(list, toRewardCoefficient)
}

// rewardCoefficientsInput keeps nil (keep the stored ones) apart from an
// empty list (remove them).
func rewardCoefficientsInput(in []*model.RewardCoefficientInput) []domain.RewardCoefficientInput {
	if in == nil {
		return nil
	}
	out := make([]domain.RewardCoefficientInput, 0, len(in))
	for _, c := range in {
		out = append(out, domain.RewardCoefficientInput{Class: optStr(c.Class), Thousandths: c.Thousandths,
			From: datep(c.ValidFrom), To: datep(c.ValidTo), Source: c.Source, Confirmed: c.Confirmed != nil && *c.Confirmed})
	}
	return out
}

func toBaseSalary(b *domain.BaseSalary) *model.BaseSalary {
	if b == nil {
		return nil
	}
	return &model.BaseSalary{From: model.Date(b.From), Amount: int(b.Amount), Source: str(b.Source),
		Version: b.Version, UpdatedAt: b.UpdatedAt}
}

// reward is an award model's reward money (nil: none): the fields it
// depends on are the model's own.
func (r *Resolver) reward(a *model.Award) *domain.Reward {
	d := domain.Award{AwardTypeID: a.AwardTypeID, Status: string(a.Status)}
	if a.Class != nil {
		d.Class = string(*a.Class)
	}
	if a.Decision != nil {
		d.Decision = &domain.Decision{Number: a.Decision.Number, Date: string(a.Decision.Date)}
	}
	return r.Service.Reward(&d)
}

func (r *Resolver) rewardTotals(list []service.RewardTotal) []*model.RewardTotal {
	refs := r.refModels(r.Catalog.Get())
	out := make([]*model.RewardTotal, len(list))
	for i, t := range list {
		out[i] = &model.RewardTotal{Province: refs.province(t.ProvinceID), AwardType: refs.awardType(t.AwardTypeID),
			Count: t.Count, Priced: t.Priced, Amount: float64(t.Amount)}
	}
	return out
}
