package repository_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/thidua/thidua/dbtest"
	"github.com/thidua/thidua/domain"
	"github.com/thidua/thidua/repository"
	"github.com/thidua/thidua/seed"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

var all = repository.Access{All: true}

// any2 allows every status transition (the rules are the graph layer's).
func any2(from, to string) error { return nil }

func newAward(province, name string, year int, status string) *repository.Award {
	return &repository.Award{
		ProvinceID: province, AwardTypeID: "bang-khen-thu-tuong", Authority: "PRIME_MINISTER",
		Recipient: repository.Recipient{Kind: "INDIVIDUAL", Name: name},
		Year:      year, Status: status, LegalBasis: "x",
	}
}

func wantCode(t *testing.T, err error, code domain.Code) {
	t.Helper()
	if got := domain.ErrorCode(err); got != code {
		t.Fatalf("error code = %s (%v), want %s", got, err, code)
	}
}

func TestSeedIsIdempotent(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := dbtest.Store(t)
	for i := 0; i < 2; i++ {
		if err := seed.Load(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	ps, err := s.Provinces(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != 9 {
		t.Errorf("provinces = %d, want 9", len(ps))
	}
	page, err := s.Movements(ctx, repository.MovementFilter{}, all, repository.PageArgs{})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Items) != 4 {
		t.Errorf("movements = %d, want 4", len(page.Items))
	}
	for _, p := range ps {
		if p.ID == "lao-cai" {
			if got := p.CodeOn("2022-07-20"); got != "10" {
				t.Errorf("lao-cai code in 2022 = %s, want 10", got)
			}
			if got := p.CodeOn("2026-01-01"); got != "15" {
				t.Errorf("lao-cai code in 2026 = %s, want 15", got)
			}
		}
	}
}

func TestAwardPagingAndFilters(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := dbtest.Store(t)
	names := []string{"Nguyễn Văn An", "Trần Thị Bình", "Hoàng Đức Cường", "Nguyễn Thị Dung", "Lý Văn Đông"}
	for i, n := range names {
		for _, st := range []string{"CONFERRED", "PROPOSED"} {
			if err := s.CreateAward(ctx, newAward([]string{"lang-son", "cao-bang"}[i%2], n, 2020+i%3, st), "test"); err != nil {
				t.Fatal(err)
			}
		}
	}
	// Walk all pages of 3 and check order and completeness.
	var seen []repository.Award
	var after *string
	for {
		first := 3
		p, err := s.Awards(ctx, repository.AwardFilter{}, all, repository.PageArgs{First: &first, After: after})
		if err != nil {
			t.Fatal(err)
		}
		seen = append(seen, p.Items...)
		if !p.HasNext {
			break
		}
		after = &p.Cursors[len(p.Cursors)-1]
	}
	if len(seen) != 10 {
		t.Fatalf("paged through %d awards, want 10", len(seen))
	}
	ids := map[string]bool{}
	for i, a := range seen {
		ids[a.ID.Hex()] = true
		if i > 0 && (a.Year > seen[i-1].Year || a.Year == seen[i-1].Year && a.ID.Hex() > seen[i-1].ID.Hex()) {
			t.Errorf("award %d out of order", i)
		}
	}
	if len(ids) != 10 {
		t.Errorf("distinct awards = %d, want 10", len(ids))
	}

	// Anonymous callers see the conferred ones only; a lang-son viewer also
	// sees lang-son's proposals.
	count := func(f repository.AwardFilter, acc repository.Access) int {
		p, err := s.Awards(ctx, f, acc, repository.PageArgs{})
		if err != nil {
			t.Fatal(err)
		}
		n, err := p.Count(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if n != len(p.Items) {
			t.Errorf("count %d != items %d", n, len(p.Items))
		}
		return n
	}
	if got := count(repository.AwardFilter{}, repository.Access{}); got != 5 {
		t.Errorf("anonymous sees %d, want 5", got)
	}
	if got := count(repository.AwardFilter{}, repository.Access{Owners: []string{"lang-son"}}); got != 8 {
		t.Errorf("lang-son viewer sees %d, want 8", got)
	}
	if got := count(repository.AwardFilter{RecipientName: "nguyen"}, all); got != 4 {
		t.Errorf("search nguyen = %d, want 4", got)
	}
	if got := count(repository.AwardFilter{RecipientName: "DONG"}, all); got != 2 {
		t.Errorf("search DONG = %d, want 2 (Đông)", got)
	}
	if got := count(repository.AwardFilter{RecipientName: "(.*"}, all); got != 0 {
		t.Errorf("regex metacharacters must be literal, got %d", got)
	}
	y := 2020
	if got := count(repository.AwardFilter{Year: &y, ProvinceID: "lang-son"}, all); got != 2 {
		t.Errorf("lang-son 2020 = %d, want 2", got)
	}
	bad := "not-a-cursor"
	_, err := s.Awards(ctx, repository.AwardFilter{}, all, repository.PageArgs{After: &bad})
	wantCode(t, err, domain.CodeInvalid)
}

func TestVersionedWrites(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := dbtest.Store(t)
	a := newAward("lang-son", "Nguyễn Văn An", 2022, "PROPOSED")
	if err := s.CreateAward(ctx, a, "test"); err != nil {
		t.Fatal(err)
	}
	langSon := repository.Access{Owners: []string{"lang-son"}}
	caoBang := repository.Access{Owners: []string{"cao-bang"}}

	// Another province's editor: the record is invisible to it.
	_, _, err := s.UpdateAward(ctx, a.ID, 1, caoBang, caoBang, newAward("cao-bang", "X", 2022, "PROPOSED"), any2, "t")
	wantCode(t, err, domain.CodeNotFound)
	// Visible (it may read everything) but not writable.
	_, _, err = s.UpdateAward(ctx, a.ID, 1, all, caoBang, newAward("cao-bang", "X", 2022, "PROPOSED"), any2, "t")
	wantCode(t, err, domain.CodeForbidden)

	b := newAward("lang-son", "Nguyễn Văn Ân", 2022, "PROPOSED")
	_, got, err := s.UpdateAward(ctx, a.ID, 1, langSon, langSon, b, any2, "t")
	if err != nil {
		t.Fatal(err)
	}
	if got.Version != 2 || got.Recipient.Name != "Nguyễn Văn Ân" || !got.CreatedAt.Equal(a.CreatedAt) {
		t.Errorf("updated = %+v", got)
	}
	_, _, err = s.UpdateAward(ctx, a.ID, 1, langSon, langSon, b, any2, "t")
	wantCode(t, err, domain.CodeConflict)
	_, err = s.DeleteAward(ctx, a.ID, 1, langSon, langSon)
	wantCode(t, err, domain.CodeConflict)
	if _, err := s.DeleteAward(ctx, a.ID, 2, langSon, langSon); err != nil {
		t.Fatal(err)
	}
	_, err = s.Award(ctx, a.ID, all)
	wantCode(t, err, domain.CodeNotFound)
}

// Concurrent updates with the same expected version: exactly one wins,
// the others get CONFLICT, and the stored version counts only the winner.
func TestConcurrentUpdatesOneWins(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := dbtest.Store(t)
	a := newAward("lang-son", "Nguyễn Văn An", 2022, "PROPOSED")
	if err := s.CreateAward(ctx, a, "test"); err != nil {
		t.Fatal(err)
	}
	const n = 16
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			_, _, errs[i] = s.UpdateAward(ctx, a.ID, 1, all, all, newAward("lang-son", fmt.Sprint("name ", i), 2022, "PROPOSED"), any2, "t")
		}(i)
	}
	wg.Wait()
	won := 0
	for _, err := range errs {
		switch {
		case err == nil:
			won++
		case domain.ErrorCode(err) != domain.CodeConflict:
			t.Errorf("unexpected error %v", err)
		}
	}
	if won != 1 {
		t.Errorf("%d updates won, want 1", won)
	}
	got, err := s.Award(ctx, a.ID, all)
	if err != nil {
		t.Fatal(err)
	}
	if got.Version != 2 {
		t.Errorf("version = %d, want 2", got.Version)
	}
}

func TestReportsPerProvince(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := dbtest.Store(t)
	if err := seed.Load(ctx, s); err != nil {
		t.Fatal(err)
	}
	rid := seed.ID("review:2022-07-20")
	var wg sync.WaitGroup
	for i, p := range seed.ClusterMembers {
		wg.Add(1)
		go func(i int, p string) {
			defer wg.Done()
			if _, _, err := s.SubmitReport(ctx, rid, p, []repository.IndicatorValue{{IndicatorID: "new-jobs", Value: float64(i)}}, "u", nil, nil); err != nil {
				t.Error(err)
			}
		}(i, p)
	}
	wg.Wait()
	reps, err := s.ReportsByReview(ctx, []bson.ObjectID{rid})
	if err != nil {
		t.Fatal(err)
	}
	if len(reps[rid]) != 7 {
		t.Fatalf("reports = %d, want 7", len(reps[rid]))
	}
	one := 1
	if _, _, err := s.SubmitReport(ctx, rid, "lang-son", nil, "u", &one, nil); err != nil {
		t.Fatal(err)
	}
	_, _, err = s.SubmitReport(ctx, rid, "lang-son", nil, "u", &one, nil)
	wantCode(t, err, domain.CodeConflict)
	_, _, err = s.SubmitReport(ctx, seed.ID("nope"), "lang-son", nil, "u", nil, nil)
	if !errors.Is(err, err) || domain.ErrorCode(err) != domain.CodeNotFound {
		t.Errorf("unknown review: %v", err)
	}
}
