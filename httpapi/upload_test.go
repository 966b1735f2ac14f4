package httpapi_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// draftDossier is a Lạng Sơn draft dossier's id, created by editor.
func draftDossier(a *api, editor string) string {
	a.t.Helper()
	in := dossierInput("")
	in["recipients"] = in["recipients"].([]any)[1:] // no honoree
	return get(a.ok(editor, `mutation($in: DossierInput!) { createDossier(input: $in) { id } }`,
		map[string]any{"in": in}), "createDossier", "id").(string)
}

const attachQuery = `mutation($id: ID!, $f: Upload!) { attachFile(recordId: $id, file: $f) { id url } }`

// postRaw posts body with contentType to /graphql as tok's holder.
func (a *api) postRaw(tok, contentType string, body io.Reader) (*response, http.Header) {
	a.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, a.srv.URL+"/graphql", body)
	req.Header.Set("Content-Type", contentType)
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	res, err := (&http.Client{Timeout: 10 * time.Second}).Do(req)
	if err != nil {
		a.t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	var out struct {
		Data   map[string]any `json:"data"`
		Errors []gqlError     `json:"errors"`
	}
	if err := json.Unmarshal(raw, &out); err != nil {
		a.t.Fatalf("response %d is not JSON: %s", res.StatusCode, raw)
	}
	return &response{Status: res.StatusCode, Data: out.Data, Errors: out.Errors}, res.Header
}

// A caller who may not attach to the record is refused before the file
// is read: the answer comes while the client is still sending the file
// (the body is held open until then).
func TestUploadRefusedBeforeTheFileIsRead(t *testing.T) {
	t.Parallel()
	a := newAPI(t)
	editor := token(t, map[string]string{"lang-son": "editor"})
	id := draftDossier(a, editor)
	for _, c := range []struct {
		tok, record, want string
	}{
		{token(t, map[string]string{"lang-son": "viewer"}), id, "FORBIDDEN"},
		{token(t, map[string]string{"cao-bang": "editor"}), id, "NOT_FOUND"},
		{editor, "665f1b2c3d4e5f6a7b8c9d0e", "NOT_FOUND"},
	} {
		// The request is written by hand on a connection, the file's first
		// bytes sent and the rest never: the answer must come without it.
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		ops, _ := json.Marshal(map[string]any{"query": attachQuery, "variables": map[string]any{"id": c.record, "f": nil}})
		_ = mw.WriteField("operations", string(ops))
		_ = mw.WriteField("map", `{"0": ["variables.f"]}`)
		part, _ := mw.CreateFormFile("0", "to-trinh.pdf")
		_, _ = part.Write(append(append([]byte{}, tinyPDF...), make([]byte, 64<<10)...))
		conn, err := net.Dial("tcp", a.srv.Listener.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(conn, "POST /graphql HTTP/1.1\r\nHost: test\r\nAuthorization: Bearer %s\r\nContent-Type: %s\r\n"+
			"Transfer-Encoding: chunked\r\n\r\n%x\r\n%s\r\n", c.tok, mw.FormDataContentType(), body.Len(), body.Bytes())
		_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
		res, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			t.Fatalf("attach to %s with the file unsent: no answer: %v", c.record, err)
		}
		raw, _ := io.ReadAll(res.Body)
		_ = conn.Close()
		r := &response{Status: res.StatusCode}
		_ = json.Unmarshal(raw, r)
		if r.code() != c.want {
			t.Errorf("attach to %s: %d %+v, want %s", c.record, r.Status, r.Errors, c.want)
		}
	}
}

// Every refusal of a multipart request as a whole has a code and an HTTP
// status other than 200; operations that are not UTF-8 are refused as a
// JSON body that is not.
func TestMultipartRefusals(t *testing.T) {
	t.Parallel()
	a := newAPI(t)
	editor := token(t, map[string]string{"lang-son": "editor"})
	id := draftDossier(a, editor)
	ops := func(vars string) string {
		return fmt.Sprintf(`{"query": %q, "variables": %s}`, attachQuery, vars)
	}
	okOps := ops(fmt.Sprintf(`{"id": %q, "f": null}`, id))
	type part struct{ name, file, body string }
	form := func(parts ...part) string {
		var b strings.Builder
		for _, p := range parts {
			fmt.Fprintf(&b, "--XyZ\r\nContent-Disposition: form-data; name=%q", p.name)
			if p.file != "" {
				fmt.Fprintf(&b, "; filename=%q\r\nContent-Type: application/pdf", p.file)
			}
			fmt.Fprintf(&b, "\r\n\r\n%s\r\n", p.body)
		}
		return b.String() + "--XyZ--\r\n"
	}
	file := part{"0", "a.pdf", string(tinyPDF)}
	okMap := part{"map", "", `{"0": ["variables.f"]}`}
	const ct = "multipart/form-data; boundary=XyZ"
	for _, c := range []struct {
		name, contentType, body string
		status                  int
		code, field             string
	}{
		{"no boundary", "multipart/form-data", form(part{"operations", "", okOps}, okMap, file), 400, "GRAPHQL_PARSE_FAILED", ""},
		{"not multipart", ct, "hello", 400, "GRAPHQL_PARSE_FAILED", ""},
		{"map first", ct, form(okMap, part{"operations", "", okOps}, file), 400, "BAD_USER_INPUT", "operations"},
		{"operations not JSON", ct, form(part{"operations", "", "{query"}, okMap, file), 400, "GRAPHQL_PARSE_FAILED", ""},
		{"batched operations", ct, form(part{"operations", "", "[" + okOps + "]"}, okMap, file), 400, "BAD_USER_INPUT", "operations"},
		{"no map", ct, form(part{"operations", "", okOps}), 400, "BAD_USER_INPUT", "map"},
		{"map not JSON", ct, form(part{"operations", "", okOps}, part{"map", "", `["variables.f"]`}, file), 400, "BAD_USER_INPUT", "map"},
		{"map names an unknown variable", ct, form(part{"operations", "", okOps}, part{"map", "", `{"0": ["variables.g"]}`}, file), 400, "BAD_USER_INPUT", "map"},
		{"map names a set variable", ct, form(part{"operations", "", okOps}, part{"map", "", `{"0": ["variables.id"]}`}, file), 400, "BAD_USER_INPUT", "map"},
		{"map outside the variables", ct, form(part{"operations", "", okOps}, part{"map", "", `{"0": ["query"]}`}, file), 400, "BAD_USER_INPUT", "map"},
		{"no file part", ct, form(part{"operations", "", okOps}, okMap), 400, "BAD_USER_INPUT", "map"},
		{"a file not in the map", ct, form(part{"operations", "", okOps}, okMap, part{"1", "b.pdf", "x"}, file), 400, "BAD_USER_INPUT", "map"},
		{"file cut short", ct, cut(form(part{"operations", "", okOps}, okMap, file), 30), 400, "GRAPHQL_PARSE_FAILED", ""},
		{"over the limit", ct, form(part{"operations", "", okOps}, okMap, part{"0", "a.pdf", string(tinyPDF) + strings.Repeat("x", 3<<20)}), 413, "PAYLOAD_TOO_LARGE", ""},
	} {
		// io.MultiReader: sent chunked, the length unknown in advance.
		r, _ := a.postRaw(editor, c.contentType, io.MultiReader(strings.NewReader(c.body)))
		if r.Status != c.status || r.code() != c.code || r.field() != c.field {
			t.Errorf("%s: %d %+v; want %d %s in %q", c.name, r.Status, r.Errors, c.status, c.code, c.field)
		}
	}

	// Operations that are not UTF-8, in a multipart request and in a JSON body.
	bad := ops(fmt.Sprintf(`{"id": "%s`+"\xff"+`", "f": null}`, id))
	multi, _ := a.postRaw(editor, ct, strings.NewReader(form(part{"operations", "", bad}, okMap, file)))
	plain, _ := a.postRaw(editor, "application/json", strings.NewReader(bad))
	if multi.Status != plain.Status || multi.code() != plain.code() || len(multi.Errors) != 1 || len(plain.Errors) != 1 ||
		multi.Errors[0].Message != plain.Errors[0].Message || multi.code() != "BAD_USER_INPUT" {
		t.Errorf("operations not UTF-8: multipart %d %+v, JSON %d %+v; want the same BAD_USER_INPUT", multi.Status, multi.Errors, plain.Status, plain.Errors)
	}

	// And a request that is right is stored.
	if r, _ := a.postRaw(editor, ct, strings.NewReader(form(part{"operations", "", okOps}, okMap, file))); r.Status != 200 || len(r.Errors) > 0 {
		t.Errorf("a good upload: %d %+v", r.Status, r.Errors)
	}
}

// cut is s without its last n bytes.
func cut(s string, n int) string { return s[:len(s)-n] }

// Deleting a dossier deletes its files: their URL answers 404.
func TestDeletedDossierTakesItsFiles(t *testing.T) {
	t.Parallel()
	a := newAPI(t)
	editor := token(t, map[string]string{"lang-son": "editor"})
	id := draftDossier(a, editor)
	r := a.upload(editor, id, "to-trinh.pdf", tinyPDF)
	url, _ := get(r.Data, "attachFile", "url").(string)
	if status, _, body := a.download(editor, url); status != 200 || !bytes.Equal(body, tinyPDF) {
		t.Fatalf("the file before the delete: %d %+v", status, r.Errors)
	}
	a.ok(editor, `mutation($id: ID!) { deleteDossier(id: $id, expectedVersion: 1) }`, map[string]any{"id": id})
	if status, _, _ := a.download(editor, url); status != 404 {
		t.Errorf("the file of a deleted dossier: HTTP %d, want 404", status)
	}
}
