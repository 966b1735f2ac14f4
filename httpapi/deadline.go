package httpapi

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// lazyDeadline is a request's deadline that costs nothing until something
// waits on it. context.WithTimeout starts a timer, allocates a cancel
// context and registers it with the connection's context on every request
// (~2 µs and ~600 bytes, 5 % of a kept answer's CPU: bench/LAYERS.md), yet
// most requests never wait: a kept answer is written in microseconds, and
// only a query that reaches the database or a loader calls Done. The real
// context.WithDeadline is made at the first Done, at an Err asked after the
// deadline has passed, or never; from then on every method is
// the real context's, so contexts derived from it are cancelled by it
// directly (the context package finds its cancelCtx through Value, as it
// does for any of its own contexts: no goroutine per derived context).
//
// Err before the deadline is the parent's (a cut connection cancels the
// parent): what the real context would answer. A stop before anything was
// made leaves a context that is cancelled, as a stopped WithTimeout is.
type lazyDeadline struct {
	context.Context // the parent
	deadline        time.Time
	once            sync.Once
	made            atomic.Bool        // once has run
	real            context.Context    // the made context; nil if stopped first
	cancel          context.CancelFunc // real's
	expired         bool               // stopped first, past the deadline
}

func newLazyDeadline(parent context.Context, timeout time.Duration) *lazyDeadline {
	return &lazyDeadline{Context: parent, deadline: time.Now().Add(timeout)}
}

// make makes the real context unless stop came first; it returns it (nil
// when stopped).
func (c *lazyDeadline) make() context.Context {
	c.once.Do(func() {
		c.real, c.cancel = context.WithDeadline(c.Context, c.deadline)
		c.made.Store(true)
	})
	return c.real
}

// stop releases the real context's timer, if one was made, or leaves the
// context cancelled without making any.
func (c *lazyDeadline) stop() {
	c.once.Do(func() { c.expired = c.passed(); c.made.Store(true) })
	if c.cancel != nil {
		c.cancel()
	}
}

// passed tells whether the deadline has come.
func (c *lazyDeadline) passed() bool { return !time.Now().Before(c.deadline) }

func (c *lazyDeadline) Deadline() (time.Time, bool) {
	if d, ok := c.Context.Deadline(); ok && d.Before(c.deadline) {
		return d, true
	}
	return c.deadline, true
}

func (c *lazyDeadline) Done() <-chan struct{} {
	if real := c.make(); real != nil {
		return real.Done()
	}
	return closedDone
}

func (c *lazyDeadline) Err() error {
	if !c.made.Load() {
		if err := c.Context.Err(); err != nil || !c.passed() {
			return err
		}
	}
	if real := c.make(); real != nil {
		return real.Err()
	}
	if c.expired { // a WithTimeout's timer would have fired first
		return context.DeadlineExceeded
	}
	return context.Canceled
}

// Value is the parent's until the real context is made. The context
// package asks for its cancelCtx through Value only after Done, which makes
// it — but for context.Cause, which asks Value first: of a context never
// made it finds the parent's cause (a cut connection's), else falls back to
// Err (which makes the real context once the deadline has passed), as for
// the real one.
func (c *lazyDeadline) Value(key any) any {
	if c.made.Load() {
		if real := c.make(); real != nil {
			return real.Value(key)
		}
	}
	return c.Context.Value(key)
}

func (c *lazyDeadline) String() string { return "httpapi.lazyDeadline" }

// closedDone is the Done of a context stopped before it was made.
var closedDone = func() chan struct{} { ch := make(chan struct{}); close(ch); return ch }()
