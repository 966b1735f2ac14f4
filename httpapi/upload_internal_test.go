package httpapi

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/thidua/thidua/auth"
)

// Uploads in progress are limited per subject (429 RATE_LIMITED) and in
// all (503 SERVICE_UNAVAILABLE), both with Retry-After, before the body
// is read; a slot is free again once its upload ends; other requests
// and anonymous callers are not counted.
func TestUploadSlots(t *testing.T) {
	release := make(chan struct{})
	var started sync.WaitGroup
	h := limitUploads(UploadLimits{Total: 2, PerSubject: 1}, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-Hold") != "" {
			started.Done()
			<-release
		}
		w.WriteHeader(http.StatusOK)
	}))
	send := func(subject string, multipart, hold bool) *httptest.ResponseRecorder {
		r := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader("body"))
		r.Header.Set("Content-Type", "application/json")
		if multipart {
			r.Header.Set("Content-Type", "multipart/form-data; boundary=x")
		}
		if hold {
			r.Header.Set("X-Hold", "1")
		}
		if subject != "" {
			r = r.WithContext(auth.WithPrincipal(r.Context(), &auth.Principal{Subject: subject}))
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w
	}
	var done sync.WaitGroup
	for _, s := range []string{"a", "b"} {
		started.Add(1)
		done.Add(1)
		go func() { defer done.Done(); send(s, true, true) }()
	}
	started.Wait()
	for _, c := range []struct {
		name, subject string
		multipart     bool
		want          int
	}{
		{"a's second upload", "a", true, 429},
		{"c's upload, two in progress", "c", true, 503},
		{"a's JSON request", "a", false, 200},
		{"an anonymous multipart request", "", true, 200},
	} {
		w := send(c.subject, c.multipart, false)
		if w.Code != c.want || (c.want != 200 && w.Header().Get("Retry-After") == "") {
			t.Errorf("%s: %d (Retry-After %q), want %d", c.name, w.Code, w.Header().Get("Retry-After"), c.want)
		}
		if c.want == 429 && !strings.Contains(w.Body.String(), `"RATE_LIMITED"`) || c.want == 503 && !strings.Contains(w.Body.String(), `"SERVICE_UNAVAILABLE"`) {
			t.Errorf("%s: %s", c.name, w.Body)
		}
	}
	close(release)
	done.Wait()
	if w := send("a", true, false); w.Code != 200 {
		t.Errorf("a's upload once the others ended: %d", w.Code)
	}
}
