// Command bench measures thidua: it builds the server, loads synthetic data
// sets, drives named operations at several concurrencies, measures the same
// reads done directly with the driver (the floor), and writes
// bench/RESULTS.md, bench/results.json and bench/latency.svg.
//
// Run it with bench/run.sh, which also starts PostgreSQL for the second
// backend. See bench/README.md.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/thidua/thidua/auth"
	"github.com/thidua/thidua/embeddb"
	"github.com/thidua/thidua/repository"
)

const secret = "bench-secret-bench-secret-bench-secret"

type cell struct {
	Backend    string  `json:"backend"`
	Size       int     `json:"size"`
	Op         string  `json:"op"`
	Floor      bool    `json:"floor"`
	Conc       int     `json:"concurrency"`
	N          int     `json:"n"`
	Failures   int     `json:"failures"`
	Throughput float64 `json:"throughput"`
	P50        float64 `json:"p50_ms"`
	P95        float64 `json:"p95_ms"`
	P99        float64 `json:"p99_ms"`
	RoundTrips float64 `json:"round_trips"`
	// CPUms is the service process's own CPU time (user + system, from
	// /proc/<pid>/stat) per request, in milliseconds: with the embedded
	// server the database's work in that process is included. Contention
	// inflates it far less than latency. 0 for driver-floor cells.
	CPUms float64 `json:"cpu_ms"`
}

type runInfo struct {
	Backend string  `json:"backend"`
	Size    int     `json:"size"`
	LoadSec float64 `json:"load_seconds"`
	MaxRSS  float64 `json:"max_rss_mb"`
	// StartSec is from starting the service's process until it answers
	// (its read model loaded).
	StartSec float64 `json:"start_seconds"`
	// MaxRSSFloor is the peak over the whole run, the driver-floor reads
	// included: with the embedded server those run inside the service's
	// process (FerretDB decodes whole collections there), so MaxRSS is the
	// peak while the API is driven.
	MaxRSSFloor float64 `json:"max_rss_with_floor_mb"`
}

func main() {
	sizes := flag.String("sizes", "1000,10000,100000", "data set sizes (awards)")
	concs := flag.String("conc", "1,8,32", "concurrencies")
	dur := flag.Duration("duration", 2*time.Second, "time per operation and concurrency")
	backends := flag.String("backends", "sqlite,postgresql", "embedded FerretDB/SQLite and/or FerretDB on PostgreSQL")
	pgURL := flag.String("pg", "", "PostgreSQL URL for the postgresql backend")
	bin := flag.String("bin", "", "the thidua binary (built by run.sh)")
	out := flag.String("out", "bench", "where to write the results")
	only := flag.String("ops", "", "only these operations (comma-separated, e.g. dossiers,decision50); default all")
	loadOnly := flag.String("load", "", "only write a data set (the first of -sizes) into this DATA_DIR, for profiling by hand, and exit")
	if serveHTTPFloor() {
		return
	}
	flag.Parse()
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	if *loadOnly != "" {
		size, _ := strconv.Atoi(strings.Split(*sizes, ",")[0])
		_, err := loadEmbedded(context.Background(), *loadOnly, "thidua", size, slog.New(slog.NewTextHandler(io.Discard, nil)))
		must(err)
		logger.Info("data set written", "dir", *loadOnly, "awards", size)
		return
	}
	var cells []cell
	var runs []runInfo
	for _, backend := range strings.Split(*backends, ",") {
		if backend == "postgresql" && *pgURL == "" {
			logger.Warn("no -pg URL: skipping the postgresql backend")
			continue
		}
		for _, s := range strings.Split(*sizes, ",") {
			size, _ := strconv.Atoi(s)
			c, ri, err := measure(backend, size, ints(*concs), *dur, *pgURL, *bin, opSet(*only), logger)
			if err != nil {
				logger.Error("measure", "backend", backend, "size", size, "err", err)
				os.Exit(1)
			}
			cells, runs = append(cells, c...), append(runs, ri)
		}
	}
	raw, _ := json.MarshalIndent(map[string]any{"cells": cells, "runs": runs, "machine": machine()}, "", "  ")
	must(os.WriteFile(filepath.Join(*out, "results.json"), raw, 0o644))
	must(os.WriteFile(filepath.Join(*out, "RESULTS.md"), []byte(report(cells, runs, *dur)), 0o644))
	must(os.WriteFile(filepath.Join(*out, "latency.svg"), []byte(plot(cells, before(filepath.Join(*out, "results-before.json")))), 0o644))
	logger.Info("wrote results", "dir", *out)
}

// opSet is the set of operations asked for; nil for all.
func opSet(list string) map[string]bool {
	if list == "" {
		return nil
	}
	set := map[string]bool{}
	for _, o := range strings.Split(list, ",") {
		set[strings.TrimSpace(o)] = true
	}
	return set
}

func measure(backend string, size int, concs []int, dur time.Duration, pgURL, bin string, only map[string]bool, logger *slog.Logger) ([]cell, runInfo, error) {
	ctx := context.Background()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	dbName := fmt.Sprintf("bench_%d", size)
	dbAddr, apiAddr := freeAddr(), freeAddr()
	env := []string{"APP_ENV=development", "JWT_SECRET=" + secret, "ADDR=" + apiAddr, "LOG_LEVEL=warn",
		"REQUEST_TIMEOUT=60s", "MONGODB_DATABASE=" + dbName, "PLAYGROUND=false", "CATALOG_REFRESH=10m"}
	var uri string
	var stopDB func()
	start := time.Now()
	switch backend {
	case "sqlite":
		// Load into the data directory with a FerretDB of our own, then let
		// the service open it as its embedded database.
		dir, err := os.MkdirTemp("", "thidua-bench-*")
		if err != nil {
			return nil, runInfo{}, err
		}
		defer os.RemoveAll(dir)
		ds, err := loadEmbedded(ctx, dir, dbName, size, quiet)
		if err != nil {
			return nil, runInfo{}, err
		}
		env = append(env, "DATA_DIR="+dir, "EMBEDDED_DB_ADDR="+dbAddr)
		uri = "mongodb://" + dbAddr + "/"
		stopDB = func() {}
		return drive(ctx, backend, size, ds, time.Since(start), env, uri, concs, dur, bin, only, logger, stopDB)
	default:
		srv, err := embeddb.StartPostgreSQL(ctx, pgURL, dbAddr, quiet)
		if err != nil {
			return nil, runInfo{}, err
		}
		ds, err := loadInto(ctx, srv.URI(), dbName, size)
		if err != nil {
			srv.Close()
			return nil, runInfo{}, err
		}
		env = append(env, "MONGODB_URI="+srv.URI())
		return drive(ctx, backend, size, ds, time.Since(start), env, srv.URI(), concs, dur, bin, only, logger, srv.Close)
	}
}

// loadEmbedded writes a data set into the data directory dir with an
// embedded server of its own, attachments' bytes in the chunk store as the
// service's are.
func loadEmbedded(ctx context.Context, dir, db string, size int, logger *slog.Logger) (*dataset, error) {
	srv, err := embeddb.Start(ctx, dir, "", logger)
	if err != nil {
		return nil, err
	}
	defer srv.Close()
	chunks, err := embeddb.OpenChunks(dir)
	if err != nil {
		return nil, err
	}
	defer chunks.Close()
	return loadInto(ctx, srv.URI(), db, size, repository.WithChunkStore(chunks))
}

func loadInto(ctx context.Context, uri, db string, size int, opts ...repository.Option) (*dataset, error) {
	s, err := repository.Open(ctx, uri, db, opts...)
	if err != nil {
		return nil, err
	}
	defer s.Close(ctx)
	_ = s.Drop(ctx)
	return load(ctx, s, size)
}

func drive(ctx context.Context, backend string, size int, ds *dataset, loadTime time.Duration, env []string, uri string,
	concs []int, dur time.Duration, bin string, only map[string]bool, logger *slog.Logger, stopDB func()) ([]cell, runInfo, error) {
	defer stopDB()
	logger.Info("data set loaded", "backend", backend, "size", size, "dossiers", ds.dossiers, "seconds", loadTime.Seconds())
	cmd := exec.Command(bin)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stderr = os.Stderr
	started := time.Now()
	if err := cmd.Start(); err != nil {
		return nil, runInfo{}, err
	}
	defer func() { _ = cmd.Process.Signal(os.Interrupt); _ = cmd.Wait() }()
	var apiAddr string
	for _, e := range env {
		if v, ok := strings.CutPrefix(e, "ADDR="); ok {
			apiAddr = v
		}
	}
	base := "http://" + apiAddr
	if err := waitHealthy(base); err != nil {
		return nil, runInfo{}, err
	}
	startSec := time.Since(started).Seconds()
	waitIdle(cmd.Process.Pid, logger)
	rss := watchRSS(cmd.Process.Pid)
	defer rss.stop()

	mc, err := mongo.Connect(options.Client().ApplyURI(uri).SetMaxPoolSize(64))
	if err != nil {
		return nil, runInfo{}, err
	}
	defer mc.Disconnect(ctx)
	c := &client{url: base, http: &http.Client{Timeout: 90 * time.Second,
		// No gzip: the service compresses a kept answer once, and a client
		// decompressing every answer on the service's two cores only
		// takes their time from it (the service's CPU per request is no
		// higher with gzip; its measure would be).
		Transport: &http.Transport{MaxIdleConnsPerHost: 64, MaxConnsPerHost: 64, DisableCompression: true}}}
	editor, _ := auth.Issue(auth.IssueConfig{Secret: []byte(secret), Issuer: "thidua", Audience: "thidua",
		Subject: "bench", Roles: map[string]string{"lang-son": "editor"}, TTL: 24 * time.Hour, Now: time.Now()})
	viewerAll, _ := auth.Issue(auth.IssueConfig{Secret: []byte(secret), Issuer: "thidua", Audience: "thidua",
		Subject: "bench-viewer", Roles: map[string]string{auth.AllScope: "viewer"}, TTL: 24 * time.Hour, Now: time.Now()})
	decider, _ := auth.Issue(auth.IssueConfig{Secret: []byte(secret), Issuer: "thidua", Audience: "thidua",
		Subject: "bench-decider", Roles: map[string]string{"lang-son": "decider"}, TTL: 24 * time.Hour, Now: time.Now()})
	vetter, _ := auth.Issue(auth.IssueConfig{Secret: []byte(secret), Issuer: "thidua", Audience: "thidua",
		Subject: "bench-vetter", Roles: map[string]string{"lang-son": "vetter"}, TTL: 24 * time.Hour, Now: time.Now()})
	floor, err := startHTTPFloor(c)
	if err != nil {
		return nil, runInfo{}, err
	}
	defer floor.stop()
	var ops []operation
	api := withHTTPFloor(apiOps(c, ds, editor, viewerAll, decider, vetter), floor.ops(c))
	for _, op := range append(api, floorOps(mc.Database(fmt.Sprintf("bench_%d", size)), ds)...) {
		if only == nil || only[op.name] {
			ops = append(ops, op)
		}
	}
	var cells []cell
	apiPeak := -1.0
	for _, op := range ops {
		// Whose CPU a cell counts: the service's, the net/http floor's, or
		// none (the driver floor runs in this process).
		pid := cmd.Process.Pid
		httpFloor := !op.api && isHTTPFloor(op.name)
		if httpFloor {
			pid = floor.cmd.Process.Pid
		}
		if !op.api && !httpFloor && apiPeak < 0 {
			apiPeak = rss.peek()
		}
		if k := fixedRuns[op.name]; k > 0 {
			cl, err := fixed(ctx, op, k, base, cmd.Process.Pid)
			if err != nil {
				return nil, runInfo{}, fmt.Errorf("%s: %w", op.name, err)
			}
			cl.Backend, cl.Size, cl.Op, cl.Floor, cl.Conc = backend, size, op.name, !op.api, 1
			cells = append(cells, cl)
			logger.Info("measured", "backend", backend, "size", size, "op", op.name, "runs", k,
				"p50_ms", cl.P50, "p99_ms", cl.P99, "round_trips", cl.RoundTrips)
			continue
		}
		// Warm up (up to 3 requests or 3 s), counting round trips.
		rt := -1.0
		before, n, t0 := dbCommands(base), 0, time.Now()
		var slowest time.Duration
		for n < 3 && (n == 0 || time.Since(t0) < 3*time.Second) {
			t1 := time.Now()
			if err := op.do(ctx, randFor(n)); err != nil {
				return nil, runInfo{}, fmt.Errorf("%s: %w", op.name, err)
			}
			slowest = max(slowest, time.Since(t1))
			n++
		}
		if op.api {
			rt = float64(dbCommands(base)-before) / float64(n)
		}
		for _, conc := range concs {
			if conc > 1 && slowest > time.Second {
				// A request that takes seconds alone would take minutes with
				// many clients on two cores: reported as not run.
				cells = append(cells, cell{Backend: backend, Size: size, Op: op.name, Floor: !op.api, Conc: conc, N: -1, RoundTrips: rt})
				continue
			}
			cpu0 := procCPU(pid)
			lat, fails, elapsed := run(ctx, op, conc, dur)
			cpu := procCPU(pid) - cpu0
			cl := summarize(lat)
			if (op.api || httpFloor) && len(lat)+fails > 0 {
				cl.CPUms = cpu.Seconds() * 1000 / float64(len(lat)+fails)
			}
			cl.Backend, cl.Size, cl.Op, cl.Floor, cl.Conc, cl.Failures = backend, size, op.name, !op.api, conc, fails
			cl.Throughput = float64(len(lat)) / elapsed.Seconds()
			cl.RoundTrips = rt
			cells = append(cells, cl)
			logger.Info("measured", "backend", backend, "size", size, "op", op.name, "floor", !op.api, "conc", conc,
				"rps", int(cl.Throughput), "cpu_ms", cl.CPUms, "p50_ms", cl.P50, "p99_ms", cl.P99, "round_trips", rt, "failures", fails)
		}
	}
	all := rss.stop()
	if apiPeak < 0 {
		apiPeak = all
	}
	return cells, runInfo{Backend: backend, Size: size, LoadSec: loadTime.Seconds(), MaxRSS: apiPeak, MaxRSSFloor: all, StartSec: startSec}, nil
}

// fixed runs op once to warm up and then k times, one after the other,
// counting the database commands of all k+1 runs (see fixedRuns).
func fixed(ctx context.Context, op operation, k int, base string, pid int) (cell, error) {
	before := dbCommands(base)
	var cpu time.Duration
	var lat []time.Duration
	var total time.Duration
	for i := 0; i <= k; i++ {
		t0, cpu0 := time.Now(), procCPU(pid)
		if err := op.do(ctx, randFor(i)); err != nil {
			return cell{}, err
		}
		if i > 0 {
			cpu += procCPU(pid) - cpu0
			lat = append(lat, time.Since(t0))
			total += time.Since(t0)
		}
	}
	cl := summarize(lat)
	cl.Throughput = float64(k) / total.Seconds()
	cl.CPUms = cpu.Seconds() * 1000 / float64(k)
	cl.RoundTrips = float64(dbCommands(base)-before) / float64(k+1)
	return cl, nil
}

func summarize(lat []time.Duration) cell {
	if len(lat) == 0 {
		return cell{}
	}
	slices.Sort(lat)
	q := func(p float64) float64 {
		return float64(lat[min(len(lat)-1, int(p*float64(len(lat))))].Microseconds()) / 1000
	}
	return cell{N: len(lat), P50: q(0.50), P95: q(0.95), P99: q(0.99)}
}

// dbCommands reads thidua_db_commands_total from the service's metrics.
func dbCommands(base string) float64 {
	res, err := http.Get(base + "/metrics")
	if err != nil {
		return 0
	}
	defer res.Body.Close()
	var total float64
	sc := bufio.NewScanner(res.Body)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "thidua_db_commands_total{") {
			f := strings.Fields(line)
			v, _ := strconv.ParseFloat(f[len(f)-1], 64)
			total += v
		}
	}
	return total
}

type rssWatch struct {
	once sync.Once
	done chan struct{}
	max  float64
	mu   sync.Mutex
}

// watchRSS samples the resident memory of pid every 100 ms.
func watchRSS(pid int) *rssWatch {
	w := &rssWatch{done: make(chan struct{})}
	go func() {
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-w.done:
				return
			case <-t.C:
				if mb := rssMB(pid); mb > 0 {
					w.mu.Lock()
					w.max = max(w.max, mb)
					w.mu.Unlock()
				}
			}
		}
	}()
	return w
}

func (w *rssWatch) peek() float64 {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.max
}

func (w *rssWatch) stop() float64 {
	w.once.Do(func() { close(w.done) })
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.max
}

// waitIdle waits (at most a minute) until the service, ready, has finished
// its start's background work (the sweep of orphaned attachments reads
// whole collections for seconds): until it uses under 5 % of a core for
// half a second. Else that work is counted in the first cells' CPU per
// request.
func waitIdle(pid int, logger *slog.Logger) {
	const window = 500 * time.Millisecond
	deadline := time.Now().Add(time.Minute)
	for time.Now().Before(deadline) {
		before := procCPU(pid)
		time.Sleep(window)
		if procCPU(pid)-before < window/20 {
			return
		}
	}
	logger.Warn("the service did not go idle within a minute; measuring anyway")
}

// procCPU is the CPU time (user + system) pid has used so far, from
// /proc/<pid>/stat (fields 14 and 15, in clock ticks of 1/100 s on Linux).
func procCPU(pid int) time.Duration {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// The command name (field 2) may hold spaces: count from after its ')'.
	i := strings.LastIndexByte(string(raw), ')')
	if i < 0 {
		return 0
	}
	f := strings.Fields(string(raw[i+1:]))
	if len(f) < 13 {
		return 0
	}
	utime, _ := strconv.ParseInt(f[11], 10, 64)
	stime, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(utime+stime) * (time.Second / clockTicks)
}

// clockTicks is USER_HZ, the unit of /proc/<pid>/stat's times: 100 on
// every Linux architecture Go supports.
const clockTicks = 100

func rssMB(pid int) float64 {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 64)
			return kb / 1024
		}
	}
	return 0
}

func waitHealthy(base string) error {
	deadline := time.Now().Add(180 * time.Second) // a busy machine: migrations and the read model at 100k
	for time.Now().Before(deadline) {
		if res, err := http.Get(base + "/readyz"); err == nil {
			res.Body.Close()
			if res.StatusCode == 200 {
				return nil
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("service at %s not ready", base)
}

func freeAddr() string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	must(err)
	defer ln.Close()
	return ln.Addr().String()
}

func ints(s string) []int {
	var out []int
	for _, f := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		must(err)
		out = append(out, n)
	}
	return out
}

func machine() map[string]string {
	cpu := "unknown"
	if raw, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(raw), "\n") {
			if v, ok := strings.CutPrefix(line, "model name"); ok {
				cpu = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(v), ":"))
				break
			}
		}
	}
	mem := "unknown"
	if raw, err := os.ReadFile("/proc/meminfo"); err == nil {
		mem = strings.TrimSpace(strings.TrimPrefix(strings.Split(string(raw), "\n")[0], "MemTotal:"))
	}
	return map[string]string{"cpu": cpu, "cores": strconv.Itoa(runtime.NumCPU()), "memory": mem,
		"go": runtime.Version(), "os": runtime.GOOS + "/" + runtime.GOARCH, "date": time.Now().UTC().Format(time.RFC3339)}
}

func must(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

// before reads the cells of an earlier run (results-before.json: the
// embedded server answering every list by scanning, before the read
// model), to plot the new curve beside the old one.
func before(path string) []cell {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	var r struct {
		Cells []cell `json:"cells"`
	}
	if json.Unmarshal(raw, &r) != nil {
		return nil
	}
	return r.Cells
}
