package httpapi_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
)

const dossierFields = `id status version level warnings { recipient message } history { status by reasons }
	recipients { recipient { name } award { id status decisionRecord { number } dossier { id } } }
	attachments { name contentType size url } decision { id number }`

// dossierInput is a Lạng Sơn dossier to the provincial chair: an honoree
// (by id), a collective and a person.
func dossierInput(honoree string) map[string]any {
	return map[string]any{
		"provinceId": "lang-son", "kind": "REGULAR", "authority": "PROVINCE_CHAIR", "year": 2025,
		"title": "Đề nghị tặng Bằng khen của Chủ tịch UBND tỉnh năm 2025", "proposingUnit": "Sở Nội vụ tỉnh Lạng Sơn",
		"letter":  map[string]any{"number": "125/TTr-SNV", "date": "2026-11-02"},
		"council": map[string]any{"date": "2026-10-30", "membersPresent": 9, "membersTotal": 11},
		"recipients": []any{
			map[string]any{"honoreeId": honoree, "awardTypeId": "bang-khen-chu-tich-tinh",
				"achievement": "Hoàn thành xuất sắc nhiệm vụ hai năm liên tục", "ballotShare": 100},
			map[string]any{"recipient": map[string]any{"kind": "COLLECTIVE", "name": "Phòng Nội vụ huyện Cao Lộc"},
				"awardTypeId": "tap-the-lao-dong-xuat-sac", "achievement": "Dẫn đầu phong trào thi đua", "ballotShare": 90.9},
			map[string]any{"recipient": map[string]any{"kind": "INDIVIDUAL", "name": "Hoàng Văn Nam", "position": "Chuyên viên"},
				"awardTypeId": "bang-khen-chu-tich-tinh", "achievement": "Có sáng kiến được công nhận"},
		},
	}
}

// upload attaches a file to a record with the GraphQL multipart request
// convention.
func (a *api) upload(tok, recordID, name string, data []byte) *response {
	a.t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	ops, _ := json.Marshal(map[string]any{
		"query":     `mutation($id: ID!, $f: Upload!) { attachFile(recordId: $id, file: $f) { id name contentType size sha256 url } }`,
		"variables": map[string]any{"id": recordID, "f": nil}})
	_ = w.WriteField("operations", string(ops))
	_ = w.WriteField("map", `{"0": ["variables.f"]}`)
	part, _ := w.CreateFormFile("0", name)
	_, _ = part.Write(data)
	_ = w.Close()
	req, _ := http.NewRequest(http.MethodPost, a.srv.URL+"/graphql", &body)
	req.Header.Set("Content-Type", w.FormDataContentType())
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		a.t.Fatal(err)
	}
	defer res.Body.Close()
	var out struct {
		Data   map[string]any `json:"data"`
		Errors []gqlError     `json:"errors"`
	}
	raw, _ := io.ReadAll(res.Body)
	if err := json.Unmarshal(raw, &out); err != nil {
		a.t.Fatalf("upload: response %d is not JSON: %s", res.StatusCode, raw)
	}
	return &response{Status: res.StatusCode, Data: out.Data, Errors: out.Errors}
}

// download reads an attachment's URL as the caller holding tok.
func (a *api) download(tok, url string) (int, http.Header, []byte) {
	a.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, a.srv.URL+url, nil)
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		a.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, res.Header, b
}

var tinyPDF = []byte("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")

// The whole flow: a province's editor prepares and submits a dossier of
// three recipients with an attachment; the vetting level returns it once,
// then vets it; a decision confers all its recipients at once; each award
// shows its decision and dossier; the statistics form counts them. Every
// step that a role may not take is refused, and changes nothing.
func TestDossierFromProposalToDecision(t *testing.T) {
	a := newAPI(t)
	editor := token(t, map[string]string{"lang-son": "editor"})
	viewer := token(t, map[string]string{"lang-son": "viewer"})
	vetter := token(t, map[string]string{"lang-son": "vetter"})
	decider := token(t, map[string]string{"lang-son": "decider"})
	otherDecider := token(t, map[string]string{"cao-bang": "decider"})

	h := a.ok(editor, `mutation($in: HonoreeInput!) { saveHonoree(input: $in, expectedVersion: 0) { id key } }`,
		map[string]any{"in": map[string]any{"provinceId": "lang-son", "key": "LS-0017", "kind": "INDIVIDUAL",
			"name": "Nguyễn Thị Hoa", "position": "Phó Giám đốc", "organization": "Sở Nội vụ"}})
	honoree := get(h, "saveHonoree", "id").(string)
	if r := a.do(editor, `mutation($in: HonoreeInput!) { saveHonoree(input: $in, expectedVersion: 0) { id } }`,
		map[string]any{"in": map[string]any{"provinceId": "lang-son", "key": "ls-0017 ", "kind": "INDIVIDUAL", "name": "Ai đó"}}); r.code() != "CONFLICT" || r.field() != "input.key" {
		t.Errorf("a second honoree with the same key: %s on %s, want CONFLICT on input.key", r.code(), r.field())
	}

	create := `mutation($in: DossierInput!) { createDossier(input: $in) { ` + dossierFields + ` } }`
	if r := a.do(viewer, create, map[string]any{"in": dossierInput(honoree)}); r.code() != "FORBIDDEN" {
		t.Errorf("a viewer creates a dossier: %s, want FORBIDDEN", r.code())
	}
	d := get(a.ok(editor, create, map[string]any{"in": dossierInput(honoree)}), "createDossier")
	id := get(d, "id").(string)
	if get(d, "status") != "DRAFT" || get(d, "level") != "lang-son" {
		t.Fatalf("created: %v", d)
	}

	// An attachment: a corrupt one is refused and stores nothing.
	if r := a.upload(editor, id, "to-trinh.pdf", []byte("%PDF-1.4 truncated")); r.code() != "BAD_USER_INPUT" || r.field() != "file" {
		t.Errorf("corrupt PDF: %s on %s (%v), want BAD_USER_INPUT on file", r.code(), r.field(), r.Errors)
	}
	if r := a.upload(editor, id, "anh.png", tinyPDF); r.code() != "BAD_USER_INPUT" {
		t.Errorf("a PDF named .png: %s, want BAD_USER_INPUT", r.code())
	}
	if r := a.upload(otherDecider, id, "to-trinh.pdf", tinyPDF); r.code() != "NOT_FOUND" && r.code() != "FORBIDDEN" {
		t.Errorf("another province uploads: %s, want NOT_FOUND", r.code())
	}
	up := a.upload(editor, id, "Tờ trình 125.pdf", tinyPDF)
	if len(up.Errors) > 0 {
		t.Fatalf("upload: %v", up.Errors)
	}
	url := get(up.Data, "attachFile", "url").(string)
	if status, hdr, body := a.download(editor, url); status != 200 || !bytes.Equal(body, tinyPDF) ||
		hdr.Get("Content-Type") != "application/pdf" || !strings.Contains(hdr.Get("Content-Disposition"), "filename*=UTF-8''T%E1%BB%9D") {
		t.Errorf("download: %d %v %q", status, hdr, body)
	}
	if status, _, _ := a.download("", url); status != 404 {
		t.Errorf("anonymous download of a dossier's file: %d, want 404", status)
	}
	if status, _, _ := a.download(otherDecider, url); status != 404 {
		t.Errorf("another province downloads: %d, want 404", status)
	}

	move := func(tok, mutation string, version int, extra string) *response {
		return a.do(tok, fmt.Sprintf(`mutation { %s(id: %q, expectedVersion: %d%s) { %s } }`, mutation, id, version, extra, dossierFields), nil)
	}
	// Submit: the province's editors (a viewer may not). The upload
	// changed nothing of the dossier's version.
	if r := move(viewer, "submitDossier", 1, ""); r.code() != "FORBIDDEN" {
		t.Errorf("a viewer submits: %s, want FORBIDDEN", r.code())
	}
	r := move(editor, "submitDossier", 1, "")
	if get(r.Data, "submitDossier", "status") != "SUBMITTED" {
		t.Fatalf("submit: %v", r.Errors)
	}
	// The vetting level: the editor cannot vet; another province cannot
	// see it; the vetter returns it with reasons.
	if r := move(editor, "vetDossier", 2, ""); r.code() != "FORBIDDEN" {
		t.Errorf("the editor vets: %s, want FORBIDDEN", r.code())
	}
	if r := move(otherDecider, "vetDossier", 2, ""); r.code() != "NOT_FOUND" {
		t.Errorf("another province vets: %s, want NOT_FOUND", r.code())
	}
	if r := move(vetter, "returnDossier", 2, `, reasons: []`); r.code() != "BAD_USER_INPUT" {
		t.Errorf("returned without reasons: %s, want BAD_USER_INPUT", r.code())
	}
	r = move(vetter, "returnDossier", 2, `, reasons: ["Thiếu biên bản họp Hội đồng"]`)
	if get(r.Data, "returnDossier", "status") != "RETURNED" {
		t.Fatalf("return: %v", r.Errors)
	}
	// Corrected and submitted again, then vetted.
	in := dossierInput(honoree)
	in["council"] = map[string]any{"date": "2026-10-30", "membersPresent": 10, "membersTotal": 11}
	if r := a.do(editor, `mutation($id: ID!, $in: DossierInput!) { updateDossier(id: $id, input: $in, expectedVersion: 3) { version } }`,
		map[string]any{"id": id, "in": in}); len(r.Errors) > 0 {
		t.Fatalf("update the returned dossier: %v", r.Errors)
	}
	if r := move(editor, "submitDossier", 4, ""); len(r.Errors) > 0 {
		t.Fatalf("submit again: %v", r.Errors)
	}
	if r := move(decider, "recordDecision", 5, ""); r.code() == "" {
		t.Errorf("a decision on a submitted dossier was accepted")
	}
	r = move(vetter, "vetDossier", 5, `, note: "Đủ điều kiện"`)
	if get(r.Data, "vetDossier", "status") != "VETTED" {
		t.Fatalf("vet: %v", r.Errors)
	}
	if r := a.upload(editor, id, "bo-sung.pdf", tinyPDF); r.code() != "BAD_USER_INPUT" {
		t.Errorf("a file added to a vetted dossier: %s, want BAD_USER_INPUT", r.code())
	}

	// The decision: only the deciding level's decider.
	decide := `mutation($in: CommendationDecisionInput!, $v: Int!) { recordDecision(input: $in, expectedVersion: $v) {
		id number legalBasis awards { totalCount edges { node { id status recipient { name } decisionRecord { number } dossier { id } } } } } }`
	decision := map[string]any{"dossierId": id, "number": "2468/QĐ-UBND", "date": "2026-11-20",
		"issuedBy": "Ủy ban nhân dân tỉnh Lạng Sơn", "signer": map[string]any{"name": "Hồ Tiến Thiệu", "position": "Chủ tịch"}}
	for _, tok := range []string{editor, vetter} {
		if r := a.do(tok, decide, map[string]any{"in": decision, "v": 6}); r.code() != "FORBIDDEN" {
			t.Errorf("recordDecision by a lower role: %s, want FORBIDDEN", r.code())
		}
	}
	if r := a.do(otherDecider, decide, map[string]any{"in": decision, "v": 6}); r.code() != "NOT_FOUND" {
		t.Errorf("recordDecision by another province: %s, want NOT_FOUND", r.code())
	}
	if r := a.do(decider, decide, map[string]any{"in": decision, "v": 5}); r.code() != "CONFLICT" {
		t.Errorf("recordDecision at an old version: %s, want CONFLICT", r.code())
	}
	dec := get(a.ok(decider, decide, map[string]any{"in": decision, "v": 6}), "recordDecision")
	if n := get(dec, "awards", "totalCount"); n != float64(3) {
		t.Fatalf("the decision conferred %v awards, want 3: %v", n, dec)
	}
	for i := 0; i < 3; i++ {
		node := get(dec, "awards", "edges", i, "node")
		if get(node, "status") != "CONFERRED" || get(node, "decisionRecord", "number") != "2468/QĐ-UBND" || get(node, "dossier", "id") != id {
			t.Errorf("award %d: %v", i, node)
		}
	}
	// The dossier points at its decision and awards; the honoree has its
	// award; anonymous callers see the decision and awards, not the dossier.
	got := get(a.ok(vetter, `query($id: ID!) { dossier(id: $id) { `+dossierFields+` } }`, map[string]any{"id": id}), "dossier")
	if get(got, "status") != "DECIDED" || get(got, "decision", "number") != "2468/QĐ-UBND" ||
		get(got, "recipients", 2, "award", "status") != "CONFERRED" || len(get(got, "history").([]any)) != 6 {
		t.Errorf("decided dossier: %v", got)
	}
	hist := get(a.ok(editor, `query($id: ID!) { honoree(id: $id) { awards { totalCount edges { node { awardType { id } year } } } } }`,
		map[string]any{"id": honoree}), "honoree", "awards")
	if get(hist, "totalCount") != float64(1) {
		t.Errorf("the honoree's awards: %v", hist)
	}
	anon := a.ok("", `query($id: ID!) { decision(id: $id) { number dossier { id } awards { totalCount } } dossier(id: $id) { id } }`,
		map[string]any{"id": get(dec, "id")})
	if get(anon, "decision", "number") != "2468/QĐ-UBND" || get(anon, "decision", "dossier") != nil || get(anon, "decision", "awards", "totalCount") != float64(3) {
		t.Errorf("anonymous view of the decision: %v", anon)
	}
	if r := a.do("", `query($id: ID!) { dossier(id: $id) { id } }`, map[string]any{"id": id}); get(r.Data, "dossier") != nil {
		t.Errorf("anonymous read a dossier")
	}

	// An award the decision conferred is the deciding level's: the
	// province's editor may neither correct nor revoke it, the decider may
	// correct it, and not its decision.
	var namID string
	for i := 0; i < 3; i++ {
		if get(dec, "awards", "edges", i, "node", "recipient", "name") == "Hoàng Văn Nam" {
			namID = get(dec, "awards", "edges", i, "node", "id").(string)
		}
	}
	correct := func(number string) map[string]any {
		return map[string]any{"id": namID, "in": map[string]any{"provinceId": "lang-son", "awardTypeId": "bang-khen-chu-tich-tinh",
			"authority": "PROVINCE_CHAIR", "year": 2025, "status": "CONFERRED", "citation": "Có sáng kiến được công nhận cấp tỉnh",
			"decision":  map[string]any{"number": number, "date": "2026-11-20"},
			"recipient": map[string]any{"kind": "INDIVIDUAL", "name": "Hoàng Văn Nam", "position": "Chuyên viên chính"}}}
	}
	const update = `mutation($id: ID!, $in: AwardInput!) { updateAward(id: $id, input: $in, expectedVersion: 1) { version recipient { position } } }`
	if r := a.do(editor, update, correct("2468/QĐ-UBND")); r.code() != "FORBIDDEN" {
		t.Errorf("the province's editor corrects a decided award: %s, want FORBIDDEN", r.code())
	}
	if r := a.do(editor, `mutation($id: ID!) { revokeAward(id: $id, expectedVersion: 1, reason: "Sai", decision: {number: "9/QĐ", date: "2026-11-21"}) { id } }`,
		map[string]any{"id": namID}); r.code() != "FORBIDDEN" {
		t.Errorf("the province's editor revokes a decided award: %s, want FORBIDDEN", r.code())
	}
	if r := a.do(decider, update, correct("9999/QĐ-UBND")); r.code() != "BAD_USER_INPUT" || r.field() != "input.decision" {
		t.Errorf("the decider changes a decided award's decision: %s on %s, want BAD_USER_INPUT on input.decision", r.code(), r.field())
	}
	if r := a.do(decider, update, correct("2468/QĐ-UBND")); get(r.Data, "updateAward", "recipient", "position") != "Chuyên viên chính" {
		t.Errorf("the decider corrects a decided award: %v", r.Errors)
	}

	// The signed decision's scan: attached by the decider, public.
	decisionID := get(dec, "id").(string)
	if r := a.upload(vetter, decisionID, "qd-2468.pdf", tinyPDF); r.code() != "FORBIDDEN" {
		t.Errorf("a vetter attaches to a decision: %s, want FORBIDDEN", r.code())
	}
	// Oversized (the test limit is 1 MiB) and corrupt files store nothing.
	big := append(append([]byte{}, tinyPDF[:9]...), make([]byte, 1<<20)...)
	if r := a.upload(decider, decisionID, "qd-2468.pdf", append(big, []byte("\n%%EOF\n")...)); r.code() != "BAD_USER_INPUT" || r.field() != "file" {
		t.Errorf("an oversized file: %s on %s (%v), want BAD_USER_INPUT on file", r.code(), r.field(), r.Errors)
	}
	scan := a.upload(decider, decisionID, "qd-2468.pdf", tinyPDF)
	if len(scan.Errors) > 0 {
		t.Fatalf("decision upload: %v", scan.Errors)
	}
	if status, _, body := a.download("", get(scan.Data, "attachFile", "url").(string)); status != 200 || !bytes.Equal(body, tinyPDF) {
		t.Errorf("anonymous download of a decision's scan: %d", status)
	}
	files := a.ok(vetter, `query($d: ID!, $x: ID!) { dossier(id: $x) { attachments { name } } decision(id: $d) { attachments { name } } }`,
		map[string]any{"d": decisionID, "x": id})
	if n := len(get(files, "dossier", "attachments").([]any)); n != 1 {
		t.Errorf("the dossier has %d attachments, want 1 (the refused uploads stored nothing)", n)
	}
	if n := len(get(files, "decision", "attachments").([]any)); n != 1 {
		t.Errorf("the decision has %d attachments, want 1", n)
	}

	// The statistics form counts the decision's awards.
	status, _, body := a.download(decider, "/reports/statistics/2026.csv?provinceId=lang-son")
	if status != 200 || !strings.Contains(string(body), "Tổng số") {
		t.Fatalf("statistics form: %d %s", status, body)
	}
	// Lạng Sơn;Tổng số;3 (total);1 (collectives);0;2 (individuals);1 (decision)
	if !strings.Contains(string(body), "Lạng Sơn;Tổng số;3;1;0;2;1;") {
		t.Errorf("statistics form: no total row of 3 awards (1 collective, 2 individuals, 1 decision):\n%s", body)
	}
	// By kind of commendation: the dossier's (REGULAR).
	if !strings.Contains(string(body), "Lạng Sơn;1. Thường xuyên;3;1;0;2;1;") || !strings.Contains(string(body), "Lạng Sơn;7. Không qua hồ sơ (nhập từng khen thưởng);0;") {
		t.Errorf("statistics form: the awards are not counted under their kind of commendation:\n%s", body)
	}
}

// A dossier addressed to a central authority is vetted first at its
// province (its level is the province's until the chair forwards it: the
// whole route is TestCentralRoute); eligibility is checked at submission
// with the article cited; the same achievement proposed twice is a warning.
func TestCentralDossierEligibilityAndDuplicates(t *testing.T) {
	a := newAPI(t)
	editor := token(t, map[string]string{"lang-son": "editor"})
	vetter := token(t, map[string]string{"lang-son": "vetter"})
	h := a.ok(editor, `mutation($in: HonoreeInput!) { saveHonoree(input: $in, expectedVersion: 0) { id } }`,
		map[string]any{"in": map[string]any{"provinceId": "lang-son", "key": "LS-1", "kind": "INDIVIDUAL", "name": "Vi Văn Sơn"}})
	honoree := get(h, "saveHonoree", "id").(string)
	in := func(awardType string) map[string]any {
		return map[string]any{"provinceId": "lang-son", "kind": "REGULAR", "authority": "PRIME_MINISTER", "year": 2025,
			"title": "Đề nghị", "proposingUnit": "UBND tỉnh Lạng Sơn", "letter": map[string]any{"number": "1/TTr-UBND", "date": "2026-11-01"},
			// One achievement per form: the same one for two forms would be
			// warned of (Law 06/2022, Điều 6).
			"recipients": []any{map[string]any{"honoreeId": honoree, "awardTypeId": awardType, "achievement": "Thành tích: " + awardType}}}
	}
	create := `mutation($in: DossierInput!) { createDossier(input: $in) { id version level } }`
	submit := `mutation($id: ID!) { submitDossier(id: $id, expectedVersion: 1) { status warnings { recipient message } } }`
	d := get(a.ok(editor, create, map[string]any{"in": in("chien-si-thi-dua-toan-quoc")}), "createDossier")
	if get(d, "level") != "lang-son" {
		t.Errorf("level of a dossier to the Prime Minister before forwarding: %v, want lang-son", get(d, "level"))
	}
	r := a.do(editor, submit, map[string]any{"id": get(d, "id")})
	if r.code() != "BAD_USER_INPUT" || !strings.Contains(r.Errors[0].Message, "Điều 21") {
		t.Errorf("an ineligible CSTĐ toàn quốc: %v, want BAD_USER_INPUT citing Điều 21", r.Errors)
	}
	// Bằng khen of the Prime Minister has no prerequisite in the table: it
	// goes, and a second dossier with the same achievement is warned of.
	first := get(a.ok(editor, create, map[string]any{"in": in("bang-khen-thu-tuong")}), "createDossier", "id")
	if got := get(a.ok(editor, submit, map[string]any{"id": first}), "submitDossier"); len(get(got, "warnings").([]any)) != 0 {
		t.Errorf("first dossier warned: %v", got)
	}
	second := get(a.ok(editor, create, map[string]any{"in": in("bang-khen-thu-tuong")}), "createDossier", "id")
	got := get(a.ok(editor, submit, map[string]any{"id": second}), "submitDossier")
	if w := get(got, "warnings", 0, "message"); w == nil || !strings.Contains(w.(string), first.(string)) {
		t.Errorf("second dossier's warnings: %v, want one naming %v", get(got, "warnings"), first)
	}
	vet := `mutation($id: ID!) { vetDossier(id: $id, expectedVersion: 2) { status level } }`
	if r := a.do(vetter, vet, map[string]any{"id": first}); get(r.Data, "vetDossier", "level") != "lang-son" {
		t.Errorf("the province's vetter vets a dossier to the Prime Minister at its province: %v %v", r.Data, r.Errors)
	}
}

// A dossier's recipients are not paged: they weigh ten in the complexity
// limit, so a page of 100 dossiers with their recipients' details is refused.
func TestDossierRecipientsWeighInComplexity(t *testing.T) {
	a := newAPI(t)
	viewer := token(t, map[string]string{"*": "viewer"})
	q := `{ dossiers(first: 100) { edges { node { id recipients { recipient { name kind position organization }
	  awardType { name } achievement ballotShare } } } } }`
	if r := a.do(viewer, q, nil); r.code() != "QUERY_TOO_COMPLEX" {
		t.Errorf("100 dossiers with their recipients' details: %q, want QUERY_TOO_COMPLEX", r.code())
	}
	if r := a.do(viewer, strings.Replace(q, "first: 100", "first: 20", 1), nil); len(r.Errors) > 0 {
		t.Errorf("20 dossiers with their recipients' details: %v", r.Errors)
	}
}

// A refused command on a dossier the caller cannot see is filed in the
// audit trail under the dossier's own province, so that its admins see
// the attempt; one on an id that names nothing under no province. The
// caller's own province's trail shows neither: where the entry lands does
// not confirm a hidden dossier.
func TestHiddenDossierRefusalsFiledAlike(t *testing.T) {
	a := newAPI(t)
	editor := token(t, map[string]string{"lang-son": "editor"})
	neighbour := token(t, map[string]string{"cao-bang": "admin"})
	owner := token(t, map[string]string{"lang-son": "admin"})
	all := token(t, map[string]string{"*": "admin"})
	in := dossierInput("")
	in["recipients"] = in["recipients"].([]any)[1:]
	id := get(a.ok(editor, `mutation($in: DossierInput!) { createDossier(input: $in) { id } }`, map[string]any{"in": in}), "createDossier", "id").(string)
	seen := func(tok string) int {
		return int(get(a.ok(tok, `{ auditLog { totalCount } }`, nil), "auditLog", "totalCount").(float64))
	}
	mine := with(in, "provinceId", "cao-bang")
	for _, c := range []struct {
		target string
		owners int
	}{{id, 1}, {"6b0a00000000000000000000", 0}} {
		nb, ow, al := seen(neighbour), seen(owner), seen(all)
		r := a.do(neighbour, `mutation($id: ID!, $in: DossierInput!) { updateDossier(id: $id, input: $in, expectedVersion: 1) { id } }`,
			map[string]any{"id": c.target, "in": mine})
		if r.code() != "NOT_FOUND" {
			t.Errorf("updateDossier of %s by the neighbour: %s, want NOT_FOUND", c.target, r.code())
		}
		if n := seen(neighbour) - nb; n != 0 {
			t.Errorf("the neighbour's audit log grew by %d for %s, want 0 (alike, whether it exists or not)", n, c.target)
		}
		if n := seen(owner) - ow; n != c.owners {
			t.Errorf("the owning province's audit log grew by %d for %s, want %d", n, c.target, c.owners)
		}
		if n := seen(all) - al; n != 1 {
			t.Errorf("the `*` audit log grew by %d for %s, want 1", n, c.target)
		}
	}
	if r := a.do(neighbour, `mutation($id: ID!) { deleteDossier(id: $id, expectedVersion: 1) }`, map[string]any{"id": id}); r.code() != "NOT_FOUND" {
		t.Errorf("deleteDossier by the neighbour: %s, want NOT_FOUND", r.code())
	}
	log := a.ok(owner, `{ auditLog(first: 1) { edges { node { operation outcome province { id } } } } }`, nil)
	if get(log, "auditLog", "edges", 0, "node", "operation") != "deleteDossier" {
		t.Errorf("a refused delete of a hidden dossier is not in its province's trail: %v", log)
	}
}

// An award the cluster decided (a "*" dossier, decided by a "*" decider)
// is not a province decider's to correct, though its recipient is the
// province's; and only a signed-in caller's multipart body may exceed the
// body limit.
func TestClusterDecidedAwardAndUploadLimit(t *testing.T) {
	a := newAPI(t)
	star := token(t, map[string]string{"*": "decider"})
	provinceDecider := token(t, map[string]string{"lang-son": "decider"})
	in := map[string]any{"kind": "THEMATIC", "authority": "PROVINCE_CHAIR", "year": 2025, "title": "Hồ sơ của cụm",
		"proposingUnit": "Cụm thi đua", "letter": map[string]any{"number": "1/TTr-CTĐ", "date": "2026-11-01"},
		"recipients": []any{map[string]any{"provinceId": "lang-son", "recipient": map[string]any{"kind": "INDIVIDUAL", "name": "Vi Văn Sơn"},
			"awardTypeId": "bang-khen-chu-tich-tinh", "achievement": "Thành tích"}}}
	id := get(a.ok(star, `mutation($in: DossierInput!) { createDossier(input: $in) { id level } }`, map[string]any{"in": in}), "createDossier", "id")
	for v, m := range []string{"submitDossier", "vetDossier"} {
		a.ok(star, fmt.Sprintf(`mutation { %s(id: %q, expectedVersion: %d) { status } }`, m, id, v+1), nil)
	}
	dec := get(a.ok(star, `mutation($id: ID!) { recordDecision(expectedVersion: 3, input: {dossierId: $id, number: "5/QĐ", date: "2026-11-20",
	  issuedBy: "UBND tỉnh Lạng Sơn", signer: {name: "Hồ Tiến Thiệu"}}) { awards { edges { node { id } } } } }`, map[string]any{"id": id}), "recordDecision")
	award := get(dec, "awards", "edges", 0, "node", "id")
	r := a.do(provinceDecider, `mutation($id: ID!) { revokeAward(id: $id, expectedVersion: 1, reason: "Sai", decision: {number: "9/QĐ", date: "2026-11-21"}) { id } }`,
		map[string]any{"id": award})
	if r.code() != "FORBIDDEN" {
		t.Errorf("a province's decider revokes what the cluster decided: %s, want FORBIDDEN", r.code())
	}

	big := append(append([]byte{}, tinyPDF[:9]...), make([]byte, 200<<10)...)
	if r := a.upload("", id.(string), "x.pdf", big); r.Status != 413 {
		t.Errorf("an anonymous 200 KiB multipart body: HTTP %d, want 413 (MAX_BODY_BYTES)", r.Status)
	}
	if r := a.upload("not-a-token", id.(string), "x.pdf", big); r.Status != 401 {
		t.Errorf("a bad token with a 200 KiB multipart body: HTTP %d, want 401", r.Status)
	}
}
