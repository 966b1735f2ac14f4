package service

import (
	"context"
	"time"
)

// Event is a change an acknowledged command made, for subscribers: the
// record after the change (before it, for a deletion).
type Event struct {
	Kind   string // award, movement, periodReview, provinceReport
	Op     string // CREATED, UPDATED, DELETED
	Record any    // *domain.Award, *domain.Movement, *domain.PeriodReview, *domain.ProvinceReport
	At     time.Time
}

// Publisher receives the events of acknowledged changes (the
// subscriptions' source on the single-writer deployment).
type Publisher interface {
	Publish(ctx context.Context, e Event)
}

// publish sends an event, if anyone listens.
func (s *Service) publish(ctx context.Context, kind, op string, record any) {
	if s.Events != nil {
		s.Events.Publish(ctx, Event{Kind: kind, Op: op, Record: record, At: s.now()})
	}
}
