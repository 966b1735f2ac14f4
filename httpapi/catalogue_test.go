package httpapi_test

import "testing"

// Reference data is data: a `*` admin adds and corrects award types and
// indicators, versioned and audited, and the rules follow at once.
func TestCatalogueEditing(t *testing.T) {
	t.Parallel()
	a := newAPI(t)
	admin := token(t, map[string]string{"*": "admin"})
	const save = `mutation($in: AwardTypeInput!, $v: Int!) { saveAwardType(input: $in, expectedVersion: $v) {
	  id version authorities authorityRules { authority from to basis } recipientKinds validFrom } }`
	in := map[string]any{"id": "bang-khen-chu-tich-xa", "name": "Giấy khen của Chủ tịch UBND xã (thử)", "form": "CERTIFICATE_OF_COMMENDATION",
		"authorityRules": []any{map[string]any{"authority": "COMMUNE_CHAIR", "from": "2024-01-01", "basis": "Luật 06/2022/QH15, Điều 80 khoản 3"}},
		"recipientKinds": []string{"INDIVIDUAL", "HOUSEHOLD"}}
	d := a.ok(admin, save, map[string]any{"in": in, "v": 0})
	if get(d, "saveAwardType", "version") != 1.0 || get(d, "saveAwardType", "authorities", 0) != "COMMUNE_CHAIR" ||
		get(d, "saveAwardType", "authorityRules", 0, "from") != "2024-01-01" {
		t.Fatalf("created: %v", d)
	}
	if r := a.do(admin, save, map[string]any{"in": in, "v": 0}); r.code() != "CONFLICT" {
		t.Errorf("creating it twice: %v", r.Errors)
	}
	if r := a.do(token(t, map[string]string{"*": "editor"}), save, map[string]any{"in": in, "v": 1}); r.code() != "FORBIDDEN" {
		t.Errorf("a * editor editing the catalogue: %v", r.Errors)
	}
	if r := a.do(admin, save, map[string]any{"in": with(in, "authorityRules", []any{}), "v": 1}); r.code() != "BAD_USER_INPUT" || r.field() != "input.authorityRules" {
		t.Errorf("a type no one decides: %v", r.Errors)
	}
	if r := a.do(admin, save, map[string]any{"in": with(in, "id", "Bằng Khen"), "v": 0}); r.code() != "BAD_USER_INPUT" || r.field() != "input.id" {
		t.Errorf("an id that is not a slug: %v", r.Errors)
	}

	// The new type is usable at once, by the authority and from the date it names.
	langSon := token(t, map[string]string{"lang-son": "editor"})
	award := func(date string) *response {
		return a.do(langSon, createAward, map[string]any{"in": with(awardInput("lang-son"), "awardTypeId", "bang-khen-chu-tich-xa",
			"class", nil, "authority", "COMMUNE_CHAIR", "status", "CONFERRED", "year", 2024,
			"decision", map[string]any{"number": "12/QĐ-UBND", "date": date})})
	}
	if r := award("2024-03-01"); len(r.Errors) > 0 || get(r.Data, "createAward", "legalBasis") == nil {
		t.Errorf("an award of the new type: %v", r.Errors)
	}
	// A correction narrows the rule: decisions from 2025 only.
	in2 := with(in, "authorityRules", []any{map[string]any{"authority": "COMMUNE_CHAIR", "from": "2025-01-01"}})
	d = a.ok(admin, save, map[string]any{"in": in2, "v": 1})
	if get(d, "saveAwardType", "version") != 2.0 {
		t.Errorf("replaced: %v", d)
	}
	if r := a.do(admin, save, map[string]any{"in": in, "v": 1}); r.code() != "CONFLICT" {
		t.Errorf("a stale version: %v", r.Errors)
	}
	if r := award("2024-03-01"); r.code() != "BAD_USER_INPUT" || r.field() != "input.authority" {
		t.Errorf("a 2024 decision after the correction: %v", r.Errors)
	}

	// Indicators, too.
	d = a.ok(admin, `mutation { saveIndicator(input: {id: "forest-cover", name: "Tỷ lệ che phủ rừng", unit: "%", aggregation: RANGE}, expectedVersion: 0) { id version } }`, nil)
	if get(d, "saveIndicator", "version") != 1.0 {
		t.Errorf("indicator: %v", d)
	}
	if got := len(get(a.ok("", `{ indicators { id } }`, nil), "indicators").([]any)); got != 8 {
		t.Errorf("%d indicators after adding one, want 8", got)
	}

	// Every change is in the audit trail with what changed.
	d = a.ok(admin, `{ auditLog(filter: {recordType: "awardType"}) { edges { node { operation outcome recordId versionAfter changes { field } } } } }`, nil)
	entries := get(d, "auditLog", "edges").([]any)
	accepted := 0
	var correction any
	for _, e := range entries {
		if get(e, "node", "outcome") == "ACCEPTED" {
			accepted++
		}
		if get(e, "node", "versionAfter") == 2.0 {
			correction = e
		}
	}
	if accepted != 2 || get(entries[len(entries)-1], "node", "recordId") != "bang-khen-chu-tich-xa" {
		t.Errorf("audit entries of the catalogue: %v", entries)
	}
	if ch, _ := get(correction, "node", "changes").([]any); len(ch) != 1 || get(ch[0], "field") != "authorityRules" {
		t.Errorf("the correction's changes: %v", correction)
	}
}

// The rules a commendation office checks, through the API.
func TestLawRulesThroughTheAPI(t *testing.T) {
	t.Parallel()
	a := newAPI(t)
	tok := token(t, map[string]string{"*": "editor"})
	flag := with(awardInput("lang-son"), "awardTypeId", "co-thi-dua-chinh-phu", "class", nil, "authority", "PRIME_MINISTER",
		"recipient", map[string]any{"kind": "COLLECTIVE", "name": "Sở Nội vụ tỉnh Lạng Sơn"}, "year", 2021, "status", "CONFERRED",
		"decision", map[string]any{"number": "250/QĐ-TTg", "date": "2022-02-25"})
	if r := a.do(tok, createAward, map[string]any{"in": flag}); len(r.Errors) > 0 {
		t.Errorf("the 2022 government flag decided by the Prime Minister: %v", r.Errors)
	}
	if r := a.do(tok, createAward, map[string]any{"in": with(flag, "authority", "GOVERNMENT")}); r.code() != "BAD_USER_INPUT" || r.field() != "input.authority" {
		t.Errorf("the 2022 flag decided by the Government (before Law 06/2022): %v", r.Errors)
	}
	if r := a.do(tok, createAward, map[string]any{"in": with(flag, "year", 2023)}); r.code() != "BAD_USER_INPUT" || r.field() != "input.decision.date" {
		t.Errorf("a decision before the award year: %v", r.Errors)
	}
	// Only the cluster's members on the review date report into it.
	rid := get(a.ok("", `{ periodReviews { edges { node { id } } } }`, nil), "periodReviews", "edges", 0, "node", "id")
	r := a.do(token(t, map[string]string{"tuyen-quang": "editor"}), `mutation($r: ID!) { submitProvinceReport(reviewId: $r, provinceId: "tuyen-quang",
	  values: [{indicatorId: "new-jobs", value: 5}]) { version } }`, map[string]any{"r": rid})
	if r.code() != "BAD_USER_INPUT" || r.field() != "provinceId" {
		t.Errorf("Tuyên Quang reporting into the 2022 review: %v", r.Errors)
	}
	d := a.ok("", `{ lc: province(id: "lao-cai") { predecessors { id } administrativeCentre } tq: province(id: "tuyen-quang") { predecessors { id } }
	  yb: province(id: "yen-bai") { statisticsCode(on: "2026-01-01") successor { id } } }`, nil)
	if get(d, "lc", "predecessors", 0, "id") != "yen-bai" || get(d, "tq", "predecessors", 0, "id") != "ha-giang" ||
		get(d, "lc", "administrativeCentre") == nil || get(d, "yb", "statisticsCode") != "15" || get(d, "yb", "successor", "id") != "lao-cai" {
		t.Errorf("provinces over the merger: %v", d)
	}
}
