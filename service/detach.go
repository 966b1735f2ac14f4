package service

import (
	"context"
	"sync"
	"time"
)

// DefaultCommandTimeout bounds a command that has been detached from its
// request (COMMAND_TIMEOUT; Service.CommandTimeout).
const DefaultCommandTimeout = 30 * time.Second

// Detach returns the context a command runs in: the request's values (the
// caller, the request id, the audit record) without its cancellation, and
// a deadline of the command's own (CommandTimeout, or the request's
// deadline if that is later).
//
// A client that goes away — a closed tab, an aborted fetch, a cut link —
// cancels its request. Were that to reach a command half-way, the
// database could apply a write whose answer nobody reads (the server runs
// what it was sent), while the command, told "canceled", reports no change:
// no audit entry, and a read model that misses what the database holds.
// Detached, a command runs to its end, or to its own undo, whatever the
// client does; only its own deadline stops it, and a write whose outcome
// that leaves unknown is read back (repository: resync).
//
// Until its cancel function is called the command counts as running, and
// Drain waits for it: a stopping process lets its commands finish (those
// of WebSocket connections too, which the HTTP server's shutdown does not
// wait for) before it closes the database.
func (s *Service) Detach(ctx context.Context) (context.Context, context.CancelFunc) {
	d := s.CommandTimeout
	if d <= 0 {
		d = DefaultCommandTimeout
	}
	deadline := time.Now().Add(d)
	if dl, ok := ctx.Deadline(); ok && dl.After(deadline) {
		deadline = dl
	}
	s.running.Add(1)
	dctx, cancel := context.WithDeadline(context.WithoutCancel(ctx), deadline)
	var once sync.Once
	return dctx, func() {
		cancel()
		once.Do(func() { s.running.Add(-1) })
	}
}

// Drain waits until no detached command runs, or ctx ends; it reports how
// many were still running then.
func (s *Service) Drain(ctx context.Context) int {
	for {
		n := int(s.running.Load())
		if n == 0 {
			return 0
		}
		select {
		case <-ctx.Done():
			return n
		case <-time.After(10 * time.Millisecond):
		}
	}
}
