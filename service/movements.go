package service

import (
	"context"

	"github.com/thidua/thidua/auth"
	"github.com/thidua/thidua/domain"
)

// CreateMovement records a movement (policy: editor of its province, or of
// "*" for national and cluster movements).
func (s *Service) CreateMovement(ctx context.Context, in domain.MovementInput) (*domain.Movement, error) {
	if err := auth.Authorize(caller(ctx), auth.CreateMovement, in.OwnerScope()); err != nil {
		return nil, err
	}
	m, err := domain.CheckMovement(s.ref(), s.now(), in)
	if err != nil {
		return nil, err
	}
	if err := s.Store.CreateMovement(ctx, m); err != nil {
		return nil, err
	}
	recordChange(ctx, m.ID, m.ProvinceID, nil, m, nil, intp(m.Version))
	s.publish(ctx, "movement", "CREATED", m)
	return m, nil
}

// UpdateMovement replaces a movement at the expected version (policy:
// editor of the stored movement's scope and of the new one).
func (s *Service) UpdateMovement(ctx context.Context, id string, in domain.MovementInput, expected int) (*domain.Movement, error) {
	write, err := writeAccess(ctx, auth.UpdateMovement)
	if err != nil {
		return nil, err
	}
	if err := domain.CheckID("id", id); err != nil {
		return nil, err
	}
	if err := auth.Authorize(caller(ctx), auth.UpdateMovement, in.OwnerScope()); err != nil {
		return nil, s.fileRefusal(ctx, "movement", id, err)
	}
	next, err := domain.CheckMovement(s.ref(), s.now(), in)
	if err != nil {
		return nil, err
	}
	before, after, err := s.Store.UpdateMovement(ctx, id, expected, readAccess(ctx), write, func(old *domain.Movement) (*domain.Movement, error) {
		out := *next
		out.ID, out.Meta = old.ID, old.Meta
		return &out, nil
	})
	if err != nil {
		return nil, s.fileRefusal(ctx, "movement", id, err)
	}
	recordChange(ctx, id, after.ProvinceID, before, after, intp(before.Version), intp(after.Version))
	s.publish(ctx, "movement", "UPDATED", after)
	return after, nil
}

// DeleteMovement deletes a movement nothing refers to (policy: editor of
// its scope).
func (s *Service) DeleteMovement(ctx context.Context, id string, expected int) error {
	write, err := writeAccess(ctx, auth.DeleteMovement)
	if err != nil {
		return err
	}
	if err := domain.CheckID("id", id); err != nil {
		return err
	}
	before, err := s.Store.DeleteMovement(ctx, id, expected, readAccess(ctx), write)
	if err != nil {
		return s.fileRefusal(ctx, "movement", id, err)
	}
	recordChange(ctx, id, before.ProvinceID, before, nil, intp(before.Version), nil)
	s.publish(ctx, "movement", "DELETED", before)
	return nil
}

// Movement reads a movement the caller may see; nil when absent or hidden.
func (s *Service) Movement(ctx context.Context, id string) (*domain.Movement, error) {
	return orNil(s.Store.Movement(ctx, id, readAccess(ctx))) // a malformed id names nothing
}

// MovementsByID reads the movements the caller may see, by id, in one
// query (loaders); malformed ids are left out.
func (s *Service) MovementsByID(ctx context.Context, ids []string) (map[string]*domain.Movement, error) {
	return s.Store.MovementsByID(ctx, ids, readAccess(ctx)) // an id that names none has no entry
}

// Movements lists the movements the caller may see, by title.
func (s *Service) Movements(ctx context.Context, f domain.MovementFilter, p domain.PageArgs) (*domain.Page[domain.Movement], error) {
	if err := domain.CheckSearch("filter.search", f.Search); err != nil {
		return nil, err
	}
	if err := checkPage(p); err != nil {
		return nil, err
	}
	return s.Store.Movements(ctx, f, readAccess(ctx), p)
}
