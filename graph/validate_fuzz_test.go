package graph

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/thidua/thidua/catalog"
	"github.com/thidua/thidua/graph/model"
	"github.com/thidua/thidua/repository"
	"github.com/thidua/thidua/seed"
)

func seedSnapshot() *catalog.Snapshot {
	return catalog.NewSnapshot(seed.Provinces, seed.AwardTypes, seed.Indicators, []repository.Cluster{seed.Cluster})
}

// FuzzAwardInput: whatever the input, the award checker never panics, and
// what it accepts is clean: required text present, NFC, bounded, and the
// class and authority rules hold.
func FuzzAwardInput(f *testing.F) {
	f.Add("lang-son", "huan-chuong-lao-dong", "THIRD", "PRESIDENT", "INDIVIDUAL", "Nguyễn Văn An", "Chủ tịch", 2022, "CONFERRED", "231/QĐ-TTg", "2023-03-14", "")
	f.Add("ha-giang", "bang-khen-thu-tuong", "", "PRIME_MINISTER", "HOUSEHOLD", "Hộ ông Lò Văn Pá", "", 2026, "PROPOSED", "", "", "")
	f.Add("cao-bang", "co-thi-dua-chinh-phu", "", "GOVERNMENT", "COLLECTIVE", "Nguye\u0302\u0303n\u200b", "", 1800, "REJECTED", "", "", "không đủ")
	f.Add("x", "y", "FOURTH", "KING", "ROBOT", strings.Repeat("ă", 400), "\x00", 0, "GRANTED", " ", "2022-02-30", "")
	snap := seedSnapshot()
	now := time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, province, awardType, class, authority, kind, name, position string, year int,
		status, decisionNo, decisionDate, reason string) {
		in := model.AwardInput{ProvinceID: province, AwardTypeID: awardType, Authority: model.Authority(authority),
			Recipient: &model.RecipientInput{Kind: model.RecipientKind(kind), Name: name, Position: &position},
			Year:      year, Status: model.AwardStatus(status)}
		if class != "" {
			c := model.AwardClass(class)
			in.Class = &c
		}
		if decisionNo != "" || decisionDate != "" {
			in.Decision = &model.DecisionInput{Number: decisionNo, Date: model.Date(decisionDate)}
		}
		if reason != "" {
			in.RejectionReason = &reason
		}
		c := &checker{snap: snap, now: now}
		a := c.awardDoc(in, nil)
		if c.err != nil {
			return
		}
		n := a.Recipient.Name
		if n == "" || !utf8.ValidString(n) || !norm.NFC.IsNormalString(n) || utf8.RuneCountInString(n) > maxName ||
			strings.ContainsAny(n, "\u200b\u200c\u200d\ufeff\x00") || strings.TrimSpace(n) != n {
			t.Fatalf("accepted an unclean name %q", n)
		}
		t0 := snap.AwardType(a.AwardTypeID)
		if t0 == nil || (len(t0.Classes) > 0) != (a.Class != "") || !contains(t0.Authorities, a.Authority) ||
			!contains(t0.RecipientKinds, a.Recipient.Kind) || snap.Province(a.ProvinceID) == nil {
			t.Fatalf("accepted an award that breaks the catalogue's rules: %+v", a)
		}
		if a.Status == "CONFERRED" && a.Decision == nil || a.Year < minYear || a.Year > now.Year()+maxYearSkew {
			t.Fatalf("accepted %+v", a)
		}
	})
}

// FuzzReportValues: province values never panic the checker, and accepted
// ratios never have a count above the total.
func FuzzReportValues(f *testing.F) {
	f.Add("new-rural-communes", 315.0, 994.0, true)
	f.Add("new-rural-communes", 995.0, 994.0, true)
	f.Add("grdp-growth", 5.46, 0.0, false)
	f.Add("new-jobs", -1.0, 0.0, false)
	snap := seedSnapshot()
	f.Fuzz(func(t *testing.T, indicator string, value, total float64, hasTotal bool) {
		in := &model.IndicatorValueInput{IndicatorID: indicator, Value: value}
		if hasTotal {
			in.Total = &total
		}
		c := &checker{snap: snap, now: time.Now()}
		out := c.reportValues([]*model.IndicatorValueInput{in})
		if c.err != nil {
			return
		}
		v := out[0]
		if ind := snap.Indicator(v.IndicatorID); ind.Aggregation == "RATIO" && (v.Total == nil || v.Value > *v.Total || v.Value < 0) {
			t.Fatalf("accepted a ratio value %v of %v", v.Value, v.Total)
		}
	})
}
