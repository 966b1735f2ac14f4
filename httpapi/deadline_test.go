package httpapi

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"runtime"
	"testing"
	"time"
)

type ctxKey struct{}

// A lazy deadline answers as context.WithTimeout does, before and after
// its deadline, for the context itself and for contexts derived from it.
func TestLazyDeadlineActsAsWithTimeout(t *testing.T) {
	parent := context.WithValue(context.Background(), ctxKey{}, "v")
	c := newLazyDeadline(parent, 50*time.Millisecond)
	defer c.stop()
	if err := c.Err(); err != nil {
		t.Fatalf("Err before the deadline: %v", err)
	}
	if c.Value(ctxKey{}) != "v" {
		t.Fatal("a value of the parent is not seen")
	}
	if d, ok := c.Deadline(); !ok || time.Until(d) > 50*time.Millisecond || time.Until(d) < 0 {
		t.Fatalf("Deadline = %v, %v", d, ok)
	}
	if c.made.Load() {
		t.Fatal("Err, Value and Deadline made the timer")
	}
	child, cancel := context.WithCancel(context.WithValue(c, ctxKey{}, "w"))
	defer cancel()
	select {
	case <-child.Done():
	case <-time.After(2 * time.Second):
		t.Fatal("a derived context is not cancelled at the deadline")
	}
	if !errors.Is(c.Err(), context.DeadlineExceeded) || !errors.Is(child.Err(), context.DeadlineExceeded) {
		t.Fatalf("Err after the deadline: %v, child %v", c.Err(), child.Err())
	}
	if !errors.Is(context.Cause(child), context.DeadlineExceeded) {
		t.Fatalf("Cause = %v", context.Cause(child))
	}
}

// Past its deadline, a lazy deadline that nothing waited on says so.
func TestLazyDeadlinePassedUnwatched(t *testing.T) {
	c := newLazyDeadline(context.Background(), time.Millisecond)
	defer c.stop()
	time.Sleep(5 * time.Millisecond)
	if !errors.Is(c.Err(), context.DeadlineExceeded) {
		t.Fatalf("Err = %v", c.Err())
	}
	if !errors.Is(context.Cause(c), context.DeadlineExceeded) {
		t.Fatalf("Cause = %v", context.Cause(c))
	}
	select {
	case <-c.Done():
	default:
		t.Fatal("Done is open after the deadline")
	}
}

// The parent's cancellation (a cut connection) reaches it, made or not.
func TestLazyDeadlineParentCancelled(t *testing.T) {
	parent, cancel := context.WithCancel(context.Background())
	c := newLazyDeadline(parent, time.Hour)
	defer c.stop()
	cancel()
	if !errors.Is(c.Err(), context.Canceled) {
		t.Fatalf("Err = %v", c.Err())
	}
	select {
	case <-c.Done():
	case <-time.After(time.Second):
		t.Fatal("Done stays open after the parent's cancellation")
	}
}

// Stopped before anything waited: cancelled, its values still there.
func TestLazyDeadlineStoppedFirst(t *testing.T) {
	c := newLazyDeadline(context.WithValue(context.Background(), ctxKey{}, "v"), time.Hour)
	c.stop()
	select {
	case <-c.Done():
	default:
		t.Fatal("Done is open after stop")
	}
	if !errors.Is(c.Err(), context.Canceled) || c.Value(ctxKey{}) != "v" {
		t.Fatalf("Err = %v, value %v", c.Err(), c.Value(ctxKey{}))
	}
	late := newLazyDeadline(context.Background(), time.Millisecond)
	time.Sleep(5 * time.Millisecond)
	late.stop()
	if !errors.Is(late.Err(), context.DeadlineExceeded) {
		t.Fatalf("stopped past its deadline, Err = %v (a WithTimeout's timer would have fired)", late.Err())
	}
	made := newLazyDeadline(context.Background(), time.Hour)
	<-func() <-chan struct{} { go made.stop(); return made.Done() }()
	if !errors.Is(made.Err(), context.Canceled) {
		t.Fatalf("Err after stop = %v", made.Err())
	}
}

// Contexts derived from a made lazy deadline are cancelled by it directly,
// as by context's own types: no goroutine each.
func TestLazyDeadlineDerivedWithoutGoroutines(t *testing.T) {
	const n = 200
	before := runtime.NumGoroutine()
	var stops []func()
	for range n {
		c := newLazyDeadline(context.Background(), time.Hour)
		_, cancel := context.WithCancel(c)
		stops = append(stops, cancel, c.stop)
	}
	if grew := runtime.NumGoroutine() - before; grew > n/10 {
		t.Errorf("%d derived contexts started %d goroutines", n, grew)
	}
	for _, s := range stops {
		s()
	}
}

// Through the HTTP surface: a handler that waits is stopped at the
// request's deadline; one that does not wait makes no timer.
func TestRequestDeadline(t *testing.T) {
	var got error
	h := withTimeout(30*time.Millisecond, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
			got = r.Context().Err()
		case <-time.After(5 * time.Second):
		}
	}))
	start := time.Now()
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/", nil))
	if !errors.Is(got, context.DeadlineExceeded) || time.Since(start) > 2*time.Second {
		t.Fatalf("waited %v, Err %v", time.Since(start), got)
	}
	var lazy *lazyDeadline
	h = withTimeout(time.Hour, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		lazy, _ = r.Context().(*lazyDeadline)
		_ = r.Context().Err()
	}))
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/", nil))
	if lazy == nil || lazy.cancel != nil {
		t.Fatalf("a request that never waited made a timer (%v)", lazy)
	}
}
