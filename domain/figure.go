package domain

import (
	"math"
	"strconv"
	"strings"
)

// Figure is a cluster figure: a range (Min–Max), a value, a count out of a
// total with its ratio (percent), and its text as the reports write it.
type Figure struct {
	Min, Max, Value, Total, Ratio *float64
	Text                          string
}

// Aggregations of an indicator across provinces.
const (
	AggRange = "RANGE" // lowest–highest province value (rates)
	AggSum   = "SUM"   // added up (counts)
	AggRatio = "RATIO" // sum of counts over sum of totals, and the percentage
)

// Derive computes the cluster figure of an indicator from the province
// reports, and how many provinces reported it (domain.md, "Period reviews").
func Derive(ind *Indicator, reports []ProvinceReport) (*Figure, int) {
	var vals, totals []float64
	for _, r := range reports {
		for _, v := range r.Values {
			if v.IndicatorID != ind.ID {
				continue
			}
			vals = append(vals, v.Value)
			if v.Total != nil {
				totals = append(totals, *v.Total)
			} else {
				totals = append(totals, 0)
			}
		}
	}
	if len(vals) == 0 {
		return nil, 0
	}
	f := &Figure{}
	switch ind.Aggregation {
	case AggRange:
		lo, hi := vals[0], vals[0]
		for _, v := range vals[1:] {
			lo, hi = math.Min(lo, v), math.Max(hi, v)
		}
		f.Min, f.Max = &lo, &hi
	case AggRatio:
		var num, den float64
		for i := range vals {
			num += vals[i]
			den += totals[i]
		}
		f.Value, f.Total = &num, &den
		if den > 0 {
			r := round2(100 * num / den)
			f.Ratio = &r
		}
	default: // SUM
		var sum float64
		for _, v := range vals {
			sum += v
		}
		f.Value = &sum
	}
	f.Text = FigureText(ind, f)
	return f, len(vals)
}

// ReportedAsFigure is a figure as reported at a conference, with its text.
func ReportedAsFigure(ind *Indicator, r ReportedFigure) *Figure {
	f := &Figure{Min: r.Min, Max: r.Max, Value: r.Value, Total: r.Total, Ratio: r.Ratio}
	if ind != nil {
		f.Text = FigureText(ind, f)
	}
	return f
}

// FigureText formats a figure the way the cluster's reports write it:
// "5.46–9.15 %", "24,900", "315/994 = 31.69 %".
func FigureText(ind *Indicator, f *Figure) string {
	unit := ""
	if ind.Unit != "" {
		unit = " " + ind.Unit
	}
	switch {
	case f.Min != nil && f.Max != nil:
		if *f.Min == *f.Max {
			return FormatNumber(*f.Min) + unit
		}
		return FormatNumber(*f.Min) + "–" + FormatNumber(*f.Max) + unit
	case f.Value != nil && f.Total != nil:
		s := FormatNumber(*f.Value) + "/" + FormatNumber(*f.Total)
		if f.Ratio != nil {
			s += " = " + strconv.FormatFloat(*f.Ratio, 'f', 2, 64) + " %"
		}
		return s
	case f.Value != nil:
		return FormatNumber(*f.Value)
	case f.Ratio != nil:
		return strconv.FormatFloat(*f.Ratio, 'f', 2, 64) + " %"
	}
	return ""
}

// Difference is derived minus reported, field by field where both are set;
// nil when no field is.
func Difference(ind *Indicator, derived, reported *Figure) *Figure {
	sub := func(a, b *float64) *float64 {
		if a == nil || b == nil {
			return nil
		}
		d := round2(*a - *b)
		return &d
	}
	d := &Figure{Min: sub(derived.Min, reported.Min), Max: sub(derived.Max, reported.Max),
		Value: sub(derived.Value, reported.Value), Total: sub(derived.Total, reported.Total),
		Ratio: sub(derived.Ratio, reported.Ratio)}
	if d.Min == nil && d.Max == nil && d.Value == nil && d.Total == nil && d.Ratio == nil {
		return nil
	}
	d.Text = FigureText(ind, d)
	return d
}

func round2(v float64) float64 { return math.Round(v*100) / 100 }

// FormatNumber writes v with comma thousands separators and at most the
// decimals it has (to 1e-6): 24900 → "24,900", 5.46 → "5.46".
func FormatNumber(v float64) string { return GroupNumber(v, ',', '.') }

// GroupNumber writes v to 1e-6 with the decimals it has, thousands
// separated by thousands and the fraction after decimal ("24.900" and
// "5,46" the Vietnamese way).
func GroupNumber(v float64, thousands, decimal byte) string {
	s := strconv.FormatFloat(math.Round(v*1e6)/1e6, 'f', -1, 64)
	sign := ""
	if strings.HasPrefix(s, "-") {
		sign, s = "-", s[1:]
	}
	intPart, frac, hasFrac := strings.Cut(s, ".")
	var b strings.Builder
	for i, c := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteByte(thousands)
		}
		b.WriteRune(c)
	}
	if hasFrac {
		b.WriteByte(decimal)
		b.WriteString(frac)
	}
	return sign + b.String()
}
