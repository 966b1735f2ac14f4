package httpapi_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
)

// BenchmarkDossierList: a page of 50 dossiers of 5 recipients each, through
// the whole HTTP surface in-process (go test -bench DossierList -cpuprofile).
func BenchmarkDossierList(b *testing.B) {
	a := newAPI(b)
	editor := token(b, map[string]string{"lang-son": "editor"})
	for i := 0; i < 60; i++ {
		in := dossierInput("")
		recs := in["recipients"].([]any)[1:]
		for len(recs) < 5 {
			recs = append(recs, recs[len(recs)%2])
		}
		in["recipients"] = recs
		in["title"] = fmt.Sprint("Hồ sơ ", i)
		a.ok(editor, `mutation($in: DossierInput!) { createDossier(input: $in) { id } }`, map[string]any{"in": in})
	}
	body, _ := json.Marshal(map[string]any{"query": `{ dossiers(first: 50) { totalCount edges { node { id status title
	  recipients { recipient { name } awardType { name } } } } } }`})
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+editor)
		w := httptest.NewRecorder()
		a.h.ServeHTTP(w, req)
		if w.Code != 200 {
			b.Fatal(w.Body.String())
		}
	}
}
