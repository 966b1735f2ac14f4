package seed_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/thidua/thidua/dbtest"
	"github.com/thidua/thidua/domain"
	"github.com/thidua/thidua/repository"
	"github.com/thidua/thidua/seed"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

// Two processes starting together on one empty database (replicas of one
// deployment) both run the whole start sequence — indexes, founding data,
// migrations — at the same moment: both start, and the data is stored
// once (every reference record at version 1, each movement and the review
// once).
func TestTwoProcessesPrepareOneDatabase(t *testing.T) {
	ctx := t.Context()
	for round := range 4 {
		name := dbtest.NewName(t)
		var stores [2]*repository.Store
		for i := range stores {
			s, err := repository.Open(ctx, dbtest.URI(), name, repository.WithoutReadModel())
			if err != nil {
				t.Fatal(err)
			}
			stores[i] = s
		}
		t.Cleanup(func() { _ = stores[0].Drop(context.Background()) })
		var wg sync.WaitGroup
		errs := make([]error, len(stores))
		start := make(chan struct{})
		for i, s := range stores {
			wg.Go(func() {
				<-start
				// The service's start: indexes and founding data, then
				// the migrations (server.go runs them through up.migrate,
				// which on a database it does not copy is Migrate).
				if _, errs[i] = seed.PrepareData(ctx, s); errs[i] == nil {
					errs[i] = s.Migrate(ctx, seed.Migrations()...)
				}
			})
		}
		close(start)
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Fatalf("round %d: process %d did not start: %v", round, i, err)
			}
		}
		checkSeededOnce(t, ctx, stores[0], fmt.Sprintf("round %d", round))
		for _, s := range stores {
			_ = s.Close(context.Background())
		}
	}
}

func checkSeededOnce(t *testing.T, ctx context.Context, s *repository.Store, round string) {
	t.Helper()
	ps, err := s.Provinces(ctx)
	if err != nil {
		t.Fatal(err)
	}
	ats, err := s.AwardTypes(ctx)
	if err != nil {
		t.Fatal(err)
	}
	inds, err := s.Indicators(ctx)
	if err != nil {
		t.Fatal(err)
	}
	cs, err := s.Clusters(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != len(seed.Provinces) || len(ats) != len(seed.AwardTypes) || len(inds) != len(seed.Indicators) || len(cs) != 1 {
		t.Errorf("%s: %d provinces, %d award types, %d indicators, %d clusters; want %d, %d, %d, 1", round,
			len(ps), len(ats), len(inds), len(cs), len(seed.Provinces), len(seed.AwardTypes), len(seed.Indicators))
	}
	versions := map[string]int{}
	for _, p := range ps {
		versions["province "+p.ID] = p.Version
	}
	for _, a := range ats {
		versions["award type "+a.ID] = a.Version
	}
	for _, i := range inds {
		versions["indicator "+i.ID] = i.Version
	}
	for _, c := range cs {
		versions["cluster "+c.ID] = c.Version
	}
	for what, v := range versions {
		if v != 1 {
			t.Errorf("%s: %s at version %d: written more than once", round, what, v)
		}
	}
	all, hundred := domain.Access{All: true}, 100
	ms, err := s.Movements(ctx, domain.MovementFilter{}, all, domain.PageArgs{First: &hundred})
	if err != nil {
		t.Fatal(err)
	}
	if len(ms.Items) != len(seed.Movements) {
		t.Errorf("%s: %d movements, want %d", round, len(ms.Items), len(seed.Movements))
	}
	for _, m := range ms.Items {
		if m.Version != 1 {
			t.Errorf("%s: movement %q at version %d", round, m.Title, m.Version)
		}
	}
}
