package httpapi_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/thidua/thidua/repository"
)

// The law's route for a dossier to the President (Law 06/2022/QH15, Điều
// 83–84; Decree 98/2023 Điều 46 khoản 2; Decree 152/2025 Điều 44), through
// the API, with and without the read model: the public notice before
// submission, the province's vetting (and return), the chair's forwarding
// with its letter, the central vetting (and return to the province), the
// decision with the Prime Minister's submission conferring a subset at a
// lower class, each step in the audit trail and in the lists.
func TestCentralRoute(t *testing.T) {
	bothReadModels(t, centralRoute)
}

// bothReadModels runs test in parallel on an API with the read model and
// on one without it (READ_MODEL=off).
func bothReadModels(t *testing.T, test func(t *testing.T, a *api)) {
	for _, mode := range []struct {
		name string
		opts []repository.Option
	}{{"read model", nil}, {"READ_MODEL=off", []repository.Option{repository.WithoutReadModel()}}} {
		t.Run(mode.name, func(t *testing.T) {
			t.Parallel()
			test(t, newAPI(t, mode.opts...))
		})
	}
}

func centralRoute(t *testing.T, a *api) {
	editor := token(t, map[string]string{"lang-son": "editor"})
	vetter := token(t, map[string]string{"lang-son": "vetter"})
	chair := token(t, map[string]string{"lang-son": "decider"})
	centralVetter := token(t, map[string]string{"*": "vetter"})
	centralDecider := token(t, map[string]string{"*": "decider"})
	neighbour := token(t, map[string]string{"cao-bang": "decider"})
	admin := token(t, map[string]string{"*": "admin"})

	honoree := func(key, name string) string {
		return get(a.ok(editor, `mutation($in: HonoreeInput!) { saveHonoree(input: $in, expectedVersion: 0) { id } }`,
			map[string]any{"in": map[string]any{"provinceId": "lang-son", "key": key, "kind": "INDIVIDUAL", "name": name}}),
			"saveHonoree", "id").(string)
	}
	an, mai := honoree("LS-1", "Nguyễn Văn An"), honoree("LS-2", "Hoàng Thị Mai")
	in := map[string]any{"provinceId": "lang-son", "kind": "REGULAR", "authority": "PRESIDENT", "year": 2025,
		"title": "Đề nghị tặng Huân chương Lao động", "proposingUnit": "UBND tỉnh Lạng Sơn",
		"letter":  map[string]any{"number": "12/TTr-SNV", "date": "2026-10-01"},
		"council": map[string]any{"date": "2026-10-20", "membersPresent": 10, "membersTotal": 11},
		"recipients": []any{
			map[string]any{"honoreeId": an, "awardTypeId": "huan-chuong-lao-dong", "class": "SECOND", "achievement": "Thành tích"},
			map[string]any{"honoreeId": mai, "awardTypeId": "huan-chuong-lao-dong", "class": "THIRD", "achievement": "Thành tích"},
		}}
	const fields = `id version status level forwardingLetter { number date } notice { from to }
	  history { status by reasons } recipients { award { id class } }`
	d := get(a.ok(editor, `mutation($in: DossierInput!) { createDossier(input: $in) { `+fields+` } }`, map[string]any{"in": in}), "createDossier")
	id := get(d, "id").(string)
	version := func(v any) int { return int(get(v, "version").(float64)) }
	v := version(d)
	step := func(tok, mutation, args string) *response {
		t.Helper()
		r := a.do(tok, fmt.Sprintf(`mutation($id: ID!, $v: Int!) { %s(id: $id, expectedVersion: $v%s) { %s } }`, mutation, args, fields),
			map[string]any{"id": id, "v": v})
		if len(r.Errors) == 0 {
			v = version(get(r.Data, mutation))
		}
		return r
	}
	want := func(r *response, mutation, status, level string) map[string]any {
		t.Helper()
		got, _ := get(r.Data, mutation).(map[string]any)
		if len(r.Errors) > 0 || get(got, "status") != status || get(got, "level") != level {
			t.Fatalf("%s: %v %v, want %s at %s", mutation, got, r.Errors, status, level)
		}
		return got
	}
	refused := func(r *response, code, field, what string) {
		t.Helper()
		if r.code() != code || r.field() != field {
			t.Errorf("%s: %s on %q (%v), want %s on %q", what, r.code(), r.field(), r.Errors, code, field)
		}
	}
	update := func(notice map[string]any) {
		t.Helper()
		in["notice"] = notice
		d := a.ok(editor, `mutation($id: ID!, $in: DossierInput!, $v: Int!) { updateDossier(id: $id, input: $in, expectedVersion: $v) { version } }`,
			map[string]any{"id": id, "in": in, "v": v})
		v = version(get(d, "updateDossier"))
	}

	// The public notice: required for an order, at least 10 working days,
	// ending before the council meets.
	refused(step(editor, "submitDossier", ""), "BAD_USER_INPUT", "input.notice", "submitted without a notice")
	update(map[string]any{"from": "2026-10-05", "to": "2026-10-15"}) // 9 working days
	refused(step(editor, "submitDossier", ""), "BAD_USER_INPUT", "input.notice", "a notice of 9 working days")
	update(map[string]any{"from": "2026-10-07", "to": "2026-10-20"}) // ends on the council's day
	refused(step(editor, "submitDossier", ""), "BAD_USER_INPUT", "input.notice.to", "a notice ending on the council's day")
	update(map[string]any{"from": "2026-10-05", "to": "2026-10-16"}) // 10 working days
	got := want(step(editor, "submitDossier", ""), "submitDossier", "SUBMITTED", "lang-son")
	if get(got, "notice", "to") != "2026-10-16" {
		t.Errorf("the notice is not kept: %v", get(got, "notice"))
	}

	// The province's office vets (and may return); the central level has
	// nothing to decide yet.
	refused(step(neighbour, "vetDossier", ""), "NOT_FOUND", "", "the neighbour vets")
	want(step(vetter, "returnDossier", `, reasons: ["Thiếu báo cáo thành tích"]`), "returnDossier", "RETURNED", "lang-son")
	want(step(editor, "submitDossier", ""), "submitDossier", "SUBMITTED", "lang-son")
	want(step(vetter, "vetDossier", ""), "vetDossier", "VETTED", "lang-son")
	decide := func(tok string, extra string) *response {
		return a.do(tok, `mutation($id: ID!, $v: Int!) { recordDecision(expectedVersion: $v, input: {dossierId: $id, number: "567/QĐ-CTN",
		  date: "2026-11-20", issuedBy: "Chủ tịch nước", signer: {name: "Lương Cường", position: "Chủ tịch nước"}`+extra+`}) {
		  id number submission { number date } awards { totalCount edges { node { class honoree { id } } } } } }`,
			map[string]any{"id": id, "v": v})
	}
	const submission = `, submission: {number: "301/TTr-CP", date: "2026-11-05"}`
	refused(decide(centralDecider, submission), "BAD_USER_INPUT", "input.dossierId", "a decision before the chair forwards")

	// The chair forwards with the submission letter: the vetter may not;
	// not before the council; then the dossier is the central level's.
	refused(step(vetter, "forwardDossier", `, letter: {number: "45/TTr-UBND", date: "2026-10-25"}`), "FORBIDDEN", "", "the vetter forwards")
	refused(step(chair, "forwardDossier", `, letter: {number: "45/TTr-UBND", date: "2026-10-19"}`), "BAD_USER_INPUT", "letter.date",
		"a letter before the council")
	got = want(step(chair, "forwardDossier", `, letter: {number: "45/TTr-UBND", date: "2026-10-25"}`), "forwardDossier", "FORWARDED", "*")
	if get(got, "forwardingLetter", "number") != "45/TTr-UBND" {
		t.Errorf("the chair's letter is not kept: %v", get(got, "forwardingLetter"))
	}
	refused(step(vetter, "vetDossier", ""), "FORBIDDEN", "", "the province's vetter vets a forwarded dossier")

	// The central office returns it to the province: the route starts again there.
	got = want(step(centralVetter, "returnDossier", `, reasons: ["Bổ sung biên bản Hội đồng"]`), "returnDossier", "RETURNED", "lang-son")
	if get(got, "forwardingLetter") != nil {
		t.Errorf("a returned dossier keeps the chair's letter: %v", get(got, "forwardingLetter"))
	}
	want(step(editor, "submitDossier", ""), "submitDossier", "SUBMITTED", "lang-son")
	want(step(vetter, "vetDossier", ""), "vetDossier", "VETTED", "lang-son")
	want(step(chair, "forwardDossier", `, letter: {number: "46/TTr-UBND", date: "2026-10-28"}`), "forwardDossier", "FORWARDED", "*")
	refused(decide(centralDecider, submission), "BAD_USER_INPUT", "input.dossierId", "a decision before the central vetting")
	want(step(centralVetter, "vetDossier", `, note: "Đủ điều kiện"`), "vetDossier", "VETTED", "*")

	// The decision: the Prime Minister's submission is needed; not dated
	// before the letter it answers; a subset at a lower class, never higher.
	awards := a.countAwards()
	refused(decide(chair, submission), "FORBIDDEN", "", "the chair decides")
	refused(decide(centralDecider, ""), "BAD_USER_INPUT", "input.submission", "the President's decision without the Prime Minister's submission")
	refused(decide(centralDecider, `, submission: {number: "301/TTr-CP", date: "2026-10-27"}`), "BAD_USER_INPUT", "input.submission.date",
		"a submission before the chair's letter")
	refused(decide(centralDecider, submission+`, recipients: [{index: 1, awardTypeId: "huan-chuong-lao-dong", class: SECOND}]`),
		"BAD_USER_INPUT", "input.recipients[0].awardTypeId", "a higher class than proposed")
	if n := a.countAwards(); n != awards {
		t.Fatalf("refused decisions left %d awards", n-awards)
	}
	r := decide(centralDecider, submission+`, recipients: [{index: 0, awardTypeId: "huan-chuong-lao-dong", class: THIRD}]`)
	if len(r.Errors) > 0 {
		t.Fatalf("the decision: %v", r.Errors)
	}
	dec := get(r.Data, "recordDecision")
	if get(dec, "awards", "totalCount") != 1.0 || get(dec, "awards", "edges", 0, "node", "class") != "THIRD" ||
		get(dec, "awards", "edges", 0, "node", "honoree", "id") != an || get(dec, "submission", "number") != "301/TTr-CP" {
		t.Errorf("the decision: %v, want one award, THIRD class, to %s, with the submission", dec, an)
	}
	read := a.ok(centralVetter, `query($id: ID!) { dossier(id: $id) { `+fields+` } }`, map[string]any{"id": id})
	if get(read, "dossier", "status") != "DECIDED" || get(read, "dossier", "recipients", 1, "award") != nil ||
		get(read, "dossier", "recipients", 0, "award", "class") != "THIRD" {
		t.Errorf("the decided dossier: %v", read)
	}
	history := get(read, "dossier", "history").([]any)
	var statuses []string
	for _, e := range history {
		statuses = append(statuses, get(e, "status").(string))
	}
	if strings.Join(statuses, " ") != "DRAFT SUBMITTED RETURNED SUBMITTED VETTED FORWARDED RETURNED SUBMITTED VETTED FORWARDED VETTED DECIDED" {
		t.Errorf("history: %v", statuses)
	}
	if notes := fmt.Sprint(get(history[len(history)-1], "reasons")); !strings.Contains(notes, "Hoàng Thị Mai") || !strings.Contains(notes, "not conferred") {
		t.Errorf("the DECIDED entry does not say who was not conferred: %s", notes)
	}
	// Both levels read it; the lists filter on the new status.
	for _, tok := range []string{editor, centralVetter} {
		l := a.ok(tok, `{ dossiers(filter: {status: DECIDED}) { totalCount } forwarded: dossiers(filter: {status: FORWARDED}) { totalCount } }`, nil)
		if get(l, "dossiers", "totalCount") != 1.0 || get(l, "forwarded", "totalCount") != 0.0 {
			t.Errorf("lists: %v", l)
		}
	}
	// The audit trail has each forwarding, accepted, and the refused ones.
	log := a.ok(admin, `{ auditLog(first: 100) { edges { node { operation outcome recordType } } } }`, nil)
	forwards := map[string]int{}
	for _, e := range get(log, "auditLog", "edges").([]any) {
		if get(e, "node", "operation") == "forwardDossier" {
			forwards[get(e, "node", "outcome").(string)]++
			if get(e, "node", "recordType") != "dossier" {
				t.Errorf("forwardDossier's entry: %v", e)
			}
		}
	}
	if forwards["ACCEPTED"] != 2 || forwards["DENIED"] != 2 {
		t.Errorf("forwardDossier's audit entries: %v, want 2 ACCEPTED, 2 DENIED (the vetter's, the letter before the council)", forwards)
	}
}

// One award per honoree per decision (the short route of a province's own
// authority): the same decision — number as printed, date, authority —
// recorded on a second dossier for the same honoree is refused and changes
// nothing; the decision may not be dated before the dossier's letter.
func TestOneAwardPerHonoreePerDecision(t *testing.T) {
	bothReadModels(t, func(t *testing.T, a *api) {
		editor := token(t, map[string]string{"lang-son": "editor"})
		decider := token(t, map[string]string{"lang-son": "decider"})
		h := get(a.ok(editor, `mutation { saveHonoree(input: {provinceId: "lang-son", key: "LS-9", kind: INDIVIDUAL, name: "Vi Văn Sơn"},
		  expectedVersion: 0) { id } }`, nil), "saveHonoree", "id").(string)
		dossier := func(title string) string {
			in := map[string]any{"provinceId": "lang-son", "kind": "REGULAR", "authority": "PROVINCE_CHAIR", "year": 2025,
				"title": title, "proposingUnit": "Sở Nội vụ", "letter": map[string]any{"number": "3/TTr", "date": "2026-11-02"},
				"recipients": []any{map[string]any{"honoreeId": h, "awardTypeId": "bang-khen-chu-tich-tinh", "achievement": title}}}
			id := get(a.ok(editor, `mutation($in: DossierInput!) { createDossier(input: $in) { id } }`, map[string]any{"in": in}), "createDossier", "id").(string)
			a.ok(editor, `mutation($id: ID!) { submitDossier(id: $id, expectedVersion: 1) { id } }`, map[string]any{"id": id})
			a.ok(decider, `mutation($id: ID!) { vetDossier(id: $id, expectedVersion: 2) { id } }`, map[string]any{"id": id})
			return id
		}
		first, second := dossier("Chuyên đề A"), dossier("Chuyên đề B")
		decide := func(id, number, date string) *response {
			return a.do(decider, `mutation($id: ID!, $n: String!, $d: Date!) { recordDecision(expectedVersion: 3, input: {dossierId: $id,
			  number: $n, date: $d, issuedBy: "UBND tỉnh Lạng Sơn", signer: {name: "Hồ Tiến Thiệu"}}) { id } }`,
				map[string]any{"id": id, "n": number, "d": date})
		}
		if r := decide(first, "88/QĐ-UBND", "2026-11-01"); r.code() != "BAD_USER_INPUT" || r.field() != "input.date" {
			t.Errorf("a decision before the dossier's letter: %s on %q, want BAD_USER_INPUT on input.date", r.code(), r.field())
		}
		if r := decide(first, "88/QĐ-UBND", "2026-11-10"); len(r.Errors) > 0 {
			t.Fatalf("the first recording: %v", r.Errors)
		}
		awards := a.countAwards()
		r := decide(second, " 88/qđ-ubnd", "2026-11-10")
		if r.code() != "CONFLICT" || r.field() != "input.number" {
			t.Errorf("the same decision on a second dossier: %s on %q (%v), want CONFLICT on input.number", r.code(), r.field(), r.Errors)
		}
		st := a.ok(decider, `query($id: ID!) { dossier(id: $id) { status version } decisions { totalCount } }`, map[string]any{"id": second})
		if n := a.countAwards(); n != awards || get(st, "dossier", "status") != "VETTED" || get(st, "decisions", "totalCount") != 1.0 {
			t.Errorf("the refused recording changed something: %d awards (was %d), %v", n, awards, st)
		}
		// Another decision (another number) may confer on it.
		if r := decide(second, "89/QĐ-UBND", "2026-11-10"); len(r.Errors) > 0 {
			t.Errorf("another decision: %v", r.Errors)
		}
	})
}

// The route's moves reach the subscribers as the other moves do: the
// forwarding of a Lạng Sơn dossier reaches Lạng Sơn's viewers and "*"'s,
// with its new level and the chair's letter; no other province's.
func TestSubscriptionForwardedDossier(t *testing.T) {
	t.Parallel()
	a := newSubAPI(t, nil)
	editor := subToken(t, map[string]string{"lang-son": "decider"}, time.Hour)
	caoBang := a.connect(t, "cao-bang viewer", subToken(t, map[string]string{"cao-bang": "viewer"}, time.Hour))
	langSon := a.connect(t, "lang-son viewer", subToken(t, map[string]string{"lang-son": "viewer"}, time.Hour))
	star := a.connect(t, "* viewer", subToken(t, map[string]string{"*": "viewer"}, time.Hour))
	const q = `subscription { dossierChanged { op id dossier { status level forwardingLetter { number } } } }`
	for _, w := range []*wsClient{caoBang, langSon, star} {
		w.subscribe("1", q, nil)
	}
	a.waitSubscribers(t, 3)
	in := map[string]any{"provinceId": "lang-son", "kind": "REGULAR", "authority": "PRIME_MINISTER", "year": 2025,
		"title": "Đề nghị", "proposingUnit": "UBND tỉnh", "letter": map[string]any{"number": "1/TTr", "date": "2026-11-01"},
		"council": map[string]any{"date": "2026-11-05", "membersPresent": 9, "membersTotal": 9},
		"recipients": []any{map[string]any{"recipient": map[string]any{"kind": "INDIVIDUAL", "name": "Lò Văn Pấng"},
			"awardTypeId": "bang-khen-thu-tuong", "achievement": "Thành tích"}}}
	id := get(a.ok(editor, `mutation($in: DossierInput!) { createDossier(input: $in) { id } }`, map[string]any{"in": in}), "createDossier", "id")
	for v, m := range []string{"submitDossier", "vetDossier", `forwardDossier`} {
		extra := ""
		if m == "forwardDossier" {
			extra = `, letter: {number: "9/TTr-UBND", date: "2026-11-10"}`
		}
		a.ok(editor, fmt.Sprintf(`mutation($id: ID!) { %s(id: $id, expectedVersion: %d%s) { id } }`, m, v+1, extra), map[string]any{"id": id})
	}
	for _, w := range []*wsClient{langSon, star} {
		var last map[string]any
		for range 4 { // CREATED, then the three moves
			last = change(t, w.next(time.Second), "dossierChanged")
		}
		if last["op"] != "UPDATED" || last["id"] != id || get(last, "dossier", "status") != "FORWARDED" ||
			get(last, "dossier", "level") != "*" || get(last, "dossier", "forwardingLetter", "number") != "9/TTr-UBND" {
			t.Errorf("%s: the forwarding arrived as %v", w.name, last)
		}
	}
	select {
	case m := <-caoBang.msgs:
		t.Errorf("cao-bang's viewer was told of Lạng Sơn's dossier: %+v", m)
	case <-time.After(100 * time.Millisecond):
	}
}
