package main

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// corsPage is a page of another origin that calls the API with a token, as
// a front-end would, and writes what it got into the DOM.
const corsPage = `<!doctype html><html><body><pre id="out">waiting</pre><script>
fetch(%q + '/graphql', {method: 'POST',
  headers: {'Content-Type': 'application/json', 'Authorization': 'Bearer ' + %q},
  body: JSON.stringify({query: '{ me { subject } provinces { id } }'})})
  .then(function (r) { return r.text(); })
  .then(function (t) { document.getElementById('out').textContent = 'ok: ' + t; })
  .catch(function (e) { document.getElementById('out').textContent = 'blocked: ' + e; });
</script></body></html>`

// A browser page on an allowed origin calls the API (a preflighted POST
// with Authorization) and reads the answer; a page on any other origin
// cannot.
func TestCORSInChromium(t *testing.T) {
	browser := chromium(t)
	var api string
	tok := ""
	page := func() *httptest.Server {
		return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprintf(w, corsPage, api, tok)
		}))
	}
	allowed, other := page(), page()
	defer allowed.Close()
	defer other.Close()
	env := map[string]string{
		"APP_ENV": "production", "DATA_DIR": t.TempDir(), "LOG_LEVEL": "warn",
		"JWT_SECRET": "cors-test-secret-cors-test-secret-0123", "JWT_ISSUER": "thidua", "JWT_AUDIENCE": "thidua",
		"CORS_ORIGINS": allowed.URL,
	}
	api, _ = start(t, env)
	tok = devToken(t, env, "lang-son=viewer")

	ctx := newBrowser(t, browser)
	read := func(u string) string {
		var out string
		err := chromedp.Run(ctx,
			chromedp.Navigate(u),
			chromedp.Poll(`document.getElementById('out').textContent !== 'waiting'`, nil, chromedp.WithPollingTimeout(20*time.Second)),
			chromedp.Text(`#out`, &out, chromedp.ByID),
		)
		if err != nil {
			t.Fatalf("%s: %v", u, err)
		}
		return out
	}
	if got := read(allowed.URL); !strings.HasPrefix(got, "ok: ") || !strings.Contains(got, `"subject":"t"`) || !strings.Contains(got, "lang-son") {
		t.Errorf("page on the allowed origin %s got: %s", allowed.URL, got)
	}
	if got := read(other.URL); !strings.HasPrefix(got, "blocked: ") {
		t.Errorf("page on %s, not in CORS_ORIGINS, read the API: %s", other.URL, got)
	}
}
