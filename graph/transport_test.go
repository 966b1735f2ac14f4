package graph

import (
	"encoding/json"
	"net/http/httptest"
	"strconv"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// A response is written as json.Marshal writes it, whether it takes the
// envelope (data alone) or not.
func TestWriteResponseAsMarshal(t *testing.T) {
	hasNext := true
	for _, resp := range []*graphql.Response{
		{Data: json.RawMessage(`{"awards":{"totalCount":2,"edges":[{"node":{"id":"a","name":"Lạng Sơn"}}]}}`)},
		{Data: json.RawMessage(`null`), Errors: gqlerror.List{{Message: "no", Extensions: map[string]any{"code": "NOT_FOUND"}}}},
		{Data: json.RawMessage(`{"a":1}`), Extensions: map[string]any{"cost": 3}},
		{Data: json.RawMessage(`{"a":1}`), HasNext: &hasNext, Label: "x"},
		{Errors: gqlerror.List{{Message: "bad"}}},
		nil,
	} {
		got := httptest.NewRecorder()
		writeResponse(got, resp)
		want, err := json.Marshal(resp)
		if err != nil {
			t.Fatal(err)
		}
		if got.Body.String() != string(want) {
			t.Errorf("wrote %s, json.Marshal writes %s", got.Body.String(), want)
		}
		if n := got.Header().Get("Content-Length"); n != "" && n != strconv.Itoa(got.Body.Len()) {
			t.Errorf("Content-Length %s for a body of %d bytes", n, got.Body.Len())
		}
	}
}
