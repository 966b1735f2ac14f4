package httpapi_test

import (
	"strconv"
	"testing"
)

const awardMoney = `query($id: ID!) { award(id: $id) { status rewardAmount rewardCoefficient { coefficient thousandths validFrom confirmed } } }`

// rewardOf is an award's rewardAmount as ctx's caller reads it (nil: none).
func (a *api) rewardOf(tok, id string) any {
	a.t.Helper()
	return get(a.ok(tok, awardMoney, map[string]any{"id": id}), "award", "rewardAmount")
}

// Reward money through the API: the catalogue's coefficients and the base
// salary table are public; an award's amount is the coefficient in force on
// its decision's date × the base salary then, rounded up to 10,000 đồng,
// and follows the tables at once; only a `*` admin edits them, audited.
func TestRewardMoney(t *testing.T) {
	t.Parallel()
	a := newAPI(t)
	d := a.ok("", `{ awardTypes { id rewardCoefficients { coefficient thousandths validFrom validTo source confirmed } }
	  baseSalaries { from amount source version } }`, nil)
	coefficients := map[string]any{}
	for _, at := range get(d, "awardTypes").([]any) {
		coefficients[get(at, "id").(string)] = get(at, "rewardCoefficients")
	}
	if c := coefficients["lao-dong-tien-tien"]; get(c, 0, "coefficient") != 0.3 || get(c, 0, "thousandths") != 300.0 ||
		get(c, 0, "validFrom") != "2024-01-01" || get(c, 0, "validTo") != nil || get(c, 0, "confirmed") != false || get(c, 0, "source") == nil {
		t.Errorf("Lao động tiên tiến's coefficients: %v", c)
	}
	if c := coefficients["huan-chuong-lao-dong"].([]any); len(c) != 0 {
		t.Errorf("an order's coefficients: %v", c)
	}
	if b := get(d, "baseSalaries").([]any); len(b) != 2 || get(b, 0, "from") != "2023-07-01" || get(b, 0, "amount") != 1_800_000.0 ||
		get(b, 1, "from") != "2024-07-01" || get(b, 1, "amount") != 2_340_000.0 {
		t.Errorf("base salaries: %v", b)
	}

	langSon := token(t, map[string]string{"lang-son": "editor"})
	create := func(in map[string]any) string {
		t.Helper()
		return get(a.ok(langSon, createAward, map[string]any{"in": in}), "createAward", "id").(string)
	}
	ldtt := func(status, date string) map[string]any {
		in := with(awardInput("lang-son"), "awardTypeId", "lao-dong-tien-tien", "class", nil, "authority", "COMMUNE_CHAIR",
			"year", 2023, "status", status)
		if date != "" {
			in["decision"] = map[string]any{"number": "45/QĐ-UBND", "date": date}
		}
		return in
	}
	conferred := create(ldtt("CONFERRED", "2024-08-01"))                              // 0.3 × 2,340,000 = 702,000 → 710,000
	early := create(ldtt("CONFERRED", "2024-03-01"))                                  // 0.3 × 1,800,000 = 540,000
	before := create(ldtt("CONFERRED", "2023-12-01"))                                 // before Decree 98's coefficients: none
	proposed := create(ldtt("PROPOSED", ""))                                          // not conferred: none
	order := create(with(awardInput("lang-son"), "status", "CONFERRED", "year", 2024, // an order: no coefficient
		"decision", map[string]any{"number": "1/QĐ-CTN", "date": "2024-09-02"}))
	viewer := token(t, map[string]string{"lang-son": "viewer"})
	for _, c := range []struct {
		id   string
		want any
	}{{conferred, 710_000.0}, {early, 540_000.0}, {before, nil}, {proposed, nil}, {order, nil}} {
		if got := a.rewardOf(viewer, c.id); got != c.want {
			t.Errorf("award %s: rewardAmount %v, want %v", c.id, got, c.want)
		}
	}
	if c := get(a.ok("", awardMoney, map[string]any{"id": conferred}), "award", "rewardCoefficient"); get(c, "thousandths") != 300.0 {
		t.Errorf("the coefficient applied: %v", c)
	}

	// The base salary table: a `*` admin's alone, versioned, audited.
	const save = `mutation($in: BaseSalaryInput!, $v: Int!) { saveBaseSalary(input: $in, expectedVersion: $v) { from amount source version } }`
	admin := token(t, map[string]string{"*": "admin"})
	raise := map[string]any{"from": "2024-07-01", "amount": 2_400_000, "source": "thử"}
	for _, tok := range []string{token(t, map[string]string{"lang-son": "admin"}), token(t, map[string]string{"*": "editor"})} {
		if r := a.do(tok, save, map[string]any{"in": raise, "v": 1}); r.code() != "FORBIDDEN" {
			t.Errorf("saveBaseSalary by a non-`*` admin: %v", r.Errors)
		}
	}
	if r := a.do("", save, map[string]any{"in": raise, "v": 1}); r.code() != "UNAUTHENTICATED" {
		t.Errorf("saveBaseSalary anonymously: %v", r.Errors)
	}
	if r := a.do(admin, save, map[string]any{"in": raise, "v": 0}); r.code() != "CONFLICT" {
		t.Errorf("creating a date that has one: %v", r.Errors)
	}
	if r := a.do(admin, save, map[string]any{"in": with(raise, "amount", 0), "v": 1}); r.code() != "BAD_USER_INPUT" || r.field() != "input.amount" {
		t.Errorf("a zero base salary: %v", r.Errors)
	}
	if r := a.do(admin, save, map[string]any{"in": with(raise, "from", "2024-02-30"), "v": 0}); r.code() != "BAD_USER_INPUT" || r.field() != "input.from" {
		t.Errorf("a bad date: %v", r.Errors)
	}
	if got := a.rewardOf(viewer, conferred); got != 710_000.0 {
		t.Errorf("refused changes changed the amount: %v", got)
	}
	d = a.ok(admin, save, map[string]any{"in": raise, "v": 1})
	if get(d, "saveBaseSalary", "version") != 2.0 || get(d, "saveBaseSalary", "amount") != 2_400_000.0 {
		t.Fatalf("saved: %v", d)
	}
	if got := a.rewardOf(viewer, conferred); got != 720_000.0 { // 0.3 × 2,400,000 = 720,000
		t.Errorf("after the change: rewardAmount %v, want 720000", got)
	}
	d = a.ok(admin, `{ auditLog(filter: {recordType: "baseSalary"}) { edges { node { operation outcome recordId versionAfter changes { field } } } } }`, nil)
	entries := get(d, "auditLog", "edges").([]any)
	accepted, refused := 0, 0
	for _, e := range entries {
		switch get(e, "node", "outcome") {
		case "ACCEPTED":
			accepted++
			if get(e, "node", "recordId") != "2024-07-01" || get(e, "node", "versionAfter") != 2.0 || get(e, "node", "changes", 0, "field") == nil {
				t.Errorf("the accepted entry: %v", e)
			}
		case "DENIED", "FAILED":
			refused++
		}
	}
	if accepted != 1 || refused != 5 {
		t.Errorf("audit entries of the base salary table: %d accepted, %d refused: %v", accepted, refused, entries)
	}

	// Coefficients are catalogue data: left out, a save keeps them; an
	// empty list removes them (no amount); a bad one names its field.
	const saveType = `mutation($in: AwardTypeInput!, $v: Int!) { saveAwardType(input: $in, expectedVersion: $v) { version rewardCoefficients { thousandths } } }`
	typ := map[string]any{"id": "lao-dong-tien-tien", "name": "Lao động tiên tiến", "form": "EMULATION_TITLE",
		"authorityRules": []any{map[string]any{"authority": "COMMUNE_CHAIR"}, map[string]any{"authority": "UNIT_HEAD"}},
		"recipientKinds": []string{"INDIVIDUAL"}}
	version := func() int {
		for _, at := range get(a.ok("", `{ awardTypes { id version } }`, nil), "awardTypes").([]any) {
			if get(at, "id") == "lao-dong-tien-tien" {
				return int(get(at, "version").(float64))
			}
		}
		t.Fatal("no lao-dong-tien-tien")
		return 0
	}
	v := version()
	d = a.ok(admin, saveType, map[string]any{"in": typ, "v": v})
	if c := get(d, "saveAwardType", "rewardCoefficients").([]any); len(c) != 1 || get(c, 0, "thousandths") != 300.0 {
		t.Errorf("a save without coefficients: %v", d)
	}
	if r := a.do(admin, saveType, map[string]any{"in": with(typ, "rewardCoefficients", []any{map[string]any{"class": "FIRST", "thousandths": 300}}), "v": v + 1}); r.code() != "BAD_USER_INPUT" || r.field() != "input.rewardCoefficients[0].class" {
		t.Errorf("a class the type does not have: %v", r.Errors)
	}
	d = a.ok(admin, saveType, map[string]any{"in": with(typ, "rewardCoefficients", []any{map[string]any{"thousandths": 500, "validFrom": "2024-08-01", "confirmed": true}}), "v": v + 1})
	if got := a.rewardOf(viewer, conferred); got != 1_200_000.0 { // 0.5 × 2,400,000
		t.Errorf("a new coefficient: rewardAmount %v, want 1200000 (%v)", got, d)
	}
	if got := a.rewardOf(viewer, early); got != nil {
		t.Errorf("a decision before the new coefficient: %v", got)
	}
	a.ok(admin, saveType, map[string]any{"in": with(typ, "rewardCoefficients", []any{}), "v": v + 2})
	if got := a.rewardOf(viewer, conferred); got != nil {
		t.Errorf("coefficients removed: rewardAmount %v", got)
	}
}

// The year's totals per province and form count the CONFERRED awards the
// caller can see: everybody sees the same public totals, a province's
// proposals never count.
func TestRewardTotals(t *testing.T) {
	t.Parallel()
	a := newAPI(t)
	for _, p := range []struct {
		province, status, date string
	}{
		{"lang-son", "CONFERRED", "2024-08-01"}, {"lang-son", "CONFERRED", "2024-09-01"}, {"lang-son", "PROPOSED", ""},
		{"cao-bang", "CONFERRED", "2024-03-01"}, {"cao-bang", "REJECTED", ""},
	} {
		in := with(awardInput(p.province), "awardTypeId", "lao-dong-tien-tien", "class", nil, "authority", "COMMUNE_CHAIR",
			"year", 2024, "status", p.status)
		if p.date != "" {
			in["decision"] = map[string]any{"number": "9/QĐ-UBND", "date": p.date}
		}
		if p.status == "REJECTED" {
			in["rejectionReason"] = "Chưa đủ điều kiện"
		}
		a.ok(token(t, map[string]string{p.province: "editor"}), createAward, map[string]any{"in": in})
	}
	a.ok(token(t, map[string]string{"lang-son": "editor"}), createAward, map[string]any{"in": with(awardInput("lang-son"),
		"status", "CONFERRED", "year", 2024, "decision", map[string]any{"number": "1/QĐ-CTN", "date": "2024-09-02"})})
	const q = `query($y: Int!, $p: ID) { rewardTotals(year: $y, provinceId: $p) { province { id } awardType { id } count priced amount } }`
	want := "cao-bang/lao-dong-tien-tien 1 1 540000; lang-son/huan-chuong-lao-dong 1 0 0; lang-son/lao-dong-tien-tien 2 2 1420000; "
	for _, tok := range []string{"", token(t, map[string]string{"lang-son": "viewer"}), token(t, map[string]string{"*": "viewer"})} {
		if got := totals(a.ok(tok, q, map[string]any{"y": 2024})); got != want {
			t.Errorf("totals:\n got %s\nwant %s", got, want)
		}
	}
	if got := totals(a.ok("", q, map[string]any{"y": 2024, "p": "cao-bang"})); got != "cao-bang/lao-dong-tien-tien 1 1 540000; " {
		t.Errorf("Cao Bằng's totals: %s", got)
	}
	if got := totals(a.ok("", q, map[string]any{"y": 2023})); got != "" {
		t.Errorf("2023's totals: %s", got)
	}
	if r := a.do("", q, map[string]any{"y": 1900}); r.code() != "BAD_USER_INPUT" || r.field() != "year" {
		t.Errorf("year 1900: %v", r.Errors)
	}
}

func totals(d map[string]any) string {
	out := ""
	for _, r := range get(d, "rewardTotals").([]any) {
		out += get(r, "province", "id").(string) + "/" + get(r, "awardType", "id").(string) + " " +
			ftoa(get(r, "count")) + " " + ftoa(get(r, "priced")) + " " + ftoa(get(r, "amount")) + "; "
	}
	return out
}

func ftoa(v any) string { return strconv.FormatFloat(v.(float64), 'f', -1, 64) }
