package httpapi_test

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// The read model's answers are kept whole (graph/refcache.go) under the
// caller and the read model's generation: a page one caller read, its
// unpublished records included, is never the answer to another caller of
// the same subject but other roles, nor to an anonymous one; and a change
// is in the very next answer to the same query.
func TestCachedAnswersKeepCallersAndChangesApart(t *testing.T) {
	t.Parallel()
	a := newAPI(t)
	langSon := token(t, map[string]string{"lang-son": "editor"})
	caoBang := token(t, map[string]string{"cao-bang": "editor"}) // the same subject as langSon
	const page = `query($p: ID) { awards(first: 50, filter: {provinceId: $p}) { totalCount edges { node { id status recipient { name } } } } }`
	const one = `query($id: ID!) { award(id: $id) { id status } }`
	vars := map[string]any{"p": "lang-son"}
	ids := func(d map[string]any) string {
		var b strings.Builder
		for _, e := range get(d, "awards", "edges").([]any) {
			b.WriteString(get(e, "node", "id").(string) + " ")
		}
		return b.String()
	}

	public := a.ok("", page, vars)
	a.ok(langSon, page, vars) // the editor's answer, kept before the change
	id := get(a.ok(langSon, createAward, map[string]any{"in": awardInput("lang-son")}), "createAward", "id").(string)

	for i := range 2 { // the second answer of each is the kept one
		own := a.ok(langSon, page, vars)
		if !strings.Contains(ids(own), id) {
			t.Fatalf("answer %d: the editor's page lacks the award it just proposed", i)
		}
		if got := get(a.ok(langSon, one, map[string]any{"id": id}), "award", "id"); got != id {
			t.Fatalf("answer %d: the editor reads its proposal as %v", i, got)
		}
		for name, tok := range map[string]string{"anonymous": "", "cao-bang's editor": caoBang} {
			other := a.ok(tok, page, vars)
			if strings.Contains(ids(other), id) {
				t.Fatalf("answer %d: %s sees lang-son's unpublished proposal in the page", i, name)
			}
			if got := get(other, "awards", "totalCount"); got != get(public, "awards", "totalCount") {
				t.Fatalf("answer %d: %s counts %v awards, the public %v", i, name, got, get(public, "awards", "totalCount"))
			}
			if r := a.do(tok, one, map[string]any{"id": id}); r.Data["award"] != nil {
				t.Fatalf("answer %d: %s reads lang-son's unpublished proposal: %v", i, name, r.Data)
			}
		}
	}

	// A change moves the generation on: the next answer has it.
	a.ok(langSon, deleteAward, map[string]any{"id": id, "v": 1})
	if strings.Contains(ids(a.ok(langSon, page, vars)), id) {
		t.Fatal("the editor's page still lists the award it deleted")
	}
	if r := a.do(langSon, one, map[string]any{"id": id}); r.Data["award"] != nil {
		t.Fatalf("the deleted award is still read: %v", r.Data)
	}
}

// Callers reading the same page at once, each time right after an editor
// proposed an award (a change of the read model) and read the page with
// it, are never given the editor's unpublished proposals, whichever of
// their answers is kept first.
func TestCachedAnswersUnderConcurrentReads(t *testing.T) {
	t.Parallel()
	a := newAPI(t)
	langSon := token(t, map[string]string{"lang-son": "editor"})
	caoBang := token(t, map[string]string{"cao-bang": "editor"})
	const page = `query($p: ID) { awards(first: 50, filter: {provinceId: $p}) { edges { node { id } } } }`
	vars := map[string]any{"p": "lang-son"}
	var proposed []string
	for round := range 6 {
		id := get(a.ok(langSon, createAward, map[string]any{"in": awardInput("lang-son")}), "createAward", "id").(string)
		proposed = append(proposed, id)
		a.ok(langSon, page, vars) // the editor's answer, with its proposals, kept
		var wg sync.WaitGroup
		shown := make(chan string, 1024)
		for _, tok := range []string{"", caoBang, "", caoBang, "", caoBang} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for range 5 {
					r := a.do(tok, page, vars)
					if len(r.Errors) > 0 {
						t.Errorf("a read failed: %+v", r.Errors)
						return
					}
					for _, e := range r.Data["awards"].(map[string]any)["edges"].([]any) {
						shown <- get(e, "node", "id").(string)
					}
				}
			}()
		}
		wg.Wait()
		close(shown)
		for got := range shown {
			for _, id := range proposed {
				if got == id {
					t.Fatalf("round %d: another caller was shown lang-son's unpublished proposal %s", round, id)
				}
			}
		}
	}
}

// An answer asked for again with the same body by the same caller is sent
// as kept (graph/refcache.go, keptAnswers), gzipped to a client that
// accepts it, and the same JSON as the first, executed one.
func TestKeptAnswersGzipped(t *testing.T) {
	t.Parallel()
	a := newAPI(t)
	body := `{"query":"{ provinces { id name isoCode statisticsCode } awardTypes { id name form } }"}`
	send := func(acceptEncoding string) (*http.Response, []byte) {
		req, _ := http.NewRequest(http.MethodPost, a.srv.URL+"/graphql", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept-Encoding", acceptEncoding) // set: the client then leaves the body as sent
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		raw, err := io.ReadAll(res.Body)
		if err != nil || res.StatusCode != http.StatusOK {
			t.Fatalf("%d %v", res.StatusCode, err)
		}
		return res, raw
	}
	first, executed := send("gzip")
	if first.Header.Get("Content-Encoding") != "" || !json.Valid(executed) || !strings.Contains(string(executed), "lang-son") {
		t.Fatalf("the first answer: %s %.200s", first.Header.Get("Content-Encoding"), executed)
	}
	res, raw := send("br, gzip;q=0.8")
	if res.Header.Get("Content-Encoding") != "gzip" || res.Header.Get("Content-Length") != strconv.Itoa(len(raw)) {
		t.Fatalf("the second answer: %v, %d bytes", res.Header, len(raw))
	}
	zr, err := gzip.NewReader(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	unzipped, err := io.ReadAll(zr)
	if err != nil || !bytes.Equal(unzipped, executed) {
		t.Errorf("gunzipped: %v\n%.300s\nthe first:\n%.300s", err, unzipped, executed)
	}
	if res, raw := send("gzip;q=0, identity"); res.Header.Get("Content-Encoding") != "" || !bytes.Equal(raw, executed) {
		t.Errorf("gzip refused: %v\n%.300s", res.Header, raw)
	}
}

// The whole HTTP surface (request id, metrics, CORS, deadline, auth,
// limits) answering a kept answer: its CPU and allocations per request,
// net/http's own excluded (a recorder, not a connection).
//
//	go test ./httpapi -run '^$' -bench KeptAnswer -benchmem
func BenchmarkKeptAnswer(b *testing.B) {
	a := newAPI(b)
	for _, q := range []struct{ name, body string }{
		{"typename", `{"query":"{ __typename }"}`},
		{"reference", `{"query":"{ provinces { id name isoCode statisticsCode } awardTypes { id name form } indicators { id name unit } }"}`},
	} {
		b.Run(q.name, func(b *testing.B) {
			send := func() *httptest.ResponseRecorder {
				req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(q.body))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Accept-Encoding", "gzip")
				rec := httptest.NewRecorder()
				a.h.ServeHTTP(rec, req)
				return rec
			}
			if rec := send(); rec.Code != http.StatusOK || send().Body.Len() == 0 {
				b.Fatalf("%d %s", rec.Code, rec.Body)
			}
			b.ReportAllocs()
			for b.Loop() {
				send()
			}
		})
	}
}
