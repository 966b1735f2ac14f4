package httpapi_test

import (
	"fmt"
	"testing"
)

// The permission matrix of the dossier flow: every dossier mutation, for
// every kind of caller the flow has (the province's and the central
// level's viewers, editors, vetters and deciders, and a neighbour). A
// refused mutation changes nothing and leaves one DENIED audit entry; an
// anonymous one is UNAUTHENTICATED.
func TestPermissionMatrixDossiers(t *testing.T) {
	t.Parallel()
	a := newAPI(t)
	admin := token(t, map[string]string{"*": "admin"})
	callers := []caller{
		{"anonymous", nil},
		{"lang-son viewer", map[string]string{"lang-son": "viewer"}},
		{"lang-son editor", map[string]string{"lang-son": "editor"}},
		{"lang-son vetter", map[string]string{"lang-son": "vetter"}},
		{"lang-son decider", map[string]string{"lang-son": "decider"}},
		{"neighbour (cao-bang) decider", map[string]string{"cao-bang": "decider"}},
		{"* viewer", map[string]string{"*": "viewer"}},
		{"* editor", map[string]string{"*": "editor"}},
		{"* vetter", map[string]string{"*": "vetter"}},
		{"* decider", map[string]string{"*": "decider"}},
		{"* admin", map[string]string{"*": "admin"}},
	}
	var (
		editors    = set("lang-son editor", "lang-son vetter", "lang-son decider", "* editor", "* vetter", "* decider", "* admin")
		vetters    = set("lang-son vetter", "lang-son decider", "* vetter", "* decider", "* admin")
		deciders   = set("lang-son decider", "* decider", "* admin")
		central    = set("* vetter", "* decider", "* admin")
		centralD   = set("* decider", "* admin")
		langSonish = set("lang-son viewer", "lang-son editor", "lang-son vetter", "lang-son decider",
			"* viewer", "* editor", "* vetter", "* decider", "* admin")
	)
	n := 0
	input := func(authority, awardType string) map[string]any {
		n++
		return map[string]any{"provinceId": "lang-son", "kind": "REGULAR", "authority": authority, "year": 2025,
			"title": fmt.Sprint("Hồ sơ ", n), "proposingUnit": "Sở Nội vụ", "letter": map[string]any{"number": "1/TTr", "date": "2026-11-01"},
			"recipients": []any{map[string]any{"recipient": map[string]any{"kind": "INDIVIDUAL", "name": fmt.Sprint("Người ", n)},
				"awardTypeId": awardType, "achievement": "Thành tích"}}}
	}
	provincial := func() map[string]any { return input("PROVINCE_CHAIR", "bang-khen-chu-tich-tinh") }
	// A dossier for the Prime Minister takes the long route: vetted at its
	// province, forwarded by the chair (with the provincial council's
	// result on it), vetted again at "*".
	toPM := func() map[string]any {
		in := input("PRIME_MINISTER", "bang-khen-thu-tuong")
		in["council"] = map[string]any{"date": "2026-11-05", "membersPresent": 9, "membersTotal": 11}
		return in
	}
	// dossier creates a dossier and moves it (as the central admin) to
	// the status a case needs; it returns its id and version.
	dossier := func(in map[string]any, moves ...string) (string, int) {
		id := get(a.ok(admin, `mutation($in: DossierInput!) { createDossier(input: $in) { id } }`, map[string]any{"in": in}), "createDossier", "id").(string)
		v := 1
		for _, m := range moves {
			extra := ""
			if m == "forwardDossier" {
				extra = `, letter: {number: "9/TTr-UBND", date: "2026-11-10"}`
			}
			a.ok(admin, fmt.Sprintf(`mutation { %s(id: %q, expectedVersion: %d%s) { version } }`, m, id, v, extra), nil)
			v++
		}
		return id, v
	}
	const decide = `mutation($id: ID!, $v: Int!) { recordDecision(expectedVersion: $v, input: {dossierId: $id, number: "1/QĐ",
	  date: "2026-11-20", issuedBy: "UBND tỉnh Lạng Sơn", signer: {name: "Hồ Tiến Thiệu"}}) { id } }`
	move := func(m, extra string) string {
		return fmt.Sprintf(`mutation($id: ID!, $v: Int!) { %s(id: $id, expectedVersion: $v%s) { version } }`, m, extra)
	}
	cases := []struct {
		name     string
		allowed  map[string]bool
		existing bool // on a stored dossier (a caller who cannot see it is told NOT_FOUND)
		op       string
		vars     func() map[string]any
	}{
		{"createDossier", editors, false, `mutation($in: DossierInput!) { createDossier(input: $in) { id } }`,
			func() map[string]any { return map[string]any{"in": provincial()} }},
		{"updateDossier (draft)", editors, true, `mutation($id: ID!, $v: Int!, $in: DossierInput!) { updateDossier(id: $id, input: $in, expectedVersion: $v) { id } }`,
			func() map[string]any {
				id, v := dossier(provincial())
				return map[string]any{"id": id, "v": v, "in": provincial()}
			}},
		{"deleteDossier (draft)", editors, true, `mutation($id: ID!, $v: Int!) { deleteDossier(id: $id, expectedVersion: $v) }`,
			func() map[string]any { id, v := dossier(provincial()); return map[string]any{"id": id, "v": v} }},
		{"submitDossier", editors, true, move("submitDossier", ""),
			func() map[string]any { id, v := dossier(provincial()); return map[string]any{"id": id, "v": v} }},
		{"returnDossier (provincial level)", vetters, true, move("returnDossier", `, reasons: ["Thiếu hồ sơ"]`),
			func() map[string]any {
				id, v := dossier(provincial(), "submitDossier")
				return map[string]any{"id": id, "v": v}
			}},
		{"vetDossier (provincial level)", vetters, true, move("vetDossier", ""),
			func() map[string]any {
				id, v := dossier(provincial(), "submitDossier")
				return map[string]any{"id": id, "v": v}
			}},
		{"vetDossier (a central authority's, at its province)", vetters, true, move("vetDossier", ""),
			func() map[string]any {
				id, v := dossier(toPM(), "submitDossier")
				return map[string]any{"id": id, "v": v}
			}},
		{"forwardDossier", deciders, true, move("forwardDossier", `, letter: {number: "9/TTr-UBND", date: "2026-11-10"}`),
			func() map[string]any {
				id, v := dossier(toPM(), "submitDossier", "vetDossier")
				return map[string]any{"id": id, "v": v}
			}},
		{"vetDossier (central level)", central, true, move("vetDossier", ""),
			func() map[string]any {
				id, v := dossier(toPM(), "submitDossier", "vetDossier", "forwardDossier")
				return map[string]any{"id": id, "v": v}
			}},
		{"returnDossier (central level)", central, true, move("returnDossier", `, reasons: ["Thiếu hồ sơ"]`),
			func() map[string]any {
				id, v := dossier(toPM(), "submitDossier", "vetDossier", "forwardDossier")
				return map[string]any{"id": id, "v": v}
			}},
		{"rejectDossier (provincial level)", deciders, true, move("rejectDossier", `, reasons: ["Chưa đủ điều kiện"]`),
			func() map[string]any {
				id, v := dossier(provincial(), "submitDossier", "vetDossier")
				return map[string]any{"id": id, "v": v}
			}},
		{"recordDecision (provincial level)", deciders, true, decide,
			func() map[string]any {
				id, v := dossier(provincial(), "submitDossier", "vetDossier")
				return map[string]any{"id": id, "v": v}
			}},
		{"recordDecision (central level)", centralD, true, decide,
			func() map[string]any {
				id, v := dossier(toPM(), "submitDossier", "vetDossier", "forwardDossier", "vetDossier")
				return map[string]any{"id": id, "v": v}
			}},
		{"saveHonoree", editors, false, `mutation($k: String!) { saveHonoree(input: {provinceId: "lang-son", key: $k, kind: INDIVIDUAL,
		  name: "Nguyễn Văn A"}, expectedVersion: 0) { id } }`, func() map[string]any { n++; return map[string]any{"k": fmt.Sprint("K-", n)} }},
	}
	state := func() string {
		return fmt.Sprint(a.ok(admin, `{ dossiers(first: 100) { totalCount edges { node { id version status } } }
		  decisions { totalCount } honorees { totalCount } awards { totalCount } }`, nil))
	}
	for _, c := range cases {
		for _, who := range callers {
			vars := c.vars()
			before := state()
			audits, _ := a.audit()
			r := a.do(who.token(t), c.op, vars)
			after := state()
			total, outcome := a.audit()
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
				} else if after == before {
					t.Errorf("%s by %s: allowed but nothing changed", c.name, who.name)
				}
				continue
			}
			want := "FORBIDDEN"
			switch {
			case who.roles == nil:
				want = "UNAUTHENTICATED"
			case c.existing && !langSonish[who.name]:
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
