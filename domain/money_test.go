package domain_test

import (
	"testing"
	"time"

	"github.com/thidua/thidua/domain"
)

// Amounts are computed in integers: coefficient (thousandths) × base
// salary, rounded up to the next 10,000 đồng; an exact multiple stays.
func TestRewardAmountRounding(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		thousandths int
		salary      int64
		want        int64
	}{
		{300, 2_340_000, 710_000},                                    // 0.3 × 2,340,000 = 702,000 → 710,000
		{1000, 1_800_000, 1_800_000},                                 // 1.0 × 1,800,000 stays
		{300, 1_800_000, 540_000},                                    // 540,000 stays
		{800, 2_340_000, 1_880_000},                                  // 1,872,000 → 1,880,000
		{1500, 2_340_000, 3_510_000},                                 // stays
		{4500, 2_340_000, 10_530_000},                                // stays
		{12000, 2_340_000, 28_080_000},                               // stays
		{1500, 2_345_000, 3_520_000},                                 // 3,517,500 → 3,520,000
		{1, 1, 10_000},                                               // anything above zero is at least one step
		{100, 100_000, 10_000},                                       // 10,000 exactly stays
		{100, 100_001, 20_000},                                       // 10,000.1 → 20,000
		{333, 3_000_000, 1_000_000},                                  // 999,000 → 1,000,000
		{domain.MaxCoefficient, domain.MaxBaseSalary, 2_000_000_000}, // the bounds: within a 32-bit Int
	} {
		if got := domain.RewardAmount(c.thousandths, c.salary); got != c.want {
			t.Errorf("RewardAmount(%d‰, %d) = %d, want %d", c.thousandths, c.salary, got, c.want)
		}
	}
}

// The coefficient and the base salary are those in force on the
// decision's date; an award outside them, or not CONFERRED, has none.
func TestAwardRewardValidity(t *testing.T) {
	t.Parallel()
	salaries := []domain.BaseSalary{{From: "2023-07-01", Amount: 1_800_000}, {From: "2024-07-01", Amount: 2_340_000}}
	typ := &domain.AwardType{ID: "lao-dong-tien-tien", Classes: []string{"FIRST", "SECOND"}, RewardCoefficients: []domain.RewardCoefficient{
		{Thousandths: 300, From: "2024-01-01", To: "2025-12-31"},
		{Thousandths: 500, From: "2026-01-01"},
		{Class: "FIRST", Thousandths: 2000, From: "2024-01-01"},
	}}
	award := func(status, class, date string) *domain.Award {
		a := &domain.Award{AwardTypeID: typ.ID, Status: status, Class: class}
		if date != "" {
			a.Decision = &domain.Decision{Number: "1/QĐ", Date: date}
		}
		return a
	}
	for _, c := range []struct {
		name string
		a    *domain.Award
		want int64 // 0: none
	}{
		{"before the coefficient", award("CONFERRED", "", "2023-12-31"), 0},
		{"first day of the coefficient, the 2023 salary", award("CONFERRED", "", "2024-01-01"), 540_000},
		{"last day of the 2023 salary", award("CONFERRED", "", "2024-06-30"), 540_000},
		{"first day of the 2024 salary", award("CONFERRED", "", "2024-07-01"), 710_000},
		{"last day of the first coefficient", award("CONFERRED", "", "2025-12-31"), 710_000},
		{"the next coefficient", award("CONFERRED", "", "2026-01-01"), 1_170_000},
		{"a class's own coefficient first", award("CONFERRED", "FIRST", "2024-07-01"), 4_680_000},
		{"another class takes the general one", award("CONFERRED", "SECOND", "2024-07-01"), 710_000},
		{"no decision date", award("CONFERRED", "", ""), 0},
		{"proposed", award("PROPOSED", "", "2024-07-01"), 0},
		{"rejected", award("REJECTED", "", "2024-07-01"), 0},
		{"revoked", award("REVOKED", "", "2024-07-01"), 0},
	} {
		r := domain.AwardReward(c.a, typ, salaries)
		var got int64
		if r != nil {
			got = r.Amount
		}
		if got != c.want {
			t.Errorf("%s: %d, want %d", c.name, got, c.want)
		}
	}
	if r := domain.AwardReward(award("CONFERRED", "", "2024-07-01"), typ, salaries[1:]); r == nil || r.BaseSalary.Amount != 2_340_000 {
		t.Errorf("the salary in force: %+v", r)
	}
	if r := domain.AwardReward(award("CONFERRED", "", "2024-03-01"), typ, salaries[1:]); r != nil {
		t.Errorf("a date before any base salary: %+v", r)
	}
	if r := domain.AwardReward(award("CONFERRED", "", "2024-07-01"), &domain.AwardType{ID: "giay-khen"}, salaries); r != nil {
		t.Errorf("a form without coefficients: %+v", r)
	}
}

// Coefficients an admin enters are checked: positive, of the type's
// classes, dates ordered, no two of one class on one day.
func TestCheckRewardCoefficients(t *testing.T) {
	t.Parallel()
	s := func(v string) *string { return &v }
	base := domain.AwardTypeInput{ID: "huan-chuong-lao-dong", Name: "Huân chương Lao động", Form: "ORDER",
		Classes: []string{"FIRST", "SECOND", "THIRD"}, RecipientKinds: []string{"INDIVIDUAL"},
		AuthorityRules: []domain.AuthorityRuleInput{{Authority: "PRESIDENT"}}}
	now := time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		name  string
		in    []domain.RewardCoefficientInput
		field string // "" when valid
	}{
		{"none given: kept by the service", nil, ""},
		{"empty: removed", []domain.RewardCoefficientInput{}, ""},
		{"per class", []domain.RewardCoefficientInput{{Class: s("FIRST"), Thousandths: 9000}, {Class: s("THIRD"), Thousandths: 4500}}, ""},
		{"one after the other", []domain.RewardCoefficientInput{{Thousandths: 300, To: s("2025-12-31")}, {Thousandths: 400, From: s("2026-01-01")}}, ""},
		{"zero", []domain.RewardCoefficientInput{{Thousandths: 0}}, "input.rewardCoefficients[0].thousandths"},
		{"too large", []domain.RewardCoefficientInput{{Thousandths: domain.MaxCoefficient + 1}}, "input.rewardCoefficients[0].thousandths"},
		{"not a class of the type", []domain.RewardCoefficientInput{{Class: s("FOURTH"), Thousandths: 300}}, "input.rewardCoefficients[0].class"},
		{"dates reversed", []domain.RewardCoefficientInput{{Thousandths: 300, From: s("2026-01-01"), To: s("2025-01-01")}}, "input.rewardCoefficients[0].validTo"},
		{"overlapping", []domain.RewardCoefficientInput{{Thousandths: 300, To: s("2026-01-01")}, {Thousandths: 400, From: s("2026-01-01")}}, "input.rewardCoefficients[1].validFrom"},
		{"a bad date", []domain.RewardCoefficientInput{{Thousandths: 300, From: s("2026-13-01")}}, "input.rewardCoefficients[0].validFrom"},
	} {
		in := base
		in.RewardCoefficients = c.in
		typ, err := domain.CheckAwardType(now, in)
		var field string
		if de, ok := err.(*domain.Error); ok {
			field = de.Field
		} else if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if field != c.field {
			t.Errorf("%s: field %q (%v), want %q", c.name, field, err, c.field)
		}
		if c.field == "" && (c.in == nil) != (typ.RewardCoefficients == nil) {
			t.Errorf("%s: nil kept apart from empty: %#v", c.name, typ.RewardCoefficients)
		}
	}
}

func TestCheckBaseSalary(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		in    domain.BaseSalaryInput
		field string
	}{
		{domain.BaseSalaryInput{From: "2026-07-01", Amount: 2_530_000}, ""},
		{domain.BaseSalaryInput{From: "1/7/2026", Amount: 2_530_000}, "input.from"},
		{domain.BaseSalaryInput{From: "2026-07-01", Amount: 0}, "input.amount"},
		{domain.BaseSalaryInput{From: "2026-07-01", Amount: domain.MaxBaseSalary + 1}, "input.amount"},
	} {
		_, err := domain.CheckBaseSalary(now, c.in)
		var field string
		if de, ok := err.(*domain.Error); ok {
			field = de.Field
		}
		if field != c.field {
			t.Errorf("%+v: field %q (%v), want %q", c.in, field, err, c.field)
		}
	}
}
