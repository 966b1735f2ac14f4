package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"time"
)

// The net/http floor: the smallest requests (`{ __typename }`, reference
// data) are answered by the service from kept bytes, so what they cost is
// mostly Go's HTTP server and the kernel's loopback. To show the service's
// own share, the bench starts a second process: a plain net/http server
// with the service's server timeouts, answering each of those request
// bodies with the bytes and headers the service answered. Its CPU per
// request, measured as the service's, is the floor under those rows. This
// VM's speed drifts by a third within minutes, so the floor is measured
// right after the operation it stands under.

// Environment of the floor process (the bench binary run again).
const (
	floorAddrEnv    = "BENCH_HTTP_FLOOR_ADDR"
	floorAnswersEnv = "BENCH_HTTP_FLOOR_ANSWERS"
)

// floorAnswer is what the floor answers to one request body.
type floorAnswer struct {
	Header http.Header `json:"header"`
	Body   []byte      `json:"body"`
}

// httpFloorOps are the operations measured on the floor as well.
var httpFloorOps = map[string][]byte{
	"typename":  requestBody(qTypename, nil),
	"reference": requestBody(qRefs, nil),
}

// serveHTTPFloor is the floor process's main, when the bench binary is run
// as one; it reports whether it was.
func serveHTTPFloor() bool {
	addr := os.Getenv(floorAddrEnv)
	if addr == "" {
		return false
	}
	raw, err := os.ReadFile(os.Getenv(floorAnswersEnv))
	must(err)
	var answers map[string]floorAnswer
	must(json.Unmarshal(raw, &answers))
	srv := &http.Server{Addr: addr,
		// The service's server settings (server.go, REQUEST_TIMEOUT=60s as
		// the bench sets it): each sets a deadline per request.
		ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 15 * time.Second,
		WriteTimeout: 70 * time.Second, IdleTimeout: 120 * time.Second,
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			body, err := io.ReadAll(r.Body)
			a, ok := answers[string(body)]
			if err != nil || !ok {
				http.Error(w, "unknown request", http.StatusNotFound)
				return
			}
			h := w.Header()
			for k, v := range a.Header {
				h[k] = v
			}
			_, _ = w.Write(a.Body)
		})}
	must(srv.ListenAndServe())
	return true
}

// httpFloor is a running floor process.
type httpFloor struct {
	cmd *exec.Cmd
	url string
}

// startHTTPFloor asks the service for its answer to each floor operation's
// body and starts a floor process answering the same.
func startHTTPFloor(c *client) (*httpFloor, error) {
	answers := map[string]floorAnswer{}
	for name, body := range httpFloorOps {
		req, err := http.NewRequest(http.MethodPost, c.url+"/graphql", bytes.NewReader(body))
		if err != nil {
			return nil, err
		}
		req.Header.Set("Content-Type", "application/json")
		res, err := c.http.Do(req)
		if err != nil {
			return nil, err
		}
		got, err := io.ReadAll(res.Body)
		res.Body.Close()
		if err != nil || res.StatusCode != http.StatusOK {
			return nil, fmt.Errorf("%s: status %d, %v", name, res.StatusCode, err)
		}
		h := res.Header.Clone()
		h.Del("Date") // net/http writes its own
		answers[string(body)] = floorAnswer{Header: h, Body: got}
	}
	f, err := os.CreateTemp("", "thidua-floor-*.json")
	if err != nil {
		return nil, err
	}
	defer os.Remove(f.Name()) // read at the floor's start, before it answers
	raw, _ := json.Marshal(answers)
	if _, err := f.Write(raw); err != nil {
		return nil, err
	}
	_ = f.Close()
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	addr := freeAddr()
	cmd := exec.Command(self)
	cmd.Env = append(os.Environ(), floorAddrEnv+"="+addr, floorAnswersEnv+"="+f.Name())
	cmd.Stderr = os.Stderr
	cmd.SysProcAttr = childAttr()
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	fl := &httpFloor{cmd: cmd, url: "http://" + addr}
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		res, err := http.Post(fl.url, "application/json", bytes.NewReader(httpFloorOps["typename"]))
		if err == nil {
			res.Body.Close()
			break
		}
		if time.Now().After(deadline) {
			fl.stop()
			return nil, fmt.Errorf("the net/http floor did not start: %w", err)
		}
	}
	return fl, nil
}

func (f *httpFloor) stop() { _ = f.cmd.Process.Kill(); _ = f.cmd.Wait() }

// ops are the floor operations, each named as the API operation it stands
// under and sent by a client like the service's.
func (f *httpFloor) ops(c *client) []operation {
	fc := &client{url: f.url, http: c.http}
	var ops []operation
	for name, body := range httpFloorOps {
		ops = append(ops, operation{name: name, desc: "the same bytes from a plain net/http server",
			do: func(ctx context.Context, _ *rand.Rand) error { return fc.prebuilt(ctx, "", body) }})
	}
	return ops
}

// withHTTPFloor puts each floor operation right after the API operation it
// stands under (dropped if that one is not run).
func withHTTPFloor(ops, floor []operation) []operation {
	var out []operation
	for _, op := range ops {
		out = append(out, op)
		for _, f := range floor {
			if op.api && f.name == op.name {
				out = append(out, f)
			}
		}
	}
	return out
}

// isHTTPFloor tells a floor operation or cell measured on the net/http
// floor from one measured with the driver.
func isHTTPFloor(op string) bool { _, ok := httpFloorOps[op]; return ok }
