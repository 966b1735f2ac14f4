package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// TestMain lets the tests run this very binary as the service
// (THIDUA_TEST_SERVE=1), so that they can kill it.
func TestMain(m *testing.M) {
	if os.Getenv("THIDUA_TEST_SERVE") == "1" {
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// serve starts the service as a child process and waits until it is ready.
func serve(t *testing.T, env map[string]string) (*exec.Cmd, string) {
	t.Helper()
	env["ADDR"] = freeAddr(t)
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), "THIDUA_TEST_SERVE=1")
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	base := "http://" + env["ADDR"]
	waitReady(t, base, time.Now().Add(60*time.Second), cmd.Process)
	return cmd, base
}

// waitReady waits until the service at base answers /readyz with 200; past
// the deadline it kills p (the process that started it) and fails the test.
func waitReady(t *testing.T, base string, deadline time.Time, p *os.Process) {
	t.Helper()
	for status(base+"/readyz") != 200 {
		if time.Now().After(deadline) {
			_ = p.Kill()
			t.Fatal("the service did not become ready")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

type writes struct {
	mu        sync.Mutex
	attempted map[string]bool
	acked     []string
	failures  []string
	client    *http.Client
}

// stream writes movements from n clients until stop closes.
func (w *writes) stream(base, tok string, n int, stop <-chan struct{}) *sync.WaitGroup {
	var wg sync.WaitGroup
	for c := 0; c < n; c++ {
		wg.Add(1)
		go func(c int) {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				title := fmt.Sprintf("Ghi %d-%d", c, i)
				w.mu.Lock()
				w.attempted[title] = true
				w.mu.Unlock()
				client := w.client
				if client == nil {
					client = http.DefaultClient
				}
				st, code, data, err := postWith(client, base, tok, `mutation { createMovement(input: {title: "`+title+`", scope: PROVINCE, kind: ANNUAL, provinceId: "lang-son"}) { id } }`)
				w.mu.Lock()
				switch {
				case err == nil && st == 200 && code == "" && data["createMovement"] != nil:
					w.acked = append(w.acked, title)
				case err == nil:
					w.failures = append(w.failures, fmt.Sprintf("%s: HTTP %d %s", title, st, code))
				}
				w.mu.Unlock()
				if err != nil {
					time.Sleep(10 * time.Millisecond) // the server is gone; try again
				}
			}
		}(c)
	}
	return &wg
}

// stored pages through the lang-son movements and returns their titles.
func stored(t *testing.T, base, tok string) []string {
	var out []string
	after := ""
	for page := 0; page < 1000; page++ {
		_, code, data, err := post(base, tok, `{ movements(first: 100, after: "`+after+`", filter: {provinceId: "lang-son"}) {
		  pageInfo { hasNextPage endCursor } edges { node { title } } } }`)
		if err != nil || code != "" {
			t.Fatalf("read: %q %v", code, err)
		}
		conn := data["movements"].(map[string]any)
		for _, e := range conn["edges"].([]any) {
			out = append(out, e.(map[string]any)["node"].(map[string]any)["title"].(string))
		}
		pi := conn["pageInfo"].(map[string]any)
		if pi["hasNextPage"] != true {
			return out
		}
		after = pi["endCursor"].(string)
	}
	return out
}

// kill -9 during a stream of acknowledged writes, then a restart on the same
// DATA_DIR: every acknowledged write is there, nothing is doubled, and the
// data opens cleanly.
func TestCrashLosesNoAcknowledgedWrite(t *testing.T) {
	env := map[string]string{"DATA_DIR": t.TempDir(), "LOG_LEVEL": "error"}
	cmd, base := serve(t, env)
	tok := devToken(t, env, "lang-son=editor")
	w := &writes{attempted: map[string]bool{}}
	stop := make(chan struct{})
	wg := w.stream(base, tok, 4, stop)
	time.Sleep(1500 * time.Millisecond)
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	close(stop)
	wg.Wait()

	cmd, base = serve(t, env)
	defer func() { _ = cmd.Process.Signal(syscall.SIGTERM); _ = cmd.Wait() }()
	titles := stored(t, base, devToken(t, env, "*=viewer"))
	have := map[string]int{}
	for _, s := range titles {
		have[s]++
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.acked) < 20 {
		t.Fatalf("only %d writes acknowledged before the kill", len(w.acked))
	}
	for _, s := range w.acked {
		if have[s] != 1 {
			t.Errorf("acknowledged write %q is stored %d times after kill -9", s, have[s])
		}
	}
	for s, n := range have {
		if !w.attempted[s] || n != 1 {
			t.Errorf("stored %q %d times (attempted: %v)", s, n, w.attempted[s])
		}
	}
	for _, f := range w.failures {
		t.Errorf("a write failed before the kill: %s", f)
	}
	t.Logf("kill -9 after %d acknowledged writes (%d attempted): all %d there after restart, %d stored in all",
		len(w.acked), len(w.attempted), len(w.acked), len(titles))
}

// SIGTERM under load: requests in flight complete, new connections are
// refused, and the process exits 0 within the shutdown bound.
func TestGracefulShutdown(t *testing.T) {
	env := map[string]string{"DATA_DIR": t.TempDir(), "LOG_LEVEL": "error", "SHUTDOWN_TIMEOUT": "10s"}
	cmd, base := serve(t, env)
	tok := devToken(t, env, "lang-son=editor")
	w := &writes{attempted: map[string]bool{}, client: &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 16}}}
	stop := make(chan struct{})
	wg := w.stream(base, tok, 8, stop)
	time.Sleep(800 * time.Millisecond)
	// Requests provably in flight at the signal: their headers and half
	// their body are sent before it, the rest after. A graceful shutdown
	// serves them; closing the connections would drop them.
	inflight := make([]*halfSent, 3)
	for i := range inflight {
		inflight[i] = sendHalf(t, base, tok, fmt.Sprintf("Đang gửi %d", i))
	}
	time.Sleep(500 * time.Millisecond) // accepted, headers read: the connections are active
	t0 := time.Now()
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	time.Sleep(100 * time.Millisecond)
	for _, h := range inflight {
		if got := h.finish(); got != "" {
			t.Errorf("a request in flight at the signal was not answered: %s", got)
		} else {
			w.acked = append(w.acked, h.title)
		}
	}
	err := cmd.Wait()
	took := time.Since(t0)
	close(stop)
	wg.Wait()
	var exit *exec.ExitError
	if errors.As(err, &exit) || err != nil {
		t.Errorf("exit after SIGTERM: %v, want 0", err)
	}
	if took > 10*time.Second {
		t.Errorf("shutdown took %v, past SHUTDOWN_TIMEOUT", took)
	}
	if status(base+"/healthz") != 0 {
		t.Error("the service still answers after shutdown")
	}
	w.mu.Lock()
	acked := append([]string(nil), w.acked...)
	for _, f := range w.failures {
		t.Errorf("a request got a failed response during shutdown: %s", f)
	}
	w.mu.Unlock()

	cmd, base = serve(t, env)
	defer func() { _ = cmd.Process.Signal(syscall.SIGTERM); _ = cmd.Wait() }()
	have := map[string]bool{}
	for _, s := range stored(t, base, devToken(t, env, "*=viewer")) {
		have[s] = true
	}
	for _, s := range acked {
		if !have[s] {
			t.Errorf("acknowledged write %q lost in the shutdown", s)
		}
	}
	t.Logf("SIGTERM with 8 writers: exit 0 in %v; %d acknowledged writes, all there", took.Round(time.Millisecond), len(acked))
}

// halfSent is a createMovement request whose headers and first half of the
// body have been written on a raw connection.
type halfSent struct {
	title string
	conn  net.Conn
	rest  string
}

func sendHalf(t *testing.T, base, tok, title string) *halfSent {
	t.Helper()
	body := fmt.Sprintf(`{"query":%q}`, `mutation { createMovement(input: {title: "`+title+`", scope: PROVINCE, kind: ANNUAL, provinceId: "lang-son"}) { id } }`)
	conn, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	head := fmt.Sprintf("POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nAuthorization: Bearer %s\r\nContent-Length: %d\r\n\r\n", tok, len(body))
	half := len(body) / 2
	if _, err := conn.Write([]byte(head + body[:half])); err != nil {
		t.Fatal(err)
	}
	return &halfSent{title: title, conn: conn, rest: body[half:]}
}

// finish sends the rest of the body and reads the answer: "" when it is a
// 200 with the created movement, else what went wrong.
func (h *halfSent) finish() string {
	_ = h.conn.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := h.conn.Write([]byte(h.rest)); err != nil {
		return "write: " + err.Error()
	}
	res, err := http.ReadResponse(bufio.NewReader(h.conn), nil)
	if err != nil {
		return "read: " + err.Error()
	}
	defer res.Body.Close()
	var out struct {
		Data map[string]any `json:"data"`
	}
	if err := json.NewDecoder(res.Body).Decode(&out); err != nil || res.StatusCode != 200 || out.Data["createMovement"] == nil {
		return fmt.Sprintf("HTTP %d %v %v", res.StatusCode, out.Data, err)
	}
	return ""
}
