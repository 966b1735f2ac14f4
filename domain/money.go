package domain

import (
	"fmt"
	"sort"
	"time"
)

// Reward money (tiền thưởng): an award carries a coefficient of the base
// salary (lương cơ sở) in force on its decision's date, rounded up to the
// next 10,000 đồng. Coefficients are fixed-point thousandths (0.3 is 300)
// so that no amount passes through a float.

// RewardRounding is the step an amount is rounded up to, in đồng.
const RewardRounding = 10_000

// MaxCoefficient bounds a coefficient (in thousandths): 200 times the base
// salary, twice the highest form's. With MaxBaseSalary it keeps an
// award's amount within GraphQL's 32-bit Int (at most 2,000,000,000).
const MaxCoefficient = 200_000

// RewardCoefficient is the coefficient of the base salary an award type
// (of one class, or every class when Class is "") is rewarded with by
// decisions dated From to To (inclusive; empty: open-ended). Source is
// the text that sets it; Confirmed says whether that text was checked.
type RewardCoefficient struct {
	Class       string `json:"class,omitempty"`
	Thousandths int    `json:"thousandths"`
	From        string `json:"from,omitempty"`
	To          string `json:"to,omitempty"`
	Source      string `json:"source,omitempty"`
	Confirmed   bool   `json:"confirmed"`
}

// In reports whether the coefficient applies to class on date.
func (c *RewardCoefficient) In(class, date string) bool {
	return (c.Class == "" || c.Class == class) && inRange(date, c.From, c.To)
}

// CoefficientOn returns the coefficient of an award type for class in
// force on date: one of that very class before a class-less one; nil when
// there is none.
func CoefficientOn(t *AwardType, class, date string) *RewardCoefficient {
	var general *RewardCoefficient
	for i := range t.RewardCoefficients {
		c := &t.RewardCoefficients[i]
		if !c.In(class, date) {
			continue
		}
		if c.Class != "" {
			return c
		}
		if general == nil {
			general = c
		}
	}
	return general
}

// BaseSalary is the base salary (lương cơ sở) in đồng from a date until
// the next one's. Its id is the date.
type BaseSalary struct {
	From   string `json:"from"`
	Amount int64  `json:"amount"`
	Source string `json:"source,omitempty"`
	Meta   `json:"-"`
}

// BaseSalaryOn returns the base salary in force on date (the latest that
// starts on or before it); nil before the first.
func BaseSalaryOn(list []BaseSalary, date string) *BaseSalary {
	var best *BaseSalary
	for i := range list {
		s := &list[i]
		if s.From <= date && (best == nil || s.From > best.From) {
			best = s
		}
	}
	return best
}

// SortBaseSalaries orders a base salary table by date.
func SortBaseSalaries(list []BaseSalary) {
	sort.Slice(list, func(i, j int) bool { return list[i].From < list[j].From })
}

// RewardAmount is thousandths/1000 × salary, rounded up to the next
// RewardRounding đồng, in integers: ceil(thousandths × salary / 10⁷) × 10⁴.
func RewardAmount(thousandths int, salary int64) int64 {
	const den = 1000 * RewardRounding
	p := int64(thousandths) * salary
	q := p / den
	if p%den != 0 {
		q++
	}
	return q * RewardRounding
}

// Reward is the money an award carries: the coefficient and base salary
// of its decision's date, and the amount.
type Reward struct {
	Coefficient *RewardCoefficient
	BaseSalary  *BaseSalary
	Amount      int64
}

// AwardReward returns the reward of an award, or nil when it carries
// none: it is not CONFERRED (proposed, rejected and revoked awards are
// not paid), it has no decision date, its form has no coefficient in
// force on that date, or no base salary was in force then.
func AwardReward(a *Award, t *AwardType, salaries []BaseSalary) *Reward {
	if a == nil || t == nil || a.Status != StatusConferred || a.Decision == nil || a.Decision.Date == "" {
		return nil
	}
	c := CoefficientOn(t, a.Class, a.Decision.Date)
	s := BaseSalaryOn(salaries, a.Decision.Date)
	if c == nil || s == nil {
		return nil
	}
	return &Reward{Coefficient: c, BaseSalary: s, Amount: RewardAmount(c.Thousandths, s.Amount)}
}

// RewardCoefficientInput is a coefficient as an administrator gives it.
type RewardCoefficientInput struct {
	Class       *string
	Thousandths int
	From, To    *string
	Source      *string
	Confirmed   bool
}

// checkCoefficients checks an award type's coefficients: positive and
// bounded, of one of its classes (or every class), dates ordered, and no
// two of one class in force on one day.
func (c *checker) coefficients(t *AwardType, in []RewardCoefficientInput) {
	if in == nil {
		return
	}
	t.RewardCoefficients = []RewardCoefficient{}
	for i, r := range in {
		field := fmt.Sprintf("input.rewardCoefficients[%d].", i)
		from, to := c.validity(field+"valid", r.From, r.To)
		rc := RewardCoefficient{Thousandths: r.Thousandths, From: from, To: to,
			Source: c.text(field+"source", r.Source, false, MaxShort), Confirmed: r.Confirmed}
		if r.Class != nil {
			rc.Class = *r.Class
			if !contains(t.Classes, rc.Class) {
				c.fail(field+"class", "%s is not a class of %s", rc.Class, t.ID)
			}
		}
		if r.Thousandths <= 0 || r.Thousandths > MaxCoefficient {
			c.fail(field+"thousandths", "must be between 1 and %d (thousandths of the base salary)", MaxCoefficient)
		}
		for j, o := range t.RewardCoefficients {
			if o.Class == rc.Class && overlap(o.From, o.To, rc.From, rc.To) {
				c.fail(field+"validFrom", "overlaps rewardCoefficients[%d] of the same class", j)
			}
		}
		t.RewardCoefficients = append(t.RewardCoefficients, rc)
	}
}

// overlap reports whether two inclusive date ranges (empty: open) share a day.
func overlap(f1, t1, f2, t2 string) bool {
	return (t1 == "" || f2 == "" || f2 <= t1) && (t2 == "" || f1 == "" || f1 <= t2)
}

// inRange reports whether date (yyyy-mm-dd) falls in the inclusive range
// from..to, an empty end being open.
func inRange(date, from, to string) bool {
	return (from == "" || from <= date) && (to == "" || date <= to)
}

// BaseSalaryInput is the command to record the base salary from a date.
type BaseSalaryInput struct {
	From   string
	Amount int
	Source *string
}

// MaxBaseSalary bounds a base salary (đồng): ten million a month, over
// four times the 2024 one (see MaxCoefficient).
const MaxBaseSalary = 10_000_000

// CheckBaseSalary checks a base salary: a date, a positive amount in
// đồng, the text that sets it.
func CheckBaseSalary(now time.Time, in BaseSalaryInput) (*BaseSalary, error) {
	c := newChecker(nil, now)
	if err := CheckDate("input.from", in.From); err != nil {
		return nil, err
	}
	if in.Amount <= 0 || in.Amount > MaxBaseSalary {
		c.fail("input.amount", "must be between 1 and %d đồng", MaxBaseSalary)
	}
	s := &BaseSalary{From: in.From, Amount: int64(in.Amount), Source: c.text("input.source", in.Source, false, MaxShort)}
	return s, c.err
}

// CheckYear checks a query's year (a reward totals query, a list of titles
// to import): one awards may have (MinYear to next year).
func CheckYear(now time.Time, year int) error {
	c := newChecker(nil, now)
	c.year("year", year)
	return c.err
}
