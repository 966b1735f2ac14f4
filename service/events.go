package service

import (
	"context"
	"time"

	"github.com/thidua/thidua/domain"
)

// Event is a change an acknowledged command made, for subscribers: the
// record after the change (before it, for a deletion).
type Event struct {
	Kind   string // award, movement, periodReview, provinceReport, dossier, unit, registration, initiative
	Op     string // CREATED, UPDATED, DELETED
	Record any    // *domain.Award, *domain.Movement, *domain.PeriodReview, *domain.ProvinceReport
	At     time.Time

	// Who may see the change, as of the moment of the event: anyone when
	// Published, else the callers whose read grants cover Owner. A province
	// report follows its review: public when the review is published,
	// else owned by "*".
	Published bool
	Owner     string
}

// Publisher receives the events of acknowledged changes (the
// subscriptions' source on the single-writer deployment).
type Publisher interface {
	Publish(ctx context.Context, e Event)
}

// publish sends an event, if anyone listens.
func (s *Service) publish(ctx context.Context, kind, op string, record any) {
	if s.Events == nil || s.fromStream.Load() {
		return
	}
	e := Event{Kind: kind, Op: op, Record: record, At: s.now()}
	e.Published, e.Owner = s.visibility(ctx, record)
	s.Events.Publish(ctx, e)
}

// visibility says who may see a record now: published, or its owner.
// Anything unknown is owned by "*" and unpublished, the narrowest.
func (s *Service) visibility(ctx context.Context, record any) (published bool, owner string) {
	switch r := record.(type) {
	case *domain.Award:
		return r.Published, r.Owner
	case *domain.Movement:
		return r.Published, r.Owner
	case *domain.PeriodReview:
		return r.Published, r.Owner
	case *domain.Unit:
		return r.Published, r.Owner
	case *domain.EmulationRegistration:
		return r.Published, r.Owner
	case *domain.Initiative:
		return r.Published, r.Owner
	case *domain.Dossier:
		// Its owner's viewers; a dossier addressed to a central authority
		// is "*"'s too, whose viewers see every owner.
		return false, r.Owner
	case *domain.ProvinceReport:
		// The write is done; the read must not be cut short by the
		// caller leaving, nor hold the writer for long.
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
		defer cancel()
		review, err := s.Store.PeriodReview(rctx, r.ReviewID, domain.Access{All: true})
		if err != nil || review == nil {
			return false, domain.ScopeAll
		}
		return review.Published, review.Owner
	}
	return false, domain.ScopeAll
}
