package repository_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/thidua/thidua/dbtest"
	"github.com/thidua/thidua/repository"
	"github.com/thidua/thidua/service"
)

// A commit waiting for a majority that never answers (the commit step
// blocks until its context is done) gives up at the command's deadline
// plus the commit margin, with an error that says its outcome is unknown
// — not a hang, and not "failed".
func TestCommitBoundedByDeadlinePlusMargin(t *testing.T) {
	t.Parallel()
	const margin = 300 * time.Millisecond
	store := dbtest.Store(t, repository.WithCommitMargin(margin))
	var commitDeadline time.Time
	d := &repository.TxDouble{Store: store, Commit: func(ctx context.Context) error {
		commitDeadline, _ = ctx.Deadline()
		select { // no majority: the server does not answer
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(5 * time.Second): // (the test's own limit)
			return errors.New("the commit's context had no time limit")
		}
	}}
	ctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
	defer cancel()
	deadline, _ := ctx.Deadline()
	start := time.Now()
	err := d.InTransaction(ctx, func(context.Context) error { return nil })
	took := time.Since(start)
	if want := deadline.Add(margin); !commitDeadline.Equal(want) {
		t.Errorf("commit deadline %v, want the command's plus the margin, %v", commitDeadline, want)
	}
	if took < 500*time.Millisecond-20*time.Millisecond || took > 2*time.Second {
		t.Errorf("the commit returned after %v, want about 500 ms (deadline 200 ms + margin 300 ms)", took)
	}
	if !service.CommitUnknown(err) {
		t.Errorf("error %v: not an unknown outcome", err)
	}
}

// A commit answered "result unknown" is tried again while its time lasts;
// one that then succeeds is a success. A commit refused whole (a transient
// error) runs the transaction again.
func TestCommitRetriedWhileUnknown(t *testing.T) {
	t.Parallel()
	store := dbtest.Store(t)
	commits := 0
	d := &repository.TxDouble{Store: store, Commit: func(ctx context.Context) error {
		commits++
		switch commits {
		case 1:
			return mongo.CommandError{Code: 91, Message: "shutting down", Labels: []string{"UnknownTransactionCommitResult"}}
		case 2:
			return mongo.CommandError{Code: 112, Message: "write conflict", Labels: []string{"TransientTransactionError"}}
		}
		return nil
	}}
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	if err := d.InTransaction(ctx, func(context.Context) error { return nil }); err != nil {
		t.Fatal(err)
	}
	if commits != 3 || d.Runs != 2 {
		t.Errorf("%d commits, %d runs; want 3 commits (unknown, transient, ok) and 2 runs", commits, d.Runs)
	}
	// Unknown until the time is up: unknown, and the callback is not run
	// again (it may have committed).
	commits = 0
	d = &repository.TxDouble{Store: store, Commit: func(ctx context.Context) error {
		if commits++; commits > 100 { // (the test's own limit)
			return errors.New("the commit was tried again without a time limit")
		}
		return mongo.CommandError{Code: 6, Message: "host unreachable", Labels: []string{"UnknownTransactionCommitResult"}}
	}}
	ctx, cancel = context.WithTimeout(t.Context(), 100*time.Millisecond)
	defer cancel()
	err := d.InTransaction(ctx, func(context.Context) error { return nil })
	if !service.CommitUnknown(err) || service.Transient(err) || d.Runs != 1 {
		t.Errorf("error %v (unknown %v, transient %v), %d runs; want unknown, not transient, 1 run",
			err, service.CommitUnknown(err), service.Transient(err), d.Runs)
	}
	if !strings.Contains(err.Error(), "unknown") || errors.Is(err, context.Canceled) {
		t.Errorf("error %q", err)
	}
}
