package repository

import (
	"context"
	"errors"
	"time"

	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"go.mongodb.org/mongo-driver/v2/mongo/readconcern"
	"go.mongodb.org/mongo-driver/v2/mongo/readpref"
	"go.mongodb.org/mongo-driver/v2/mongo/writeconcern"
)

// InTransaction runs fn in a MongoDB transaction when the server has them
// (Capabilities().Transactions: a replica set or a sharded cluster), and
// directly otherwise (FerretDB, a standalone mongod). In a transaction, fn's
// context carries the session: every call made with it is part of the
// transaction, which commits with majority write concern and reads a
// snapshot from the primary. fn runs again after a TransientTransactionError
// (a write conflict with a concurrent transaction, a primary stepping down);
// a commit whose result is unknown is tried again (runTransaction). fn must
// therefore be safe to run more than once, and report such errors wrapped
// (mapErr keeps them). Called with a context that is already in a
// transaction, fn joins it.
//
// The commit is bounded by ctx's deadline plus the commit margin
// (WithCommitMargin): a commit waiting for a majority that cannot be
// reached gives up then, with an error whose outcome is unknown
// (CommitUnknown). The driver's own WithTransaction is not used: it
// commits with a context stripped of ctx's deadline, so only the client's
// timeout — or nothing — would bound the wait.
func (s *Store) InTransaction(ctx context.Context, fn func(ctx context.Context) error) error {
	if !s.caps.Transactions || inTransaction(ctx) {
		return fn(ctx)
	}
	sess, err := s.client.StartSession()
	if err != nil {
		return mapErr(err)
	}
	defer sess.EndSession(context.WithoutCancel(ctx))
	return runTransaction(ctx, sess, s.commitMargin, func(ctx context.Context) error {
		return fn(mongo.NewSessionContext(ctx, sess))
	})
}

// DefaultCommitMargin is how long past its command's deadline a commit may
// wait for its majority (WithCommitMargin).
const DefaultCommitMargin = 5 * time.Second

// WithCommitMargin sets how long past ctx's deadline InTransaction's commit
// may run (DefaultCommitMargin when not set).
func WithCommitMargin(d time.Duration) Option {
	return func(s *Store, _ *options.ClientOptions) { s.commitMargin = d }
}

// txSession is what runTransaction needs of a session: *mongo.Session, or
// a test's double.
type txSession interface {
	StartTransaction(opts ...options.Lister[options.TransactionOptions]) error
	CommitTransaction(ctx context.Context) error
	AbortTransaction(ctx context.Context) error
}

// maxTxRuns bounds how many times a transaction's callback runs (each run
// after the first follows a transient error).
const maxTxRuns = 50

// runTransaction runs fn in a transaction of sess and commits it: fn
// again after a transient error (while ctx lasts), the commit again after
// an unknown result (while the commit's bound lasts: ctx's deadline plus
// margin). An error that leaves the outcome unknown — the commit's answer
// lost, its time up — is reported as such (CommitUnknown): the transaction
// may have committed.
func runTransaction(ctx context.Context, sess txSession, margin time.Duration, fn func(ctx context.Context) error) error {
	for run := 1; ; run++ {
		if err := sess.StartTransaction(txOptions()); err != nil {
			return mapErr(err)
		}
		err := fn(ctx)
		if err == nil && ctx.Err() != nil {
			err = ctx.Err() // the commit has no chance: undo instead
		}
		if err != nil {
			abort(ctx, sess)
			if transient(err) && ctx.Err() == nil && run < maxTxRuns {
				continue
			}
			return err
		}
		err = commit(ctx, sess, margin)
		if err != nil && transient(err) && ctx.Err() == nil && run < maxTxRuns {
			continue // refused whole (a conflict, an election): run again
		}
		return err
	}
}

// commit commits sess's transaction within ctx's deadline plus margin,
// again while its result is unknown and time is left.
func commit(ctx context.Context, sess txSession, margin time.Duration) error {
	if margin <= 0 {
		margin = DefaultCommitMargin
	}
	cctx, cancel := context.WithoutCancel(ctx), context.CancelFunc(func() {})
	if dl, ok := ctx.Deadline(); ok {
		cctx, cancel = context.WithDeadline(cctx, dl.Add(margin))
	}
	defer cancel()
	wait := 10 * time.Millisecond
	for {
		err := sess.CommitTransaction(cctx)
		switch {
		case err == nil:
			return nil
		case transient(err):
			return err // not committed
		case hasLabel(err, labelUnknownCommit) && !isMaxTime(err) && cctx.Err() == nil:
			select { // the driver retried once already: again, after a pause
			case <-time.After(wait):
				wait = min(2*wait, 500*time.Millisecond)
				continue
			case <-cctx.Done():
			}
		}
		if hasLabel(err, labelUnknownCommit) || cctx.Err() != nil || mongo.IsTimeout(err) || mongo.IsNetworkError(err) ||
			errors.Is(err, context.DeadlineExceeded) {
			return commitUnknown{mapErr(err)}
		}
		return mapErr(err)
	}
}

// abort ends a transaction that will not commit (its writes are undone),
// whatever ctx's state, within a few seconds.
func abort(ctx context.Context, sess txSession) {
	actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	_ = sess.AbortTransaction(actx)
}

const labelUnknownCommit = "UnknownTransactionCommitResult"

// commitUnknown is a commit whose outcome is unknown: the transaction may
// or may not have committed. It carries the UnknownTransactionCommitResult
// label (service.CommitUnknown finds it) and the labels of its cause.
type commitUnknown struct{ err error }

func (e commitUnknown) Error() string {
	return "the transaction's outcome is unknown (its commit was not answered in time): " + e.err.Error()
}
func (e commitUnknown) Unwrap() error { return e.err }
func (e commitUnknown) HasErrorLabel(l string) bool {
	return l == labelUnknownCommit || (l != "TransientTransactionError" && hasLabel(e.err, l))
}

// hasLabel reports whether err, wherever wrapped, carries a driver label.
func hasLabel(err error, label string) bool {
	var le interface{ HasErrorLabel(string) bool }
	return errors.As(err, &le) && le.HasErrorLabel(label)
}

// isMaxTime reports a server-side time limit (maxTimeMS) exceeded: the
// driver does not retry a commit that hit it.
func isMaxTime(err error) bool {
	var ce mongo.CommandError
	return errors.As(err, &ce) && ce.IsMaxTimeMSExpiredError()
}

func txOptions() *options.TransactionOptionsBuilder {
	return options.Transaction().
		SetWriteConcern(writeconcern.Majority()).
		SetReadConcern(readconcern.Snapshot()).
		SetReadPreference(readpref.Primary())
}

// inTransaction reports whether ctx carries a session with a transaction
// running.
func inTransaction(ctx context.Context) bool {
	sess := mongo.SessionFromContext(ctx)
	return sess != nil && sess.TransactionRunning()
}

// txActive reports whether ctx is in a transaction: MongoDB's, or a
// TxDouble's (tests).
func txActive(ctx context.Context) bool {
	return inTransaction(ctx) || ctx.Value(doubleTxKey{}) != nil
}

// transient reports whether err carries the driver's
// TransientTransactionError label (a transaction to run again).
func transient(err error) bool { return hasLabel(err, "TransientTransactionError") }

// primary is the handle of a collection whose reads go to the primary,
// whatever read preference the URI names (readPreference=secondaryPreferred
// must not make the read before a checked write a stale one).
func (s *Store) primary(name string) *mongo.Collection {
	return s.db.Collection(name, options.Collection().SetReadPreference(readpref.Primary()))
}

// HasTransactions reports whether InTransaction makes its writes atomic
// (service.Transactional).
func (s *Store) HasTransactions() bool { return s.caps.Transactions }
