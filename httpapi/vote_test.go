package httpapi_test

import (
	"fmt"
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
	const open = `mutation($r: ID!, $c: [CriterionInput!]!, $secret: Boolean!, $second: SecondRoundRule) { openVote(reviewId: $r,
	  settings: {selfVoteAllowed: false, secret: $secret, criteria: $c, secondRound: $second}) {
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
	a.ok(editor, open, map[string]any{"r": r2, "c": table, "secret": true, "second": "NONE"})
	a.ok(caoBang, cast, map[string]any{"r": r2, "p": "cao-bang", "l": "lao-cai", "s": scoresFor("cao-bang", 70)})
	a.ok(editor, closeVote, map[string]any{"r": r2, "v": 1})
	d = a.ok(editor, read, map[string]any{"id": r2})
	// One ballot of seven is not more than half of the members, and this
	// vote has no second round: no leader.
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

// The second round, bonus and penalty points, and the flag dossier checked
// against the vote's leader, end to end: 3 of 7 ballots name no leader in
// the first round; the two first stand again; the second names Lạng Sơn,
// and only a cluster dossier proposing Lạng Sơn for the Government's flag
// is submitted.
func TestYearEndVoteSecondRound(t *testing.T) {
	t.Parallel()
	a := newAPI(t)
	editor := token(t, map[string]string{"*": "editor"})
	rid := get(a.ok(editor, `mutation { createPeriodReview(input: {kind: YEAR_END, year: 2022, period: "năm 2022", date: "2022-12-20",
	  hostProvinceId: "son-la", published: true}) { id } }`, nil), "createPeriodReview", "id").(string)
	const fields = `status round version leader { id } proposedForFlag { id } candidates { id } voted { id } tally { province { id } }
	  secondRound secondRoundMajority bonusCap bonusItems { name maxPoints } penaltyItems { name maxPoints } flagAwardType { id }
	  rounds { number closed candidates { id } leader { id } tied { id } tally { province { id } votes scoreTotal base bonus penalty } }`
	d := a.ok(editor, `mutation($r: ID!) { openVote(reviewId: $r, settings: {selfVoteAllowed: false, secret: false,
	  criteria: [{name: "Kết quả"}], bonusItems: [{name: "Sáng kiến", maxPoints: 5}], bonusCap: 4,
	  penaltyItems: [{name: "Báo cáo chậm"}]}) { `+fields+` } }`, map[string]any{"r": rid})
	v := get(d, "openVote")
	if get(v, "round") != 1.0 || get(v, "secondRound") != "TOP_TWO" || get(v, "secondRoundMajority") != nil || get(v, "bonusCap") != 4.0 ||
		get(v, "penaltyItems", 0, "maxPoints") != 5.0 || get(v, "flagAwardType", "id") != "co-thi-dua-chinh-phu" ||
		len(get(v, "candidates").([]any)) != 7 || len(get(v, "rounds").([]any)) != 1 || get(v, "rounds", 0, "tally") != nil {
		t.Fatalf("opened: %v", v)
	}
	if r := a.do(editor, `mutation($r: ID!) { openVote(reviewId: $r, settings: {selfVoteAllowed: false, secret: false, criteria: [{name: "A"}],
	  bonusItems: [{name: "A"}]}) { status } }`, map[string]any{"r": rid}); r.code() != "BAD_USER_INPUT" || r.field() != "settings.bonusItems[0].name" {
		t.Errorf("a bonus item named like a criterion: %v", r.Errors)
	}

	const cast = `mutation($r: ID!, $p: ID!, $l: ID!, $s: [ScoreInput!]!) { castBallot(reviewId: $r, provinceId: $p, leaderId: $l, scores: $s) { round version } }`
	scores := func(p string) []map[string]any {
		var out []map[string]any
		for _, o := range seed.ClusterMembers {
			if o != p {
				out = append(out, map[string]any{"provinceId": o, "criterion": "Kết quả", "score": 80})
			}
		}
		if p != "lang-son" { // each gives Lạng Sơn 5 bonus points, capped at 4
			out = append(out, map[string]any{"provinceId": "lang-son", "criterion": "Sáng kiến", "score": 5})
		}
		return out
	}
	first := map[string]string{"cao-bang": "lang-son", "dien-bien": "lang-son", "ha-giang": "lang-son", "lao-cai": "cao-bang",
		"lai-chau": "cao-bang", "son-la": "dien-bien", "lang-son": "son-la"}
	for p, l := range first {
		a.ok(token(t, map[string]string{p: "editor"}), cast, map[string]any{"r": rid, "p": p, "l": l, "s": scores(p)})
	}

	// The cluster's flag dossier for 2022, refused while the vote is open.
	star := token(t, map[string]string{"*": "editor"})
	flagDossier := func(province string) any {
		in := map[string]any{"kind": "REGULAR", "authority": "GOVERNMENT", "year": 2022, "title": "Đề nghị tặng Cờ thi đua của Chính phủ năm 2022",
			"proposingUnit": "Cụm thi đua các tỉnh miền núi biên giới phía Bắc", "letter": map[string]any{"number": "1/TTr-CTĐ", "date": "2026-11-01"},
			"recipients": []any{map[string]any{"provinceId": province, "recipient": map[string]any{"kind": "COLLECTIVE", "name": "Ủy ban nhân dân tỉnh"},
				"awardTypeId": "co-thi-dua-chinh-phu", "achievement": "Dẫn đầu Cụm thi đua năm 2022"}}}
		return get(a.ok(star, `mutation($in: DossierInput!) { createDossier(input: $in) { id } }`, map[string]any{"in": in}), "createDossier", "id")
	}
	const submit = `mutation($id: ID!) { submitDossier(id: $id, expectedVersion: 1) { status } }`
	langSon := flagDossier("lang-son")
	if r := a.do(star, submit, map[string]any{"id": langSon}); r.code() != "BAD_USER_INPUT" || r.field() != "input.recipients[0].awardTypeId" {
		t.Errorf("a flag dossier while the vote is open: %v", r.Errors)
	}

	const closeVote = `mutation($r: ID!, $v: Int!) { closeVote(reviewId: $r, expectedVersion: $v) { ` + fields + ` } }`
	v = get(a.ok(editor, closeVote, map[string]any{"r": rid, "v": 1}), "closeVote")
	if get(v, "status") != "OPEN" || get(v, "round") != 2.0 || get(v, "leader") != nil || get(v, "tally") != nil || get(v, "version") != 2.0 ||
		fmt.Sprint(get(v, "candidates")) != "[map[id:lang-son] map[id:cao-bang]]" || len(get(v, "voted").([]any)) != 0 ||
		get(v, "rounds", 0, "closed") != true || get(v, "rounds", 0, "leader") != nil || get(v, "rounds", 1, "tally") != nil {
		t.Fatalf("after the first round: %v", v)
	}
	// The first round's tally shows the score: Lạng Sơn's 80 on the
	// criterion, plus 4 bonus points (5 given, capped at 4).
	if c := get(v, "rounds", 0, "tally", 0); get(c, "province", "id") != "lang-son" || get(c, "votes") != 3.0 ||
		get(c, "base") != 80.0 || get(c, "bonus") != 4.0 || get(c, "penalty") != 0.0 || get(c, "scoreTotal") != 84.0 {
		t.Errorf("first round's first: %v", c)
	}
	if r := a.do(editor, `mutation($r: ID!) { openVote(reviewId: $r, settings: {selfVoteAllowed: false, secret: false, criteria: [{name: "A"}]}) { status } }`,
		map[string]any{"r": rid}); r.code() != "CONFLICT" {
		t.Errorf("opening the vote again: %v, want CONFLICT (the second round is the way on)", r.Errors)
	}

	// The second round: only its candidates, no scores.
	caoBang := token(t, map[string]string{"cao-bang": "editor"})
	if r := a.do(caoBang, cast, map[string]any{"r": rid, "p": "cao-bang", "l": "dien-bien", "s": []any{}}); r.code() != "BAD_USER_INPUT" || r.field() != "leaderId" {
		t.Errorf("a second-round ballot for a province that does not stand: %v", r.Errors)
	}
	if r := a.do(caoBang, cast, map[string]any{"r": rid, "p": "cao-bang", "l": "lang-son", "s": scores("cao-bang")}); r.code() != "BAD_USER_INPUT" || r.field() != "scores" {
		t.Errorf("a second-round ballot with scores: %v", r.Errors)
	}
	second := map[string]string{"cao-bang": "lang-son", "dien-bien": "lang-son", "ha-giang": "lang-son", "lao-cai": "cao-bang",
		"son-la": "lang-son", "lang-son": "cao-bang"} // Lai Châu abstains
	for p, l := range second {
		b := get(a.ok(token(t, map[string]string{p: "editor"}), cast, map[string]any{"r": rid, "p": p, "l": l, "s": []any{}}), "castBallot")
		if get(b, "round") != 2.0 || get(b, "version") != 1.0 {
			t.Errorf("second-round ballot of %s: %v", p, b)
		}
	}
	if r := a.do(editor, closeVote, map[string]any{"r": rid, "v": 1}); r.code() != "CONFLICT" {
		t.Errorf("closing at the first round's version: %v", r.Errors)
	}
	v = get(a.ok(editor, closeVote, map[string]any{"r": rid, "v": 2}), "closeVote")
	if get(v, "status") != "CLOSED" || get(v, "round") != 2.0 || get(v, "leader", "id") != "lang-son" || get(v, "proposedForFlag", "id") != "lang-son" ||
		get(v, "rounds", 1, "leader", "id") != "lang-son" || get(v, "rounds", 1, "tally", 0, "votes") != 4.0 ||
		get(v, "rounds", 1, "tally", 1, "votes") != 2.0 || len(get(v, "tally").([]any)) != 2 || len(get(v, "voted").([]any)) != 6 {
		t.Fatalf("after the second round: %v", v)
	}
	d = a.ok("", `query($id: ID!) { periodReview(id: $id) { vote { ballots { round province { id } leader { id } } } } }`, map[string]any{"id": rid})
	if n := len(get(d, "periodReview", "vote", "ballots").([]any)); n != 13 {
		t.Errorf("ballots of both rounds: %d, want 7 + 6", n)
	}

	// The flag dossier names the province the vote chose.
	if r := a.do(star, submit, map[string]any{"id": flagDossier("cao-bang")}); r.code() != "BAD_USER_INPUT" || r.field() != "input.recipients[0].provinceId" {
		t.Errorf("a flag dossier for Cao Bằng: %v", r.Errors)
	}
	if got := get(a.ok(star, submit, map[string]any{"id": langSon}), "submitDossier", "status"); got != "SUBMITTED" {
		t.Errorf("the flag dossier for Lạng Sơn: %v", got)
	}
}
