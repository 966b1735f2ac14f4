package service

import "context"

// Guards for snapshot isolation (repository/guards.go): the stores that
// have them write, in a transaction, to the record a check is about, so
// that a concurrent transaction changing that record conflicts instead of
// both committing on stale reads.
type guards interface {
	HoldMovement(ctx context.Context, id string) error
	KeepDossierOpen(ctx context.Context, id string) error
}

// holdMovement keeps the movement an award names from being deleted until
// the award's transaction commits.
func (s *Service) holdMovement(ctx context.Context, id string) error {
	if g, ok := s.Store.(guards); ok && id != "" {
		return g.HoldMovement(ctx, id)
	}
	return nil
}

// keepDossierOpen checks that a dossier still takes files once one was
// stored for it (CONFLICT when it was submitted meanwhile); guarded false
// when the store has no such guard.
func (s *Service) keepDossierOpen(ctx context.Context, id string) (guarded bool, err error) {
	g, ok := s.Store.(guards)
	if !ok {
		return false, nil
	}
	return true, g.KeepDossierOpen(ctx, id)
}
