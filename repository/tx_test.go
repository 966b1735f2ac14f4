package repository_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/event"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/thidua/thidua/dbtest"
	"github.com/thidua/thidua/domain"
	"github.com/thidua/thidua/repository"
)

// TestCheckedReadsGoToThePrimary: with readPreference=secondaryPreferred in
// the URI, lists read as the URI says, the read before a checked write from
// the primary; and checked writes work on such a URI (here FerretDB, which
// has no secondaries; the preference is what a replica set would see).
func TestCheckedReadsGoToThePrimary(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	uri := dbtest.URI()
	if strings.Contains(uri, "?") {
		uri += "&readPreference=secondaryPreferred"
	} else {
		uri += "/?readPreference=secondaryPreferred"
		uri = strings.Replace(uri, "//?", "/?", 1)
	}
	s, err := repository.Open(ctx, uri, dbtest.NewName(t), dbtest.Options()...)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = s.Drop(ctx); _ = s.Close(ctx) }()
	for _, coll := range []string{"awards", "votes", "clusters", "award_types"} {
		lists, checks := s.ReadPreferences(coll)
		if lists != "secondaryPreferred" || checks != "primary" {
			t.Errorf("%s: lists read %s, checks %s; want secondaryPreferred, primary", coll, lists, checks)
		}
	}
	a := newAward("lang-son", "Nguyễn Văn A", 2022, "DRAFT")
	if err := s.CreateAward(ctx, a); err != nil {
		t.Fatal(err)
	}
	b := *a
	b.LegalBasis = "y"
	if _, after, err := s.UpdateAward(ctx, a.ID, 1, all, all, to(&b)); err != nil || after.Version != 2 {
		t.Fatalf("update on a secondaryPreferred URI: %+v, %v", after, err)
	}
}

// deleter removes (or changes) a document right after the store's read of
// it, as another writer would between a check and its write.
type deleter struct {
	mu      sync.Mutex
	coll    string
	id      any
	bump    bool // raise the version instead of deleting
	started map[int64]bool
	client  *mongo.Client
}

func (d *deleter) arm(coll string, id any, bump bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.coll, d.id, d.bump, d.started = coll, id, bump, map[int64]bool{}
}

func (d *deleter) monitor() *event.CommandMonitor {
	return &event.CommandMonitor{
		Started: func(_ context.Context, e *event.CommandStartedEvent) {
			d.mu.Lock()
			defer d.mu.Unlock()
			if c, _ := e.Command.Lookup("find").StringValueOK(); e.CommandName == "find" && d.coll != "" && c == d.coll {
				d.started[e.RequestID] = true
			}
		},
		Succeeded: func(ctx context.Context, e *event.CommandSucceededEvent) {
			d.mu.Lock()
			defer d.mu.Unlock()
			if !d.started[e.RequestID] {
				return
			}
			c := d.client.Database(e.DatabaseName).Collection(d.coll)
			var err error
			if d.bump {
				_, err = c.UpdateOne(context.Background(), bson.D{{Key: "_id", Value: d.id}}, bson.D{{Key: "$inc", Value: bson.D{{Key: "version", Value: 1}}}})
			} else {
				_, err = c.DeleteOne(context.Background(), bson.D{{Key: "_id", Value: d.id}})
			}
			if err != nil {
				panic(err)
			}
			d.coll, d.started = "", nil
		},
	}
}

// TestWriteMatchingNothingIsRefused: every checked write whose target went
// away (or, on MongoDB, changed version) between its read and its write is
// refused, never reported as done, and leaves nothing behind.
func TestWriteMatchingNothingIsRefused(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	client, err := mongo.Connect(options.Client().ApplyURI(dbtest.URI()))
	if err != nil {
		t.Fatal(err)
	}
	defer client.Disconnect(ctx)
	modes := []bool{false}
	s0 := dbtest.Store(t)
	if !s0.Capabilities().FerretDB {
		modes = append(modes, true) // the version is in the filter: a bump is caught too
	}
	for _, bump := range modes {
		t.Run(fmt.Sprintf("bump=%v", bump), func(t *testing.T) {
			d := &deleter{client: client}
			s := dbtest.Store(t, repository.WithMonitor(d.monitor()))
			refused := func(what string, err error, codes ...domain.Code) {
				t.Helper()
				if err == nil {
					t.Fatalf("%s: reported success although its write matched nothing", what)
				}
				for _, c := range codes {
					if domain.ErrorCode(err) == c {
						return
					}
				}
				t.Fatalf("%s: %v, want one of %v", what, err, codes)
			}

			// SetClusterYear.
			if err := s.PutCluster(ctx, &domain.Cluster{ID: "c", Name: "Cụm"}); err != nil {
				t.Fatal(err)
			}
			d.arm("clusters", "c", bump)
			_, _, err := s.SetClusterYear(ctx, "c", 1, domain.ClusterYear{Year: 2023})
			refused("SetClusterYear", err, domain.CodeConflict)

			// put (a reference record's replace).
			p := &domain.Province{ID: "yen-bai", Name: "Yên Bái"}
			if err := s.PutProvince(ctx, p); err != nil {
				t.Fatal(err)
			}
			d.arm("provinces", "yen-bai", bump)
			refused("PutProvince", s.PutProvince(ctx, &domain.Province{ID: "yen-bai", Name: "Yên Bái 2"}), domain.CodeConflict)

			// save.
			at := &domain.AwardType{ID: "bk", Name: "Bằng khen"}
			if _, err := s.SaveAwardType(ctx, at, 0); err != nil {
				t.Fatal(err)
			}
			d.arm("award_types", "bk", bump)
			_, err = s.SaveAwardType(ctx, &domain.AwardType{ID: "bk", Name: "Bằng khen 2"}, 1)
			refused("SaveAwardType", err, domain.CodeConflict)

			// update (the one versioned write).
			a := newAward("lang-son", "Nguyễn Văn A", 2022, "DRAFT")
			if err := s.CreateAward(ctx, a); err != nil {
				t.Fatal(err)
			}
			oid, _ := bson.ObjectIDFromHex(a.ID)
			d.arm("awards", oid, bump)
			b := *a
			b.LegalBasis = "changed"
			_, _, err = s.UpdateAward(ctx, a.ID, 1, all, all, to(&b))
			refused("UpdateAward", err, domain.CodeNotFound, domain.CodeConflict)

			// CloseVote (on MongoDB in a transaction: the conflict makes
			// the driver run it again, which then finds the vote gone or
			// at another version).
			r := &domain.PeriodReview{Owner: domain.ScopeAll, Published: true, Kind: "YEAR_END", Year: 2022, Period: "2022",
				Date: "2022-12-20", HostProvinceID: "lang-son"}
			if err := s.CreatePeriodReview(ctx, r); err != nil {
				t.Fatal(err)
			}
			if err := s.OpenVote(ctx, &domain.Vote{ID: r.ID, ClusterID: "c", Year: 2022, Voters: []string{"a"}}); err != nil {
				t.Fatal(err)
			}
			rid, _ := bson.ObjectIDFromHex(r.ID)
			d.arm("votes", rid, bump)
			_, err = s.CloseVote(ctx, r.ID, 1, func(*domain.Vote, []domain.Ballot) error { return nil })
			refused("CloseVote", err, domain.CodeConflict, domain.CodeInvalid)

			// Nothing was written back by the refused writes.
			if !bump {
				for coll, id := range map[string]any{"clusters": "c", "provinces": "yen-bai", "award_types": "bk", "awards": oid, "votes": rid} {
					n, err := client.Database(s.DatabaseName()).Collection(coll).CountDocuments(ctx, bson.D{{Key: "_id", Value: id}})
					if err != nil || n != 0 {
						t.Errorf("%s %v: %d documents (%v) after a refused write", coll, id, n, err)
					}
				}
			}
		})
	}
}

// TestInTransaction: fn's writes commit together or not at all on a server
// with transactions; elsewhere fn simply runs.
func TestInTransaction(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := dbtest.Store(t)
	boom := errors.New("boom")
	err := s.InTransaction(ctx, func(ctx context.Context) error {
		if err := s.PutProvince(ctx, &domain.Province{ID: "a", Name: "A"}); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("InTransaction = %v, want fn's error", err)
	}
	ps, err := s.Provinces(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if s.HasTransactions() && len(ps) != 0 {
		t.Errorf("with transactions, a failed fn left %+v", ps)
	}
	if !s.HasTransactions() && len(ps) != 1 {
		t.Errorf("without transactions, fn runs directly and its write stands: %+v", ps)
	}
}

// TestBallotsAndCloseDoNotInterleave: provinces cast ballots while the vote
// closes; every ballot is either counted by the close or refused, and no
// stored ballot is left out of the tally. On FerretDB the in-process lock
// serialises them; on a MongoDB replica set (MONGODB_TEST_URI) transactions
// do.
func TestBallotsAndCloseDoNotInterleave(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := dbtest.Store(t)
	rounds := 5
	if s.HasTransactions() {
		rounds = 20
	}
	for round := 0; round < rounds; round++ {
		r := &domain.PeriodReview{Owner: domain.ScopeAll, Published: true, Kind: "YEAR_END", Year: 2000 + round,
			Period: fmt.Sprint(2000 + round), Date: "2022-12-20", HostProvinceID: "lang-son"}
		if err := s.CreatePeriodReview(ctx, r); err != nil {
			t.Fatal(err)
		}
		voters := []string{"a", "b", "c", "d", "e", "f", "g", "h"}
		if err := s.OpenVote(ctx, &domain.Vote{ID: r.ID, ClusterID: fmt.Sprint("c", round), Year: 2000 + round, Voters: voters}); err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		accepted := make([]bool, len(voters))
		for i, p := range voters {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := s.CastBallot(ctx, &domain.Ballot{ReviewID: r.ID, ProvinceID: p, LeaderID: "a"}, nil)
				switch {
				case err == nil:
					accepted[i] = true
				case domain.ErrorCode(err) != domain.CodeInvalid:
					t.Errorf("ballot of %s: %v", p, err)
				}
			}()
		}
		var counted map[string]bool
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				_, err := s.CloseVote(ctx, r.ID, 1, func(v *domain.Vote, ballots []domain.Ballot) error {
					counted = map[string]bool{}
					for _, b := range ballots {
						counted[b.ProvinceID] = true
					}
					return nil
				})
				if domain.ErrorCode(err) == domain.CodeConflict {
					t.Logf("close: %v", err)
					continue // a ballot came in between (MongoDB without a retried transaction): close again
				}
				if err != nil {
					t.Errorf("close: %v", err)
				}
				return
			}
		}()
		wg.Wait()
		stored, err := s.BallotsByReview(ctx, []string{r.ID})
		if err != nil {
			t.Fatal(err)
		}
		for i, p := range voters {
			if accepted[i] != counted[p] {
				t.Errorf("round %d: ballot of %s accepted %v, counted %v", round, p, accepted[i], counted[p])
			}
		}
		if len(stored[r.ID]) != len(counted) {
			t.Errorf("round %d: %d ballots stored, %d counted", round, len(stored[r.ID]), len(counted))
		}
	}
}

// TestTransactionsOnReplicaSet (MongoDB replica set only): a failed fn
// leaves nothing, and a nested InTransaction joins the outer one.
func TestTransactionsOnReplicaSet(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := dbtest.ReplicaSet(t)
	boom := errors.New("boom")
	err := s.InTransaction(ctx, func(ctx context.Context) error {
		if err := s.PutProvince(ctx, &domain.Province{ID: "a", Name: "A"}); err != nil {
			return err
		}
		return s.InTransaction(ctx, func(ctx context.Context) error {
			if err := s.PutProvince(ctx, &domain.Province{ID: "b", Name: "B"}); err != nil {
				return err
			}
			return boom
		})
	})
	if !errors.Is(err, boom) {
		t.Fatalf("InTransaction = %v, want fn's error", err)
	}
	if ps, err := s.Provinces(ctx); err != nil || len(ps) != 0 {
		t.Fatalf("after a rolled back transaction: %+v, %v", ps, err)
	}
	if err := s.InTransaction(ctx, func(ctx context.Context) error {
		return s.PutProvince(ctx, &domain.Province{ID: "a", Name: "A"})
	}); err != nil {
		t.Fatal(err)
	}
	if ps, err := s.Provinces(ctx); err != nil || len(ps) != 1 {
		t.Fatalf("after a committed transaction: %+v, %v", ps, err)
	}
}
