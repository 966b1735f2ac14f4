package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/thidua/thidua/embeddb"
)

// child is the service run as a child process (TestMain's THIDUA_TEST_SERVE).
type child struct {
	cmd    *exec.Cmd
	base   string
	stderr *syncBuffer
	done   chan error // receives the exit once
	exit   error
	exited bool
}

// startChild starts the service with env and returns once it is ready or
// has exited (c.exited).
func startChild(t *testing.T, env map[string]string) *child {
	t.Helper()
	env["ADDR"] = freeAddr(t)
	c := &child{cmd: exec.Command(os.Args[0]), base: "http://" + env["ADDR"], stderr: &syncBuffer{}, done: make(chan error, 1)}
	c.cmd.Env = append(os.Environ(), "THIDUA_TEST_SERVE=1")
	for k, v := range env {
		c.cmd.Env = append(c.cmd.Env, k+"="+v)
	}
	c.cmd.Stderr = c.stderr
	if err := c.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { c.done <- c.cmd.Wait() }()
	t.Cleanup(func() { c.kill(syscall.SIGKILL) })
	deadline := time.Now().Add(60 * time.Second)
	for {
		select {
		case err := <-c.done:
			c.exit, c.exited = err, true
			return c
		default:
		}
		if status(c.base+"/readyz") == 200 {
			return c
		}
		if time.Now().After(deadline) {
			t.Fatalf("the service neither became ready nor exited:\n%s", c.stderr.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// kill signals the child and waits for its exit.
func (c *child) kill(sig syscall.Signal) error {
	if c.exited {
		return c.exit
	}
	_ = c.cmd.Process.Signal(sig)
	c.exit, c.exited = <-c.done, true
	return c.exit
}

// wantRefused checks that c exited non-zero with every one of want in its
// output.
func wantRefused(t *testing.T, c *child, took time.Duration, want ...string) {
	t.Helper()
	if !c.exited {
		c.kill(syscall.SIGKILL)
		t.Fatalf("a second writer started:\n%s", c.stderr.String())
	}
	var exit *exec.ExitError
	if !errors.As(c.exit, &exit) || exit.ExitCode() == 0 {
		t.Errorf("second writer's exit: %v, want non-zero", c.exit)
	}
	if took > 15*time.Second {
		t.Errorf("the second writer took %v to give up, want at once", took)
	}
	out := c.stderr.String()
	for _, w := range want {
		if !strings.Contains(out, w) {
			t.Errorf("the refusal does not say %q:\n%s", w, out)
		}
	}
	t.Logf("refused in %v: %s", took.Round(time.Millisecond), strings.TrimSpace(out))
}

// Embedded: a second process on the same DATA_DIR exits at once, naming the
// directory and the holder; kill -9 the holder and the directory is free.
func TestWriterLockOnDataDir(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"DATA_DIR": dir, "LOG_LEVEL": "error"}
	first := startChild(t, env)
	if first.exited {
		t.Fatalf("first process: %v\n%s", first.exit, first.stderr.String())
	}
	t0 := time.Now()
	second := startChild(t, env)
	host, _ := os.Hostname()
	wantRefused(t, second, time.Since(t0), "thidua: data directory "+dir+" is in use by another process",
		fmt.Sprintf("pid %d on host %s", first.cmd.Process.Pid, host), filepath.Join(dir, "thidua.lock"))

	if err := first.kill(syscall.SIGKILL); err == nil {
		t.Fatal("kill -9 did not kill")
	}
	third := startChild(t, env)
	if third.exited {
		t.Fatalf("after kill -9 of the holder the directory is still refused: %v\n%s", third.exit, third.stderr.String())
	}
	if err := third.kill(syscall.SIGTERM); err != nil {
		t.Errorf("SIGTERM: %v", err)
	}
}

// leaseEnv is the environment of a service on an external FerretDB.
func leaseEnv(t *testing.T, uri, ttl string) map[string]string {
	return map[string]string{"MONGODB_URI": uri, "MONGODB_DATABASE": "leased", "DATA_DIR": t.TempDir() + "/unused",
		"LOG_LEVEL": "error", "WRITER_LEASE_TTL": ttl}
}

func externalFerretDB(t *testing.T) *embeddb.Server {
	t.Helper()
	db, err := embeddb.Start(context.Background(), t.TempDir(), freeAddr(t), slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(db.Close)
	return db
}

// leasedWriter starts the service on a fresh external FerretDB with a
// writer lease of ttl; database is that database, for the test's own looks.
func leasedWriter(t *testing.T, ttl string) (c *child, env map[string]string, database *mongo.Database) {
	t.Helper()
	db := externalFerretDB(t)
	env = leaseEnv(t, db.URI(), ttl)
	c = startChild(t, env)
	if c.exited {
		t.Fatalf("first process: %v\n%s", c.exit, c.stderr.String())
	}
	client, err := mongo.Connect(options.Client().ApplyURI(db.URI()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = client.Disconnect(context.Background()) })
	return c, env, client.Database("leased")
}

// startAfterExpiry starts the service with env again and again while
// another process's lease refuses it, until it starts (at most 20 s after
// since).
func startAfterExpiry(t *testing.T, env map[string]string, since time.Time) *child {
	t.Helper()
	for {
		next := startChild(t, env)
		if !next.exited {
			return next
		}
		if !strings.Contains(next.stderr.String(), "is in use by another writing process") || time.Since(since) > 20*time.Second {
			t.Fatalf("no start %v after the lease holder stopped renewing: %v\n%s", time.Since(since), next.exit, next.stderr.String())
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// External FerretDB: a second process on the same database refuses to start
// while the first holds the writer lease; the lease of a killed process
// expires (WRITER_LEASE_TTL) and a new process starts; one shut down
// cleanly gives it back at once.
func TestWriterLeaseOnExternalFerretDB(t *testing.T) {
	db := externalFerretDB(t)
	env := leaseEnv(t, db.URI(), "2s")
	first := startChild(t, env)
	if first.exited {
		t.Fatalf("first process: %v\n%s", first.exit, first.stderr.String())
	}
	t0 := time.Now()
	second := startChild(t, env)
	host, _ := os.Hostname()
	wantRefused(t, second, time.Since(t0), `thidua: FerretDB database "leased" is in use by another writing process`,
		fmt.Sprintf("pid %d on host %s", first.cmd.Process.Pid, host))

	// Three renewal periods later it is still held.
	time.Sleep(2500 * time.Millisecond)
	if c := startChild(t, env); !c.exited {
		t.Fatal("a second writer started while the first renews its lease")
	}

	if err := first.kill(syscall.SIGKILL); err == nil {
		t.Fatal("kill -9 did not kill")
	}
	killed := time.Now()
	next := startAfterExpiry(t, env, killed)
	t.Logf("a new writer started %v after kill -9 of the holder (WRITER_LEASE_TTL=2s)", time.Since(killed).Round(time.Millisecond))

	// A clean shutdown releases the lease: the next process starts at once.
	if err := next.kill(syscall.SIGTERM); err != nil {
		t.Fatalf("SIGTERM: %v\n%s", err, next.stderr.String())
	}
	env["WRITER_LEASE_TTL"] = "30s"
	if c := startChild(t, env); c.exited {
		t.Fatalf("after a clean shutdown: %v\n%s", c.exit, c.stderr.String())
	} else {
		_ = c.kill(syscall.SIGTERM)
	}
}

// A writer that finds its lease taken exits non-zero (it must not write
// beside another writer).
func TestWriterLeaseLostExits(t *testing.T) {
	c, _, database := leasedWriter(t, "3s")
	// Another process's lease where this one's was (as after an expiry).
	res, err := database.Collection("writer_lease").UpdateOne(t.Context(),
		bson.D{{Key: "_id", Value: "writer"}}, bson.D{{Key: "$set", Value: bson.D{{Key: "owner", Value: "intruder/1/x"},
			{Key: "host", Value: "intruder"}, {Key: "pid", Value: 1}}}})
	if err != nil || res.MatchedCount != 1 {
		t.Fatalf("no lease to take: %v %+v", err, res)
	}
	select {
	case err := <-c.done:
		c.exit, c.exited = err, true
	case <-time.After(10 * time.Second):
		t.Fatalf("the service still runs after losing its lease:\n%s", c.stderr.String())
	}
	wantRefused(t, c, 0, `writer lease on FerretDB database "leased" lost: now held by pid 1 on host intruder`)
	if status(c.base+"/healthz") != 0 {
		t.Error("the service still answers after losing its lease")
	}
}

// The embedded server's address is an external FerretDB to anyone else: a
// process pointed at it is refused by the embedded process's lease.
func TestWriterLeaseOnEmbeddedAddress(t *testing.T) {
	addr := freeAddr(t)
	first := startChild(t, map[string]string{"DATA_DIR": t.TempDir(), "EMBEDDED_DB_ADDR": addr, "LOG_LEVEL": "error"})
	if first.exited {
		t.Fatalf("%v\n%s", first.exit, first.stderr.String())
	}
	env := leaseEnv(t, "mongodb://"+addr+"/", "30s")
	env["MONGODB_DATABASE"] = "thidua"
	second := startChild(t, env)
	wantRefused(t, second, 0, `FerretDB database "thidua" is in use by another writing process`,
		fmt.Sprintf("pid %d", first.cmd.Process.Pid))
	_ = first.kill(syscall.SIGTERM)
}

// MongoDB takes any number of writers (MONGODB_TEST_URI).
func TestWriterNoLeaseOnMongoDB(t *testing.T) {
	uri := os.Getenv("MONGODB_TEST_URI")
	if uri == "" {
		t.Skip("MONGODB_TEST_URI not set")
	}
	env := leaseEnv(t, uri, "30s")
	env["MONGODB_DATABASE"] = fmt.Sprintf("writers_%d", os.Getpid())
	a := startChild(t, env)
	b := startChild(t, env)
	if a.exited || b.exited {
		t.Fatalf("two processes on MongoDB: %v %v\n%s\n%s", a.exit, b.exit, a.stderr.String(), b.stderr.String())
	}
	_ = a.kill(syscall.SIGTERM)
	_ = b.kill(syscall.SIGTERM)
}

// A writer stopped (SIGSTOP: a long GC pause, a frozen VM) past its lease
// while requests queue up for it, a second process takes over, the first
// is resumed: the first sends nothing more — no document of any collection
// appears or changes after the takeover (without the fence the requests
// it resumes with land, and their audit entries: every run) — and exits
// non-zero saying why; the new writer lists exactly what is stored.
func TestPausedWriterWritesNothing(t *testing.T) {
	first, env, database := leasedWriter(t, "3s")
	// snapshot is every stored document but the lease's, by collection
	// and _id; titles the lang-son movements' titles.
	snapshot := func() map[string]string {
		t.Helper()
		names, err := database.ListCollectionNames(t.Context(), bson.D{})
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]string{}
		for _, name := range names {
			if name == "writer_lease" {
				continue
			}
			cur, err := database.Collection(name).Find(t.Context(), bson.D{})
			if err != nil {
				t.Fatal(err)
			}
			for cur.Next(t.Context()) {
				out[name+"/"+cur.Current.Lookup("_id").String()] = cur.Current.String()
			}
			if err := cur.Err(); err != nil {
				t.Fatal(err)
			}
		}
		return out
	}
	titles := func() map[string]bool {
		t.Helper()
		cur, err := database.Collection("movements").Find(t.Context(), bson.D{{Key: "provinceId", Value: "lang-son"}})
		if err != nil {
			t.Fatal(err)
		}
		var docs []struct {
			Title string `bson:"title"`
		}
		if err := cur.All(t.Context(), &docs); err != nil {
			t.Fatal(err)
		}
		out := map[string]bool{}
		for _, d := range docs {
			out[d.Title] = true
		}
		return out
	}

	w := &writes{attempted: map[string]bool{}, client: &http.Client{Timeout: 15 * time.Second}}
	stop := make(chan struct{})
	wg := w.stream(first.base, devToken(t, env, "lang-son=editor"), 64, stop)
	defer func() { _ = first.kill(syscall.SIGKILL); close(stop); wg.Wait() }()
	// Pause once writes are flowing: a few acknowledged (a busy machine may
	// take more than a second for the first), the rest queued behind them.
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		w.mu.Lock()
		n := len(w.acked)
		w.mu.Unlock()
		if n >= 3 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no write was acknowledged in 30 s")
		}
	}
	if err := first.cmd.Process.Signal(syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	paused := time.Now()
	time.Sleep(3 * time.Second)
	second := startAfterExpiry(t, env, paused)
	before := snapshot()
	w.mu.Lock()
	acked := len(w.acked)
	w.mu.Unlock()
	if acked == 0 {
		t.Fatal("no write was acknowledged before the pause")
	}

	resumed := time.Now()
	if err := first.cmd.Process.Signal(syscall.SIGCONT); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-first.done:
		first.exit, first.exited = err, true
	case <-time.After(15 * time.Second):
		t.Fatalf("the resumed writer still runs:\n%s", first.stderr.String())
	}
	exited := time.Since(resumed)
	wantRefused(t, first, exited, `writer lease on FerretDB database "leased" lost`, "by this process's clock")
	time.Sleep(time.Second) // anything it sent before exiting has landed
	late := 0
	for key, doc := range snapshot() {
		if before[key] != doc {
			late++
			if late <= 5 {
				t.Errorf("written by the resumed writer after the takeover: %s %s", key, doc)
			}
		}
	}
	after := titles()
	w.mu.Lock()
	for _, title := range w.acked {
		if !after[title] {
			t.Errorf("acknowledged write %q is not stored", title)
		}
	}
	attempted, ackedAfter := len(w.attempted), len(w.acked)-acked
	w.mu.Unlock()
	listed := stored(t, second.base, devToken(t, env, "*=viewer"))
	if len(listed) != len(after) {
		t.Errorf("the new writer lists %d lang-son movements, %d are stored", len(listed), len(after))
	}
	// (A write sent before the pause may be acknowledged after it: it
	// landed before the takeover, and the new writer lists it.)
	t.Logf("stopped after %d acknowledged writes; taken over %v later; resumed, it exited in %v, acknowledging %d more; "+
		"%d stored in all (%d attempted), %d after the takeover",
		acked, resumed.Sub(paused).Round(time.Millisecond), exited.Round(time.Millisecond), ackedAfter, len(after), attempted, late)
}
