package domain_test

import (
	"strings"
	"testing"

	"github.com/thidua/thidua/catalog"
	"github.com/thidua/thidua/domain"
	"github.com/thidua/thidua/seed"
)

// The law table: each decision date cites the law and decrees in force
// then (docs/domain.md, "The law behind the rules"; domain.md, "The law over
// time").
func TestLegalBasisByDecisionDate(t *testing.T) {
	ref := testRef()
	tests := []struct {
		on, want, source string
	}{
		{"2017-07-31", "Nghị định số 91/2017/NĐ-CP", "Law 15/2003/QH11 + Decree 91/2017 until 31/12/2023"},
		{"2023-03-14", "15/2003/QH11", "231/QĐ-TTg of 14/3/2023 under the 2003 law"},
		{"2023-12-31", "15/2003/QH11", "Law 06/2022 Art. 95: in force from 1/1/2024"},
		{"2024-01-01", "Nghị định số 98/2023/NĐ-CP", "Law 06/2022/QH15 + Decree 98/2023 from 1/1/2024"},
		{"2024-10-14", "Nghị định số 28/2024/NĐ-CP", "Decree 28/2024 beside 98/2023 (domain.md)"},
		{"2025-06-30", "Nghị định số 98/2023/NĐ-CP", "the last day of Decree 98/2023"},
		{"2025-07-01", "Nghị định số 152/2025/NĐ-CP", "Decree 152/2025 from 1/7/2025"},
		{"2026-03-10", "Nghị định số 152/2025/NĐ-CP", "issue 18: a decision of 10/3/2026 cites 152/2025"},
	}
	for _, tt := range tests {
		got := domain.LegalBasisOn(ref, tt.on)
		if !strings.Contains(got, tt.want) {
			t.Errorf("%s (%s): %q, want it to name %s", tt.on, tt.source, got, tt.want)
		}
		if tt.on >= domain.Decree152Start && strings.Contains(got, "98/2023") {
			t.Errorf("%s cites %q: Decree 152/2025 Art. 59 repeals 98/2023", tt.on, got)
		}
	}
	// The catalogue's table wins over the seeded one: a `*` admin corrects it.
	corrected := catalog.NewSnapshot(seed.Provinces, seed.AwardTypes, seed.Indicators, nil)
	corrected.Laws = []domain.LawPeriod{{ID: "x", ValidFrom: "2025-07-01", Text: "Văn bản đã sửa"}}
	if got := domain.LegalBasisOn(corrected, "2026-03-10"); got != "Văn bản đã sửa" {
		t.Errorf("with a corrected table: %q", got)
	}
	if got := domain.LegalBasisOn(corrected, "2023-01-01"); !strings.Contains(got, "15/2003") {
		t.Errorf("a date the corrected table lacks falls back on the seeded one: %q", got)
	}
}

// Who may decide what, judged at the decision's date (the catalogue's
// authority rules; the source of each rule is its basis, marked
// unconfirmed where the text was not checked).
func TestAuthoritiesByDecisionDate(t *testing.T) {
	ref := testRef()
	tests := []struct {
		awardType, authority, on string
		ok                       bool
		source                   string
	}{
		{"co-thi-dua-chinh-phu", "PRIME_MINISTER", "2023-03-14", true, "practice: 231/QĐ-TTg of 14/3/2023"},
		{"co-thi-dua-chinh-phu", "PRIME_MINISTER", "2024-10-14", true, "practice: the PM's decision of 14/10/2024 (the 2023 flag)"},
		{"co-thi-dua-chinh-phu", "GOVERNMENT", "2024-10-14", true, "Law 06/2022 Art. 78(1) as the catalogue reads it (unconfirmed)"},
		{"co-thi-dua-chinh-phu", "GOVERNMENT", "2023-03-14", false, "no rule for the Government before 2024"},
		{"chien-si-thi-dua-co-so", "DISTRICT_CHAIR", "2025-06-30", true, "Law 06/2022 Art. 80(2), until the district level ended"},
		{"chien-si-thi-dua-co-so", "DISTRICT_CHAIR", "2025-07-01", false, "district level ended 1/7/2025"},
		{"chien-si-thi-dua-co-so", "COMMUNE_CHAIR", "2025-06-30", false, "commune chairs take over only from 1/7/2025"},
		{"chien-si-thi-dua-co-so", "COMMUNE_CHAIR", "2025-07-01", true, "commune chairs after the district level (unconfirmed)"},
		{"tap-the-lao-dong-tien-tien", "COMMUNE_CHAIR", "2026-01-15", true, "commune chairs after the district level (unconfirmed)"},
		{"thon-to-dan-pho-van-hoa", "COMMUNE_CHAIR", "2026-01-15", true, "commune chairs after the district level (unconfirmed)"},
		{"thon-to-dan-pho-van-hoa", "DISTRICT_CHAIR", "2026-01-15", false, "district level ended 1/7/2025"},
		{"thon-to-dan-pho-van-hoa", "DISTRICT_CHAIR", "2024-12-20", true, "Law 06/2022 Art. 80(2)"},
	}
	for _, tt := range tests {
		ty := ref.AwardType(tt.awardType)
		if got := domain.AuthorityAllowed(ty, tt.authority, tt.on); got != tt.ok {
			t.Errorf("%s by %s on %s: %v, want %v (%s)", tt.awardType, tt.authority, tt.on, got, tt.ok, tt.source)
		}
	}
	// Every rule whose basis says it is unchecked is marked unconfirmed.
	for _, ty := range seed.AwardTypes {
		for _, r := range ty.AuthorityRules {
			if strings.Contains(r.Basis, "chưa đối chiếu") && !r.Unconfirmed {
				t.Errorf("%s: %s's rule (%s) is not marked unconfirmed", ty.ID, r.Authority, r.Basis)
			}
		}
	}
}
