package domain_test

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/thidua/thidua/domain"
)

// FuzzAwardInput: whatever the input, the award rules never panic, and what
// they accept is clean: required text present, NFC, bounded, and the
// class, authority and recipient rules hold.
func FuzzAwardInput(f *testing.F) {
	f.Add("lang-son", "huan-chuong-lao-dong", "THIRD", "PRESIDENT", "INDIVIDUAL", "Nguyễn Văn An", "Chủ tịch", 2022, "CONFERRED", "231/QĐ-TTg", "2023-03-14", "")
	f.Add("ha-giang", "bang-khen-thu-tuong", "", "PRIME_MINISTER", "HOUSEHOLD", "Hộ ông Lò Văn Pá", "", 2026, "PROPOSED", "", "", "")
	f.Add("cao-bang", "co-thi-dua-chinh-phu", "", "GOVERNMENT", "COLLECTIVE", "Nguye\u0302\u0303n\u200b", "", 1800, "REJECTED", "", "", "không đủ")
	f.Add("x", "y", "FOURTH", "KING", "ROBOT", strings.Repeat("ă", 400), "\x00", 0, "GRANTED", " ", "2022-02-30", "")
	ref := testRef()
	now := time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, province, awardType, class, authority, kind, name, position string, year int,
		status, decisionNo, decisionDate, reason string) {
		in := domain.AwardInput{ProvinceID: province, AwardTypeID: awardType, Authority: authority,
			Recipient: &domain.RecipientInput{Kind: kind, Name: name, Position: &position},
			Year:      year, Status: status}
		if class != "" {
			in.Class = &class
		}
		if decisionNo != "" || decisionDate != "" {
			in.Decision = &domain.DecisionInput{Number: decisionNo, Date: decisionDate}
		}
		if reason != "" {
			in.RejectionReason = &reason
		}
		a, err := domain.CheckAward(ref, now, in, nil)
		if err != nil {
			if domain.ErrorCode(err) != domain.CodeInvalid {
				t.Fatalf("refused with %v, not BAD_USER_INPUT", err)
			}
			return
		}
		n := a.Recipient.Name
		if n == "" || !utf8.ValidString(n) || !norm.NFC.IsNormalString(n) || utf8.RuneCountInString(n) > domain.MaxName ||
			strings.ContainsAny(n, "\u200b\u200c\u200d\ufeff\x00") || strings.TrimSpace(n) != n {
			t.Fatalf("accepted an unclean name %q", n)
		}
		t0 := ref.AwardType(a.AwardTypeID)
		on := "9999"
		if a.Decision != nil {
			on = a.Decision.Date
		}
		if t0 == nil || (len(t0.Classes) > 0) != (a.Class != "") || !has(t0.RecipientKinds, a.Recipient.Kind) ||
			(a.Decision != nil && !domain.AuthorityAllowed(t0, a.Authority, on)) || ref.Province(a.ProvinceID) == nil {
			t.Fatalf("accepted an award that breaks the catalogue's rules: %+v", a)
		}
		if a.Status == "CONFERRED" && a.Decision == nil || a.Year < domain.MinYear || a.Year > now.Year()+1 {
			t.Fatalf("accepted %+v", a)
		}
		if a.Decision != nil && a.Decision.Date[:4] < strings.Repeat("0", 4-len(itoa(a.Year)))+itoa(a.Year) {
			t.Fatalf("accepted a decision before the award year: %+v", a)
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
	ref := testRef()
	f.Fuzz(func(t *testing.T, indicator string, value, total float64, hasTotal bool) {
		in := domain.IndicatorValueInput{IndicatorID: indicator, Value: value}
		if hasTotal {
			in.Total = &total
		}
		out, err := domain.CheckReportValues(ref, time.Now(), []domain.IndicatorValueInput{in})
		if err != nil {
			return
		}
		v := out[0]
		if ind := ref.Indicator(v.IndicatorID); ind.Aggregation == "RATIO" && (v.Total == nil || v.Value > *v.Total || v.Value < 0) {
			t.Fatalf("accepted a ratio value %v of %v", v.Value, v.Total)
		}
	})
}
