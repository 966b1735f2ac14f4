package httpapi_test

import (
	"testing"

	"github.com/thidua/thidua/seed"
)

const cluster = "mien-nui-bien-gioi-phia-bac"

func TestClusterYears(t *testing.T) {
	t.Parallel()
	a := newAPI(t)
	admin := token(t, map[string]string{"*": "admin"})
	const set = `mutation($in: ClusterYearInput!, $v: Int!) { setClusterYear(clusterId: "` + cluster + `", input: $in, expectedVersion: $v) {
	  version year(year: 2026) { members { id } chair { id } deputy { id } } } }`
	members2026 := []string{"cao-bang", "dien-bien", "lao-cai", "lai-chau", "son-la", "lang-son", "tuyen-quang"}
	bad := []struct {
		in    map[string]any
		field string
	}{
		{map[string]any{"year": 2026, "memberIds": append([]string{"ha-giang"}, members2026...)}, "input.memberIds[0]"},
		{map[string]any{"year": 2026, "memberIds": members2026, "chairId": "yen-bai"}, "input.chairId"},
		{map[string]any{"year": 2026, "memberIds": members2026, "chairId": "son-la", "deputyId": "son-la"}, "input.deputyId"},
		{map[string]any{"year": 2026, "memberIds": []string{"son-la", "son-la"}}, "input.memberIds[1]"},
	}
	for _, b := range bad {
		if r := a.do(admin, set, map[string]any{"in": b.in, "v": 1}); r.code() != "BAD_USER_INPUT" || r.field() != b.field {
			t.Errorf("%v: %v, want field %s", b.in, r.Errors, b.field)
		}
	}
	good := map[string]any{"year": 2026, "memberIds": members2026, "chairId": "lang-son", "deputyId": "cao-bang"}
	if r := a.do(token(t, map[string]string{"*": "editor"}), set, map[string]any{"in": good, "v": 1}); r.code() != "FORBIDDEN" {
		t.Errorf("a * editor setting the cluster: %v", r.Errors)
	}
	d := a.ok(admin, set, map[string]any{"in": good, "v": 1})
	if get(d, "setClusterYear", "year", "chair", "id") != "lang-son" || get(d, "setClusterYear", "version") != 2.0 {
		t.Errorf("set: %v", d)
	}
	if r := a.do(admin, set, map[string]any{"in": good, "v": 1}); r.code() != "CONFLICT" {
		t.Errorf("stale version: %v", r.Errors)
	}
	d = a.ok("", `{ cluster(id: "`+cluster+`") { years { year members { id } } } }`, nil)
	years := get(d, "cluster", "years").([]any)
	if len(years) != 2 || get(years[0], "year") != 2022.0 || len(get(years[0], "members").([]any)) != 7 {
		t.Errorf("cluster years: %v", years)
	}
	// The 2022 review lists who has not reported.
	d = a.ok("", `{ periodReviews { edges { node { summary { indicator { id } notReported { id } } } } } }`, nil)
	if n := len(get(d, "periodReviews", "edges", 0, "node", "summary", 0, "notReported").([]any)); n != 7 {
		t.Errorf("not reported in 2022 before any report: %d, want 7", n)
	}
}

// The year-end vote, end to end, with seven provinces.
func TestYearEndVote(t *testing.T) {
	t.Parallel()
	a := newAPI(t)
	editor := token(t, map[string]string{"*": "editor"})
	newReview := func(period string) string {
		return get(a.ok(editor, `mutation($p: String) { createPeriodReview(input: {kind: YEAR_END, year: 2022, period: $p, date: "2022-12-20",
		  hostProvinceId: "son-la", published: true}) { id } }`, map[string]any{"p": period}), "createPeriodReview", "id").(string)
	}
	rid := newReview("năm 2022")
	criteria := []string{"Kết quả thực hiện chỉ tiêu", "Phong trào thi đua"}
	table := []map[string]any{{"name": criteria[0], "weight": 2}, {"name": criteria[1]}}
	const open = `mutation($r: ID!, $c: [CriterionInput!]!, $secret: Boolean!) { openVote(reviewId: $r, settings: {selfVoteAllowed: false, secret: $secret, criteria: $c}) {
	  status version voters { id } criteria { name weight maxPoints } majority selfScoring crossScoring } }`
	if r := a.do(token(t, map[string]string{"lang-son": "editor"}), open, map[string]any{"r": rid, "c": table, "secret": false}); r.code() != "FORBIDDEN" {
		t.Errorf("a province opening the vote: %v", r.Errors)
	}
	d := a.ok(editor, open, map[string]any{"r": rid, "c": table, "secret": false})
	if len(get(d, "openVote", "voters").([]any)) != 7 || get(d, "openVote", "criteria", 0, "weight") != 2.0 ||
		get(d, "openVote", "criteria", 1, "maxPoints") != 100.0 || get(d, "openVote", "majority") != 0.5 ||
		get(d, "openVote", "crossScoring") != true || get(d, "openVote", "selfScoring") != false {
		t.Fatalf("opened vote: %v", d)
	}
	if r := a.do(editor, open, map[string]any{"r": newReview("lần 2"), "c": table, "secret": false}); r.code() != "CONFLICT" {
		t.Errorf("a second vote for the cluster in 2022: %v (one flag per cluster a year)", r.Errors)
	}

	const cast = `mutation($r: ID!, $p: ID!, $l: ID!, $s: [ScoreInput!]!) { castBallot(reviewId: $r, provinceId: $p, leaderId: $l, scores: $s) { version } }`
	scoresFor := func(p string, score float64) []map[string]any {
		var out []map[string]any
		for _, o := range seed.ClusterMembers {
			if o == p {
				continue
			}
			for _, c := range criteria {
				s := score
				if o == "lang-son" {
					s += 10
				}
				out = append(out, map[string]any{"provinceId": o, "criterion": c, "score": s})
			}
		}
		return out
	}
	leaders := map[string]string{"cao-bang": "son-la", "dien-bien": "lang-son", "ha-giang": "lang-son", "lao-cai": "lang-son",
		"lai-chau": "son-la", "son-la": "lang-son", "lang-son": "son-la"}
	for p, l := range leaders {
		a.ok(token(t, map[string]string{p: "editor"}), cast, map[string]any{"r": rid, "p": p, "l": l, "s": scoresFor(p, 80)})
	}
	// Each province changes only its own ballot.
	caoBang := token(t, map[string]string{"cao-bang": "editor"})
	if r := a.do(caoBang, cast, map[string]any{"r": rid, "p": "son-la", "l": "cao-bang", "s": scoresFor("son-la", 10)}); r.code() != "FORBIDDEN" {
		t.Errorf("cao-bang casting son-la's ballot: %v", r.Errors)
	}
	wrong := []struct {
		l     string
		s     []map[string]any
		field string
	}{
		{"cao-bang", scoresFor("cao-bang", 80), "leaderId"},
		{"tuyen-quang", scoresFor("cao-bang", 80), "leaderId"},
		{"lang-son", scoresFor("cao-bang", 80)[1:], "scores"},
		{"lang-son", append(scoresFor("cao-bang", 80)[1:], map[string]any{"provinceId": "dien-bien", "criterion": criteria[0], "score": 120}), "scores[11].score"},
	}
	for _, w := range wrong {
		if r := a.do(caoBang, cast, map[string]any{"r": rid, "p": "cao-bang", "l": w.l, "s": w.s}); r.code() != "BAD_USER_INPUT" || r.field() != w.field {
			t.Errorf("ballot for %s: %v, want field %s", w.l, r.Errors, w.field)
		}
	}
	d = a.ok(caoBang, cast, map[string]any{"r": rid, "p": "cao-bang", "l": "lang-son", "s": scoresFor("cao-bang", 85)})
	if get(d, "castBallot", "version") != 2.0 {
		t.Errorf("changed ballot: %v", d)
	}
	const read = `query($id: ID!) { periodReview(id: $id) { vote { status version voted { id } tally { province { id } votes scoreTotal }
	  leader { id } proposedForFlag { name } tied { id } ballots { province { id } leader { id } } } } }`
	d = a.ok("", read, map[string]any{"id": rid})
	if get(d, "periodReview", "vote", "tally") != nil || get(d, "periodReview", "vote", "ballots") != nil ||
		len(get(d, "periodReview", "vote", "voted").([]any)) != 7 {
		t.Errorf("while open the tally is hidden: %v", d)
	}
	const closeVote = `mutation($r: ID!, $v: Int!) { closeVote(reviewId: $r, expectedVersion: $v) { status leader { id } } }`
	if r := a.do(caoBang, closeVote, map[string]any{"r": rid, "v": 1}); r.code() != "FORBIDDEN" {
		t.Errorf("a province closing the vote: %v", r.Errors)
	}
	a.ok(editor, closeVote, map[string]any{"r": rid, "v": 1})
	d = a.ok("", read, map[string]any{"id": rid})
	v := get(d, "periodReview", "vote")
	if get(v, "status") != "CLOSED" || get(v, "leader", "id") != "lang-son" || get(v, "proposedForFlag", "name") != "Lạng Sơn" ||
		get(v, "tally", 0, "votes") != 5.0 || get(v, "tally", 1, "province", "id") != "son-la" || len(get(v, "ballots").([]any)) != 7 {
		t.Errorf("closed vote: %v", v)
	}
	if r := a.do(caoBang, cast, map[string]any{"r": rid, "p": "cao-bang", "l": "son-la", "s": scoresFor("cao-bang", 80)}); r.code() != "BAD_USER_INPUT" {
		t.Errorf("a ballot after the close: %v", r.Errors)
	}

	// A secret vote never shows who voted for whom.
	admin := token(t, map[string]string{"*": "admin"})
	a.ok(admin, `mutation { setClusterYear(clusterId: "`+cluster+`", expectedVersion: 1, input: {year: 2023,
	  memberIds: ["cao-bang", "dien-bien", "ha-giang", "lao-cai", "lai-chau", "son-la", "lang-son"]}) { version } }`, nil)
	r2 := get(a.ok(editor, `mutation { createPeriodReview(input: {kind: YEAR_END, year: 2023, date: "2023-12-20", hostProvinceId: "lao-cai"}) { id } }`, nil),
		"createPeriodReview", "id")
	a.ok(editor, open, map[string]any{"r": r2, "c": table, "secret": true})
	a.ok(caoBang, cast, map[string]any{"r": r2, "p": "cao-bang", "l": "lao-cai", "s": scoresFor("cao-bang", 70)})
	a.ok(editor, closeVote, map[string]any{"r": r2, "v": 1})
	d = a.ok(editor, read, map[string]any{"id": r2})
	// One ballot of seven is not more than half of the members: no leader.
	if get(d, "periodReview", "vote", "ballots") != nil || get(d, "periodReview", "vote", "leader") != nil ||
		get(d, "periodReview", "vote", "tally", 0, "province", "id") != "lao-cai" {
		t.Errorf("secret vote: %v", d)
	}
}

// A merged-away province files nothing after its merger.
func TestMergedProvinceFilesNothingAfter(t *testing.T) {
	t.Parallel()
	a := newAPI(t)
	editor := token(t, map[string]string{"*": "editor"})
	rid := get(a.ok(editor, `mutation { createPeriodReview(input: {kind: MID_YEAR, year: 2026, date: "2026-07-20", hostProvinceId: "lang-son"}) { id } }`, nil),
		"createPeriodReview", "id")
	r := a.do(editor, `mutation($r: ID!) { submitProvinceReport(reviewId: $r, provinceId: "ha-giang", values: [{indicatorId: "new-jobs", value: 5}]) { version } }`,
		map[string]any{"r": rid})
	if r.code() != "BAD_USER_INPUT" || r.field() != "provinceId" {
		t.Errorf("ha-giang reporting in 2026: %v", r.Errors)
	}
	r = a.do(editor, `mutation { createPeriodReview(input: {kind: MID_YEAR, year: 2026, period: "x", date: "2026-07-20", hostProvinceId: "yen-bai"}) { id } }`, nil)
	if r.code() != "BAD_USER_INPUT" || r.field() != "input.hostProvinceId" {
		t.Errorf("yen-bai hosting in 2026: %v", r.Errors)
	}
	// Its old records still show it, linked to its successor.
	d := a.ok("", `{ province(id: "ha-giang") { name successor { name } } }`, nil)
	if get(d, "province", "successor", "name") != "Tuyên Quang" {
		t.Errorf("ha-giang: %v", d)
	}
}
