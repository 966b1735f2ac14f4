package embeddb

import (
	"context"
	"log/slog"
	"strings"
	"sync"
)

// quiet drops the one warning FerretDB logs on every clean disconnect: the
// MongoDB driver ends its sessions with endSessions, which FerretDB does not
// implement, and FerretDB dumps the refused command's response header and
// message at WARN. Every other record passes.
//
// FerretDB logs a response as two records in a row on the connection's own
// logger (derived with With): "Response header: …", then "Response
// message: …". The header is held until the message shows what it was.
type quiet struct {
	slog.Handler
	held *held // per derived logger: one FerretDB connection
}

type held struct {
	mu  sync.Mutex
	rec *slog.Record
	ctx context.Context
}

func newQuiet(h slog.Handler) slog.Handler { return quiet{h, &held{}} }

func isEndSessionsRefusal(r slog.Record) bool {
	return strings.Contains(r.Message, "message:") && strings.Contains(r.Message, "no such command: 'endSessions'")
}

func (q quiet) Handle(ctx context.Context, r slog.Record) error {
	q.held.mu.Lock()
	defer q.held.mu.Unlock()
	prev, prevCtx := q.held.rec, q.held.ctx
	q.held.rec, q.held.ctx = nil, nil
	if isEndSessionsRefusal(r) {
		return nil // and its header, if held
	}
	var err error
	if prev != nil {
		err = q.Handler.Handle(prevCtx, *prev)
	}
	if strings.HasPrefix(r.Message, "Response header: ") {
		c := r.Clone()
		q.held.rec, q.held.ctx = &c, ctx
		return err
	}
	if e := q.Handler.Handle(ctx, r); e != nil {
		err = e
	}
	return err
}

func (q quiet) WithAttrs(a []slog.Attr) slog.Handler { return quiet{q.Handler.WithAttrs(a), &held{}} }

func (q quiet) WithGroup(g string) slog.Handler { return quiet{q.Handler.WithGroup(g), &held{}} }
