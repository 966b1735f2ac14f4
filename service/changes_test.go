package service

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/thidua/thidua/domain"
)

type recorder struct{ events []Event }

func (r *recorder) Publish(_ context.Context, e Event) { r.events = append(r.events, e) }

// Where the store has a change stream (MongoDB), subscriptions follow it —
// with each record's visibility — and commands no longer publish their
// own changes; where it has none, commands keep publishing.
func TestRelayChanges(t *testing.T) {
	rec := &recorder{}
	s := &Service{Events: rec, Now: time.Now}
	ctx := context.Background()
	award := &domain.Award{ID: "a1", Owner: "lang-son", Published: false}
	err := s.RelayChanges(ctx, func(ctx context.Context, emit func(kind, op string, record any)) error {
		emit("award", "CREATED", award)
		s.publish(ctx, "award", "CREATED", award) // a command's own event: not sent twice
		return nil
	})
	if err != nil || len(rec.events) != 1 || rec.events[0].Owner != "lang-son" || rec.events[0].Published {
		t.Fatalf("relayed: %v %+v", err, rec.events)
	}

	rec.events = nil
	noStream := errors.New("no change streams")
	if err := s.RelayChanges(ctx, func(context.Context, func(string, string, any)) error { return noStream }); !errors.Is(err, noStream) {
		t.Fatal(err)
	}
	s.publish(ctx, "award", "UPDATED", award)
	if len(rec.events) != 1 {
		t.Fatalf("without a stream the command publishes: %+v", rec.events)
	}
}
