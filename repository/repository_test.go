package repository_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/thidua/thidua/dbtest"
	"github.com/thidua/thidua/domain"
	"github.com/thidua/thidua/repository"
	"github.com/thidua/thidua/seed"
	"github.com/thidua/thidua/service"
)

// The repository is the service's store.
var _ service.Store = (*repository.Store)(nil)

func TestMain(m *testing.M) { dbtest.Main(m) }

var all = domain.Access{All: true}

func newAward(province, name string, year int, status string) *domain.Award {
	return &domain.Award{
		Owner: province, Published: status == "CONFERRED" || status == "REVOKED",
		ProvinceID: province, AwardTypeID: "bang-khen-thu-tuong", Authority: "PRIME_MINISTER",
		Recipient: domain.Recipient{Kind: "INDIVIDUAL", Name: name},
		Year:      year, Status: status, LegalBasis: "x",
	}
}

// to is a change that replaces the record with r (a copy: the change may run
// more than once in a test).
func to[T any](r *T) func(*T) (*T, error) {
	return func(*T) (*T, error) { c := *r; return &c, nil }
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
	page, err := s.Movements(ctx, domain.MovementFilter{}, all, domain.PageArgs{})
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
			if p.Version != 1 {
				t.Errorf("lao-cai put twice, the same: version %d, want 1 (stored once)", p.Version)
			}
		}
	}
	r, err := s.PeriodReview(ctx, seed.ID("review:2022-07-20"), domain.Access{})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.MovementIDs) != 2 || r.MovementIDs[0] != seed.ID("movement:"+seed.ReviewMovements[0]) {
		t.Errorf("review movements = %v", r.MovementIDs)
	}
	ms, err := s.MovementsByID(ctx, append(r.MovementIDs, "nope", "62d74580a39e8924171872d6"), domain.Access{})
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) != 2 || ms[r.MovementIDs[1]] == nil || ms[r.MovementIDs[1]].ID != r.MovementIDs[1] {
		t.Errorf("movements by id = %v", ms)
	}
}

func TestAwardPagingAndFilters(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := dbtest.Store(t)
	names := []string{"Nguyễn Văn An", "Trần Thị Bình", "Hoàng Đức Cường", "Nguyễn Thị Dung", "Lý Văn Đông"}
	for i, n := range names {
		for _, st := range []string{"CONFERRED", "PROPOSED"} {
			if err := s.CreateAward(ctx, newAward([]string{"lang-son", "cao-bang"}[i%2], n, 2020+i%3, st)); err != nil {
				t.Fatal(err)
			}
		}
	}
	// Walk all pages of 3 and check order and completeness.
	var seen []domain.Award
	var after *string
	for {
		first := 3
		p, err := s.Awards(ctx, domain.AwardFilter{}, all, domain.PageArgs{First: &first, After: after})
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
		ids[a.ID] = true
		if domain.CheckID("id", a.ID) != nil {
			t.Errorf("award id %q is not a domain id", a.ID)
		}
		if i > 0 && (a.Year > seen[i-1].Year || a.Year == seen[i-1].Year && a.ID > seen[i-1].ID) {
			t.Errorf("award %d out of order", i)
		}
	}
	if len(ids) != 10 {
		t.Errorf("distinct awards = %d, want 10", len(ids))
	}

	// Anonymous callers see the conferred ones only; a lang-son viewer also
	// sees lang-son's proposals.
	count := func(f domain.AwardFilter, acc domain.Access) int {
		p, err := s.Awards(ctx, f, acc, domain.PageArgs{})
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
	if got := count(domain.AwardFilter{}, domain.Access{}); got != 5 {
		t.Errorf("anonymous sees %d, want 5", got)
	}
	if got := count(domain.AwardFilter{}, domain.Access{Owners: []string{"lang-son"}}); got != 8 {
		t.Errorf("lang-son viewer sees %d, want 8", got)
	}
	if got := count(domain.AwardFilter{RecipientName: "nguyen"}, all); got != 4 {
		t.Errorf("search nguyen = %d, want 4", got)
	}
	if got := count(domain.AwardFilter{RecipientName: "DONG"}, all); got != 2 {
		t.Errorf("search DONG = %d, want 2 (Đông)", got)
	}
	if got := count(domain.AwardFilter{RecipientName: "(.*"}, all); got != 0 {
		t.Errorf("regex metacharacters must be literal, got %d", got)
	}
	y := 2020
	if got := count(domain.AwardFilter{Year: &y, ProvinceID: "lang-son"}, all); got != 2 {
		t.Errorf("lang-son 2020 = %d, want 2", got)
	}
	bad := "not-a-cursor"
	_, err := s.Awards(ctx, domain.AwardFilter{}, all, domain.PageArgs{After: &bad})
	wantCode(t, err, domain.CodeInvalid)

	// Tallies group by the domain's field names, largest groups first.
	rows, err := s.AwardTally(ctx, domain.AwardFilter{}, domain.Access{}, []string{domain.TallyProvince, domain.TallyYear})
	if err != nil {
		t.Fatal(err)
	}
	total := 0
	for i, r := range rows {
		total += r.Count
		if r.ProvinceID == "" || r.Year < 2020 || r.Status != "" {
			t.Errorf("tally row %+v", r)
		}
		if i > 0 && r.Count > rows[i-1].Count {
			t.Errorf("tally rows out of order: %+v", rows)
		}
	}
	if total != 5 || len(rows) != 5 {
		t.Errorf("tally of published awards = %+v, want 5 awards in 5 groups", rows)
	}
	rows, err = s.AwardTally(ctx, domain.AwardFilter{}, domain.Access{}, []string{domain.TallyProvince})
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || rows[0] != (domain.TallyRow{ProvinceID: "lang-son", Count: 3}) || rows[1] != (domain.TallyRow{ProvinceID: "cao-bang", Count: 2}) {
		t.Errorf("tally by province = %+v", rows)
	}
	_, err = s.AwardTally(ctx, domain.AwardFilter{}, all, []string{"owner"})
	wantCode(t, err, domain.CodeInvalid)
}

func TestMovementFilterAndReferences(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := dbtest.Store(t)
	hidden := &domain.Movement{Owner: "lang-son", Title: "Phong trào riêng", Scope: "PROVINCE", Kind: "ANNUAL", ProvinceID: "lang-son"}
	if err := s.CreateMovement(ctx, hidden); err != nil {
		t.Fatal(err)
	}
	a := newAward("lang-son", "Nguyễn Văn An", 2022, "PROPOSED")
	a.MovementID = hidden.ID
	if err := s.CreateAward(ctx, a); err != nil {
		t.Fatal(err)
	}
	count := func(mid string) int {
		p, err := s.Awards(ctx, domain.AwardFilter{MovementID: mid}, all, domain.PageArgs{})
		if err != nil {
			t.Fatal(err)
		}
		return len(p.Items)
	}
	if got := count(hidden.ID); got != 1 {
		t.Errorf("awards of the movement = %d, want 1", got)
	}
	if got := count("not-an-id"); got != 0 {
		t.Errorf("awards of an unparsable movement id = %d, want 0", got)
	}
	got, err := s.Award(ctx, a.ID, all)
	if err != nil {
		t.Fatal(err)
	}
	if got.MovementID != hidden.ID {
		t.Errorf("award movement = %q, want %q", got.MovementID, hidden.ID)
	}

	// A caller that cannot see the movement learns nothing of its
	// references: NOT_FOUND, not CONFLICT.
	caoBang := domain.Access{Owners: []string{"cao-bang"}}
	_, err = s.DeleteMovement(ctx, hidden.ID, 1, caoBang, caoBang)
	wantCode(t, err, domain.CodeNotFound)
	// Nor a stale version: CONFLICT on the version, before the references.
	langSon := domain.Access{Owners: []string{"lang-son"}}
	_, err = s.DeleteMovement(ctx, hidden.ID, 7, langSon, langSon)
	wantCode(t, err, domain.CodeConflict)
	_, err = s.DeleteMovement(ctx, hidden.ID, 1, langSon, langSon)
	wantCode(t, err, domain.CodeConflict)
	if e := (*domain.Error)(nil); !errors.As(err, &e) || e.Message == "" || !strings.Contains(e.Message, "referred to by awards") {
		t.Errorf("delete of a referred movement: %v", err)
	}
	if _, err := s.DeleteAward(ctx, a.ID, 1, langSon, langSon, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := s.DeleteMovement(ctx, hidden.ID, 1, langSon, langSon); err != nil {
		t.Fatal(err)
	}
	_, err = s.Movement(ctx, hidden.ID, all)
	wantCode(t, err, domain.CodeNotFound)
}

func TestVersionedWrites(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := dbtest.Store(t)
	a := newAward("lang-son", "Nguyễn Văn An", 2022, "PROPOSED")
	a.Decision = &domain.Decision{Number: "1/QĐ", Date: "2022-05-01"}
	a.Citation = "vì thành tích"
	if err := s.CreateAward(ctx, a); err != nil {
		t.Fatal(err)
	}
	if a.Version != 1 || a.CreatedAt.IsZero() {
		t.Errorf("created meta = %+v", a.Meta)
	}
	langSon := domain.Access{Owners: []string{"lang-son"}}
	caoBang := domain.Access{Owners: []string{"cao-bang"}}
	x := newAward("cao-bang", "X", 2022, "PROPOSED")

	// Ids that are not ids name nothing.
	for _, id := range []string{"", "nope", a.ID[:23], a.ID + "0"} {
		_, err := s.Award(ctx, id, all)
		wantCode(t, err, domain.CodeNotFound)
		_, _, err = s.UpdateAward(ctx, id, 1, all, all, to(x))
		wantCode(t, err, domain.CodeNotFound)
		_, err = s.DeleteAward(ctx, id, 1, all, all, nil)
		wantCode(t, err, domain.CodeNotFound)
	}
	// Another province's editor: the record is invisible to it.
	_, _, err := s.UpdateAward(ctx, a.ID, 1, caoBang, caoBang, to(x))
	wantCode(t, err, domain.CodeNotFound)
	// Visible (it may read everything) but not writable.
	_, _, err = s.UpdateAward(ctx, a.ID, 1, all, caoBang, to(x))
	wantCode(t, err, domain.CodeForbidden)
	// A refusal of the change is returned as it is.
	refused := domain.Invalid("status", "no")
	_, _, err = s.UpdateAward(ctx, a.ID, 1, langSon, langSon, func(*domain.Award) (*domain.Award, error) { return nil, refused })
	if !errors.Is(err, refused) {
		t.Fatalf("refused change: %v", err)
	}

	// The change gets the stored record; what it does to it does not change
	// the record returned as before. Clearing optional fields clears them.
	before, got, err := s.UpdateAward(ctx, a.ID, 1, langSon, langSon, func(old *domain.Award) (*domain.Award, error) {
		if old.Recipient.Name != "Nguyễn Văn An" || old.Decision == nil || old.Citation == "" {
			return nil, fmt.Errorf("change given %+v", old)
		}
		old.Recipient.Name = "Nguyễn Văn Ân"
		old.Decision, old.Citation = nil, ""
		old.ID, old.Version = "000000000000000000000000", 99 // the repository's to keep
		return old, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if before.Recipient.Name != "Nguyễn Văn An" || before.Decision == nil || before.Version != 1 {
		t.Errorf("before = %+v", before)
	}
	if got.ID != a.ID || got.Version != 2 || got.Recipient.Name != "Nguyễn Văn Ân" || !got.CreatedAt.Equal(a.CreatedAt) ||
		got.Decision != nil || got.Citation != "" {
		t.Errorf("updated = %+v", got)
	}
	read, err := s.Award(ctx, a.ID, langSon)
	if err != nil {
		t.Fatal(err)
	}
	if read.Decision != nil || read.Citation != "" || read.Version != 2 {
		t.Errorf("read back = %+v", read)
	}
	// The search keys follow the name.
	p, err := s.Awards(ctx, domain.AwardFilter{Search: "van an"}, all, domain.PageArgs{})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Items) != 1 {
		t.Errorf("search after rename = %d, want 1", len(p.Items))
	}
	p, err = s.Awards(ctx, domain.AwardFilter{Search: "thanh tich"}, all, domain.PageArgs{})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Items) != 0 {
		t.Errorf("search of a cleared citation = %d, want 0", len(p.Items))
	}

	_, _, err = s.UpdateAward(ctx, a.ID, 1, langSon, langSon, to(x))
	wantCode(t, err, domain.CodeConflict)
	_, err = s.DeleteAward(ctx, a.ID, 1, langSon, langSon, nil)
	wantCode(t, err, domain.CodeConflict)
	guard := domain.Invalid("id", "kept")
	_, err = s.DeleteAward(ctx, a.ID, 2, langSon, langSon, func(old *domain.Award) error {
		if old.ID != a.ID {
			return fmt.Errorf("guard given %+v", old)
		}
		return guard
	})
	if !errors.Is(err, guard) {
		t.Fatalf("guarded delete: %v", err)
	}
	if _, err := s.DeleteAward(ctx, a.ID, 2, langSon, langSon, nil); err != nil {
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
	if err := s.CreateAward(ctx, a); err != nil {
		t.Fatal(err)
	}
	const n = 16
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			_, _, errs[i] = s.UpdateAward(ctx, a.ID, 1, all, all, to(newAward("lang-son", fmt.Sprint("name ", i), 2022, "PROPOSED")))
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
			if _, _, err := s.SubmitReport(ctx, rid, p, []domain.IndicatorValue{{IndicatorID: "new-jobs", Value: float64(i)}}, "u", nil, nil); err != nil {
				t.Error(err)
			}
		}(i, p)
	}
	wg.Wait()
	reps, err := s.ReportsByReview(ctx, []string{rid, "nope"})
	if err != nil {
		t.Fatal(err)
	}
	if len(reps[rid]) != 7 || reps[rid][0].ReviewID != rid {
		t.Fatalf("reports = %d, want 7", len(reps[rid]))
	}
	one := 1
	before, after, err := s.SubmitReport(ctx, rid, "lang-son", nil, "u", &one, func(r *domain.PeriodReview) error {
		if r.ID != rid || r.Kind != "MID_YEAR" {
			return fmt.Errorf("check given %+v", r)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if before.Version != 1 || len(before.Values) != 1 || after.Version != 2 || len(after.Values) != 0 {
		t.Errorf("report before %+v, after %+v", before, after)
	}
	_, _, err = s.SubmitReport(ctx, rid, "lang-son", nil, "u", &one, nil)
	wantCode(t, err, domain.CodeConflict)
	for _, id := range []string{seed.ID("nope"), "nope"} {
		_, _, err = s.SubmitReport(ctx, id, "lang-son", nil, "u", nil, nil)
		if e := (*domain.Error)(nil); !errors.As(err, &e) || e.Code != domain.CodeNotFound {
			t.Errorf("unknown review %q: %v", id, err)
		}
	}
}

func TestVote(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := dbtest.Store(t)
	r := &domain.PeriodReview{Owner: domain.ScopeAll, Published: true, Kind: "YEAR_END", Year: 2022, Period: "2022",
		Date: "2022-12-20", HostProvinceID: "lang-son"}
	if err := s.CreatePeriodReview(ctx, r); err != nil {
		t.Fatal(err)
	}
	v := &domain.Vote{ID: r.ID, ClusterID: "c", Year: 2022, Voters: []string{"a", "b", "c"},
		VoteSettings: domain.VoteSettings{Criteria: []domain.Criterion{{Name: "Kết quả", Weight: 2, MaxPoints: 50}},
			CrossScoring: true, Majority: 0.5}}
	if err := s.OpenVote(ctx, v); err != nil {
		t.Fatal(err)
	}
	again := *v
	wantCode(t, s.OpenVote(ctx, &again), domain.CodeConflict)
	votes, err := s.VotesByReview(ctx, []string{r.ID, seed.ID("other"), "nope"})
	if err != nil {
		t.Fatal(err)
	}
	if len(votes) != 1 || votes[r.ID] == nil || votes[r.ID].Status != "OPEN" || votes[r.ID].Majority != 0.5 ||
		len(votes[r.ID].Criteria) != 1 || votes[r.ID].Criteria[0] != (domain.Criterion{Name: "Kết quả", Weight: 2, MaxPoints: 50}) {
		t.Fatalf("votes = %+v", votes)
	}
	for _, p := range []string{"a", "b"} {
		b := &domain.Ballot{ReviewID: r.ID, ProvinceID: p, LeaderID: "c", By: "u",
			Scores: []domain.Score{{ProvinceID: "c", Criterion: "Kết quả", Score: 40}}}
		got, err := s.CastBallot(ctx, b, func(v *domain.Vote) error {
			if v.ID != r.ID {
				return fmt.Errorf("check given %+v", v)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if got.ReviewID != r.ID || got.Version != 1 || got.ID == "" || len(got.Scores) != 1 {
			t.Errorf("ballot = %+v", got)
		}
	}
	no := domain.Invalid("leaderId", "no")
	_, err = s.CastBallot(ctx, &domain.Ballot{ReviewID: r.ID, ProvinceID: "c", LeaderID: "c"}, func(*domain.Vote) error { return no })
	if !errors.Is(err, no) {
		t.Errorf("refused ballot: %v", err)
	}
	_, err = s.CloseVote(ctx, r.ID, 2, nil)
	wantCode(t, err, domain.CodeConflict)
	_, err = s.CloseVote(ctx, seed.ID("other"), 1, nil)
	wantCode(t, err, domain.CodeInvalid)
	closed, err := s.CloseVote(ctx, r.ID, 1, func(v *domain.Vote, ballots []domain.Ballot) error {
		if len(ballots) != 2 || ballots[0].ProvinceID != "a" {
			return fmt.Errorf("tally given %+v", ballots)
		}
		v.Tally = []domain.VoteCount{{ProvinceID: "c", Votes: 2, ScoreTotal: 80}}
		v.LeaderID = "c"
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if closed.Status != "CLOSED" || closed.Version != 2 || closed.LeaderID != "c" {
		t.Errorf("closed = %+v", closed)
	}
	votes, err = s.VotesByReview(ctx, []string{r.ID})
	if err != nil {
		t.Fatal(err)
	}
	if got := votes[r.ID]; got.Status != "CLOSED" || got.Version != 2 || got.LeaderID != "c" || len(got.Tally) != 1 || got.Tally[0].Votes != 2 || got.Tied == nil {
		t.Errorf("stored closed vote = %+v", got)
	}
	_, err = s.CloseVote(ctx, r.ID, 2, nil)
	wantCode(t, err, domain.CodeInvalid)
	_, err = s.CastBallot(ctx, &domain.Ballot{ReviewID: r.ID, ProvinceID: "c", LeaderID: "a"}, nil)
	wantCode(t, err, domain.CodeInvalid)
	ballots, err := s.BallotsByReview(ctx, []string{r.ID, seed.ID("other")})
	if err != nil {
		t.Fatal(err)
	}
	if len(ballots[r.ID]) != 2 || ballots[seed.ID("other")] != nil {
		t.Errorf("ballots = %+v", ballots)
	}
}

func TestReferenceWrites(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := dbtest.Store(t)
	at := &domain.AwardType{ID: "giay-khen", Name: "Giấy khen", Form: "CERTIFICATE_OF_COMMENDATION",
		Authorities: []string{"UNIT_HEAD"}, AuthorityRules: []domain.AuthorityRule{{Authority: "UNIT_HEAD", From: "2024-01-01", Basis: "Điều 1"}},
		ValidFrom: "2003-01-01", LegalBasis: "Luật"}
	_, err := s.SaveAwardType(ctx, at, 1)
	wantCode(t, err, domain.CodeNotFound)
	before, err := s.SaveAwardType(ctx, at, 0)
	if err != nil || before != nil {
		t.Fatalf("create: %v, %v", before, err)
	}
	if at.Version != 1 {
		t.Errorf("created meta = %+v", at.Meta)
	}
	_, err = s.SaveAwardType(ctx, at, 0)
	wantCode(t, err, domain.CodeConflict)
	changed := *at
	changed.Name, changed.LegalBasis = "Giấy khen (mới)", ""
	_, err = s.SaveAwardType(ctx, &changed, 2)
	wantCode(t, err, domain.CodeConflict)
	before, err = s.SaveAwardType(ctx, &changed, 1)
	if err != nil {
		t.Fatal(err)
	}
	if before.Name != "Giấy khen" || before.Version != 1 || changed.Version != 2 || !changed.CreatedAt.Equal(at.CreatedAt) {
		t.Errorf("replace: before %+v, after %+v", before, changed)
	}
	ts, err := s.AwardTypes(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(ts) != 1 || ts[0].Name != "Giấy khen (mới)" || ts[0].LegalBasis != "" || ts[0].Version != 2 ||
		len(ts[0].AuthorityRules) != 1 || ts[0].AuthorityRules[0] != at.AuthorityRules[0] || ts[0].ValidFrom != "2003-01-01" {
		t.Errorf("award types = %+v", ts)
	}

	ind := &domain.Indicator{ID: "new-jobs", Name: "Việc làm", Unit: "người", Aggregation: "SUM", ValidTo: "2030-12-31"}
	if _, err := s.SaveIndicator(ctx, ind, 0); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SaveIndicator(ctx, ind, 1); err != nil {
		t.Fatal(err)
	}
	is, err := s.Indicators(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(is) != 1 || is[0].Version != 2 || is[0].ValidTo != "2030-12-31" {
		t.Errorf("indicators = %+v", is)
	}

	p := &domain.Province{ID: "lao-cai", Name: "Lào Cai", PredecessorIDs: []string{"yen-bai"}, AdministrativeCentre: "Yên Bái"}
	if err := s.PutProvince(ctx, p); err != nil {
		t.Fatal(err)
	}
	ps, err := s.Provinces(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != 1 || len(ps[0].PredecessorIDs) != 1 || ps[0].AdministrativeCentre != "Yên Bái" {
		t.Errorf("provinces = %+v", ps)
	}

	c := &domain.Cluster{ID: "c", Name: "Cụm", Years: []domain.ClusterYear{{Year: 2022, Members: []string{"a"}}}}
	if err := s.PutCluster(ctx, c); err != nil {
		t.Fatal(err)
	}
	_, _, err = s.SetClusterYear(ctx, "c", 2, domain.ClusterYear{Year: 2023})
	wantCode(t, err, domain.CodeConflict)
	_, _, err = s.SetClusterYear(ctx, "nope", 1, domain.ClusterYear{Year: 2023})
	wantCode(t, err, domain.CodeNotFound)
	cb, ca, err := s.SetClusterYear(ctx, "c", 1, domain.ClusterYear{Year: 2021, Members: []string{"b"}, Chair: "b"})
	if err != nil {
		t.Fatal(err)
	}
	if len(cb.Years) != 1 || cb.Version != 1 || len(ca.Years) != 2 || ca.Years[0].Year != 2021 || ca.Version != 2 {
		t.Errorf("cluster before %+v, after %+v", cb, ca)
	}
	cs, err := s.Clusters(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) != 1 || cs[0].Version != 2 || cs[0].InYear(2021) == nil || cs[0].InYear(2021).Chair != "b" {
		t.Errorf("clusters = %+v", cs)
	}
}

func TestCountConferred(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := dbtest.Store(t)
	add := func(province, status, authority, awardType, date string) {
		a := newAward(province, "X", 2022, status)
		a.Authority, a.AwardTypeID = authority, awardType
		if date != "" {
			a.Decision = &domain.Decision{Number: "1", Date: date}
		}
		if err := s.CreateAward(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	add("lang-son", "CONFERRED", "PRESIDENT", "huan-chuong-lao-dong", "2022-03-01")
	add("lang-son", "REVOKED", "PRESIDENT", "huan-chuong-doc-lap", "2022-05-01")
	add("cao-bang", "CONFERRED", "PRIME_MINISTER", "bang-khen-thu-tuong", "2022-06-30")
	add("cao-bang", "CONFERRED", "PRIME_MINISTER", "bang-khen-thu-tuong", "2022-07-01")
	add("cao-bang", "PROPOSED", "PRESIDENT", "huan-chuong-lao-dong", "2022-04-01")
	for _, c := range []struct {
		f    domain.ConferredFilter
		want int
	}{
		{domain.ConferredFilter{From: "2022-01-01", To: "2022-06-30"}, 3},
		{domain.ConferredFilter{From: "2022-01-01", To: "2022-12-31"}, 4},
		{domain.ConferredFilter{From: "2022-01-01", To: "2022-06-30", Authorities: []string{"PRESIDENT"}}, 2},
		{domain.ConferredFilter{From: "2022-01-01", To: "2022-06-30", AwardTypeIDs: []string{"huan-chuong-doc-lap"}}, 1},
		{domain.ConferredFilter{From: "2022-01-01", To: "2022-12-31", ProvinceIDs: []string{"cao-bang"}}, 2},
		{domain.ConferredFilter{From: "2022-01-01", To: "2022-12-31", ProvinceIDs: []string{"cao-bang"}, Authorities: []string{"PRESIDENT"}}, 0},
	} {
		got, err := s.CountConferred(ctx, c.f)
		if err != nil {
			t.Fatal(err)
		}
		if got != c.want {
			t.Errorf("CountConferred(%+v) = %d, want %d", c.f, got, c.want)
		}
	}
}

func TestAudit(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := dbtest.Store(t)
	v := 1
	for _, p := range []string{"lang-son", "cao-bang", "lang-son"} {
		e := &domain.AuditEntry{Operation: "updateAward", RecordType: "Award", ProvinceID: p, Outcome: "ACCEPTED",
			VersionBefore: &v, Changes: []domain.FieldChange{{Field: "year", Old: "2021", New: "2022"}}}
		if err := s.AppendAudit(ctx, e); err != nil {
			t.Fatal(err)
		}
		if e.ID == "" || e.At.IsZero() {
			t.Errorf("appended %+v", e)
		}
	}
	p, err := s.AuditLog(ctx, domain.AuditFilter{}, domain.Access{Owners: []string{"lang-son"}}, domain.PageArgs{})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Items) != 2 || p.Items[0].ProvinceID != "lang-son" || len(p.Items[0].Changes) != 1 ||
		p.Items[0].Changes[0].New != "2022" || *p.Items[0].VersionBefore != 1 {
		t.Errorf("audit log = %+v", p.Items)
	}
	p, err = s.AuditLog(ctx, domain.AuditFilter{ProvinceID: "cao-bang"}, all, domain.PageArgs{})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Items) != 1 {
		t.Errorf("audit log of cao-bang = %+v", p.Items)
	}
}
