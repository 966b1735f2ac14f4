package graph

import (
	"math"
	"strconv"
	"strings"

	"github.com/thidua/thidua/graph/model"
	"github.com/thidua/thidua/repository"
)

// How the cluster figures derive from the province reports, per indicator
// aggregation: RANGE gives min–max, SUM the total, RATIO the sum of counts
// over the sum of totals.

func summarize(ind *repository.Indicator, reports []repository.ProvinceReport) (*model.Figure, int) {
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
	f := &model.Figure{}
	switch ind.Aggregation {
	case "RANGE":
		lo, hi := vals[0], vals[0]
		for _, v := range vals[1:] {
			lo, hi = math.Min(lo, v), math.Max(hi, v)
		}
		f.Min, f.Max = &lo, &hi
	case "RATIO":
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
	f.Text = figureText(ind, f)
	return f, len(vals)
}

// reportedFigure turns a figure as reported into the API's Figure.
func reportedFigure(r repository.ReportedFigure) *model.Figure {
	return &model.Figure{Min: r.Min, Max: r.Max, Value: r.Value, Total: r.Total, Ratio: r.Ratio}
}

// figureText formats a figure the way the cluster's reports write it:
// "5.46–9.15 %", "24,900", "315/994 = 31.69 %".
func figureText(ind *repository.Indicator, f *model.Figure) string {
	unit := ""
	if ind.Unit != "" {
		unit = " " + ind.Unit
	}
	switch {
	case f.Min != nil && f.Max != nil:
		if *f.Min == *f.Max {
			return formatNumber(*f.Min) + unit
		}
		return formatNumber(*f.Min) + "–" + formatNumber(*f.Max) + unit
	case f.Value != nil && f.Total != nil:
		s := formatNumber(*f.Value) + "/" + formatNumber(*f.Total)
		if f.Ratio != nil {
			s += " = " + strconv.FormatFloat(*f.Ratio, 'f', 2, 64) + " %"
		}
		return s
	case f.Value != nil:
		return formatNumber(*f.Value)
	case f.Ratio != nil:
		return strconv.FormatFloat(*f.Ratio, 'f', 2, 64) + " %"
	}
	return ""
}

func round2(v float64) float64 { return math.Round(v*100) / 100 }

// formatNumber writes v with comma thousands separators and at most the
// decimals it has (to 1e-6): 24900 → "24,900", 5.46 → "5.46".
func formatNumber(v float64) string {
	s := strconv.FormatFloat(math.Round(v*1e6)/1e6, 'f', -1, 64)
	sign := ""
	if strings.HasPrefix(s, "-") {
		sign, s = "-", s[1:]
	}
	intPart, frac, hasFrac := strings.Cut(s, ".")
	var b strings.Builder
	for i, c := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if hasFrac {
		b.WriteString("." + frac)
	}
	return sign + b.String()
}

// applyFigureText fills in the text of reported figures.
func applyFigureText(ind *repository.Indicator, f *model.Figure) *model.Figure {
	if ind != nil && f.Text == "" {
		f.Text = figureText(ind, f)
	}
	return f
}

// difference is derived minus reported, field by field where both are set.
func difference(ind *repository.Indicator, derived, reported *model.Figure) *model.Figure {
	sub := func(a, b *float64) *float64 {
		if a == nil || b == nil {
			return nil
		}
		d := round2(*a - *b)
		return &d
	}
	d := &model.Figure{Min: sub(derived.Min, reported.Min), Max: sub(derived.Max, reported.Max),
		Value: sub(derived.Value, reported.Value), Total: sub(derived.Total, reported.Total),
		Ratio: sub(derived.Ratio, reported.Ratio)}
	if d.Min == nil && d.Max == nil && d.Value == nil && d.Total == nil && d.Ratio == nil {
		return nil
	}
	d.Text = figureText(ind, d)
	return d
}

// notReported lists the members that have no value for the indicator.
func notReported(members []string, reports []repository.ProvinceReport, indicator string) []string {
	has := map[string]bool{}
	for _, r := range reports {
		for _, v := range r.Values {
			if v.IndicatorID == indicator {
				has[r.ProvinceID] = true
			}
		}
	}
	var out []string
	for _, m := range members {
		if !has[m] {
			out = append(out, m)
		}
	}
	return out
}
