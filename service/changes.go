package service

import (
	"context"
	"sync/atomic"
)

// RelayChanges publishes the committed changes a store reports — on a
// MongoDB replica set, its change stream, which sees the writes of every
// process and only committed ones — instead of each command publishing its
// own change: watch calls emit for each change until ctx ends. It returns
// watch's error at once when the store has no such stream (then the
// commands keep publishing).
func (s *Service) RelayChanges(ctx context.Context, watch func(ctx context.Context, emit func(kind, op string, record any)) error) error {
	s.UseChangeStream()
	err := watch(ctx, func(kind, op string, record any) {
		if s.Events == nil {
			return
		}
		e := Event{Kind: kind, Op: op, Record: record, At: s.now()}
		e.Published, e.Owner = s.visibility(ctx, record)
		s.Events.Publish(ctx, e)
	})
	if err != nil {
		s.fromStream.Store(false)
	}
	return err
}

// UseChangeStream makes commands stop publishing their own changes: call
// it before serving when RelayChanges will run, so that no change is
// published twice (by its command and by the stream).
func (s *Service) UseChangeStream() { s.fromStream.Store(true) }

// streamed reports whether changes come from the store's stream (so a
// command does not publish its own).
type streamed struct{ atomic.Bool }
