package repository

import (
	"context"
	"sync"

	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/thidua/thidua/domain"
)

// TxDouble is, for tests on a server without transactions (the embedded
// FerretDB), a store that behaves as MongoDB's transactions do where it
// matters to their callers:
//
//   - the callback runs with a context carrying a real driver session,
//     ended when InTransaction returns: any later use of that context
//     fails as on MongoDB ("ended session was used");
//   - a transaction sees its first snapshot: a dossier or movement read
//     twice in one transaction is the same both times, whatever was
//     committed meanwhile (OnSnapshot runs after the first read, to commit
//     something in between);
//   - the callback runs again after a transient error, and Retries more
//     times after a success (as after a commit that hit one) — without the
//     rollback a real transaction would make.
//
// The guards written for snapshot isolation (HoldMovement, KeepDossierOpen)
// act inside its transactions as inside MongoDB's. It is not MongoDB: writes
// are not isolated, nothing is rolled back.
type TxDouble struct {
	*Store
	// Retries is how many more times a successful callback runs.
	Retries int
	// OnSnapshot, if set, runs after a transaction's first read of a
	// record (kind "dossier" or "movement"), with a context outside it.
	OnSnapshot func(ctx context.Context, kind, id string)
	// Commit, if set, is the commit step: it runs after a successful
	// callback, with the context InTransaction's commit is bounded by
	// (the callback's deadline plus the commit margin). Its error is the
	// commit's (a label UnknownTransactionCommitResult: the outcome is
	// unknown; TransientTransactionError: run again).
	Commit func(ctx context.Context) error
	// Runs counts the callbacks run.
	Runs int
}

type doubleTxKey struct{}

// doubleTx is the state of one of the double's transactions.
type doubleTx struct {
	mu   sync.Mutex
	snap map[string]any
}

// HasTransactions makes the service treat the double as MongoDB.
func (d *TxDouble) HasTransactions() bool { return true }

// InTransaction runs fn as MongoDB's transaction runner would (see TxDouble).
func (d *TxDouble) InTransaction(ctx context.Context, fn func(ctx context.Context) error) error {
	if txActive(ctx) {
		return fn(ctx)
	}
	sess, err := d.client.StartSession()
	if err != nil {
		return mapErr(err)
	}
	defer sess.EndSession(context.WithoutCancel(ctx))
	ds := &doubleSession{d: d}
	return runTransaction(ctx, ds, d.commitMargin, func(ctx context.Context) error {
		d.Runs++
		ds.runs++
		return fn(context.WithValue(mongo.NewSessionContext(ctx, sess), doubleTxKey{}, &doubleTx{snap: map[string]any{}}))
	})
}

// doubleSession is the double's transaction control: nothing to start or
// abort (nothing is rolled back), a commit that is Commit's, or after
// Retries more runs (a transient error) a success.
type doubleSession struct {
	d    *TxDouble
	runs int // this transaction's
}

func (*doubleSession) StartTransaction(...options.Lister[options.TransactionOptions]) error {
	return nil
}
func (*doubleSession) AbortTransaction(context.Context) error { return nil }
func (s *doubleSession) CommitTransaction(ctx context.Context) error {
	if s.runs <= s.d.Retries {
		return mongo.CommandError{Code: 112, Name: "WriteConflict", Message: "TxDouble: run again",
			Labels: []string{"TransientTransactionError"}}
	}
	if s.d.Commit != nil {
		return s.d.Commit(ctx)
	}
	return nil
}

// Dossier reads a dossier as of the transaction's first read of it.
func (d *TxDouble) Dossier(ctx context.Context, id string, read domain.Access) (*domain.Dossier, error) {
	return snapshot(ctx, d, "dossier", id, func() (*domain.Dossier, error) { return d.Store.Dossier(ctx, id, read) })
}

// Movement reads a movement as of the transaction's first read of it.
func (d *TxDouble) Movement(ctx context.Context, id string, read domain.Access) (*domain.Movement, error) {
	return snapshot(ctx, d, "movement", id, func() (*domain.Movement, error) { return d.Store.Movement(ctx, id, read) })
}

func snapshot[T any](ctx context.Context, d *TxDouble, kind, id string, read func() (*T, error)) (*T, error) {
	tx, _ := ctx.Value(doubleTxKey{}).(*doubleTx)
	if tx == nil {
		return read()
	}
	key := kind + "/" + id
	tx.mu.Lock()
	v, ok := tx.snap[key]
	tx.mu.Unlock()
	if ok {
		c := *v.(*T)
		return &c, nil
	}
	r, err := read()
	if err != nil {
		return r, err
	}
	c := *r
	tx.mu.Lock()
	tx.snap[key] = &c
	tx.mu.Unlock()
	if d.OnSnapshot != nil {
		// The hook stands for another client committing meanwhile: its own
		// context, carrying neither this transaction's session nor its
		// snapshot (a context derived from ctx would write inside them).
		d.OnSnapshot(context.Background(), kind, id)
	}
	return r, nil
}
