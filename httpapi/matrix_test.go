package httpapi_test

import (
	"fmt"
	"testing"
)

// The permission matrix: every mutation and every non-public read, for
// every kind of caller. A refused mutation changes nothing; every mutation,
// accepted or refused, leaves exactly one audit entry.

type caller struct {
	name  string
	roles map[string]string
}

var callers = []caller{
	{"anonymous", nil},
	{"lang-son viewer", map[string]string{"lang-son": "viewer"}},
	{"lang-son editor", map[string]string{"lang-son": "editor"}},
	{"neighbour (cao-bang) editor", map[string]string{"cao-bang": "editor"}},
	{"lang-son admin", map[string]string{"lang-son": "admin"}},
	{"* viewer", map[string]string{"*": "viewer"}},
	{"* editor", map[string]string{"*": "editor"}},
	{"* admin", map[string]string{"*": "admin"}},
	// Callers holding several grants.
	{"lang-son and cao-bang editor", map[string]string{"lang-son": "editor", "cao-bang": "editor"}},
	{"lang-son editor, cao-bang viewer", map[string]string{"lang-son": "editor", "cao-bang": "viewer"}},
}

func set(names ...string) map[string]bool {
	out := map[string]bool{}
	for _, n := range names {
		out[n] = true
	}
	return out
}

var (
	provinceWriters = set("lang-son editor", "lang-son admin", "* editor", "* admin", "lang-son and cao-bang editor", "lang-son editor, cao-bang viewer")
	clusterWriters  = set("* editor", "* admin")
	// Moving a lang-son record into cao-bang needs both provinces.
	movers          = set("* editor", "* admin", "lang-son and cao-bang editor")
	caoBangWriters  = set("neighbour (cao-bang) editor", "* editor", "* admin", "lang-son and cao-bang editor")
	provinceReaders = set("lang-son viewer", "lang-son editor", "lang-son admin", "* viewer", "* editor", "* admin",
		"lang-son and cao-bang editor", "lang-son editor, cao-bang viewer")
	clusterReaders = set("* viewer", "* editor", "* admin")
	provinceAdmins = set("lang-son admin", "* admin")
	clusterAdmins  = set("* admin")
)

func (c caller) token(t *testing.T) string {
	if c.roles == nil {
		return ""
	}
	return token(t, c.roles)
}

// state reads what a refused mutation must leave as it was.
func (a *api) state(root string) string {
	d := a.ok(token(a.t, map[string]string{"*": "admin"}), `{
	  awards { totalCount edges { node { id version province { id } } } }
	  movements(first: 100) { totalCount edges { node { id version } } }
	  periodReviews(first: 100) { totalCount edges { node { id version reports { province { id } version }
	    vote { status version voted { id } } } } }
	  clusters { version years { year } }
	  awardTypes { id version } indicators { id version } }`, nil)
	return fmt.Sprint(d)
}

// audit returns how many audit entries there are and the newest one's outcome.
func (a *api) audit() (int, string) {
	d := a.ok(token(a.t, map[string]string{"*": "admin"}), `{ auditLog(first: 1) { totalCount edges { node { outcome } } } }`, nil)
	outcome, _ := get(d, "auditLog", "edges", 0, "node", "outcome").(string)
	return int(get(d, "auditLog", "totalCount").(float64)), outcome
}

func TestPermissionMatrixMutations(t *testing.T) {
	t.Parallel()
	a := newAPI(t)
	admin := token(t, map[string]string{"*": "admin"})
	n := 0
	unique := func() int { n++; return n }

	conferred := func(p string) map[string]any {
		return with(awardInput(p), "status", "CONFERRED", "decision", map[string]any{"number": "9/QĐ-CTN", "date": "2022-09-01"})
	}
	newAward := func() string {
		return get(a.ok(admin, createAward, map[string]any{"in": conferred("lang-son")}), "createAward", "id").(string)
	}
	provinceMovement := map[string]any{"title": "Thi đua Lạng Sơn", "scope": "PROVINCE", "kind": "ANNUAL", "provinceId": "lang-son", "startYear": 2023}
	nationalMovement := map[string]any{"title": "Phong trào toàn quốc", "scope": "NATIONAL", "kind": "CAMPAIGN", "startYear": 2023}
	const createMovement = `mutation($in: MovementInput!) { createMovement(input: $in) { id } }`
	newMovement := func(in map[string]any) string {
		return get(a.ok(admin, createMovement, map[string]any{"in": in}), "createMovement", "id").(string)
	}
	review := func() map[string]any {
		// 2022: the cluster's members that year report into it.
		return map[string]any{"kind": "PHASE", "year": 2022, "period": fmt.Sprint("giai đoạn ", unique()),
			"date": "2022-10-01", "hostProvinceId": "son-la", "published": true}
	}
	const createReview = `mutation($in: PeriodReviewInput!) { createPeriodReview(input: $in) { id } }`
	seededReview := get(a.ok("", `{ periodReviews { edges { node { id } } } }`, nil), "periodReviews", "edges", 0, "node", "id")

	newProposal := func() string {
		return get(a.ok(admin, createAward, map[string]any{"in": awardInput("lang-son")}), "createAward", "id").(string)
	}
	cases := []struct {
		name    string
		allowed map[string]bool
		op      string
		vars    func() map[string]any // sets up a fresh target
	}{
		{"createAward", provinceWriters, createAward, func() map[string]any { return map[string]any{"in": awardInput("lang-son")} }},
		{"updateAward", provinceWriters, updateAward, func() map[string]any {
			return map[string]any{"id": newAward(), "in": with(conferred("lang-son"), "citation", "Có thành tích xuất sắc"), "v": 1}
		}},
		{"updateAward moving it into cao-bang", movers, updateAward, func() map[string]any {
			return map[string]any{"id": newAward(), "in": conferred("cao-bang"), "v": 1}
		}},
		{"createAward in cao-bang", caoBangWriters, createAward, func() map[string]any { return map[string]any{"in": awardInput("cao-bang")} }},
		{"createAward in son-la (a second target province)", clusterWriters, createAward, func() map[string]any {
			return map[string]any{"in": awardInput("son-la")}
		}},
		{"updateMovement moving it into cao-bang", movers,
			`mutation($id: ID!, $in: MovementInput!) { updateMovement(id: $id, input: $in, expectedVersion: 1) { id } }`,
			func() map[string]any {
				return map[string]any{"id": newMovement(provinceMovement), "in": with(provinceMovement, "provinceId", "cao-bang")}
			}},
		{"deleteAward (a proposal)", provinceWriters, deleteAward, func() map[string]any { return map[string]any{"id": newProposal(), "v": 1} }},
		{"revokeAward", provinceWriters, `mutation($id: ID!) { revokeAward(id: $id, expectedVersion: 1, reason: "Thu hồi",
		  decision: {number: "8/QĐ-CTN", date: "2023-01-10"}) { id } }`, func() map[string]any { return map[string]any{"id": newAward()} }},
		{"createMovement (province)", provinceWriters, createMovement, func() map[string]any { return map[string]any{"in": provinceMovement} }},
		{"updateMovement (province)", provinceWriters,
			`mutation($id: ID!, $in: MovementInput!) { updateMovement(id: $id, input: $in, expectedVersion: 1) { id } }`,
			func() map[string]any {
				return map[string]any{"id": newMovement(provinceMovement), "in": with(provinceMovement, "kind", "CAMPAIGN")}
			}},
		{"deleteMovement (province)", provinceWriters, `mutation($id: ID!) { deleteMovement(id: $id, expectedVersion: 1) }`,
			func() map[string]any { return map[string]any{"id": newMovement(provinceMovement)} }},
		{"createMovement (national)", clusterWriters, createMovement, func() map[string]any { return map[string]any{"in": nationalMovement} }},
		{"updateMovement (national)", clusterWriters,
			`mutation($id: ID!, $in: MovementInput!) { updateMovement(id: $id, input: $in, expectedVersion: 1) { id } }`,
			func() map[string]any {
				return map[string]any{"id": newMovement(nationalMovement), "in": with(nationalMovement, "kind", "THEMATIC")}
			}},
		{"deleteMovement (national)", clusterWriters, `mutation($id: ID!) { deleteMovement(id: $id, expectedVersion: 1) }`,
			func() map[string]any { return map[string]any{"id": newMovement(nationalMovement)} }},
		{"createPeriodReview", clusterWriters, createReview, func() map[string]any { return map[string]any{"in": review()} }},
		{"updatePeriodReview", clusterWriters,
			`mutation($id: ID!, $in: PeriodReviewInput!) { updatePeriodReview(id: $id, input: $in, expectedVersion: 1) { id } }`,
			func() map[string]any {
				id := get(a.ok(admin, createReview, map[string]any{"in": review()}), "createPeriodReview", "id")
				return map[string]any{"id": id, "in": with(review(), "theme", "Đoàn kết")}
			}},
		{"submitProvinceReport (lang-son)", provinceWriters,
			`mutation($r: ID!, $p: ID!) { submitProvinceReport(reviewId: $r, provinceId: $p, values: [{indicatorId: "new-jobs", value: 100}]) { version } }`,
			func() map[string]any {
				id := get(a.ok(admin, createReview, map[string]any{"in": review()}), "createPeriodReview", "id")
				return map[string]any{"r": id, "p": "lang-son"}
			}},
		{"submitProvinceReport to the seeded review", provinceWriters,
			`mutation($r: ID!, $p: ID!) { submitProvinceReport(reviewId: $r, provinceId: $p, values: [{indicatorId: "new-jobs", value: 100}]) { version } }`,
			func() map[string]any { return map[string]any{"r": seededReview, "p": "lang-son"} }},
	}
	// Votes: each case gets a year of its own (one vote per cluster a year).
	year := 1950
	clusterVersion := func() int {
		d := a.ok("", `{ cluster(id: "mien-nui-bien-gioi-phia-bac") { version } }`, nil)
		return int(get(d, "cluster", "version").(float64))
	}
	newYear := func() int {
		year++
		a.ok(admin, `mutation($y: Int!, $v: Int!) { setClusterYear(clusterId: "mien-nui-bien-gioi-phia-bac", expectedVersion: $v,
		  input: {year: $y, memberIds: ["cao-bang", "lang-son", "son-la"]}) { version } }`, map[string]any{"y": year, "v": clusterVersion()})
		return year
	}
	yearEnd := func(y int) string {
		return get(a.ok(admin, `mutation($y: Int!, $d: Date!) { createPeriodReview(input: {kind: YEAR_END, year: $y, date: $d,
		  hostProvinceId: "son-la"}) { id } }`, map[string]any{"y": y, "d": fmt.Sprintf("%d-12-20", y)}), "createPeriodReview", "id").(string)
	}
	const openVote = `mutation($r: ID!) { openVote(reviewId: $r, settings: {selfVoteAllowed: false, secret: false, criteria: [{name: "Chỉ tiêu"}]}) { version } }`
	openedVote := func() string {
		r := yearEnd(newYear())
		a.ok(admin, openVote, map[string]any{"r": r})
		return r
	}
	cases = append(cases, []struct {
		name    string
		allowed map[string]bool
		op      string
		vars    func() map[string]any
	}{
		{"setClusterYear", clusterAdmins, `mutation($y: Int!, $v: Int!) { setClusterYear(clusterId: "mien-nui-bien-gioi-phia-bac",
		  expectedVersion: $v, input: {year: $y, memberIds: ["cao-bang", "lang-son"]}) { version } }`,
			func() map[string]any { year++; return map[string]any{"y": year, "v": clusterVersion()} }},
		{"saveAwardType (new)", clusterAdmins, `mutation($in: AwardTypeInput!) { saveAwardType(input: $in, expectedVersion: 0) { version } }`,
			func() map[string]any {
				return map[string]any{"in": map[string]any{"id": fmt.Sprint("bang-khen-thu-nghiem-", unique()), "name": "Bằng khen thử nghiệm",
					"form": "CERTIFICATE_OF_MERIT", "authorityRules": []any{map[string]any{"authority": "PROVINCE_CHAIR"}}, "recipientKinds": []string{"INDIVIDUAL"}}}
			}},
		{"saveIndicator (change)", clusterAdmins, `mutation($v: Int!, $u: String!) { saveIndicator(input: {id: "new-jobs", name: "Giải quyết việc làm mới",
		  unit: $u, aggregation: SUM}, expectedVersion: $v) { version } }`,
			func() map[string]any {
				d := a.ok("", `{ indicators { id version } }`, nil)
				for _, i := range get(d, "indicators").([]any) {
					if get(i, "id") == "new-jobs" {
						return map[string]any{"v": int(get(i, "version").(float64)), "u": fmt.Sprint("người ", unique())}
					}
				}
				return nil
			}},
		{"openVote", clusterWriters, openVote, func() map[string]any { return map[string]any{"r": yearEnd(newYear())} }},
		{"castBallot (lang-son)", provinceWriters, `mutation($r: ID!) { castBallot(reviewId: $r, provinceId: "lang-son", leaderId: "son-la",
		  scores: [{provinceId: "son-la", criterion: "Chỉ tiêu", score: 90}, {provinceId: "cao-bang", criterion: "Chỉ tiêu", score: 80}]) { version } }`,
			func() map[string]any { return map[string]any{"r": openedVote()} }},
		{"closeVote", clusterWriters, `mutation($r: ID!) { closeVote(reviewId: $r, expectedVersion: 1) { status } }`,
			func() map[string]any { return map[string]any{"r": openedVote()} }},
	}...)
	// Targets the neighbour cannot see: refused as absent (NOT_FOUND).
	unpublishedTargets := map[string]bool{"deleteAward (a proposal)": true}
	for _, c := range cases {
		for _, who := range callers {
			vars := c.vars()
			before, audits := a.state(""), 0
			audits, _ = a.audit()
			r := a.do(who.token(t), c.op, vars)
			after := a.state("")
			total, outcome := a.audit()
			// An anonymous refusal is counted in a metric, not written.
			wantEntries := 1
			if who.roles == nil {
				wantEntries = 0
			}
			if total-audits != wantEntries {
				t.Errorf("%s by %s left %d audit entries, want %d", c.name, who.name, total-audits, wantEntries)
			}
			if want := map[bool]string{true: "ACCEPTED", false: "DENIED"}[c.allowed[who.name]]; wantEntries == 1 && outcome != want {
				t.Errorf("%s by %s: audit outcome %s, want %s", c.name, who.name, outcome, want)
			}
			if c.allowed[who.name] {
				if len(r.Errors) > 0 {
					t.Errorf("%s by %s: refused (%v), want allowed", c.name, who.name, r.Errors)
				}
				if after == before {
					t.Errorf("%s by %s: allowed but nothing changed", c.name, who.name)
				}
				continue
			}
			want := "FORBIDDEN"
			switch {
			case who.roles == nil:
				want = "UNAUTHENTICATED"
			case unpublishedTargets[c.name] && !provinceReaders[who.name]:
				want = "NOT_FOUND"
			}
			if r.code() != want {
				t.Errorf("%s by %s: %s (%v), want %s", c.name, who.name, r.code(), r.Errors, want)
			}
			if after != before {
				t.Errorf("%s by %s: refused but the data changed", c.name, who.name)
			}
		}
	}
}

func TestPermissionMatrixReads(t *testing.T) {
	t.Parallel()
	a := newAPI(t)
	langSon := token(t, map[string]string{"lang-son": "editor"})
	admin := token(t, map[string]string{"*": "admin"})
	proposed := get(a.ok(langSon, createAward, map[string]any{"in": awardInput("lang-son")}), "createAward", "id")
	draft := get(a.ok(langSon, `mutation { createMovement(input: {title: "Dự thảo phong trào", scope: PROVINCE, kind: ANNUAL,
	  provinceId: "lang-son", published: false}) { id } }`, nil), "createMovement", "id")
	clusterDraft := get(a.ok(admin, `mutation { createMovement(input: {title: "Dự thảo cụm", scope: CLUSTER, kind: ANNUAL,
	  published: false}) { id } }`, nil), "createMovement", "id")
	draftReview := get(a.ok(admin, `mutation { createPeriodReview(input: {kind: YEAR_END, year: 2023, date: "2023-12-20",
	  hostProvinceId: "cao-bang"}) { id } }`, nil), "createPeriodReview", "id")
	// A published award that rewards the draft movement: the nested field
	// must not lead a reader to what it may not see.
	published := get(a.ok(langSon, createAward, map[string]any{"in": with(awardInput("lang-son"), "status", "CONFERRED",
		"movementId", draft, "decision", map[string]any{"number": "5/QĐ-CTN", "date": "2023-01-05"})}), "createAward", "id")
	// Something in the audit trail of another province, too.
	a.ok(token(t, map[string]string{"cao-bang": "editor"}), createAward, map[string]any{"in": awardInput("cao-bang")})

	reads := []struct {
		name    string
		allowed map[string]bool
		query   string
		vars    map[string]any
		sees    func(d map[string]any) bool
	}{
		{"award(id) of a proposal", provinceReaders, `query($id: ID!) { award(id: $id) { id } }`, map[string]any{"id": proposed},
			func(d map[string]any) bool { return d["award"] != nil }},
		{"awards totalCount of proposals", provinceReaders, `{ awards(filter: {provinceId: "lang-son", status: PROPOSED}) { totalCount edges { node { id } } } }`, nil,
			func(d map[string]any) bool {
				return get(d, "awards", "totalCount") == 1.0 && len(get(d, "awards", "edges").([]any)) == 1
			}},
		{"movement(id) of a province draft", provinceReaders, `query($id: ID!) { movement(id: $id) { id } }`, map[string]any{"id": draft},
			func(d map[string]any) bool { return d["movement"] != nil }},
		{"movements totalCount with drafts", provinceReaders, `{ movements(filter: {provinceId: "lang-son"}) { totalCount } }`, nil,
			func(d map[string]any) bool { return get(d, "movements", "totalCount") == 1.0 }},
		{"a published award's draft movement", provinceReaders, `query($id: ID!) { award(id: $id) { movement { id } } }`, map[string]any{"id": published},
			func(d map[string]any) bool { return get(d, "award", "movement") != nil }},
		{"movement(id) of a cluster draft", clusterReaders, `query($id: ID!) { movement(id: $id) { id } }`, map[string]any{"id": clusterDraft},
			func(d map[string]any) bool { return d["movement"] != nil }},
		{"periodReview(id) of a draft", clusterReaders, `query($id: ID!) { periodReview(id: $id) { id } }`, map[string]any{"id": draftReview},
			func(d map[string]any) bool { return d["periodReview"] != nil }},
		{"reviews totalCount with drafts", clusterReaders, `{ periodReviews { totalCount } }`, nil,
			func(d map[string]any) bool { return get(d, "periodReviews", "totalCount") == 2.0 }},
	}
	for _, rd := range reads {
		for _, who := range callers {
			r := a.do(who.token(t), rd.query, rd.vars)
			if len(r.Errors) > 0 {
				t.Errorf("%s by %s: %v (unpublished records are absent, not errors)", rd.name, who.name, r.Errors)
				continue
			}
			if got := rd.sees(r.Data); got != rd.allowed[who.name] {
				t.Errorf("%s by %s: sees %v, want %v (%v)", rd.name, who.name, got, rd.allowed[who.name], r.Data)
			}
		}
	}

	// The audit trail: admins only, each within its scope.
	for _, who := range callers {
		r := a.do(who.token(t), `{ auditLog(first: 100) { totalCount edges { node { province { id } operation } } } }`, nil)
		if !provinceAdmins[who.name] {
			want := "FORBIDDEN"
			if who.roles == nil {
				want = "UNAUTHENTICATED"
			}
			if r.code() != want {
				t.Errorf("auditLog by %s: %s, want %s", who.name, r.code(), want)
			}
			continue
		}
		if len(r.Errors) > 0 {
			t.Fatalf("auditLog by %s: %v", who.name, r.Errors)
		}
		provinces := map[any]bool{}
		for _, e := range get(r.Data, "auditLog", "edges").([]any) {
			provinces[get(e, "node", "province", "id")] = true
		}
		if who.name == "lang-son admin" && (len(provinces) != 1 || !provinces["lang-son"]) {
			t.Errorf("lang-son admin sees audit entries of %v, want lang-son only", provinces)
		}
		if who.name == "* admin" && (!provinces["lang-son"] || !provinces["cao-bang"] || !provinces[nil]) {
			t.Errorf("* admin sees audit entries of %v, want every province and the cluster", provinces)
		}
	}
}

func TestAuditEntries(t *testing.T) {
	t.Parallel()
	a := newAPI(t)
	editor := token(t, map[string]string{"lang-son": "editor", "*": "viewer"})
	id := get(a.ok(editor, createAward, map[string]any{"in": awardInput("lang-son")}), "createAward", "id")
	a.ok(editor, updateAward, map[string]any{"id": id, "v": 1,
		"in": with(awardInput("lang-son"), "recipient", map[string]any{"kind": "INDIVIDUAL", "name": "Nguyễn Văn Bình"})})
	a.do(editor, createAward, map[string]any{"in": awardInput("cao-bang")})
	a.do(editor, updateAward, map[string]any{"id": id, "v": 1, "in": awardInput("lang-son")})

	d := a.ok(token(t, map[string]string{"*": "admin"}), `{ auditLog { totalCount edges { node {
	  subject name role scope operation recordType recordId province { id } outcome reason
	  versionBefore versionAfter changes { field old new } requestId } } } }`, nil)
	entries := get(d, "auditLog", "edges").([]any)
	if len(entries) != 4 {
		t.Fatalf("entries = %d, want 4: %v", len(entries), entries)
	}
	stale, denied, update, create := get(entries[0], "node"), get(entries[1], "node"), get(entries[2], "node"), get(entries[3], "node")
	if get(create, "operation") != "createAward" || get(create, "outcome") != "ACCEPTED" || get(create, "versionAfter") != 1.0 ||
		get(create, "versionBefore") != nil || get(create, "recordId") != id {
		t.Errorf("create entry: %v", create)
	}
	if get(update, "role") != "EDITOR" || get(update, "scope") != "lang-son" || get(update, "subject") != "u-test" ||
		get(update, "name") != "Người Thử" || get(update, "versionBefore") != 1.0 || get(update, "versionAfter") != 2.0 ||
		get(update, "province", "id") != "lang-son" || get(update, "requestId") == nil {
		t.Errorf("update entry: %v", update)
	}
	changes := get(update, "changes").([]any)
	if len(changes) != 1 || get(changes[0], "field") != "recipient" ||
		!contains(get(changes[0], "old"), "Nguyễn Văn An") || !contains(get(changes[0], "new"), "Nguyễn Văn Bình") {
		t.Errorf("update changes: %v", changes)
	}
	if get(denied, "outcome") != "DENIED" || !contains(get(denied, "reason"), "FORBIDDEN") ||
		get(denied, "province", "id") != "cao-bang" || len(get(denied, "changes").([]any)) != 0 {
		t.Errorf("denied entry: %v", denied)
	}
	if get(stale, "outcome") != "DENIED" || !contains(get(stale, "reason"), "CONFLICT") || get(stale, "recordId") != id {
		t.Errorf("stale entry: %v", stale)
	}
	// The trail has no mutation that could change it.
	r := a.do(token(t, map[string]string{"*": "admin"}), `{ __type(name: "Mutation") { fields { name } } }`, nil)
	for _, f := range get(r.Data, "__type", "fields").([]any) {
		if contains(get(f, "name"), "udit") {
			t.Errorf("mutation %v touches the audit trail", get(f, "name"))
		}
	}
}

func contains(v any, sub string) bool {
	s, ok := v.(string)
	return ok && len(sub) > 0 && len(s) >= len(sub) && (stringIndex(s, sub) >= 0)
}

func stringIndex(s, sub string) int {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return i
		}
	}
	return -1
}
