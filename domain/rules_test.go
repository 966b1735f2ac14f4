package domain_test

import (
	"strconv"
	"testing"
	"time"

	"github.com/thidua/thidua/catalog"
	"github.com/thidua/thidua/domain"
	"github.com/thidua/thidua/seed"
)

// The rules, table by table, without a database.

func itoa(n int) string { return strconv.Itoa(n) }

func has(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

var members2025 = []string{"cao-bang", "dien-bien", "ha-giang", "lao-cai", "lai-chau", "son-la", "lang-son", "yen-bai"}

// testRef is the founding catalogue, with the cluster's 2022 members and a
// 2025 composition that still lists Hà Giang and Yên Bái (both existed on
// 1 January 2025; both were merged away on 1 July 2025).
func testRef() *catalog.Snapshot {
	cl := seed.Cluster
	cl.Years = append(append([]domain.ClusterYear(nil), cl.Years...),
		domain.ClusterYear{Year: 2025, Members: members2025, Chair: "ha-giang", Deputy: "lang-son"})
	return catalog.NewSnapshot(seed.Provinces, seed.AwardTypes, seed.Indicators, []domain.Cluster{cl})
}

var now = time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC)

// The texts of the law table's periods (seed.LawPeriods).
var (
	law2003 = seed.LawPeriods[0].Text
	law2022 = seed.LawPeriods[1].Text
	law2025 = seed.LawPeriods[2].Text
)

func sp(s string) *string { return &s }

func award(mod func(*domain.AwardInput)) domain.AwardInput {
	in := domain.AwardInput{ProvinceID: "lang-son", AwardTypeID: "huan-chuong-lao-dong", Class: sp("THIRD"),
		Authority: "PRESIDENT", Year: 2022, Status: "CONFERRED",
		Recipient: &domain.RecipientInput{Kind: "INDIVIDUAL", Name: "Nguyễn Văn An"},
		Decision:  &domain.DecisionInput{Number: "1234/QĐ-CTN", Date: "2022-09-01"}}
	if mod != nil {
		mod(&in)
	}
	return in
}

func TestAwardRules(t *testing.T) {
	ref := testRef()
	flag := func(authority, date string) func(*domain.AwardInput) {
		return func(in *domain.AwardInput) {
			in.AwardTypeID, in.Class, in.Authority = "co-thi-dua-chinh-phu", nil, authority
			in.Recipient.Kind, in.Recipient.Name = "COLLECTIVE", "Tỉnh Lạng Sơn"
			in.Year, in.Decision.Date = 2021, date
		}
	}
	grassroots := func(typ, authority, kind, date string) func(*domain.AwardInput) {
		return func(in *domain.AwardInput) {
			in.AwardTypeID, in.Class, in.Authority, in.Recipient.Kind = typ, nil, authority, kind
			in.Year, in.Decision.Date = 2024, date
		}
	}
	tests := []struct {
		name  string
		in    domain.AwardInput
		field string // "" = accepted
		basis string
	}{
		{"a 2022 order by the President", award(nil), "", law2003},
		{"the 2022 government flag, decided by the Prime Minister (2003 law)", award(flag("PRIME_MINISTER", "2022-03-01")), "", law2003},
		{"the government flag decided by the Government before 2024", award(flag("GOVERNMENT", "2022-03-01")), "input.authority", ""},
		{"the government flag decided by the Government (Law 06/2022 Điều 78 k1)", award(flag("GOVERNMENT", "2024-03-01")), "", law2022},
		{"the government flag decided by the Prime Minister from 2024 (practice: the PM's decision of 14/10/2024)", award(flag("PRIME_MINISTER", "2024-10-14")), "", law2022},
		{"Huân chương Đại đoàn kết dân tộc for a collective", award(func(in *domain.AwardInput) {
			in.AwardTypeID, in.Class, in.Recipient.Kind = "huan-chuong-dai-doan-ket-dan-toc", nil, "COLLECTIVE"
		}), "input.recipient.kind", ""},
		{"Huân chương Đại đoàn kết dân tộc for an individual", award(func(in *domain.AwardInput) {
			in.AwardTypeID, in.Class = "huan-chuong-dai-doan-ket-dan-toc", nil
		}), "", law2003},
		{"Lao động tiên tiến by a commune chair (Điều 80 k3)", award(grassroots("lao-dong-tien-tien", "COMMUNE_CHAIR", "INDIVIDUAL", "2025-01-10")), "", law2022},
		{"Giấy khen by a commune chair (Điều 80 k3)", award(grassroots("giay-khen", "COMMUNE_CHAIR", "HOUSEHOLD", "2025-01-10")), "", law2022},
		{"Giấy khen by a district chair before 1/7/2025 (Điều 80 k2)", award(grassroots("giay-khen", "DISTRICT_CHAIR", "INDIVIDUAL", "2025-06-30")), "", law2022},
		{"Giấy khen by a district chair after the district level ended", award(grassroots("giay-khen", "DISTRICT_CHAIR", "INDIVIDUAL", "2025-07-01")), "input.authority", ""},
		{"a Bằng khen decided on 10/3/2026 cites Decree 152/2025 (issue 18)", award(func(in *domain.AwardInput) {
			in.AwardTypeID, in.Class, in.Authority, in.Year, in.Decision.Date = "bang-khen-chu-tich-tinh", nil, "PROVINCE_CHAIR", 2025, "2026-03-10"
		}), "", law2025},
		{"a decision before the award year", award(func(in *domain.AwardInput) { in.Year = 2023 }), "input.decision.date", ""},
		{"a decision for Hà Giang after its merger", award(func(in *domain.AwardInput) {
			in.ProvinceID, in.Year, in.Decision.Date = "ha-giang", 2025, "2025-08-01"
		}), "input.provinceId", ""},
		{"a decision for Hà Giang before its merger", award(func(in *domain.AwardInput) {
			in.ProvinceID, in.Year, in.Decision.Date = "ha-giang", 2025, "2025-06-01"
		}), "", law2022},
		{"a class for a type without classes", award(func(in *domain.AwardInput) { in.AwardTypeID = "giay-khen"; in.Authority = "UNIT_HEAD" }), "input.class", ""},
		{"a conferred award without its decision", award(func(in *domain.AwardInput) { in.Decision = nil }), "input.decision", ""},
		{"a rejected award without its reason", award(func(in *domain.AwardInput) { in.Status, in.Decision = "REJECTED", nil }), "input.rejectionReason", ""},
		{"revoked through an update", award(func(in *domain.AwardInput) { in.Status = "REVOKED" }), "input.status", ""},
		{"a decision in the future", award(func(in *domain.AwardInput) { in.Decision.Date = "2027-01-01" }), "input.decision.date", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := domain.CheckAward(ref, now, tt.in, nil)
			if tt.field == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				if a.LegalBasis != tt.basis {
					t.Errorf("legal basis %q, want %q", a.LegalBasis, tt.basis)
				}
				if a.Owner != a.ProvinceID || a.Published != (a.Status == "CONFERRED") {
					t.Errorf("owner %q published %v", a.Owner, a.Published)
				}
				return
			}
			var de *domain.Error
			if err == nil || !asError(err, &de) || de.Code != domain.CodeInvalid || de.Field != tt.field {
				t.Fatalf("got %v, want BAD_USER_INPUT on %s", err, tt.field)
			}
		})
	}
}

// District chairs decide nothing after 30/6/2025, whatever a catalogue
// entry says (an administrator's rule without an end date included).
func TestDistrictLevelEnds(t *testing.T) {
	ty := &domain.AwardType{AuthorityRules: []domain.AuthorityRule{{Authority: "DISTRICT_CHAIR"}}, Authorities: []string{"DISTRICT_CHAIR"}}
	if !domain.AuthorityAllowed(ty, "DISTRICT_CHAIR", "2025-06-30") || domain.AuthorityAllowed(ty, "DISTRICT_CHAIR", "2025-07-01") {
		t.Error("a district chair's decision around 1/7/2025")
	}
}

func asError(err error, out **domain.Error) bool {
	e, ok := err.(*domain.Error)
	*out = e
	return ok
}

func contains(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return true
		}
	}
	return false
}

func TestTransitions(t *testing.T) {
	tests := []struct {
		from, to string
		ok       bool
	}{
		{"PROPOSED", "PROPOSED", true}, {"PROPOSED", "CONFERRED", true}, {"PROPOSED", "REJECTED", true},
		{"REJECTED", "PROPOSED", true}, {"REJECTED", "CONFERRED", false},
		{"CONFERRED", "CONFERRED", true}, {"CONFERRED", "PROPOSED", false}, {"CONFERRED", "REJECTED", false},
		{"REVOKED", "CONFERRED", false}, {"REVOKED", "REVOKED", false},
	}
	for _, tt := range tests {
		if err := domain.Transition(tt.from, tt.to); (err == nil) != tt.ok {
			t.Errorf("%s → %s: %v, want allowed=%v", tt.from, tt.to, err, tt.ok)
		}
	}
}

func TestUpdateAndRevokeKeepHistory(t *testing.T) {
	ref := testRef()
	at := now
	prop := award(func(in *domain.AwardInput) { in.Status, in.Decision = "PROPOSED", nil })
	a, err := domain.CheckAward(ref, now, prop, nil)
	if err != nil {
		t.Fatal(err)
	}
	domain.NewAward(a, "u1", at)
	next, err := domain.CheckAward(ref, now, award(nil), nil)
	if err != nil {
		t.Fatal(err)
	}
	up, err := domain.UpdateAward(a, next, "u2", at)
	if err != nil || len(up.History) != 2 || up.History[1].Status != "CONFERRED" || up.History[1].By != "u2" {
		t.Fatalf("update: %v %+v", err, up)
	}
	if _, err := domain.Revoke(ref, now, a, domain.RevocationInput{Reason: "sai", Decision: domain.DecisionInput{Number: "1", Date: "2023-01-01"}}, "u3"); err == nil {
		t.Fatal("revoked a PROPOSED award")
	}
	if _, err := domain.Revoke(ref, now, up, domain.RevocationInput{Reason: "sai", Decision: domain.DecisionInput{Number: "1", Date: "2022-08-01"}}, "u3"); err == nil {
		t.Fatal("revoked before the conferral")
	}
	rv, err := domain.Revoke(ref, now, up, domain.RevocationInput{Reason: "sai", Decision: domain.DecisionInput{Number: "1", Date: "2023-01-01"}}, "u3")
	if err != nil || rv.Status != "REVOKED" || !rv.Published || len(rv.History) != 3 || rv.Decision == nil {
		t.Fatalf("revoke: %v %+v", err, rv)
	}
	if domain.CanDelete(rv) == nil || domain.CanDelete(up) == nil || domain.CanDelete(a) != nil {
		t.Fatal("delete rule: public decisions stay, proposals may go")
	}
}

func TestMembershipOnADate(t *testing.T) {
	ref := testRef()
	tests := []struct {
		year          int
		date          string
		want          []string
		chair, deputy string
	}{
		{2022, "2022-07-20", []string{"cao-bang", "dien-bien", "ha-giang", "lao-cai", "lai-chau", "son-la", "lang-son"}, "", ""},
		{2025, "2025-06-30", members2025, "ha-giang", "lang-son"},
		// After the merger: Hà Giang and Yên Bái are no longer members, and Hà Giang no longer chairs.
		{2025, "2026-01-15", []string{"cao-bang", "dien-bien", "lao-cai", "lai-chau", "son-la", "lang-son"}, "", "lang-son"},
	}
	for _, tt := range tests {
		m := domain.MembersOn(ref, tt.year, tt.date)
		if m == nil || len(m.Members) != len(tt.want) || m.Chair != tt.chair || m.Deputy != tt.deputy {
			t.Fatalf("%d on %s: %+v, want %v chair %q deputy %q", tt.year, tt.date, m, tt.want, tt.chair, tt.deputy)
		}
		for _, p := range tt.want {
			if !m.Has(p) {
				t.Errorf("%d on %s: %s missing", tt.year, tt.date, p)
			}
		}
	}
	if domain.MembersOn(ref, 2019, "2019-07-01") != nil {
		t.Error("a year without a composition has members")
	}
}

func review(year int, date string) *domain.PeriodReview {
	return &domain.PeriodReview{ID: "000000000000000000000001", Kind: "YEAR_END", Year: year, Date: date,
		PeriodStart: itoa(year) + "-01-01", PeriodEnd: date, Owner: "*", Published: true}
}

func TestOnlyMembersReport(t *testing.T) {
	ref := testRef()
	r2022 := review(2022, "2022-07-20")
	for p, ok := range map[string]bool{"lang-son": true, "ha-giang": true, "tuyen-quang": false, "yen-bai": false} {
		if err := domain.CanReport(ref, r2022, p); (err == nil) != ok {
			t.Errorf("%s reporting in 2022: %v, want allowed=%v", p, err, ok)
		}
	}
	r2025 := review(2025, "2026-01-15")
	for p, ok := range map[string]bool{"lao-cai": true, "yen-bai": false, "ha-giang": false} {
		if err := domain.CanReport(ref, r2025, p); (err == nil) != ok {
			t.Errorf("%s reporting at the review of 15/1/2026: %v, want allowed=%v", p, err, ok)
		}
	}
	if err := domain.CanReport(ref, review(2019, "2019-12-20"), "lang-son"); err == nil {
		t.Error("a report into a year without members was accepted")
	}
}

func f64(v float64) *float64 { return &v }

func TestSummaryCountsMembersOnly(t *testing.T) {
	ref := testRef()
	r := review(2022, "2022-07-20")
	reports := []domain.ProvinceReport{
		{ProvinceID: "lang-son", Values: []domain.IndicatorValue{{IndicatorID: "new-jobs", Value: 100}, {IndicatorID: "grdp-growth", Value: 7.1}}},
		{ProvinceID: "cao-bang", Values: []domain.IndicatorValue{{IndicatorID: "new-jobs", Value: 50}, {IndicatorID: "grdp-growth", Value: 5.2}}},
		// Not a member in 2022: left out of every figure.
		{ProvinceID: "tuyen-quang", Values: []domain.IndicatorValue{{IndicatorID: "new-jobs", Value: 1000}, {IndicatorID: "grdp-growth", Value: 12}}},
	}
	byID := map[string]domain.IndicatorSummary{}
	for _, s := range domain.Summarize(ref, r, ref.Indicators, reports) {
		byID[s.Indicator.ID] = s
	}
	if s := byID["new-jobs"]; s.Derived == nil || *s.Derived.Value != 150 || s.ProvincesReported != 2 || len(s.NotReported) != 5 {
		t.Errorf("new jobs: %+v %+v", s, s.Derived)
	}
	if s := byID["grdp-growth"]; s.Derived == nil || s.Derived.Text != "5.2–7.1 %" {
		t.Errorf("growth: %+v", s.Derived)
	}
	if got := len(domain.MemberReports(ref, r, reports)); got != 2 {
		t.Errorf("member reports: %d", got)
	}
}

func TestDerivedTally(t *testing.T) {
	ref := testRef()
	r := review(2022, "2022-07-20")
	tally := domain.ReportedAwardTally{Authorities: []string{"PRESIDENT"}, Count: 19}
	count, recorded, ok := domain.TallyFilters(ref, r, tally)
	if !ok || len(count.ProvinceIDs) != 7 || has(count.ProvinceIDs, "tuyen-quang") || count.Authorities[0] != "PRESIDENT" ||
		len(recorded.Authorities) != 0 || recorded.From != "2022-01-01" {
		t.Fatalf("filters: %+v %+v", count, recorded)
	}
	if domain.DerivedCount(0, 0) != nil {
		t.Error("no award recorded: the derived count is unknown (null), not 0")
	}
	if n := domain.DerivedCount(0, 3); n == nil || *n != 0 {
		t.Error("awards recorded, none by these authorities: 0")
	}
	noPeriod := *r
	noPeriod.PeriodStart, noPeriod.PeriodEnd = "", ""
	if _, _, ok := domain.TallyFilters(ref, &noPeriod, tally); ok {
		t.Error("a review without a period derives a tally")
	}
}

func TestStatisticsCodeHistory(t *testing.T) {
	ref := testRef()
	for _, tt := range []struct{ province, date, want string }{
		{"lao-cai", "2022-07-20", "10"}, {"lao-cai", "2025-07-01", "15"},
		{"yen-bai", "2022-07-20", "15"}, {"yen-bai", "2026-01-01", "15"}, // its own code, in history
		{"ha-giang", "2026-01-01", "02"},
	} {
		if got := ref.Province(tt.province).CodeOn(tt.date); got != tt.want {
			t.Errorf("%s on %s: %q, want %q", tt.province, tt.date, got, tt.want)
		}
	}
	for id, preds := range map[string][]string{"lao-cai": {"yen-bai"}, "tuyen-quang": {"ha-giang"}} {
		p := ref.Province(id)
		if len(p.PredecessorIDs) != 1 || p.PredecessorIDs[0] != preds[0] || p.AdministrativeCentre == "" {
			t.Errorf("%s: predecessors %v, centre %q", id, p.PredecessorIDs, p.AdministrativeCentre)
		}
	}
}
