package repository_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/thidua/thidua/dbtest"
	"github.com/thidua/thidua/domain"
	"github.com/thidua/thidua/repository"
)

// leaseStores opens n stores (as n processes would) on one fresh database.
func leaseStores(t *testing.T, n int) (string, []*repository.Store) {
	t.Helper()
	name := dbtest.NewName(t)
	var out []*repository.Store
	for i := 0; i < n; i++ {
		s, err := repository.Open(t.Context(), dbtest.URI(), name)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		for _, s := range out {
			_ = s.Close(ctx)
		}
		// Through a store of its own: a store whose lease ran out or was
		// released sends nothing any more.
		if s, err := repository.Open(ctx, dbtest.URI(), name); err == nil {
			_ = s.Drop(ctx)
			_ = s.Close(ctx)
		}
	})
	return name, out
}

// A second writer is refused while the lease is held, with the database and
// the holder named; after a release it gets the lease.
func TestLeaseRefusesSecondWriter(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	name, s := leaseStores(t, 2)
	l1, err := s[0].AcquireWriterLease(ctx, repository.LeaseOptions{TTL: 30 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	_, err = s[1].AcquireWriterLease(ctx, repository.LeaseOptions{TTL: 30 * time.Second})
	var held *repository.LeaseHeldError
	if !errors.As(err, &held) {
		t.Fatalf("second writer: %v, want *LeaseHeldError", err)
	}
	host, _ := os.Hostname()
	for _, want := range []string{fmt.Sprintf("%q", name), fmt.Sprintf("pid %d on host %s", os.Getpid(), host)} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("message %q does not name %s", err, want)
		}
	}
	if err := l1.Release(ctx); err != nil {
		t.Fatal(err)
	}
	l2, err := s[1].AcquireWriterLease(ctx, repository.LeaseOptions{TTL: 30 * time.Second})
	if err != nil {
		t.Fatalf("after release: %v", err)
	}
	_ = l2.Release(ctx)
}

// Renewal keeps the lease past its TTL; an unrenewed one expires and is
// taken, and its old holder then finds it lost.
func TestLeaseRenewsExpiresAndIsLost(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	_, s := leaseStores(t, 2)
	// Renewed every third of it: at 1.2 s a renewal slower than 800 ms on
	// a loaded machine let the lease lapse and the test fail.
	ttl := 3 * time.Second
	l1, err := s[0].AcquireWriterLease(ctx, repository.LeaseOptions{TTL: ttl})
	if err != nil {
		t.Fatal(err)
	}
	keepCtx, stop := context.WithCancel(ctx)
	kept := make(chan error, 1)
	go func() { kept <- l1.Keep(keepCtx) }()
	time.Sleep(3 * ttl)
	var held *repository.LeaseHeldError
	if _, err := s[1].AcquireWriterLease(ctx, repository.LeaseOptions{TTL: ttl}); !errors.As(err, &held) {
		t.Fatalf("a renewed lease after 3 TTLs: %v, want *LeaseHeldError", err)
	}
	stop()
	if err := <-kept; err != nil {
		t.Fatalf("Keep after cancel: %v", err)
	}
	// Not renewed any more (a stalled or killed holder): it expires.
	time.Sleep(ttl + 200*time.Millisecond)
	l2, err := s[1].AcquireWriterLease(ctx, repository.LeaseOptions{TTL: 30 * time.Second})
	if err != nil {
		t.Fatalf("after expiry: %v", err)
	}
	defer l2.Release(ctx)
	lostCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	var lost *repository.LeaseLostError
	if err := l1.Keep(lostCtx); !errors.As(err, &lost) {
		t.Fatalf("the old holder's Keep: %v, want *LeaseLostError", err)
	}
}

// Takeover (the embedded server's DATA_DIR lock proves older holders dead)
// replaces a live lease; its holder finds it lost at its next renewal.
func TestLeaseTakeover(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	_, s := leaseStores(t, 2)
	l1, err := s[0].AcquireWriterLease(ctx, repository.LeaseOptions{TTL: 1500 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	l2, err := s[1].AcquireWriterLease(ctx, repository.LeaseOptions{TTL: time.Minute, Takeover: true})
	if err != nil {
		t.Fatalf("takeover: %v", err)
	}
	defer l2.Release(ctx)
	lostCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	var lost *repository.LeaseLostError
	if err := l1.Keep(lostCtx); !errors.As(err, &lost) || !strings.Contains(err.Error(), l2.Owner()[:strings.Index(l2.Owner(), "/")]) {
		t.Fatalf("the replaced holder's Keep: %v, want *LeaseLostError naming the new holder", err)
	}
}

// Many processes starting at once on a free or an expired lease: exactly
// one gets it (the insert against the unique _id decides).
func TestLeaseConcurrentAcquire(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	const n = 8
	_, s := leaseStores(t, n)
	for round, prepare := range []func(){
		func() {},
		func() { // an expired lease left by a killed holder
			if _, err := s[0].AcquireWriterLease(ctx, repository.LeaseOptions{TTL: time.Second}); err != nil {
				t.Fatal(err)
			}
			time.Sleep(1200 * time.Millisecond)
		},
	} {
		prepare()
		var wg sync.WaitGroup
		var mu sync.Mutex
		var won []*repository.Lease
		var errs []error
		for i := 0; i < n; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				l, err := s[i].AcquireWriterLease(ctx, repository.LeaseOptions{TTL: 30 * time.Second})
				mu.Lock()
				defer mu.Unlock()
				if err == nil {
					won = append(won, l)
					return
				}
				var held *repository.LeaseHeldError
				var lost *repository.LeaseLostError
				if !errors.As(err, &held) && !errors.As(err, &lost) {
					errs = append(errs, err)
				}
			}(i)
		}
		wg.Wait()
		for _, err := range errs {
			t.Errorf("round %d: %v", round, err)
		}
		if len(won) != 1 {
			t.Fatalf("round %d: %d processes hold the lease at once, want 1", round, len(won))
		}
		if err := won[0].Release(ctx); err != nil {
			t.Fatal(err)
		}
	}
}

// Contenders for an expired lease race on one claim named after it; only
// the claim's winner deletes the lease. Here another contender holds the
// claim and never finishes: the lease is not deleted under it.
func TestLeaseTakeoverNeedsTheClaim(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	name, s := leaseStores(t, 2)
	if _, err := s[0].AcquireWriterLease(ctx, repository.LeaseOptions{TTL: time.Second}); err != nil {
		t.Fatal(err)
	}
	time.Sleep(1200 * time.Millisecond)
	client, err := mongo.Connect(options.Client().ApplyURI(dbtest.URI()))
	if err != nil {
		t.Fatal(err)
	}
	defer client.Disconnect(context.Background())
	col := client.Database(name).Collection("writer_lease")
	var old struct {
		Owner     string    `bson:"owner"`
		ExpiresAt time.Time `bson:"expiresAt"`
	}
	if err := col.FindOne(ctx, bson.D{{Key: "_id", Value: "writer"}}).Decode(&old); err != nil {
		t.Fatal(err)
	}
	if _, err := col.InsertOne(ctx, bson.D{{Key: "_id", Value: fmt.Sprintf("claim:%s@%d", old.Owner, old.ExpiresAt.UnixMilli())}}); err != nil {
		t.Fatal(err)
	}
	if l, err := s[1].AcquireWriterLease(ctx, repository.LeaseOptions{TTL: 30 * time.Second}); err == nil {
		t.Fatalf("took an expired lease another contender had claimed (owner %s)", l.Owner())
	}
	var still struct {
		Owner string `bson:"owner"`
	}
	if err := col.FindOne(ctx, bson.D{{Key: "_id", Value: "writer"}}).Decode(&still); err != nil || still.Owner != old.Owner {
		t.Errorf("the claimed lease was deleted or replaced: %v %q", err, still.Owner)
	}
}

// clock is a monotonic clock a test moves by hand.
type clock struct {
	mu sync.Mutex
	at time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.at
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.at = c.at.Add(d)
}

// The fence, by the lease's own (here injected) clock: the store writes
// while the lease lasts less its margin (TTL/6); from then on nothing it
// sends reaches the database — not a write, not the lease's renewal — and
// Keep reports the lease lost at once. A released lease fences the same.
func TestLeaseFenceByTheHoldersClock(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	name, s := leaseStores(t, 2)
	c := &clock{at: time.Now()}
	ttl := 6 * time.Second
	l, err := s[0].AcquireWriterLease(ctx, repository.LeaseOptions{TTL: ttl, Clock: c.now})
	if err != nil {
		t.Fatal(err)
	}
	put := func(id string) error {
		return s[0].PutProvince(ctx, &domain.Province{ID: id, Name: id})
	}
	if err := put("before"); err != nil {
		t.Fatalf("a write while the lease lasts: %v", err)
	}
	c.advance(ttl - ttl/6 - time.Millisecond)
	if err := put("at-the-margin"); err != nil {
		t.Fatalf("a write 1 ms before the margin: %v", err)
	}
	keepCtx, stop := context.WithCancel(ctx)
	defer stop()
	kept := make(chan error, 1)
	go func() { kept <- l.Keep(keepCtx) }() // its next renewal is 2 s away
	c.advance(time.Millisecond)
	t0 := time.Now()
	err = put("after")
	var lost *repository.LeaseLostError
	if !errors.As(err, &lost) || domain.ErrorCode(err) != domain.CodeUnavailable {
		t.Fatalf("a write past the margin: %v, want UNAVAILABLE wrapping *LeaseLostError", err)
	}
	select {
	case err := <-kept:
		if !errors.As(err, &lost) || !strings.Contains(err.Error(), "ran out by this process's clock") {
			t.Fatalf("Keep: %v, want *LeaseLostError saying the lease ran out", err)
		}
	case <-time.After(time.Second):
		t.Fatal("Keep did not report the refused write's lost lease")
	}
	t.Logf("refused and reported in %v: %v", time.Since(t0).Round(time.Millisecond), err)
	if err := put("later"); !errors.As(err, &lost) {
		t.Fatalf("a later write: %v, want refused", err)
	}
	if _, err := s[0].Provinces(ctx); err == nil {
		t.Error("a fenced store still reads: it sends nothing at all")
	}
	// The other store sees exactly the writes made in time, and the lease
	// document the fenced holder left behind is unchanged (not renewed).
	got, err := s[1].Provinces(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, p := range got {
		ids = append(ids, p.ID)
	}
	if fmt.Sprint(ids) != "[at-the-margin before]" {
		t.Errorf("stored provinces %v, want [at-the-margin before]", ids)
	}

	// A released lease fences its store too: another process may hold it.
	l2, err := s[1].AcquireWriterLease(ctx, repository.LeaseOptions{TTL: 30 * time.Second, Takeover: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := s[1].PutProvince(ctx, &domain.Province{ID: "held", Name: "held"}); err != nil {
		t.Fatal(err)
	}
	if err := l2.Release(ctx); err != nil {
		t.Fatal(err)
	}
	if err := s[1].PutProvince(ctx, &domain.Province{ID: "released", Name: "released"}); !errors.As(err, &lost) {
		t.Fatalf("a write after Release: %v, want refused", err)
	}
	check, err := repository.Open(ctx, dbtest.URI(), name)
	if err != nil {
		t.Fatal(err)
	}
	defer check.Close(context.Background())
	if got, err := check.Provinces(ctx); err != nil || len(got) != 3 {
		t.Errorf("after the release: %d provinces (%v), want 3", len(got), err)
	}
}
