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
//
// What a command must do only once its writes are visible to all — reload
// the process-wide catalogue — it asks for with afterCommit: run after the
// commit, with ctx, and not at all if the transaction did not commit.
func (s *Service) InTransaction(ctx context.Context, fn func(ctx context.Context) error) error {
	t, ok := s.Store.(Transactor)
	if !ok || ctx.Value(commitHooksKey{}) != nil {
		return fn(ctx)
	}
	var hooks commitHooks
	err := t.InTransaction(ctx, func(tctx context.Context) error {
		hooks = nil // a run again starts over
		return fn(context.WithValue(tctx, commitHooksKey{}, &hooks))
	})
	if err == nil {
		for _, h := range hooks {
			h(ctx)
		}
	}
	return err
}

type commitHooksKey struct{}

type commitHooks []func(ctx context.Context)

// afterCommit runs h once the transaction ctx is in has committed, or now
// when ctx is in none.
func afterCommit(ctx context.Context, h func(ctx context.Context)) {
	if hooks, ok := ctx.Value(commitHooksKey{}).(*commitHooks); ok {
		*hooks = append(*hooks, h)
		return
	}
	h(ctx)
}

// Transactional reports whether InTransaction makes its writes atomic.
func (s *Service) Transactional() bool {
	t, ok := s.Store.(interface{ HasTransactions() bool })
	return ok && t.HasTransactions()
}

// Transient reports whether err is one the transaction's runner retries
// (the driver's TransientTransactionError label), wherever it is wrapped.
func Transient(err error) bool { return hasLabel(err, "TransientTransactionError") }

// CommitUnknown reports whether err leaves a transaction's outcome unknown
// (the UnknownTransactionCommitResult label: its commit was not answered in
// time): it may have committed.
func CommitUnknown(err error) bool { return hasLabel(err, "UnknownTransactionCommitResult") }

// hasLabel reports whether err, wherever wrapped, carries a driver label.
func hasLabel(err error, label string) bool {
	var le interface{ HasErrorLabel(string) bool }
	return errors.As(err, &le) && le.HasErrorLabel(label)
}

// CommittedEntry reads back whether the audit entry of id — written in a
// transaction whose outcome is unknown (CommitUnknown) — is stored: if it
// is, the transaction committed. known is false when the store cannot
// tell (it has no such read, or the read failed: err).
func (s *Service) CommittedEntry(ctx context.Context, id string) (stored, known bool, err error) {
	r, ok := s.Store.(interface {
		AuditEntryStored(ctx context.Context, id string) (bool, error)
	})
	if !ok || id == "" {
		return false, false, nil
	}
	stored, err = r.AuditEntryStored(ctx, id)
	return stored, err == nil, err
}
