package repository

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
)

// The writer lease: on FerretDB one process writes a database (its
// findAndModify has no compare-and-set, so version checks are exact only
// under this process's locks, and the read model answers lists from this
// process's memory). A process proves it is that one by holding the lease,
// a document in writer_lease:
//
//	{_id: "writer", owner, host, pid, startedAt, expiresAt}
//
// The one atomic operation FerretDB offers is an insert against the unique
// _id, so the lease is taken by inserting it. A lease whose expiresAt has
// passed is taken over by first inserting a claim named after it
// (claim:<owner>@<expiresAt>, unique): only the claim's winner deletes the
// expired lease (by _id, owner and expiresAt) and inserts its own. The
// holder renews it every TTL/3 and deletes it on a clean shutdown. All
// lease times are the database server's clock (hello's localTime), so
// clocks of different hosts do not have to agree; the holder's own
// deadline runs on its monotonic clock from before it read the server's.
//
// Races, and how they are bounded (FerretDB reads, filters in Go, then
// writes or deletes by _id alone, so a filter is no compare-and-set):
//
//   - Two contenders for one expired lease: without the claim, both could
//     delete it and the second delete remove the lease the first has just
//     inserted. With it, the claim's loser waits and finds the winner's
//     lease. The winner also reads its lease back after inserting it.
//   - A holder's renewal against a takeover: a contender takes only a lease
//     that has expired on the server's clock; the holder renews only while
//     more than TTL/6 of its lease is left by its own clock, with the
//     renewal's deadline at that point. They overlap only if a renewal
//     already sent takes more than TTL/6 (5 s of the default 30 s) to be
//     applied: then the holder's write may land on the new lease, or the
//     contender's delete on the renewed one. Whichever process then finds
//     the lease not its own (read back after every renewal, every TTL/3)
//     exits: two writers for at most one renewal period is the worst case.
//   - A holder that cannot reach the database retries every second until
//     TTL/6 before its lease ends, then exits, since from then on another
//     process may take the lease.
//   - A holder that is paused (a long GC pause, SIGSTOP, a frozen VM)
//     past its lease while its requests wait, and resumed after another
//     process took over: every send of the store passes the fence
//     (fence.go), which lets a send start only while the lease has more
//     than its margin (TTL/6) left by the holder's monotonic clock, and
//     cuts a send still in progress at that point. Past it the store
//     sends nothing (but the driver's hello), the request fails
//     UNAVAILABLE, and Keep returns a *LeaseLostError at once (the
//     service exits non-zero). So every write of the holder has left this
//     process before deadline − margin, and a takeover happens only after
//     expiresAt, which comes after the deadline (counted from the server's
//     clock read after the holder's deadline started): a write lands before the takeover
//     — where the new writer reads it when it loads its read model —
//     unless it spends more than the margin between leaving the process
//     and being applied (network, the server's own queue), the same bound
//     as for a renewal above. What the fence cannot bound: a pause of
//     more than the margin that falls in the microseconds between a
//     send's check and its system call lets that one message out late,
//     and so does a monotonic clock that stops while the host sleeps (Go
//     reads CLOCK_MONOTONIC, which does not count a suspended host).
//     Closing these would take the server refusing a stale holder's
//     write (a fencing token compared on the server), which FerretDB
//     cannot do. Nor does a context deadline on each write help: the
//     driver cancels a command by closing its connection, which does not
//     stop one the server has already read.
const (
	colWriterLease = "writer_lease"
	leaseID        = "writer"
)

type leaseDoc struct {
	ID        string    `bson:"_id"`
	Owner     string    `bson:"owner"`
	Host      string    `bson:"host"`
	PID       int       `bson:"pid"`
	StartedAt time.Time `bson:"startedAt"`
	ExpiresAt time.Time `bson:"expiresAt"`
}

func (d *leaseDoc) holder() string {
	return fmt.Sprintf("pid %d on host %s, started %s, lease until %s",
		d.PID, d.Host, d.StartedAt.UTC().Format(time.RFC3339), d.ExpiresAt.UTC().Format(time.RFC3339))
}

// LeaseOptions configure AcquireWriterLease.
type LeaseOptions struct {
	// TTL is how long a lease lasts without renewal (30 s when zero). It
	// is renewed every TTL/3.
	TTL time.Duration
	// Takeover replaces any lease, expired or not: for a caller that has
	// proved that no older holder can still reach the database (the
	// embedded server's DATA_DIR lock: every earlier client of these files
	// went through a server that is gone).
	Takeover bool
	// Logger receives renewal failures that are retried (nil: none).
	Logger *slog.Logger
	// Clock is the monotonic clock the holder's deadline runs on (nil:
	// time.Now; tests inject one).
	Clock func() time.Time
}

// LeaseHeldError is returned by AcquireWriterLease when another process
// holds a lease that has not expired.
type LeaseHeldError struct {
	Database, Holder string
	ExpiresIn        time.Duration
}

func (e *LeaseHeldError) Error() string {
	return fmt.Sprintf("FerretDB database %q is in use by another writing process (%s; expires in %s unless renewed): "+
		"one writing process per FerretDB database — stop it, or if it was killed, start again after its lease expires",
		e.Database, e.Holder, e.ExpiresIn.Round(time.Second))
}

// LeaseLostError is returned by Lease.Keep when the lease is no longer this
// process's.
type LeaseLostError struct {
	Database, Reason string
}

func (e *LeaseLostError) Error() string {
	return fmt.Sprintf("writer lease on FerretDB database %q lost: %s; this process must not write any more", e.Database, e.Reason)
}

// Lease is a writer lease this process holds.
type Lease struct {
	s      *Store
	doc    leaseDoc
	ttl    time.Duration
	logger *slog.Logger
	now    func() time.Time
	// expired is closed when the fence refused a send because the lease
	// ran out by this process's clock (expiry is the refusal).
	expired    chan struct{}
	expireOnce sync.Once
	expiry     *LeaseLostError
	// deadline is when the lease ends by this process's (monotonic) clock,
	// counted from before the server read its clock for the lease's
	// expiresAt: never later than the server's end of it.
	deadline time.Time
}

// AcquireWriterLease takes the database's writer lease or returns a
// *LeaseHeldError naming its holder. The caller renews it with Keep and
// gives it back with Release.
func (s *Store) AcquireWriterLease(ctx context.Context, o LeaseOptions) (*Lease, error) {
	if o.TTL <= 0 {
		o.TTL = 30 * time.Second
	}
	host, _ := os.Hostname()
	var rnd [8]byte
	_, _ = rand.Read(rnd[:])
	if o.Clock == nil {
		o.Clock = time.Now
	}
	l := &Lease{s: s, ttl: o.TTL, logger: o.Logger, now: o.Clock, expired: make(chan struct{})}
	l.doc = leaseDoc{ID: leaseID, Owner: fmt.Sprintf("%s/%d/%s", host, os.Getpid(), hex.EncodeToString(rnd[:])),
		Host: host, PID: os.Getpid()}
	col := s.c(colWriterLease)
	var held *leaseDoc
	// No lease yet (or an old one of this store's is being replaced): the
	// lease's own protocol must reach the database.
	s.fence.open()
	for attempt := 0; attempt < 20; attempt++ {
		local := l.now()
		now, err := s.serverTime(ctx)
		if err != nil {
			return nil, err
		}
		l.doc.StartedAt, l.doc.ExpiresAt = now, now.Add(l.ttl).Truncate(time.Millisecond)
		_, err = col.InsertOne(ctx, l.doc)
		if err == nil {
			l.held(local)
			// Read it back: a contender that deleted an expired lease at
			// the same moment may have deleted this one.
			if err := l.check(ctx); err != nil {
				s.fence.close(err)
				return nil, err
			}
			// Claims are kept for a while (a contender with a stale read
			// must still find its claim taken), then swept.
			_, _ = col.DeleteMany(ctx, bson.D{{Key: "claimedAt", Value: bson.D{{Key: "$lt", Value: now.Add(-time.Hour)}}}})
			return l, nil
		}
		if !mongo.IsDuplicateKeyError(err) {
			return nil, fmt.Errorf("writer lease: %w", err)
		}
		var cur leaseDoc
		switch err := col.FindOne(ctx, bson.D{{Key: "_id", Value: leaseID}}).Decode(&cur); {
		case errors.Is(err, mongo.ErrNoDocuments):
			continue // released in between
		case err != nil:
			return nil, fmt.Errorf("writer lease: %w", err)
		}
		if !o.Takeover && now.Before(cur.ExpiresAt) {
			held = &cur
			break
		}
		// Expired (or taken over). Contenders that read the same expired
		// lease race to insert one claim named after it; only the winner
		// deletes it, so no contender deletes a lease another has just
		// inserted. The losers look again and find the winner's lease.
		claim := bson.D{{Key: "_id", Value: fmt.Sprintf("claim:%s@%d", cur.Owner, cur.ExpiresAt.UnixMilli())},
			{Key: "by", Value: l.doc.Owner}, {Key: "claimedAt", Value: now}}
		if _, err := col.InsertOne(ctx, claim); mongo.IsDuplicateKeyError(err) {
			select {
			case <-ctx.Done():
				return nil, ctx.Err()
			case <-time.After(100 * time.Millisecond):
			}
			continue
		} else if err != nil {
			return nil, fmt.Errorf("writer lease: %w", err)
		}
		// Delete exactly the lease that was read, so that one renewed in
		// between is left alone where the server can tell.
		if _, err := col.DeleteOne(ctx, bson.D{{Key: "_id", Value: leaseID}, {Key: "owner", Value: cur.Owner},
			{Key: "expiresAt", Value: cur.ExpiresAt}}); err != nil {
			return nil, fmt.Errorf("writer lease: %w", err)
		}
		if l.logger != nil {
			l.logger.Warn("writer lease: replaced a lease", "database", s.db.Name(), "holder", cur.holder(), "takeover", o.Takeover)
		}
	}
	if held == nil {
		return nil, fmt.Errorf("writer lease on FerretDB database %q: contended, not acquired after 20 attempts", s.db.Name())
	}
	now, _ := s.serverTime(ctx)
	return nil, &LeaseHeldError{Database: s.db.Name(), Holder: held.holder(), ExpiresIn: held.ExpiresAt.Sub(now)}
}

// serverTime is the database server's clock (hello's localTime).
func (s *Store) serverTime(ctx context.Context) (time.Time, error) {
	var hello struct {
		LocalTime time.Time `bson:"localTime"`
	}
	if err := s.client.Database("admin").RunCommand(ctx, bson.D{{Key: "hello", Value: 1}}).Decode(&hello); err != nil {
		return time.Time{}, fmt.Errorf("writer lease: server time: %w", err)
	}
	if hello.LocalTime.IsZero() {
		return time.Now().UTC().Truncate(time.Millisecond), nil
	}
	return hello.LocalTime.UTC().Truncate(time.Millisecond), nil
}

// Owner is the lease owner's identity (host/pid/random).
func (l *Lease) Owner() string { return l.doc.Owner }

// TTL is the lease's length.
func (l *Lease) TTL() time.Duration { return l.ttl }

// held records that the lease runs until TTL after local (by this
// process's clock) and lets the store send until its margin before that.
func (l *Lease) held(local time.Time) {
	l.deadline = local.Add(l.ttl)
	l.s.fence.hold(l.deadline.Add(-l.margin()), l.now, l.expire)
}

// expire is the fence's refusal of a send once the lease has run out; it
// wakes Keep.
func (l *Lease) expire() error {
	l.expireOnce.Do(func() {
		l.expiry = &LeaseLostError{Database: l.s.db.Name(), Reason: fmt.Sprintf(
			"it ran out by this process's clock (less a %s margin) before it could be renewed — the process was paused, "+
				"or the database unreachable — so nothing more is sent to the database", l.margin())}
		close(l.expired)
	})
	return l.expiry
}

// margin is how long before its deadline the holder stops renewing and
// sending: what a renewal or a write may take in flight.
func (l *Lease) margin() time.Duration { return l.ttl / 6 }

// check reads the lease and fails with *LeaseLostError unless it is ours.
func (l *Lease) check(ctx context.Context) error {
	var cur leaseDoc
	err := l.s.c(colWriterLease).FindOne(ctx, bson.D{{Key: "_id", Value: leaseID}}).Decode(&cur)
	switch {
	case errors.Is(err, mongo.ErrNoDocuments):
		return &LeaseLostError{Database: l.s.db.Name(), Reason: "the lease document is gone"}
	case err != nil:
		return fmt.Errorf("writer lease: %w", err)
	case cur.Owner != l.doc.Owner:
		return &LeaseLostError{Database: l.s.db.Name(), Reason: "now held by " + cur.holder()}
	}
	return nil
}

// renew extends the lease by TTL from the server's present, or fails with
// *LeaseLostError when it is no longer ours or too near its end to be
// renewed safely.
func (l *Lease) renew(ctx context.Context) error {
	margin := l.margin()
	local := l.now()
	if left := l.deadline.Sub(local); left <= margin {
		return &LeaseLostError{Database: l.s.db.Name(),
			Reason: fmt.Sprintf("not renewed in time (%s left of it by this process's clock, under the %s margin: "+
				"the process was paused or the database unreachable)", left.Round(time.Millisecond), margin)}
	}
	// Never let the renewal reach the server after the margin (as far as
	// a client can: a request already sent may still be applied later).
	ctx, cancel := context.WithDeadline(ctx, l.deadline.Add(-margin))
	defer cancel()
	now, err := l.s.serverTime(ctx)
	if err != nil {
		return err
	}
	exp := now.Add(l.ttl).Truncate(time.Millisecond)
	res, err := l.s.c(colWriterLease).UpdateOne(ctx, bson.D{{Key: "_id", Value: leaseID}, {Key: "owner", Value: l.doc.Owner}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "expiresAt", Value: exp}}}})
	if err != nil {
		return fmt.Errorf("writer lease: renew: %w", err)
	}
	if res.MatchedCount == 0 {
		if err := l.check(ctx); err != nil {
			return err
		}
		return &LeaseLostError{Database: l.s.db.Name(), Reason: "the renewal matched no lease of this process"}
	}
	l.held(local)
	return l.check(ctx)
}

// Keep renews the lease every TTL/3 until ctx ends (it returns nil) or the
// lease is lost (it returns a *LeaseLostError: the caller must stop
// writing — the service exits). Failures to reach the database are retried
// every second while the lease lasts.
func (l *Lease) Keep(ctx context.Context) error {
	every := l.ttl / 3
	t := time.NewTimer(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-l.expired:
			return l.expiry
		case <-t.C:
		}
		err := l.renew(ctx)
		var lost *LeaseLostError
		switch {
		case err == nil:
			t.Reset(every)
		case ctx.Err() != nil:
			return nil
		case errors.As(err, &lost):
			return err
		default:
			if l.logger != nil {
				l.logger.Warn("writer lease: renewal failed; retrying", "database", l.s.db.Name(), "err", err)
			}
			t.Reset(min(time.Second, every))
		}
	}
}

// Release deletes the lease if it is still this process's (and its fence
// lets it), and then refuses every send of the store: another process may
// take the lease at once.
func (l *Lease) Release(ctx context.Context) error {
	_, err := l.s.c(colWriterLease).DeleteOne(ctx, bson.D{{Key: "_id", Value: leaseID}, {Key: "owner", Value: l.doc.Owner}})
	l.s.fence.close(&LeaseLostError{Database: l.s.db.Name(), Reason: "released"})
	if err != nil {
		return fmt.Errorf("writer lease: release: %w", err)
	}
	return nil
}
