package httpapi_test

import (
	"fmt"
	"strings"
	"testing"
)

// The law over time through the API (issue 18, part 1): the law table is
// public data a `*` admin corrects; authorities and legal bases are judged
// at the decision's date (a dossier's: its letter's), never at today's.
func TestLawAtTheDecisionsDate(t *testing.T) {
	t.Parallel()
	a := newAPI(t)
	admin := token(t, map[string]string{"*": "admin"})
	cluster := token(t, map[string]string{"*": "editor"})
	langSon := token(t, map[string]string{"lang-son": "editor"})

	// The three periods of the law table, public.
	laws := get(a.ok("", `{ lawPeriods { id validFrom validTo text unconfirmed version } }`, nil), "lawPeriods").([]any)
	if len(laws) != 3 || !strings.Contains(get(laws[2], "text").(string), "152/2025/NĐ-CP") || get(laws[2], "validFrom") != "2025-07-01" {
		t.Fatalf("lawPeriods: %v", laws)
	}
	// Unconfirmed catalogue rules are marked (the Government flag by the
	// Prime Minister from 2024 is practice, not a confirmed article).
	rules := get(a.ok("", `{ node(id: "co-thi-dua-chinh-phu") { ... on AwardType { authorityRules { authority from unconfirmed } } } }`, nil),
		"node", "authorityRules").([]any)
	if len(rules) != 3 || get(rules[1], "authority") != "PRIME_MINISTER" || get(rules[1], "unconfirmed") != true {
		t.Errorf("the flag's rules: %v", rules)
	}

	// Issue 18: the cluster's 2022 dossier asking the Prime Minister for
	// the Government flag, its letter of 2023, is accepted.
	flag := map[string]any{"kind": "REGULAR", "authority": "PRIME_MINISTER", "year": 2022,
		"title": "Đề nghị tặng Cờ thi đua của Chính phủ năm 2022", "proposingUnit": "Cụm thi đua các tỉnh miền núi biên giới phía Bắc",
		"letter": map[string]any{"number": "05/TTr-CTĐ", "date": "2023-02-20"},
		"recipients": []any{map[string]any{"provinceId": "lang-son", "awardTypeId": "co-thi-dua-chinh-phu",
			"recipient": map[string]any{"kind": "COLLECTIVE", "name": "Nhân dân và cán bộ tỉnh Lạng Sơn"}, "achievement": "Dẫn đầu Cụm năm 2022"}}}
	const create = `mutation($in: DossierInput!) { createDossier(input: $in) { id status warnings { message } } }`
	if r := a.do(cluster, create, map[string]any{"in": flag}); len(r.Errors) > 0 {
		t.Errorf("the 2022 flag dossier to the Prime Minister: %v", r.Errors)
	}
	// Judged at its letter's date, not today's: the Government decides
	// nothing of the flag in 2023.
	if r := a.do(cluster, create, map[string]any{"in": with(flag, "authority", "GOVERNMENT")}); r.code() != "BAD_USER_INPUT" || r.field() != "input.authority" {
		t.Errorf("the 2022 flag dossier to the Government, letter of 2023: %s on %s, want BAD_USER_INPUT on input.authority", r.code(), r.field())
	}
	// A district chair's dossier addressed for after 1/7/2025 is refused;
	// the commune chair's is accepted.
	commune := map[string]any{"provinceId": "lang-son", "kind": "REGULAR", "authority": "DISTRICT_CHAIR", "year": 2025,
		"title": "Đề nghị công nhận Thôn văn hóa năm 2025", "proposingUnit": "UBND xã Tân Thanh",
		"letter": map[string]any{"number": "3/TTr-UBND", "date": "2025-12-10"},
		"recipients": []any{map[string]any{"awardTypeId": "thon-to-dan-pho-van-hoa",
			"recipient": map[string]any{"kind": "COLLECTIVE", "name": "Thôn Bản Chu"}, "achievement": "Ba năm liền thôn văn hóa"}}}
	if r := a.do(langSon, create, map[string]any{"in": commune}); r.code() != "BAD_USER_INPUT" || r.field() != "input.authority" {
		t.Errorf("a district chair after 1/7/2025: %s on %s, want BAD_USER_INPUT on input.authority", r.code(), r.field())
	}
	if r := a.do(langSon, create, map[string]any{"in": with(commune, "authority", "COMMUNE_CHAIR")}); len(r.Errors) > 0 {
		t.Errorf("the commune chair after 1/7/2025: %v", r.Errors)
	}
	// A district chair's 2024 dossier, its letter of February 2025: the
	// district level still existed then.
	early := with(commune, "year", 2024, "letter", map[string]any{"number": "1/TTr-UBND", "date": "2025-02-10"})
	if r := a.do(langSon, create, map[string]any{"in": early}); len(r.Errors) > 0 {
		t.Errorf("a district chair's dossier with a letter of 10/2/2025: %v", r.Errors)
	}

	// A decision of 10/3/2026 cites Decree 152/2025, not 98/2023.
	award := func(tok string, in map[string]any) *response {
		return a.do(tok, `mutation($in: AwardInput!) { createAward(input: $in) { id legalBasis honoree { id } } }`, map[string]any{"in": in})
	}
	bk := with(awardInput("lang-son"), "awardTypeId", "bang-khen-chu-tich-tinh", "class", nil, "authority", "PROVINCE_CHAIR",
		"status", "CONFERRED", "year", 2025, "decision", map[string]any{"number": "345/QĐ-UBND", "date": "2026-03-10"})
	if r := award(langSon, bk); len(r.Errors) > 0 || !strings.Contains(get(r.Data, "createAward", "legalBasis").(string), "152/2025") {
		t.Errorf("an award decided 10/3/2026: %v %v", r.Data, r.Errors)
	}

	// A `*` admin corrects the table; awards recorded afterwards cite it.
	const save = `mutation($in: LawPeriodInput!, $v: Int!) { saveLawPeriod(input: $in, expectedVersion: $v) { id version text } }`
	period := map[string]any{"id": "luat-2022-nd-152-2025", "validFrom": "2025-07-01", "law": "Luật Thi đua, khen thưởng số 06/2022/QH15",
		"decrees": []string{"Nghị định số 152/2025/NĐ-CP"}, "text": "Luật Thi đua, khen thưởng ngày 15/6/2022; Nghị định số 152/2025/NĐ-CP (đã hiệu đính)"}
	if r := a.do(cluster, save, map[string]any{"in": period, "v": 1}); r.code() != "FORBIDDEN" {
		t.Errorf("a * editor saves a law period: %s, want FORBIDDEN", r.code())
	}
	if r := a.do(admin, save, map[string]any{"in": with(period, "validTo", "2025-01-01"), "v": 1}); r.code() != "BAD_USER_INPUT" || r.field() != "input.validTo" {
		t.Errorf("a period ending before it starts: %s on %s", r.code(), r.field())
	}
	if d := a.ok(admin, save, map[string]any{"in": period, "v": 1}); get(d, "saveLawPeriod", "version") != 2.0 {
		t.Errorf("saved: %v", d)
	}
	if r := award(langSon, with(bk, "recipient", map[string]any{"kind": "INDIVIDUAL", "name": "Lò Văn Dũng"})); len(r.Errors) > 0 ||
		!strings.Contains(get(r.Data, "createAward", "legalBasis").(string), "(đã hiệu đính)") {
		t.Errorf("an award after the correction: %v %v", r.Data, r.Errors)
	}
}

// Paper-era titles linked through AwardInput.honoreeId count for
// eligibility: three Chiến sĩ thi đua cơ sở decided on paper (each with its
// initiative in the register, as the title needs), then a
// provincial-title dossier submits; an honoree with discipline pending is
// a warning, not a refusal.
func TestPaperTitlesCountForEligibility(t *testing.T) {
	t.Parallel()
	a := newAPI(t)
	langSon := token(t, map[string]string{"lang-son": "editor"})
	const saveHonoree = `mutation($in: HonoreeInput!) { saveHonoree(input: $in, expectedVersion: 0) { id pendingProceedings } }`
	h := get(a.ok(langSon, saveHonoree, map[string]any{"in": map[string]any{"provinceId": "lang-son", "key": "LS-0099",
		"kind": "INDIVIDUAL", "name": "Hà Thị Thu", "pendingProceedings": "Đang xem xét kỷ luật từ tháng 10/2026"}}), "saveHonoree", "id").(string)
	dossier := map[string]any{"provinceId": "lang-son", "kind": "REGULAR", "authority": "PROVINCE_CHAIR", "year": 2025,
		"title": "Đề nghị tặng Chiến sĩ thi đua cấp tỉnh năm 2025", "proposingUnit": "Sở Nội vụ tỉnh Lạng Sơn",
		"letter":     map[string]any{"number": "140/TTr-SNV", "date": "2026-11-10"},
		"recipients": []any{map[string]any{"honoreeId": h, "awardTypeId": "chien-si-thi-dua-tinh", "achievement": "Ba năm liền Chiến sĩ thi đua cơ sở"}}}
	submit := func() *response {
		id := get(a.ok(langSon, `mutation($in: DossierInput!) { createDossier(input: $in) { id } }`, map[string]any{"in": dossier}), "createDossier", "id")
		return a.do(langSon, fmt.Sprintf(`mutation { submitDossier(id: %q, expectedVersion: 1) { status warnings { recipient message } } }`, id), nil)
	}
	if r := submit(); r.code() != "BAD_USER_INPUT" || r.field() != "input.recipients[0].awardTypeId" {
		t.Fatalf("without the paper titles: %s on %s, want BAD_USER_INPUT on the award type", r.code(), r.field())
	}
	// The titles decided on paper, linked to the honoree.
	const createAward = `mutation($in: AwardInput!) { createAward(input: $in) { id honoree { id } } }`
	for _, y := range []int{2023, 2024, 2025} {
		// Each title's initiative, in the register (Chiến sĩ thi đua cơ sở needs one).
		a.ok(langSon, saveInitiative, map[string]any{"v": 0, "in": map[string]any{"provinceId": "lang-son", "title": fmt.Sprintf("Sáng kiến năm %d", y),
			"authors": []any{"Hà Thị Thu"}, "year": y, "level": "BASE",
			"recognisedBy": map[string]any{"number": fmt.Sprintf("%d/QĐ-HĐSK", y), "date": fmt.Sprintf("%d-11-02", y)}}})
		in := with(awardInput("lang-son"), "awardTypeId", "chien-si-thi-dua-co-so", "class", nil, "authority", "UNIT_HEAD",
			"recipient", map[string]any{"kind": "INDIVIDUAL", "name": "Hà Thị Thu"}, "status", "CONFERRED", "year", y, "honoreeId", h,
			"decision", map[string]any{"number": fmt.Sprintf("%d/QĐ-SNV", y), "date": fmt.Sprintf("%d-12-20", y)})
		if get(a.ok(langSon, createAward, map[string]any{"in": in}), "createAward", "honoree", "id") != h {
			t.Fatalf("the %d title is not linked", y)
		}
	}
	// An honoree of another province, or of another kind, is refused.
	other := get(a.ok(token(t, map[string]string{"cao-bang": "editor"}), saveHonoree, map[string]any{"in": map[string]any{
		"provinceId": "cao-bang", "key": "CB-1", "kind": "INDIVIDUAL", "name": "Ai"}}), "saveHonoree", "id")
	if r := a.do(langSon, createAward, map[string]any{"in": with(awardInput("lang-son"), "honoreeId", other)}); r.code() != "BAD_USER_INPUT" || r.field() != "input.honoreeId" {
		t.Errorf("another province's honoree: %s on %s", r.code(), r.field())
	}
	r := submit()
	if len(r.Errors) > 0 {
		t.Fatalf("with the paper titles linked: %v", r.Errors)
	}
	pending := 0
	for _, w := range get(r.Data, "submitDossier", "warnings").([]any) {
		if strings.Contains(get(w, "message").(string), "Điều 4 khoản 4") {
			pending++
		}
	}
	if get(r.Data, "submitDossier", "status") != "SUBMITTED" || pending != 1 {
		t.Errorf("submitted: %v; want a pending-discipline warning", r.Data)
	}
}
