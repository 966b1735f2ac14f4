package seed

import (
	"context"
	"fmt"

	"github.com/thidua/thidua/domain"
	"github.com/thidua/thidua/repository"
)

// Reward money: the coefficients of the base salary each form is rewarded
// with, and the base salary table. The coefficients are the list of the
// team's review of the law (docs/domain.md, "The route a dossier takes",
// item 5), which cites Nghị định 98/2023/NĐ-CP, Điều 54; that article's
// text was not read here, nor whether Nghị định 152/2025/NĐ-CP changed
// any of them: every coefficient is marked unconfirmed, and a `*` admin
// corrects them with saveAwardType. Forms the review gives no coefficient
// for (orders, medals, certificates of merit, Giấy khen, Cờ thi đua của
// Bộ, Gia đình văn hóa) have none: their awards carry no rewardAmount
// until an admin enters the coefficient the text gives.

const (
	decree98Art54 = "Nghị định 98/2023/NĐ-CP, Điều 54 — theo danh sách rà soát của nhóm (docs/domain.md); chưa đối chiếu văn bản, chưa kiểm tra Nghị định 152/2025/NĐ-CP"
	// Base salaries: the decrees that set them (numbers not checked
	// against the official text here).
	baseSalary2023 = "Lương cơ sở 1.800.000 đồng từ 01/7/2023 (Nghị định 24/2023/NĐ-CP) — chưa đối chiếu văn bản"
	baseSalary2024 = "Lương cơ sở 2.340.000 đồng từ 01/7/2024 (Nghị định 73/2024/NĐ-CP) — chưa đối chiếu văn bản"
)

// rewardCoefficients are the coefficients (thousandths of the base salary)
// of decisions from 1/1/2024, when Decree 98/2023 took effect with Law
// 06/2022 (domain.Law2022Start); decisions before carry none (Decree
// 91/2017's coefficients are not entered).
var rewardCoefficients = map[string]int{
	"chien-si-thi-dua-toan-quoc": 4500,
	"chien-si-thi-dua-tinh":      3000,
	"chien-si-thi-dua-co-so":     1000,
	"lao-dong-tien-tien":         300,
	"tap-the-lao-dong-xuat-sac":  1500,
	"tap-the-lao-dong-tien-tien": 800,
	"co-thi-dua-chinh-phu":       12000,
	"co-thi-dua-tinh":            8000,
	"thon-to-dan-pho-van-hoa":    1500,
	// "Xã tiêu biểu" 2.0 has no award type in the catalogue.
}

// RewardCoefficients returns the seeded coefficients of an award type (nil
// when it has none).
func RewardCoefficients(id string) []domain.RewardCoefficient {
	k, ok := rewardCoefficients[id]
	if !ok {
		return nil
	}
	return []domain.RewardCoefficient{{Thousandths: k, From: domain.Law2022Start, Source: decree98Art54}}
}

// withRewards gives the catalogue's types their coefficients.
func withRewards(ts []domain.AwardType) []domain.AwardType {
	for i := range ts {
		ts[i].RewardCoefficients = RewardCoefficients(ts[i].ID)
	}
	return ts
}

// BaseSalaries is the base salary table as founded.
var BaseSalaries = []domain.BaseSalary{
	{From: "2023-07-01", Amount: 1_800_000, Source: baseSalary2023},
	{From: "2024-07-01", Amount: 2_340_000, Source: baseSalary2024},
}

// migrateRewardCoefficients (15) gives the stored award types of the
// catalogue the coefficients of this code where they have none (nobody
// could enter any before: the field is new); a type an administrator
// added, or one whose coefficients are set, is kept.
func migrateRewardCoefficients(ctx context.Context, s *repository.Store) error {
	stored, err := s.AwardTypes(ctx)
	if err != nil {
		return err
	}
	for i := range stored {
		t := stored[i]
		want := RewardCoefficients(t.ID)
		if len(t.RewardCoefficients) > 0 || len(want) == 0 {
			continue
		}
		t.RewardCoefficients = want
		if err := s.PutAwardType(ctx, &t); err != nil {
			return fmt.Errorf("award type %s: %w", t.ID, err)
		}
	}
	return nil
}

// LoadBaseSalaries (16, and the founding data) stores the base salaries of
// this code whose date has none; an amount already stored for a date (an
// administrator's) is kept.
func LoadBaseSalaries(ctx context.Context, s *repository.Store) error {
	return putMissing(ctx, BaseSalaries, s.BaseSalaries, s.PutBaseSalary,
		func(b domain.BaseSalary) string { return b.From }, "base salary from")
}
