package service

import (
	"context"
	"errors"
)

// Transactor is a Store that can run a function in a database transaction
// (the repository: a MongoDB replica set has them, FerretDB does not, and
// then fn runs directly).
type Transactor interface {
	InTransaction(ctx context.Context, fn func(ctx context.Context) error) error
}

// InTransaction runs fn in one transaction when the store has them, so
// that every write made with fn's context commits together or not at all;
// otherwise it runs fn directly. fn may run more than once (a transient
// error such as a write conflict is retried by the driver): it must return
// such errors (Transient) rather than swallow them.
func (s *Service) InTransaction(ctx context.Context, fn func(ctx context.Context) error) error {
	if t, ok := s.Store.(Transactor); ok {
		return t.InTransaction(ctx, fn)
	}
	return fn(ctx)
}

// Transactional reports whether InTransaction makes its writes atomic.
func (s *Service) Transactional() bool {
	t, ok := s.Store.(interface{ HasTransactions() bool })
	return ok && t.HasTransactions()
}

// Transient reports whether err is one the transaction's runner retries
// (the driver's TransientTransactionError label), wherever it is wrapped.
func Transient(err error) bool {
	var le interface{ HasErrorLabel(string) bool }
	return errors.As(err, &le) && le.HasErrorLabel("TransientTransactionError")
}
