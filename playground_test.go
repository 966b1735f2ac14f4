package main

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// chromium returns the browser to test with; without one the test is
// skipped, except in CI (.ci/run installs it), where that is a failure.
func chromium(t *testing.T) string {
	for _, p := range []string{os.Getenv("CHROMIUM"), "/usr/bin/chromium", "/usr/bin/chromium-browser"} {
		if p == "" {
			continue
		}
		if path, err := exec.LookPath(p); err == nil {
			return path
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("chromium is not installed (.ci/run installs it)")
	}
	t.Skip("chromium is not installed; apt-get install chromium")
	return ""
}

// resultJS reads the whole text of GraphiQL's result editor (CodeMirror
// renders only the lines in view).
const resultJS = `(function(){ const e = document.querySelector('.result-window .CodeMirror');
  return e && e.CodeMirror ? e.CodeMirror.getValue() : (document.querySelector('.result-window') || {innerText: ''}).innerText; })()`

// newBrowser starts a headless Chromium (a fresh profile) for the test and
// returns its context, bounded to 90 s; the browser closes when the test ends.
func newBrowser(t *testing.T, browser string) context.Context {
	t.Helper()
	profile, err := os.MkdirTemp("", "thidua-chromium-*")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(profile) }) // after the browser has closed (cleanups run last first)
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(browser), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.NoFirstRun, chromedp.UserDataDir(profile), chromedp.WindowSize(1280, 900),
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
	}
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancel)
	// This chromedp's protocol tables predate some events of a current
	// Chromium; it logs each one it cannot decode, which is noise here.
	ctx, cancel := chromedp.NewContext(actx, chromedp.WithErrorf(func(string, ...any) {}))
	t.Cleanup(cancel)
	t.Cleanup(func() { _ = chromedp.Cancel(ctx) }) // closes the browser and waits for it
	ctx, cancel = context.WithTimeout(ctx, 90*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// The playground loads with every request to another host blocked, and runs
// its default query against the server.
func TestPlaygroundInChromium(t *testing.T) {
	browser := chromium(t)
	base, _ := start(t, map[string]string{"DATA_DIR": t.TempDir(), "LOG_LEVEL": "warn"})

	ctx := newBrowser(t, browser)

	var mu sync.Mutex
	var blocked []string
	chromedp.ListenTarget(ctx, func(ev any) {
		switch e := ev.(type) {
		case *fetch.EventRequestPaused:
			go func() {
				u, err := url.Parse(e.Request.URL)
				local := err == nil && (u.Hostname() == "127.0.0.1" || u.Hostname() == "localhost")
				c := chromedp.FromContext(ctx)
				ectx := cdp.WithExecutor(ctx, c.Target)
				if local {
					_ = fetch.ContinueRequest(e.RequestID).Do(ectx)
					return
				}
				mu.Lock()
				blocked = append(blocked, e.Request.URL)
				mu.Unlock()
				_ = fetch.FailRequest(e.RequestID, network.ErrorReasonBlockedByClient).Do(ectx)
			}()
		}
	})

	var response, who string
	tok := devToken(t, map[string]string{}, "lang-son=editor")
	err := chromedp.Run(ctx,
		fetch.Enable().WithPatterns([]*fetch.RequestPattern{{URLPattern: "*"}}),
		chromedp.Navigate(base+"/"),
		chromedp.WaitVisible(`.graphiql-execute-button`, chromedp.ByQuery),
		chromedp.Click(`.graphiql-execute-button`, chromedp.ByQuery),
		chromedp.Poll(resultJS+`.includes('5.46–9.15 %')`, nil, chromedp.WithPollingTimeout(30*time.Second)),
		chromedp.Evaluate(resultJS, &response),
		chromedp.WaitVisible(`#thidua-me`, chromedp.ByID),
		// Type a token into the Headers editor, as a user would; the badge says who.
		chromedp.Evaluate(`document.querySelector('.graphiql-editor-tool .graphiql-editor:not(.hidden) .CodeMirror').CodeMirror.setValue(`+
			`JSON.stringify({Authorization: 'Bearer `+tok+`'}))`, nil),
		chromedp.Poll(`document.getElementById('thidua-me').textContent.includes('lang-son: editor')`, nil,
			chromedp.WithPollingTimeout(10*time.Second)),
		chromedp.Text(`#thidua-me`, &who, chromedp.ByID),
	)
	if err != nil {
		t.Fatalf("playground: %v", err)
	}
	if !strings.Contains(who, "lang-son: editor") {
		t.Errorf("who-am-I badge: %q", who)
	}
	for _, want := range []string{"Lạng Sơn", "24,900", "315/994 = 31.69 %"} {
		if !strings.Contains(response, want) {
			t.Errorf("the playground's result lacks %q", want)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if len(blocked) > 0 {
		t.Errorf("the playground asked for non-local resources: %v", blocked)
	}
}

// Whatever the query editor holds is what runs: replacing the named default
// operation with an anonymous query runs that query (GraphiQL used to send
// the old operation name along: "operation Review2022 not found").
func TestPlaygroundRunsTheEditedQuery(t *testing.T) {
	browser := chromium(t)
	base, _ := start(t, map[string]string{"DATA_DIR": t.TempDir(), "LOG_LEVEL": "warn"})
	ctx := newBrowser(t, browser)
	var response string
	err := chromedp.Run(ctx,
		chromedp.Navigate(base+"/"),
		chromedp.WaitVisible(`.graphiql-execute-button`, chromedp.ByQuery),
		// First the default, named operation, as a visitor would.
		chromedp.Click(`.graphiql-execute-button`, chromedp.ByQuery),
		chromedp.Poll(resultJS+`.includes('periodReviews')`, nil, chromedp.WithPollingTimeout(30*time.Second)),
		chromedp.Evaluate(`document.querySelector('.graphiql-query-editor .CodeMirror').CodeMirror.setValue('{ provinces { id } }')`, nil),
		chromedp.Sleep(300*time.Millisecond), // GraphiQL reads the editor after a short debounce
		// The state the report showed: GraphiQL still holding the old name
		// (it keeps it on the editor, and in localStorage across visits).
		chromedp.Evaluate(`document.querySelector('.graphiql-query-editor .CodeMirror').CodeMirror.operationName = 'Review2022'`, nil),
		chromedp.Click(`.graphiql-execute-button`, chromedp.ByQuery),
		chromedp.Poll(resultJS+`.includes('"provinces"') || `+resultJS+`.includes('"errors"')`, nil, chromedp.WithPollingTimeout(30*time.Second)),
		chromedp.Evaluate(resultJS, &response),
	)
	if err != nil {
		t.Fatalf("playground: %v", err)
	}
	if !strings.Contains(response, "lang-son") || strings.Contains(response, "errors") {
		t.Errorf("the edited query's result:\n%s", response)
	}
}

// Whatever the editor holds when Run is pressed is what runs, even typed
// and run at once (GraphiQL reads the editor 100 ms after an edit, and
// sent the name it had read before: "operation Review2022 not found" 8
// times in 10). Twenty times: select all, type an operation with a new
// name, Ctrl+Enter, no pause; each answer is the typed operation's.
func TestPlaygroundRunsTypedOperationAtOnce(t *testing.T) {
	browser := chromium(t)
	base, _ := start(t, map[string]string{"DATA_DIR": t.TempDir(), "LOG_LEVEL": "warn"})
	ctx := newBrowser(t, browser)
	editor := `.graphiql-query-editor .CodeMirror textarea`
	err := chromedp.Run(ctx,
		chromedp.Navigate(base+"/"),
		chromedp.WaitVisible(`.graphiql-execute-button`, chromedp.ByQuery),
		chromedp.Click(`.graphiql-execute-button`, chromedp.ByQuery),
		chromedp.Poll(resultJS+`.includes('periodReviews')`, nil, chromedp.WithPollingTimeout(30*time.Second)),
	)
	if err != nil {
		t.Fatalf("playground: %v", err)
	}
	for i := range 20 {
		op := fmt.Sprintf("query Typed%d { provinces { id } typed%d: __typename }", i, i)
		answered := func() chromedp.Action {
			return chromedp.Poll(fmt.Sprintf(`%s.includes('"typed%d"') || %s.includes('"errors"')`, resultJS, i, resultJS), nil,
				chromedp.WithPollingTimeout(10*time.Second))
		}
		var response string
		err := chromedp.Run(ctx,
			chromedp.Focus(editor, chromedp.ByQuery),
			chromedp.KeyEvent("a", chromedp.KeyModifiers(input.ModifierCtrl)),
			input.InsertText(op),
			chromedp.KeyEvent("\r", chromedp.KeyModifiers(input.ModifierCtrl)),
			answered(),
		)
		if err != nil {
			// No answer at all (a wrong one is an answer, with errors):
			// on a loaded machine the browser can lose the keystroke.
			// Press Run's keys once more; what it answers is still checked.
			t.Logf("run %d: no answer in 10 s (%v); Ctrl+Enter again", i, err)
			err = chromedp.Run(ctx, chromedp.Focus(editor, chromedp.ByQuery),
				chromedp.KeyEvent("\r", chromedp.KeyModifiers(input.ModifierCtrl)), answered())
		}
		if err == nil {
			err = chromedp.Run(ctx, chromedp.Evaluate(resultJS, &response))
		}
		if err != nil {
			t.Fatalf("run %d: %v", i, err)
		}
		if !strings.Contains(response, fmt.Sprintf(`"typed%d"`, i)) || strings.Contains(response, "errors") {
			t.Errorf("run %d answered:\n%s", i, response)
		}
	}
}
