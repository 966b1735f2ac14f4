package httpapi_test

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/thidua/thidua/domain"
)

func TestFoundingReview(t *testing.T) {
	t.Parallel()
	a := newAPI(t)
	d := a.ok("", `{
	  periodReviews(filter: {year: 2022, kind: MID_YEAR}) { totalCount edges { node {
	    date location hostProvince { id name } movements { title }
	    summary { indicator { id } reported { qualifier figure { text } } derived { text } provincesReported }
	    reportedAwardTallies { authorities count }
	  } } } }`, nil)
	if n := get(d, "periodReviews", "totalCount"); n != 1.0 {
		t.Fatalf("reviews in 2022 = %v, want 1", n)
	}
	node := get(d, "periodReviews", "edges", 0, "node")
	if got := get(node, "hostProvince", "name"); got != "Lạng Sơn" {
		t.Errorf("host = %v", got)
	}
	if got := get(node, "date"); got != "2022-07-20" {
		t.Errorf("date = %v", got)
	}
	want := map[string]string{
		"grdp-growth": "5.46–9.15 %", "new-jobs": "24,900", "new-enterprises": "1,069", "new-rural-communes": "315/994 = 31.69 %",
	}
	for _, s := range get(node, "summary").([]any) {
		id := get(s, "indicator", "id").(string)
		text, _ := get(s, "reported", "figure", "text").(string)
		if text != want[id] {
			t.Errorf("%s reported %q, want %q", id, text, want[id])
		}
		if get(s, "derived") != nil || get(s, "provincesReported") != 0.0 {
			t.Errorf("%s: the article gives no province values, so nothing is derived: %v", id, s)
		}
	}
	if got := get(node, "summary", 1, "reported", "qualifier"); got != "MORE_THAN" {
		t.Errorf("new-jobs qualifier = %v, want MORE_THAN (hơn 24.900)", got)
	}
	tallies := get(node, "reportedAwardTallies").([]any)
	if len(tallies) != 2 || get(tallies[0], "count") != 19.0 || get(tallies[1], "count") != 58.0 {
		t.Errorf("tallies = %v", tallies)
	}
	// Only the movements the article names at the review.
	if n := len(get(node, "movements").([]any)); n != 2 {
		t.Errorf("movements = %d, want 2", n)
	}
}

func TestProvincesOverTime(t *testing.T) {
	t.Parallel()
	a := newAPI(t)
	d := a.ok("", `{ before: provinces(activeOn: "2022-07-20") { id }
	  after: provinces(activeOn: "2026-01-01") { id }
	  laoCai: province(id: "lao-cai") { s2022: statisticsCode(on: "2022-07-20") s2026: statisticsCode(on: "2026-01-01") }
	  haGiang: province(id: "ha-giang") { name validTo successor { id name } }
	  nope: province(id: "atlantis") { id } }`, nil)
	ids := func(k string) map[string]bool {
		out := map[string]bool{}
		for _, p := range d[k].([]any) {
			out[get(p, "id").(string)] = true
		}
		return out
	}
	before, after := ids("before"), ids("after")
	if len(before) != 9 || len(after) != 7 || after["ha-giang"] || after["yen-bai"] {
		t.Errorf("before %v after %v: the 2025 merger removes exactly ha-giang and yen-bai", before, after)
	}
	if get(d, "laoCai", "s2022") != "10" || get(d, "laoCai", "s2026") != "15" {
		t.Errorf("lao-cai codes: %v", d["laoCai"])
	}
	if get(d, "haGiang", "successor", "name") != "Tuyên Quang" || get(d, "haGiang", "validTo") != "2025-06-30" {
		t.Errorf("ha-giang: %v", d["haGiang"])
	}
	if d["nope"] != nil {
		t.Errorf("unknown province = %v, want null", d["nope"])
	}
}

func TestEditorOfOneProvince(t *testing.T) {
	t.Parallel()
	a := newAPI(t)
	langSon := token(t, map[string]string{"lang-son": "editor"})

	d := a.ok(langSon, createAward, map[string]any{"in": awardInput("lang-son")})
	if get(d, "createAward", "province", "id") != "lang-son" || get(d, "createAward", "version") != 1.0 {
		t.Errorf("created %v", d)
	}
	if got := get(d, "createAward", "legalBasis"); got != domain.DefaultLawPeriods[0].Text {
		t.Errorf("legal basis of a 2022 award = %v", got)
	}

	r := a.do(langSon, createAward, map[string]any{"in": awardInput("cao-bang")})
	if r.code() != "FORBIDDEN" || r.Data["createAward"] != nil {
		t.Errorf("lang-son editor creating for cao-bang: %+v", r)
	}
	if n := a.countAwards(); n != 1 {
		t.Errorf("awards stored = %d, want 1 (the refused one written?)", n)
	}
	r = a.do("", createAward, map[string]any{"in": awardInput("lang-son")})
	if r.code() != "UNAUTHENTICATED" {
		t.Errorf("anonymous create: %+v", r)
	}
	r = a.do(token(t, map[string]string{"lang-son": "viewer"}), createAward, map[string]any{"in": awardInput("lang-son")})
	if r.code() != "FORBIDDEN" {
		t.Errorf("viewer create: %+v", r)
	}
	a.ok(token(t, map[string]string{"*": "editor"}), createAward, map[string]any{"in": awardInput("cao-bang")})
	if n := a.countAwards(); n != 2 {
		t.Errorf("awards stored = %d, want 2", n)
	}
}

const updateAward = `mutation($id: ID!, $in: AwardInput!, $v: Int!) { updateAward(id: $id, input: $in, expectedVersion: $v) { id version recipient { name } province { id } } }`
const deleteAward = `mutation($id: ID!, $v: Int!) { deleteAward(id: $id, expectedVersion: $v) }`

func TestUpdateAndDeleteAreScopedAndVersioned(t *testing.T) {
	t.Parallel()
	a := newAPI(t)
	langSon := token(t, map[string]string{"lang-son": "editor"})
	caoBang := token(t, map[string]string{"cao-bang": "editor"})
	conferred := with(awardInput("lang-son"), "status", "CONFERRED",
		"decision", map[string]any{"number": "1234/QĐ-CTN", "date": "2022-09-01"})
	id := get(a.ok(langSon, createAward, map[string]any{"in": conferred}), "createAward", "id").(string)
	renamed := with(conferred, "recipient", map[string]any{"kind": "INDIVIDUAL", "name": "Nguyễn Văn Bình"})

	// A neighbour's editor can read a conferred award but not change it.
	if r := a.do(caoBang, updateAward, map[string]any{"id": id, "in": with(renamed, "provinceId", "cao-bang"), "v": 1}); r.code() != "FORBIDDEN" {
		t.Errorf("cao-bang editor updating lang-son's award: %+v", r)
	}
	if r := a.do(caoBang, deleteAward, map[string]any{"id": id, "v": 1}); r.code() != "FORBIDDEN" {
		t.Errorf("cao-bang editor deleting lang-son's award: %+v", r)
	}
	// Moving a record to another province needs a role there too.
	if r := a.do(langSon, updateAward, map[string]any{"id": id, "in": with(renamed, "provinceId", "cao-bang"), "v": 1}); r.code() != "FORBIDDEN" {
		t.Errorf("lang-son editor moving its award to cao-bang: %+v", r)
	}
	d := a.ok(langSon, updateAward, map[string]any{"id": id, "in": renamed, "v": 1})
	if get(d, "updateAward", "version") != 2.0 || get(d, "updateAward", "recipient", "name") != "Nguyễn Văn Bình" {
		t.Errorf("updated: %v", d)
	}
	// A stale version is a conflict and changes nothing.
	if r := a.do(langSon, updateAward, map[string]any{"id": id, "in": conferred, "v": 1}); r.code() != "CONFLICT" {
		t.Errorf("stale update: %+v", r)
	}
	if r := a.do(langSon, deleteAward, map[string]any{"id": id, "v": 1}); r.code() != "CONFLICT" {
		t.Errorf("stale delete: %+v", r)
	}
	d = a.ok("", `query($id: ID!) { award(id: $id) { version recipient { name } province { id } } }`, map[string]any{"id": id})
	if get(d, "award", "version") != 2.0 || get(d, "award", "recipient", "name") != "Nguyễn Văn Bình" || get(d, "award", "province", "id") != "lang-son" {
		t.Errorf("after refused writes: %v", d)
	}
	// A conferred award is a public decision: not deleted, revoked.
	if r := a.do(langSon, deleteAward, map[string]any{"id": id, "v": 2}); r.code() != "BAD_USER_INPUT" {
		t.Errorf("deleting a conferred award: %+v", r)
	}
	const revoke = `mutation($id: ID!, $v: Int!) { revokeAward(id: $id, expectedVersion: $v, reason: "Thu hồi do sai sót hồ sơ",
	  decision: {number: "77/QĐ-CTN", date: "2023-02-01"}) { status version decision { number } revocation { reason decision { number } }
	  history { status decision { number } } } }`
	d = a.ok(langSon, revoke, map[string]any{"id": id, "v": 2})
	if get(d, "revokeAward", "status") != "REVOKED" || get(d, "revokeAward", "decision", "number") != "1234/QĐ-CTN" ||
		get(d, "revokeAward", "revocation", "decision", "number") != "77/QĐ-CTN" || len(get(d, "revokeAward", "history").([]any)) != 2 {
		t.Errorf("revoked: %v (the conferral must stay in the history)", d)
	}
	if r := a.do(langSon, revoke, map[string]any{"id": id, "v": 3}); r.code() != "BAD_USER_INPUT" {
		t.Errorf("revoking twice: %+v", r)
	}
	if r := a.do(langSon, deleteAward, map[string]any{"id": id, "v": 3}); r.code() != "BAD_USER_INPUT" {
		t.Errorf("deleting a revoked award: %+v", r)
	}
	proposed := get(a.ok(langSon, createAward, map[string]any{"in": awardInput("lang-son")}), "createAward", "id").(string)
	if got := get(a.ok(langSon, deleteAward, map[string]any{"id": proposed, "v": 1}), "deleteAward"); got != proposed {
		t.Errorf("deleted %v", got)
	}
	if r := a.do(langSon, deleteAward, map[string]any{"id": proposed, "v": 1}); r.code() != "NOT_FOUND" {
		t.Errorf("second delete: %+v", r)
	}
	if r := a.do(langSon, deleteAward, map[string]any{"id": "not-an-id", "v": 2}); r.code() != "BAD_USER_INPUT" || r.field() != "id" {
		t.Errorf("malformed id: %+v", r)
	}
}

func TestConcurrentUpdatesOneWins(t *testing.T) {
	t.Parallel()
	a := newAPI(t)
	tok := token(t, map[string]string{"lang-son": "editor"})
	id := get(a.ok(tok, createAward, map[string]any{"in": awardInput("lang-son")}), "createAward", "id").(string)
	var wg sync.WaitGroup
	codes := make([]string, 8)
	for i := range codes {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			in := with(awardInput("lang-son"), "recipient", map[string]any{"kind": "INDIVIDUAL", "name": fmt.Sprint("Người ", i)})
			codes[i] = a.do(tok, updateAward, map[string]any{"id": id, "in": in, "v": 1}).code()
		}(i)
	}
	wg.Wait()
	won := 0
	for _, c := range codes {
		switch c {
		case "":
			won++
		case "CONFLICT":
		default:
			t.Errorf("unexpected code %s", c)
		}
	}
	if won != 1 {
		t.Errorf("%d of %d concurrent updates at version 1 won, want 1", won, len(codes))
	}
}

func TestUnpublishedIsAbsent(t *testing.T) {
	t.Parallel()
	a := newAPI(t)
	langSon := token(t, map[string]string{"lang-son": "editor"})
	id := get(a.ok(langSon, createAward, map[string]any{"in": awardInput("lang-son")}), "createAward", "id").(string)
	q := `query($id: ID!) { award(id: $id) { id } awards(filter: {provinceId: "lang-son"}) { totalCount edges { node { id } } } }`
	for _, c := range []struct {
		name string
		tok  string
		sees bool
	}{
		{"anonymous", "", false},
		{"cao-bang editor", token(t, map[string]string{"cao-bang": "editor"}), false},
		{"lang-son viewer", token(t, map[string]string{"lang-son": "viewer"}), true},
		{"* viewer", token(t, map[string]string{"*": "viewer"}), true},
	} {
		d := a.ok(c.tok, q, map[string]any{"id": id})
		n := get(d, "awards", "totalCount").(float64)
		if got := d["award"] != nil; got != c.sees || (n == 1) != c.sees || len(get(d, "awards", "edges").([]any)) != int(n) {
			t.Errorf("%s: award %v, totalCount %v", c.name, d["award"], n)
		}
	}
	// The neighbour cannot find it to change it either.
	r := a.do(token(t, map[string]string{"cao-bang": "editor"}), deleteAward, map[string]any{"id": id, "v": 1})
	if r.code() != "NOT_FOUND" {
		t.Errorf("neighbour deleting an unpublished award: %+v", r)
	}
}

func TestAwardValidation(t *testing.T) {
	t.Parallel()
	a := newAPI(t)
	tok := token(t, map[string]string{"*": "editor"})
	base := awardInput("lang-son")
	long := strings.Repeat("ă", 301)
	cases := []struct {
		name  string
		in    map[string]any
		field string
	}{
		{"unknown province", with(base, "provinceId", "atlantis"), "input.provinceId"},
		{"unknown award type", with(base, "awardTypeId", "huan-chuong-mat-trang"), "input.awardTypeId"},
		{"class missing for a classed order", with(base, "class", nil), "input.class"},
		{"class on a type without classes", with(base, "awardTypeId", "bang-khen-thu-tuong", "authority", "PRIME_MINISTER"), "input.class"},
		{"authority the type does not allow", with(base, "authority", "PROVINCE_CHAIR"), "input.authority"},
		{"recipient kind the type does not allow", with(base, "recipient", map[string]any{"kind": "HOUSEHOLD", "name": "Hộ ông A"}), "input.recipient.kind"},
		{"blank recipient name", with(base, "recipient", map[string]any{"kind": "INDIVIDUAL", "name": "  \u200b "}), "input.recipient.name"},
		{"over-long name", with(base, "recipient", map[string]any{"kind": "INDIVIDUAL", "name": long}), "input.recipient.name"},
		{"implausible year", with(base, "year", 1800), "input.year"},
		{"future year", with(base, "year", 2099), "input.year"},
		{"conferred without decision", with(base, "status", "CONFERRED"), "input.decision"},
		{"decision date not a date", with(base, "decision", map[string]any{"number": "1/QĐ", "date": "2022-02-30"}), "input.decision.date"},
		{"decision in the future", with(base, "decision", map[string]any{"number": "1/QĐ", "date": "2030-01-01"}), "input.decision.date"},
		{"blank decision number", with(base, "decision", map[string]any{"number": " ", "date": "2022-01-01"}), "input.decision.number"},
		{"rejected without reason", with(base, "status", "REJECTED"), "input.rejectionReason"},
		{"reason on a proposal", with(base, "rejectionReason", "không đủ tiêu chuẩn"), "input.rejectionReason"},
		{"merged province after the merger", with(base, "provinceId", "ha-giang", "year", 2026), "input.provinceId"},
		{"malformed movement id", with(base, "movementId", "xyz"), "input.movementId"},
		{"unknown movement", with(base, "movementId", "6500000000000000000000aa"), "input.movementId"},
		{"bad enum", with(base, "status", "GRANTED"), ""},
	}
	for _, c := range cases {
		r := a.do(tok, createAward, map[string]any{"in": c.in})
		switch {
		case c.field == "" && r.code() != "GRAPHQL_VALIDATION_FAILED" && r.code() != "BAD_USER_INPUT":
			t.Errorf("%s: %+v", c.name, r.Errors)
		case c.field != "" && (r.code() != "BAD_USER_INPUT" || r.field() != c.field):
			t.Errorf("%s: got %s field %q (%v), want BAD_USER_INPUT field %q", c.name, r.code(), r.field(), r.Errors, c.field)
		}
	}
	if n := a.countAwards(); n != 0 {
		t.Errorf("%d awards written by refused inputs", n)
	}
	// And the good one passes, with its text cleaned.
	in := with(base, "recipient", map[string]any{"kind": "INDIVIDUAL", "name": "  Nguye\u0302\u0303n   Văn An "})
	d := a.ok(tok, `mutation($in: AwardInput!) { createAward(input: $in) { recipient { name } } }`, map[string]any{"in": in})
	if got := get(d, "createAward", "recipient", "name"); got != "Nguyễn Văn An" {
		t.Errorf("stored name %q, want NFC and trimmed", got)
	}
}

func TestSearchIgnoresDiacritics(t *testing.T) {
	t.Parallel()
	a := newAPI(t)
	tok := token(t, map[string]string{"*": "editor"})
	for _, n := range []string{"Nguyễn Văn An", "Đặng Thị Điệp", "Trần Văn Nguyên"} {
		a.ok(tok, createAward, map[string]any{"in": with(awardInput("dien-bien"), "recipient", map[string]any{"kind": "INDIVIDUAL", "name": n})})
	}
	for q, want := range map[string]int{"nguyen van": 1, "NGUYEN": 2, "dang thi diep": 1, "điệp": 1, "van": 2, "xyz": 0, ".*": 0} {
		d := a.ok(tok, `query($q: String) { awards(filter: {recipientName: $q}) { totalCount } }`, map[string]any{"q": q})
		if got := int(get(d, "awards", "totalCount").(float64)); got != want {
			t.Errorf("search %q found %d, want %d", q, got, want)
		}
	}
	d := a.ok("", `{ movements(filter: {search: "nong thon moi"}) { edges { node { title } } } }`, nil)
	if get(d, "movements", "edges", 0, "node", "title") != "Cả nước chung sức xây dựng nông thôn mới" {
		t.Errorf("movement search: %v", d)
	}
}

func TestPaging(t *testing.T) {
	t.Parallel()
	a := newAPI(t)
	tok := token(t, map[string]string{"*": "editor"})
	for i := 0; i < 7; i++ {
		a.ok(tok, createAward, map[string]any{"in": with(awardInput("son-la"), "year", 2018+i)})
	}
	var years []float64
	after := ""
	for page := 0; page < 10; page++ {
		vars := map[string]any{"first": 3}
		if after != "" {
			vars["after"] = after
		}
		d := a.ok(tok, `query($first: Int, $after: String) { awards(first: $first, after: $after) {
		  totalCount pageInfo { hasNextPage endCursor } edges { node { year } } } }`, vars)
		if get(d, "awards", "totalCount") != 7.0 {
			t.Fatalf("totalCount = %v", get(d, "awards", "totalCount"))
		}
		for _, e := range get(d, "awards", "edges").([]any) {
			years = append(years, get(e, "node", "year").(float64))
		}
		if get(d, "awards", "pageInfo", "hasNextPage") != true {
			break
		}
		after = get(d, "awards", "pageInfo", "endCursor").(string)
	}
	if fmt.Sprint(years) != "[2024 2023 2022 2021 2020 2019 2018]" {
		t.Errorf("years in page order: %v", years)
	}
	if r := a.do(tok, `{ awards(first: 101) { totalCount } }`, nil); r.code() != "BAD_USER_INPUT" || r.field() != "first" {
		t.Errorf("first: 101: %+v", r)
	}
	if r := a.do(tok, `{ awards(after: "garbage") { totalCount } }`, nil); r.code() != "BAD_USER_INPUT" || r.field() != "after" {
		t.Errorf("bad cursor: %+v", r)
	}
}

func TestMovementScopes(t *testing.T) {
	t.Parallel()
	a := newAPI(t)
	const create = `mutation($in: MovementInput!) { createMovement(input: $in) { id scope province { id } version } }`
	langSon := token(t, map[string]string{"lang-son": "editor"})
	national := map[string]any{"title": "Phong trào mới", "scope": "NATIONAL", "kind": "CAMPAIGN", "startYear": 2024}
	if r := a.do(langSon, create, map[string]any{"in": national}); r.code() != "FORBIDDEN" {
		t.Errorf("province editor creating a national movement: %+v", r)
	}
	if r := a.do(langSon, create, map[string]any{"in": with(national, "provinceId", "lang-son")}); r.code() != "BAD_USER_INPUT" || r.field() != "input.provinceId" {
		t.Errorf("national movement naming a province: %+v", r)
	}
	own := with(national, "scope", "PROVINCE", "provinceId", "lang-son")
	id := get(a.ok(langSon, create, map[string]any{"in": own}), "createMovement", "id").(string)
	a.ok(token(t, map[string]string{"*": "editor"}), create, map[string]any{"in": national})
	if r := a.do(langSon, create, map[string]any{"in": with(own, "endYear", 2020)}); r.field() != "input.endYear" {
		t.Errorf("end before start: %+v", r)
	}

	// An award may not reward another province's movement.
	r := a.do(token(t, map[string]string{"cao-bang": "editor", "lang-son": "viewer"}), createAward,
		map[string]any{"in": with(awardInput("cao-bang"), "movementId", id)})
	if r.code() != "BAD_USER_INPUT" || r.field() != "input.movementId" {
		t.Errorf("award for cao-bang naming lang-son's movement: %+v", r)
	}
	// A movement that an award refers to cannot be deleted.
	a.ok(langSon, createAward, map[string]any{"in": with(awardInput("lang-son"), "movementId", id)})
	r = a.do(langSon, `mutation($id: ID!) { deleteMovement(id: $id, expectedVersion: 1) }`, map[string]any{"id": id})
	if r.code() != "CONFLICT" {
		t.Errorf("deleting a referenced movement: %+v", r)
	}
	d := a.ok("", `{ movements(filter: {scope: PROVINCE}) { totalCount } all: movements(filter: {year: 2022}) { totalCount } }`, nil)
	if get(d, "movements", "totalCount") != 1.0 || get(d, "all", "totalCount") != 4.0 {
		t.Errorf("movement filters: %v", d)
	}
}

func TestProvinceReports(t *testing.T) {
	t.Parallel()
	a := newAPI(t)
	rid := get(a.ok("", `{ periodReviews { edges { node { id } } } }`, nil), "periodReviews", "edges", 0, "node", "id")
	const submit = `mutation($r: ID!, $p: ID!, $v: [IndicatorValueInput!]!, $ev: Int) {
	  submitProvinceReport(reviewId: $r, provinceId: $p, values: $v, expectedVersion: $ev) { province { id } version } }`
	values := []map[string]any{
		{"indicatorId": "grdp-growth", "value": 7.1},
		{"indicatorId": "new-rural-communes", "value": 40, "total": 130},
		{"indicatorId": "new-jobs", "value": 3500},
	}
	langSon := token(t, map[string]string{"lang-son": "editor"})
	a.ok(langSon, submit, map[string]any{"r": rid, "p": "lang-son", "v": values})
	if r := a.do(langSon, submit, map[string]any{"r": rid, "p": "cao-bang", "v": values}); r.code() != "FORBIDDEN" {
		t.Errorf("lang-son reporting for cao-bang: %+v", r)
	}
	caoBang := token(t, map[string]string{"cao-bang": "editor"})
	a.ok(caoBang, submit, map[string]any{"r": rid, "p": "cao-bang", "v": []map[string]any{
		{"indicatorId": "grdp-growth", "value": 5.2}, {"indicatorId": "new-rural-communes", "value": 20, "total": 100}}})
	if r := a.do(caoBang, submit, map[string]any{"r": rid, "p": "cao-bang", "v": values, "ev": 7}); r.code() != "CONFLICT" {
		t.Errorf("stale report version: %+v", r)
	}
	bad := []struct {
		v     map[string]any
		field string
	}{
		{map[string]any{"indicatorId": "new-rural-communes", "value": 140, "total": 130}, "values[0].value"},
		{map[string]any{"indicatorId": "new-rural-communes", "value": 14}, "values[0].total"},
		{map[string]any{"indicatorId": "grdp-growth", "value": 250}, "values[0].value"},
		{map[string]any{"indicatorId": "new-jobs", "value": -5}, "values[0].value"},
		{map[string]any{"indicatorId": "gdp", "value": 5}, "values[0].indicatorId"},
	}
	for _, b := range bad {
		r := a.do(langSon, submit, map[string]any{"r": rid, "p": "lang-son", "v": []map[string]any{b.v}})
		if r.code() != "BAD_USER_INPUT" || r.field() != b.field {
			t.Errorf("%v: %+v, want field %s", b.v, r.Errors, b.field)
		}
	}
	d := a.ok("", `query($id: ID!) { periodReview(id: $id) { reports { province { id } version }
	  summary { indicator { id } derived { text min max value total ratio } provincesReported } } }`, map[string]any{"id": rid})
	derived := map[string]string{}
	for _, s := range get(d, "periodReview", "summary").([]any) {
		if t, ok := get(s, "derived", "text").(string); ok {
			derived[get(s, "indicator", "id").(string)] = t
		}
	}
	want := map[string]string{"grdp-growth": "5.2–7.1 %", "new-rural-communes": "60/230 = 26.09 %", "new-jobs": "3,500"}
	if fmt.Sprint(derived) != fmt.Sprint(want) {
		t.Errorf("derived = %v, want %v", derived, want)
	}
	if n := len(get(d, "periodReview", "reports").([]any)); n != 2 {
		t.Errorf("reports = %d, want 2 (the refused ones written?)", n)
	}
}

func TestTokensAreChecked(t *testing.T) {
	t.Parallel()
	a := newAPI(t)
	good := token(t, map[string]string{"lang-son": "editor"})
	parts := strings.Split(good, ".")
	for name, tok := range map[string]string{
		"garbage":            "not.a.jwt",
		"stripped signature": parts[0] + "." + parts[1] + ".",
		"alg none":           "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0." + parts[1] + ".",
		"tampered payload":   parts[0] + "." + parts[1] + "x." + parts[2],
	} {
		req, _ := http.NewRequest(http.MethodPost, a.srv.URL+"/graphql", strings.NewReader(`{"query":"{ me { subject } }"}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+tok)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != 401 || !strings.Contains(res.Header.Get("WWW-Authenticate"), `error="invalid_token"`) ||
			!strings.Contains(string(body), `"UNAUTHENTICATED"`) {
			t.Errorf("%s: %d %q %s", name, res.StatusCode, res.Header.Get("WWW-Authenticate"), body)
		}
	}
	d := a.ok(good, `{ me { subject name roles { scope role } } }`, nil)
	if get(d, "me", "subject") != "u-test" || get(d, "me", "roles", 0, "role") != "EDITOR" {
		t.Errorf("me = %v", d)
	}
	if d := a.ok("", `{ me { subject } }`, nil); d["me"] != nil {
		t.Errorf("anonymous me = %v", d["me"])
	}
}

func TestHealthAndPlayground(t *testing.T) {
	t.Parallel()
	a := newAPI(t)
	// In order: /metrics counts the requests before it.
	for _, c := range [][2]string{{"/healthz", "ok"}, {"/readyz", "ready"}, {"/", "graphiql"},
		{"/playground/graphiql.min.js", "GraphiQL"}, {"/metrics", `thidua_http_requests_total{code="200",route="healthz"} 1`}} {
		path, want := c[0], c[1]
		res, err := http.Get(a.srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != 200 || !strings.Contains(string(body), want) {
			t.Errorf("GET %s: %d, body lacks %q", path, res.StatusCode, want)
		}
	}
}

func TestMalformedRequests(t *testing.T) {
	t.Parallel()
	a := newAPI(t)
	for body, want := range map[string]string{
		`{bad json`:                    "GRAPHQL_PARSE_FAILED",
		`{"query":"{ awards { "}`:      "GRAPHQL_PARSE_FAILED",
		`{"query":"{ nope }"}`:         "GRAPHQL_VALIDATION_FAILED",
		`{"query":"{ award(id: 1) }"}`: "GRAPHQL_VALIDATION_FAILED",
	} {
		res, err := http.Post(a.srv.URL+"/graphql", "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if !strings.Contains(string(raw), `"code":"`+want+`"`) || strings.Contains(string(raw), "bad json") {
			t.Errorf("%s: %s, want code %s and no echo of the body", body, raw, want)
		}
	}
}

// Seven province reports whose totals are the article's give back exactly
// the figures as reported at the conference.
func TestReviewAddsUpTo2022(t *testing.T) {
	t.Parallel()
	a := newAPI(t)
	rid := get(a.ok("", `{ periodReviews { edges { node { id } } } }`, nil), "periodReviews", "edges", 0, "node", "id")
	grdp := []float64{5.46, 6.2, 7.1, 9.15, 6.8, 7.5, 8.0}
	jobs := []float64{3000, 4200, 3500, 3800, 3100, 3900, 3400}
	firms := []float64{150, 160, 140, 170, 145, 155, 149}
	communes := [][2]float64{{40, 130}, {50, 150}, {45, 140}, {60, 160}, {35, 120}, {40, 144}, {45, 150}}
	const submit = `mutation($r: ID!, $p: ID!, $v: [IndicatorValueInput!]!) { submitProvinceReport(reviewId: $r, provinceId: $p, values: $v) { version } }`
	var wg sync.WaitGroup
	for i, p := range []string{"cao-bang", "dien-bien", "ha-giang", "lao-cai", "lai-chau", "son-la", "lang-son"} {
		wg.Add(1)
		go func(i int, p string) { // all at once: each province's report is its own
			defer wg.Done()
			a.ok(token(t, map[string]string{p: "editor"}), submit, map[string]any{"r": rid, "p": p, "v": []map[string]any{
				{"indicatorId": "grdp-growth", "value": grdp[i]}, {"indicatorId": "new-jobs", "value": jobs[i]},
				{"indicatorId": "new-enterprises", "value": firms[i]},
				{"indicatorId": "new-rural-communes", "value": communes[i][0], "total": communes[i][1]}}})
		}(i, p)
	}
	wg.Wait()
	d := a.ok("", `query($id: ID!) { periodReview(id: $id) { reports { province { id } }
	  summary { indicator { id } derived { text } reported { figure { text } } difference { text value } matches provincesReported } } }`,
		map[string]any{"id": rid})
	if n := len(get(d, "periodReview", "reports").([]any)); n != 7 {
		t.Fatalf("%d reports stored of 7 submitted at once", n)
	}
	want := map[string]string{"grdp-growth": "5.46–9.15 %", "new-jobs": "24,900", "new-enterprises": "1,069", "new-rural-communes": "315/994 = 31.69 %"}
	for _, s := range get(d, "periodReview", "summary").([]any) {
		id := get(s, "indicator", "id").(string)
		w, ok := want[id]
		if !ok {
			continue
		}
		if got := get(s, "derived", "text"); got != w || get(s, "matches") != true || get(s, "provincesReported") != 7.0 {
			t.Errorf("%s: derived %v, matches %v, reported by %v; want %q beside the conference's figure", id, got, get(s, "matches"), get(s, "provincesReported"), w)
		}
	}
	for _, s := range get(d, "periodReview", "summary").([]any) {
		if get(s, "indicator", "id") == "new-jobs" && get(s, "difference", "value") != 0.0 {
			t.Errorf("new-jobs difference: %v", get(s, "difference"))
		}
	}
}

func TestSearchAcrossNameOrganisationCitation(t *testing.T) {
	t.Parallel()
	a := newAPI(t)
	tok := token(t, map[string]string{"*": "editor"})
	a.ok(tok, createAward, map[string]any{"in": with(awardInput("dien-bien"),
		"recipient", map[string]any{"kind": "INDIVIDUAL", "name": "Lò Văn Púa", "organization": "Đồn Biên phòng Mường Nhé"},
		"citation", "Đã có thành tích xuất sắc trong phong trào thi đua Vì an ninh Tổ quốc")})
	for q, want := range map[string]int{"muong nhe": 1, "DON BIEN PHONG": 1, "an ninh to quoc": 1, "lo van pua": 1, "nong thon": 0} {
		d := a.ok(tok, `query($q: String) { awards(filter: {search: $q}) { totalCount } }`, map[string]any{"q": q})
		if got := int(get(d, "awards", "totalCount").(float64)); got != want {
			t.Errorf("search %q found %d, want %d", q, got, want)
		}
	}
}

// Every wrong transition of the award lifecycle is BAD_USER_INPUT and changes
// nothing.
func TestAwardLifecycle(t *testing.T) {
	t.Parallel()
	a := newAPI(t)
	tok := token(t, map[string]string{"lang-son": "editor"})
	decision := map[string]any{"number": "12/QĐ-CTN", "date": "2022-09-01"}
	conferred := with(awardInput("lang-son"), "status", "CONFERRED", "decision", decision)
	rejected := with(awardInput("lang-son"), "status", "REJECTED", "rejectionReason", "Chưa đủ tiêu chuẩn")
	proposed := awardInput("lang-son")
	create := func(in map[string]any) string {
		return get(a.ok(tok, createAward, map[string]any{"in": in}), "createAward", "id").(string)
	}
	const read = `query($id: ID!) { award(id: $id) { status version history { status } } }`
	wrong := []struct {
		name     string
		from, to map[string]any
	}{
		{"CONFERRED back to PROPOSED", conferred, proposed},
		{"CONFERRED to REJECTED", conferred, rejected},
		{"REJECTED to CONFERRED without a new proposal", rejected, conferred},
		{"anything to REVOKED by update", conferred, with(conferred, "status", "REVOKED")},
	}
	for _, w := range wrong {
		id := create(w.from)
		before := fmt.Sprint(a.ok(tok, read, map[string]any{"id": id}))
		r := a.do(tok, updateAward, map[string]any{"id": id, "in": w.to, "v": 1})
		if r.code() != "BAD_USER_INPUT" || r.field() != "input.status" {
			t.Errorf("%s: %v", w.name, r.Errors)
		}
		if after := fmt.Sprint(a.ok(tok, read, map[string]any{"id": id})); after != before {
			t.Errorf("%s changed the award: %s → %s", w.name, before, after)
		}
	}
	// The allowed path, with its history.
	id := create(proposed)
	a.ok(tok, updateAward, map[string]any{"id": id, "in": rejected, "v": 1})
	a.ok(tok, updateAward, map[string]any{"id": id, "in": proposed, "v": 2})
	a.ok(tok, updateAward, map[string]any{"id": id, "in": conferred, "v": 3})
	a.ok(tok, updateAward, map[string]any{"id": id, "in": with(conferred, "citation", "Sửa lỗi chính tả"), "v": 4})
	d := a.ok(tok, read, map[string]any{"id": id})
	var statuses []string
	for _, e := range get(d, "award", "history").([]any) {
		statuses = append(statuses, get(e, "status").(string))
	}
	if fmt.Sprint(statuses) != "[PROPOSED REJECTED PROPOSED CONFERRED]" || get(d, "award", "version") != 5.0 {
		t.Errorf("history %v, version %v", statuses, get(d, "award", "version"))
	}
	// A revocation cannot precede the conferral, and needs its reason.
	r := a.do(tok, `mutation($id: ID!) { revokeAward(id: $id, expectedVersion: 5, reason: "x", decision: {number: "1", date: "2022-01-01"}) { id } }`, map[string]any{"id": id})
	if r.code() != "BAD_USER_INPUT" || r.field() != "decision.date" {
		t.Errorf("revocation before the conferral: %v", r.Errors)
	}
	r = a.do(tok, `mutation($id: ID!) { revokeAward(id: $id, expectedVersion: 5, reason: "  ", decision: {number: "1", date: "2023-01-01"}) { id } }`, map[string]any{"id": id})
	if r.code() != "BAD_USER_INPUT" || r.field() != "reason" {
		t.Errorf("revocation without a reason: %v", r.Errors)
	}
	if got := get(a.ok(tok, read, map[string]any{"id": id}), "award", "status"); got != "CONFERRED" {
		t.Errorf("after refused revocations: %v", got)
	}
}

func TestAwardTalliesAndReviewTally(t *testing.T) {
	t.Parallel()
	a := newAPI(t)
	tok := token(t, map[string]string{"*": "editor"})
	conferred := func(p, typ, class, authority, date string) {
		in := with(awardInput(p), "awardTypeId", typ, "authority", authority, "status", "CONFERRED",
			"decision", map[string]any{"number": "1/QĐ", "date": date}, "class", class)
		if class == "" {
			in = with(in, "class", nil)
		}
		a.ok(tok, createAward, map[string]any{"in": in})
	}
	const reviewTallies = `{ periodReviews { edges { node { periodStart periodEnd reportedAwardTallies { authorities count derivedCount } } } } }`
	d := a.ok("", reviewTallies, nil)
	for _, tl := range get(d, "periodReviews", "edges", 0, "node", "reportedAwardTallies").([]any) {
		if get(tl, "derivedCount") != nil {
			t.Errorf("no award recorded in the period: derivedCount %v, want null", get(tl, "derivedCount"))
		}
	}
	for i := 0; i < 3; i++ {
		conferred("lang-son", "huan-chuong-lao-dong", "THIRD", "PRESIDENT", "2022-05-10")
	}
	// Tuyên Quang was not a member in 2022: its awards are not the cluster's.
	conferred("tuyen-quang", "huan-chuong-lao-dong", "THIRD", "PRESIDENT", "2022-05-10")
	conferred("cao-bang", "huan-chuong-doc-lap", "SECOND", "PRESIDENT", "2022-08-01") // after the period
	conferred("cao-bang", "bang-khen-thu-tuong", "", "PRIME_MINISTER", "2022-03-01")
	conferred("son-la", "bang-khen-thu-tuong", "", "PRIME_MINISTER", "2022-04-01")
	a.ok(tok, createAward, map[string]any{"in": awardInput("son-la")}) // proposed: not counted

	d = a.ok("", `{ byAuthority: awardTallies(by: [AUTHORITY], filter: {provinceId: "lang-son"}) { authority count }
	  all: awardTallies(by: [AUTHORITY]) { authority count }
	  byForm: awardTallies(by: [FORM]) { form count }
	  byProvinceYear: awardTallies(by: [PROVINCE, YEAR], filter: {provinceId: "cao-bang"}) { province { id } year count } }`, nil)
	if got := fmt.Sprint(d["byAuthority"]); got != "[map[authority:PRESIDENT count:3]]" {
		t.Errorf("by authority in lang-son: %s", got)
	}
	if got := fmt.Sprint(d["all"]); got != "[map[authority:PRESIDENT count:5] map[authority:PRIME_MINISTER count:2]]" {
		t.Errorf("by authority: %s", got)
	}
	if got := fmt.Sprint(d["byForm"]); got != "[map[count:5 form:ORDER] map[count:2 form:CERTIFICATE_OF_MERIT]]" {
		t.Errorf("by form: %s", got)
	}
	if got := fmt.Sprint(d["byProvinceYear"]); got != "[map[count:2 province:map[id:cao-bang] year:2022]]" {
		t.Errorf("by province and year: %s", got)
	}
	d = a.ok("", reviewTallies, nil)
	node := get(d, "periodReviews", "edges", 0, "node")
	if get(node, "periodStart") != "2022-01-01" || get(node, "periodEnd") != "2022-06-30" {
		t.Errorf("period: %v", node)
	}
	tallies := get(node, "reportedAwardTallies").([]any)
	if get(tallies[0], "count") != 19.0 || get(tallies[0], "derivedCount") != 3.0 ||
		get(tallies[1], "count") != 58.0 || get(tallies[1], "derivedCount") != 2.0 {
		t.Errorf("tallies as reported beside derived: %v", tallies)
	}
}

// The review table and the award list download as CSV and Excel, Vietnamese
// intact, with the same permissions as the GraphQL reads.
func TestExports(t *testing.T) {
	t.Parallel()
	a := newAPI(t)
	langSon := token(t, map[string]string{"lang-son": "editor"})
	a.ok(langSon, createAward, map[string]any{"in": with(awardInput("lang-son"), "recipient",
		map[string]any{"kind": "INDIVIDUAL", "name": "Nguyễn Thị Đào"})}) // proposed: unpublished
	rid := get(a.ok("", `{ periodReviews { edges { node { id } } } }`, nil), "periodReviews", "edges", 0, "node", "id").(string)
	a.ok(langSon, `mutation($r: ID!) { submitProvinceReport(reviewId: $r, provinceId: "lang-son", values: [
	  {indicatorId: "new-rural-communes", value: 40, total: 130}, {indicatorId: "new-jobs", value: 3500}]) { version } }`, map[string]any{"r": rid})
	fetch := func(tok, path string) (int, string, []byte) {
		req, _ := http.NewRequest(http.MethodGet, a.srv.URL+path, nil)
		if tok != "" {
			req.Header.Set("Authorization", "Bearer "+tok)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		body, _ := io.ReadAll(res.Body)
		return res.StatusCode, res.Header.Get("Content-Type"), body
	}
	st, ct, body := fetch("", "/reports/reviews/"+rid+".csv")
	csv := string(body)
	if st != 200 || !strings.HasPrefix(ct, "text/csv") || !strings.HasPrefix(csv, "\ufeff") ||
		!strings.Contains(csv, "Lạng Sơn;;3.500;;40;130;30,77") ||
		!strings.Contains(csv, "5,46–9,15 %") || !strings.Contains(csv, "Điện Biên") {
		t.Errorf("review CSV: %d %s\n%s", st, ct, csv)
	}
	st, ct, body = fetch("", "/reports/reviews/"+rid+".xlsx")
	if st != 200 || !strings.Contains(ct, "spreadsheetml") || !strings.HasPrefix(string(body), "PK") {
		t.Errorf("review workbook: %d %s %d bytes", st, ct, len(body))
	}
	// The proposal is in lang-son's list, not in the public one.
	if _, _, body := fetch(langSon, "/reports/awards.csv?provinceId=lang-son"); !strings.Contains(string(body), "Nguyễn Thị Đào") {
		t.Errorf("lang-son's award list lacks its proposal:\n%s", body)
	}
	if _, _, body := fetch("", "/reports/awards.csv?provinceId=lang-son"); strings.Contains(string(body), "Nguyễn Thị Đào") {
		t.Errorf("the public award list shows an unpublished proposal:\n%s", body)
	}
	if st, _, _ := fetch("", "/reports/awards.xlsx?year=2022"); st != 200 {
		t.Errorf("award workbook: %d", st)
	}
	if st, _, _ := fetch("", "/reports/awards.csv?year=soon"); st != 400 {
		t.Errorf("bad year: %d", st)
	}
	if st, _, _ := fetch("", "/reports/reviews/6500000000000000000000aa.csv"); st != 404 {
		t.Errorf("unknown review: %d", st)
	}
	if st, _, _ := fetch("not-a-token", "/reports/awards.csv"); st != 401 {
		t.Errorf("bad token: %d", st)
	}
}
