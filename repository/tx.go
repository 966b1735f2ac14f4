package repository

import (
	"context"
	"errors"

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
// snapshot from the primary. The driver's WithTransaction runs fn again on
// a TransientTransactionError (a write conflict with a concurrent
// transaction, a primary stepping down) and retries a commit whose result is
// unknown; fn must therefore be safe to run more than once, and report such
// errors wrapped (mapErr keeps them). Called with a context that is already
// in a transaction, fn joins it.
func (s *Store) InTransaction(ctx context.Context, fn func(ctx context.Context) error) error {
	if !s.caps.Transactions || inTransaction(ctx) {
		return fn(ctx)
	}
	sess, err := s.client.StartSession()
	if err != nil {
		return mapErr(err)
	}
	defer sess.EndSession(context.WithoutCancel(ctx))
	_, err = sess.WithTransaction(ctx, func(ctx context.Context) (any, error) {
		return nil, fn(ctx)
	}, txOptions())
	return err
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
func transient(err error) bool {
	var le interface{ HasErrorLabel(string) bool }
	return errors.As(err, &le) && le.HasErrorLabel("TransientTransactionError")
}

// primary is the handle of a collection whose reads go to the primary,
// whatever read preference the URI names (readPreference=secondaryPreferred
// must not make the read before a checked write a stale one).
func (s *Store) primary(name string) *mongo.Collection {
	return s.db.Collection(name, options.Collection().SetReadPreference(readpref.Primary()))
}

// HasTransactions reports whether InTransaction makes its writes atomic
// (service.Transactional).
func (s *Store) HasTransactions() bool { return s.caps.Transactions }
