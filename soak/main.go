// Command soak drives the service with mixed reads and province-scoped
// writes from many clients for a long time, then checks that nothing was
// lost or doubled and that goroutines and memory stayed flat.
//
//	go run ./soak                       # 32 clients, 10 minutes, embedded database
//	go run ./soak -duration 1m -clients 8
//	go run ./soak -hostile -clients 8   # the same beside attackers (hostile.go), production settings
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/thidua/thidua/auth"
)

const secret = "soak-secret-soak-secret-soak-secret"

var provinces = []string{"cao-bang", "dien-bien", "lao-cai", "lai-chau", "son-la", "lang-son", "tuyen-quang"}

type stats struct {
	requests, status5xx, unavailable, conflicts, otherErrors atomic.Int64
	writesAcked, updatesAcked                                atomic.Int64
	mu                                                       sync.Mutex
	latencies                                                []time.Duration
	acked                                                    map[string]string // award id → recipient name
}

type sample struct {
	At         time.Duration
	Goroutines float64
	RSSMB      float64
}

func main() {
	dur := flag.Duration("duration", 10*time.Minute, "how long to run")
	clients := flag.Int("clients", 32, "concurrent clients")
	hostileRun := flag.Bool("hostile", false, "run attackers beside the clients, under production settings (hostile.go)")
	flag.Parse()
	dir, err := os.MkdirTemp("", "thidua-soak-*")
	must(err)
	defer os.RemoveAll(dir)
	bin := filepath.Join(dir, "thidua")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Stderr = os.Stderr
	must(build.Run())
	addr := freeAddr()
	base := "http://" + addr
	cmd := exec.Command(bin)
	cmd.Env = append(os.Environ(), "DATA_DIR="+filepath.Join(dir, "data"), "ADDR="+addr, "JWT_SECRET="+secret,
		"LOG_LEVEL=error", "PLAYGROUND=false")
	if *hostileRun {
		cmd.Env = append(cmd.Env, "APP_ENV=production", "JWT_ISSUER=thidua", "JWT_AUDIENCE=thidua")
	}
	cmd.Stderr = os.Stderr
	must(cmd.Start())
	defer func() { _ = cmd.Process.Signal(os.Interrupt); _ = cmd.Wait() }()
	waitReady(base)

	hc := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 256}}
	st := &stats{acked: map[string]string{}}
	tokens := map[string]string{}
	for _, p := range provinces {
		tokens[p], _ = auth.Issue(auth.IssueConfig{Secret: []byte(secret), Issuer: "thidua", Audience: "thidua",
			Subject: "soak-" + p, Roles: map[string]string{p: "editor"}, TTL: 24 * time.Hour, Now: time.Now()})
	}
	viewer, _ := auth.Issue(auth.IssueConfig{Secret: []byte(secret), Issuer: "thidua", Audience: "thidua",
		Subject: "soak-viewer", Roles: map[string]string{"*": "viewer"}, TTL: 24 * time.Hour, Now: time.Now()})
	reviewID := firstReview(hc, base)

	ctx, cancel := context.WithTimeout(context.Background(), *dur)
	defer cancel()
	var samples []sample
	start := time.Now()
	var wg sync.WaitGroup
	for c := 0; c < *clients; c++ {
		wg.Add(1)
		go func(c int) {
			defer wg.Done()
			chc := hc
			if *hostileRun { // each legitimate client on an address of its own, as people are
				chc = from(fmt.Sprintf("127.0.1.%d", 1+c))
			}
			client(ctx, c, chc, base, tokens[provinces[c%len(provinces)]], provinces[c%len(provinces)], reviewID, st)
		}(c)
	}
	h := &hostileStats{}
	attackers := &sync.WaitGroup{}
	if *hostileRun {
		attackers = runHostile(ctx, base, h)
	}
	tick := time.NewTicker(10 * time.Second)
	for done := false; !done; {
		select {
		case <-ctx.Done():
			done = true
		case <-tick.C:
			g, rss := metrics(hc, base)
			samples = append(samples, sample{time.Since(start).Round(time.Second), g, rss})
			fmt.Fprintf(os.Stderr, "%v: %d requests, goroutines %.0f, RSS %.0f MB\n", time.Since(start).Round(time.Second), st.requests.Load(), g, rss)
		}
	}
	wg.Wait()
	attackers.Wait()
	elapsed := time.Since(start)
	time.Sleep(2 * time.Second) // let idle connections and loaders wind down
	gEnd, rssEnd := metrics(hc, base)

	// Count afterwards: every acknowledged award is there, once.
	lost, wrong := 0, 0
	st.mu.Lock()
	for id, name := range st.acked {
		var out struct {
			Data struct {
				Award *struct {
					Recipient struct{ Name string } `json:"recipient"`
				} `json:"award"`
			} `json:"data"`
		}
		must(patient(func() error {
			return gql(hc, base, viewer, `query($id: ID!) { award(id: $id) { recipient { name } } }`, map[string]any{"id": id}, &out)
		}))
		switch {
		case out.Data.Award == nil:
			lost++
		case out.Data.Award.Recipient.Name != name:
			wrong++
		}
	}
	acked := len(st.acked)
	st.mu.Unlock()
	var count struct {
		Data struct {
			Awards struct{ TotalCount int } `json:"awards"`
		} `json:"data"`
	}
	must(patient(func() error {
		return gql(hc, base, viewer, `{ awards(filter: {recipientName: "soak"}) { totalCount } }`, nil, &count)
	}))
	stored := count.Data.Awards.TotalCount

	sort.Slice(st.latencies, func(i, j int) bool { return st.latencies[i] < st.latencies[j] })
	q := func(p float64) time.Duration {
		if len(st.latencies) == 0 {
			return 0
		}
		return st.latencies[min(len(st.latencies)-1, int(p*float64(len(st.latencies))))]
	}
	var b strings.Builder
	fmt.Fprintf(&b, "soak: %d clients for %v: %d requests (%.0f/s), p50 %v, p99 %v\n", *clients, elapsed.Round(time.Second),
		st.requests.Load(), float64(st.requests.Load())/elapsed.Seconds(), q(0.5).Round(time.Millisecond), q(0.99).Round(time.Millisecond))
	fmt.Fprintf(&b, "soak: 5xx %d, SERVICE_UNAVAILABLE %d, CONFLICT (expected: stale versions) %d, other errors %d\n",
		st.status5xx.Load(), st.unavailable.Load(), st.conflicts.Load(), st.otherErrors.Load())
	fmt.Fprintf(&b, "soak: writes acknowledged %d (creates) + %d (updates); stored %d soak awards; lost %d; changed %d; duplicated %d\n",
		acked, st.updatesAcked.Load(), stored, lost, wrong, max(0, stored-acked))
	var g0, r0, gMax, rMax float64
	for i, s := range samples {
		if i == 1 { // after a warm-up of 20 s
			g0, r0 = s.Goroutines, s.RSSMB
		}
		if i >= 1 {
			gMax, rMax = max(gMax, s.Goroutines), max(rMax, s.RSSMB)
		}
	}
	fmt.Fprintf(&b, "soak: goroutines after warm-up %.0f, max %.0f, at rest %.0f; resident memory after warm-up %.0f MB, max %.0f MB, at rest %.0f MB\n",
		g0, gMax, gEnd, r0, rMax, rssEnd)
	if *hostileRun {
		fmt.Fprintln(&b, h)
		fmt.Fprintln(&b, "soak: time, goroutines, resident MB")
		for _, s := range samples {
			fmt.Fprintf(&b, "soak: %v, %.0f, %.0f\n", s.At, s.Goroutines, s.RSSMB)
		}
	}
	alive := cmd.ProcessState == nil && cmd.Process.Signal(syscall.Signal(0)) == nil
	if !alive {
		fmt.Fprintln(&b, "soak: the service is gone")
	}
	fmt.Print(b.String())
	failed := !alive || st.status5xx.Load() > 0 || lost > 0 || wrong > 0 || stored != acked || st.otherErrors.Load() > 0
	if failed {
		fmt.Println("soak: FAILED")
		os.Exit(1)
	}
	fmt.Println("soak: 1 passed, 0 failed")
}

func client(ctx context.Context, c int, hc *http.Client, base, tok, province, reviewID string, st *stats) {
	r := rand.New(rand.NewPCG(uint64(c), 2022))
	type mine struct {
		id      string
		version int
	}
	var own []mine
	for i := 0; ctx.Err() == nil; i++ {
		t0 := time.Now()
		var err error
		var out map[string]any
		switch x := r.IntN(100); {
		case x < 3: // create
			name := fmt.Sprintf("Soak %d-%d Nguyễn Văn", c, i)
			err = gql(hc, base, tok, `mutation($in: AwardInput!) { createAward(input: $in) { id version } }`, map[string]any{"in": map[string]any{
				"provinceId": province, "awardTypeId": "bang-khen-chu-tich-tinh", "authority": "PROVINCE_CHAIR",
				"recipient": map[string]any{"kind": "INDIVIDUAL", "name": name}, "year": 2025, "status": "PROPOSED"}}, &out)
			if err == nil {
				if a, ok := dig(out, "data", "createAward").(map[string]any); ok {
					st.writesAcked.Add(1)
					st.mu.Lock()
					st.acked[a["id"].(string)] = name
					st.mu.Unlock()
					own = append(own, mine{a["id"].(string), 1})
				}
			}
		case x < 5 && len(own) > 0: // update one of its own, sometimes with a stale version
			k := r.IntN(len(own))
			v := own[k].version
			if r.IntN(10) == 0 {
				v-- // stale: must be CONFLICT and change nothing
			}
			name := fmt.Sprintf("Soak %d-%d Nguyễn Văn (sửa)", c, i)
			err = gql(hc, base, tok, `mutation($id: ID!, $v: Int!, $in: AwardInput!) { updateAward(id: $id, expectedVersion: $v, input: $in) { version } }`,
				map[string]any{"id": own[k].id, "v": v, "in": map[string]any{
					"provinceId": province, "awardTypeId": "bang-khen-chu-tich-tinh", "authority": "PROVINCE_CHAIR",
					"recipient": map[string]any{"kind": "INDIVIDUAL", "name": name}, "year": 2025, "status": "PROPOSED"}}, &out)
			if err == nil && dig(out, "data", "updateAward") != nil {
				st.updatesAcked.Add(1)
				own[k].version++
				st.mu.Lock()
				st.acked[own[k].id] = name
				st.mu.Unlock()
			}
		case x < 10:
			err = gql(hc, base, "", `query($p: ID) { awards(first: 20, filter: {provinceId: $p}) { edges { node { id recipient { name } awardType { name } } } } }`,
				map[string]any{"p": province}, &out)
		case x < 30:
			err = gql(hc, base, "", `query($id: ID!) { periodReview(id: $id) { summary { derived { text } reported { figure { text } } } reports { province { name } } } }`,
				map[string]any{"id": reviewID}, &out)
		case x < 55:
			err = gql(hc, base, "", `{ movements { totalCount edges { node { title scope province { name } } } } }`, nil, &out)
		case x < 75 && len(own) > 0:
			err = gql(hc, base, tok, `query($id: ID!) { award(id: $id) { id version recipient { name } } }`, map[string]any{"id": own[r.IntN(len(own))].id}, &out)
		default:
			err = gql(hc, base, "", `{ provinces { id name statisticsCode successor { id } } awardTypes { id name } indicators { id } }`, nil, &out)
		}
		st.requests.Add(1)
		var he httpError
		switch {
		case err == nil:
			st.mu.Lock()
			st.latencies = append(st.latencies, time.Since(t0))
			st.mu.Unlock()
			if errs, ok := out["errors"].([]any); ok && len(errs) > 0 {
				code, _ := dig(errs[0], "extensions", "code").(string)
				switch code {
				case "CONFLICT":
					st.conflicts.Add(1)
				case "SERVICE_UNAVAILABLE":
					st.unavailable.Add(1)
				default:
					st.otherErrors.Add(1)
					fmt.Fprintf(os.Stderr, "error: %v\n", errs[0])
				}
			}
		case asHTTP(err, &he) && he.status >= 500:
			st.status5xx.Add(1)
		case ctx.Err() != nil:
		default:
			st.otherErrors.Add(1)
			fmt.Fprintf(os.Stderr, "error: %v\n", err)
		}
		time.Sleep(time.Duration(20+r.IntN(40)) * time.Millisecond) // think time
	}
}

// patient runs a request of the final count again while it is refused
// with 429 (the hostile run's production rate limits apply to it too).
func patient(f func() error) error {
	for i := 0; ; i++ {
		err := f()
		var he httpError
		if !asHTTP(err, &he) || he.status != http.StatusTooManyRequests || i == 600 {
			return err
		}
		time.Sleep(100 * time.Millisecond)
	}
}

type httpError struct{ status int }

func (e httpError) Error() string { return "HTTP " + strconv.Itoa(e.status) }

func asHTTP(err error, out *httpError) bool {
	he, ok := err.(httpError)
	if ok {
		*out = he
	}
	return ok
}

func gql(hc *http.Client, base, tok, query string, vars map[string]any, out any) error {
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, _ := http.NewRequest(http.MethodPost, base+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	res, err := hc.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		return err
	}
	if res.StatusCode != http.StatusOK {
		return httpError{res.StatusCode}
	}
	return json.Unmarshal(raw, out)
}

func dig(v any, path ...string) any {
	for _, p := range path {
		m, _ := v.(map[string]any)
		v = m[p]
	}
	return v
}

func firstReview(hc *http.Client, base string) string {
	var out map[string]any
	must(gql(hc, base, "", `{ periodReviews { edges { node { id } } } }`, nil, &out))
	edges := dig(out, "data", "periodReviews", "edges").([]any)
	return dig(edges[0], "node", "id").(string)
}

// metrics reads the goroutine count and resident memory from /metrics.
func metrics(hc *http.Client, base string) (goroutines, rssMB float64) {
	res, err := hc.Get(base + "/metrics")
	if err != nil {
		return 0, 0
	}
	defer res.Body.Close()
	sc := bufio.NewScanner(res.Body)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) != 2 {
			continue
		}
		v, _ := strconv.ParseFloat(f[1], 64)
		switch f[0] {
		case "go_goroutines":
			goroutines = v
		case "process_resident_memory_bytes":
			rssMB = v / (1 << 20)
		}
	}
	return goroutines, rssMB
}

func waitReady(base string) {
	for i := 0; i < 600; i++ {
		if res, err := http.Get(base + "/readyz"); err == nil {
			res.Body.Close()
			if res.StatusCode == 200 {
				return
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	must(fmt.Errorf("service not ready"))
}

func freeAddr() string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	must(err)
	defer ln.Close()
	return ln.Addr().String()
}

func must(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "soak:", err)
		os.Exit(1)
	}
}
