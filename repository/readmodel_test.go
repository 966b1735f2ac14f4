package repository_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/thidua/thidua/dbtest"
	"github.com/thidua/thidua/domain"
	"github.com/thidua/thidua/repository"
)

// The read model answers exactly what the database queries answer: random
// awards, movements and reviews (written, changed and deleted through the
// store that keeps the model), random filters, searches, orders, page walks
// and callers; pages, cursors and counts compared with a second store on
// the same database that asks the database every time.
func TestReadModelAnswersAsTheDatabase(t *testing.T) {
	if !dbtest.ReadModel() {
		t.Skip("a test of the read model itself: READ_MODEL=off runs the suite without it, the run with it covers this")
	}
	ctx := t.Context()
	name := dbtest.NewName(t)
	mem, err := repository.Open(ctx, dbtest.URI(), name)
	if err != nil {
		t.Fatal(err)
	}
	db, err := repository.Open(ctx, dbtest.URI(), name, repository.WithoutReadModel())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		c, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = mem.Drop(c)
		_ = mem.Close(c)
		_ = db.Close(c)
	})
	if err := mem.EnsureIndexes(ctx); err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(20260127, 7))
	pick := func(list ...string) string { return list[rng.IntN(len(list))] }
	provinces := []string{"lang-son", "cao-bang", "son-la", "ha-giang", "lao-cai"}
	names := []string{"Nguyễn Văn An", "Nguyễn Thị Bình", "Trần Đức Cường", "Lò Văn Pá", "Hoàng Thị Mai", "Đặng Văn Đông", "nguyen van an", "UBND xã Tân Thanh"}

	// Some data, written through the store that keeps the read model; half
	// of it before the model is loaded, half after.
	var movementIDs []string
	for i := 0; i < 40; i++ {
		m := &domain.Movement{Title: fmt.Sprintf("%s %d", pick("Phong trào", "Thi đua", "Đổi mới", "Chung sức", "Ánh sáng"), rng.IntN(5)),
			Scope: pick("NATIONAL", "CLUSTER", "PROVINCE"), Kind: "ANNUAL", Published: rng.IntN(3) > 0}
		m.Owner = domain.ScopeAll
		if m.Scope == "PROVINCE" {
			m.ProvinceID = pick(provinces...)
			m.Owner = m.ProvinceID
		}
		if rng.IntN(2) == 0 {
			y := 2018 + rng.IntN(6)
			m.StartYear = &y
		}
		if rng.IntN(2) == 0 {
			y := 2020 + rng.IntN(6)
			m.EndYear = &y
		}
		if err := mem.CreateMovement(ctx, m); err != nil {
			t.Fatal(err)
		}
		movementIDs = append(movementIDs, m.ID)
		if i == 20 {
			if err := mem.Warm(ctx); err != nil {
				t.Fatal(err)
			}
		}
	}
	newAward := func() *domain.Award {
		a := &domain.Award{ProvinceID: pick(provinces...), AwardTypeID: pick("huan-chuong-lao-dong", "bang-khen-thu-tuong", "giay-khen"),
			Authority: pick("PRESIDENT", "PRIME_MINISTER", "UNIT_HEAD"), Year: 2015 + rng.IntN(10),
			Status:    pick("PROPOSED", "CONFERRED", "REJECTED", "REVOKED"),
			Recipient: domain.Recipient{Kind: pick("INDIVIDUAL", "COLLECTIVE", "HOUSEHOLD"), Name: pick(names...), Organization: pick("", "Sở Nội vụ", "UBND huyện")},
			Citation:  pick("", "Có thành tích xuất sắc", "Đoàn kết"), LegalBasis: "x"}
		a.Owner, a.Published = a.ProvinceID, a.Status == "CONFERRED" || a.Status == "REVOKED"
		if rng.IntN(2) == 0 {
			a.MovementID = movementIDs[rng.IntN(len(movementIDs))]
		}
		if a.Published || rng.IntN(3) == 0 {
			a.Decision = &domain.Decision{Number: "1/QĐ", Date: fmt.Sprintf("%d-%02d-%02d", a.Year, 1+rng.IntN(12), 1+rng.IntN(28))}
		}
		return a
	}
	var awardIDs []string
	for i := 0; i < 250; i++ {
		a := newAward()
		if err := mem.CreateAward(ctx, a); err != nil {
			t.Fatal(err)
		}
		awardIDs = append(awardIDs, a.ID)
	}
	batch := make([]*domain.Award, 50)
	for i := range batch {
		batch[i] = newAward()
	}
	if err := mem.CreateAwards(ctx, batch); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 12; i++ {
		r := &domain.PeriodReview{Owner: domain.ScopeAll, Published: rng.IntN(2) == 0, Kind: pick("MID_YEAR", "YEAR_END", "PHASE"),
			Year: 2020 + rng.IntN(4), Period: fmt.Sprint("kỳ ", i), Date: fmt.Sprintf("202%d-%02d-20", rng.IntN(5), 1+rng.IntN(12)),
			HostProvinceID: pick(provinces...), MovementIDs: []string{}}
		if err := mem.CreatePeriodReview(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	// Changes and deletions, through the same store.
	all := domain.Access{All: true}
	for i := 0; i < 40; i++ {
		id := awardIDs[rng.IntN(len(awardIDs))]
		old, err := mem.Award(ctx, id, all)
		if err != nil {
			continue // deleted already
		}
		if rng.IntN(4) == 0 {
			if _, err := mem.DeleteAward(ctx, id, old.Version, all, all, nil); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if _, _, err := mem.UpdateAward(ctx, id, old.Version, all, all, func(a *domain.Award) (*domain.Award, error) {
			n := newAward()
			n.ID = a.ID
			return n, nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	for i := 0; i < 8; i++ {
		id := movementIDs[rng.IntN(len(movementIDs))]
		old, err := mem.Movement(ctx, id, all)
		if err != nil {
			continue
		}
		if _, _, err := mem.UpdateMovement(ctx, id, old.Version, all, all, func(m *domain.Movement) (*domain.Movement, error) {
			m.Title, m.Published = "Đổi tên "+fmt.Sprint(i), !m.Published
			return m, nil
		}); err != nil {
			t.Fatal(err)
		}
	}

	callers := []domain.Access{{}, {All: true}, {Owners: []string{"lang-son"}}, {Owners: []string{"cao-bang", "son-la"}}, {Owners: []string{"*"}}}
	same := func(what string, a, b any, errA, errB error) {
		t.Helper()
		ja, _ := json.Marshal(a)
		jb, _ := json.Marshal(b)
		if (errA == nil) != (errB == nil) || string(ja) != string(jb) {
			t.Fatalf("%s:\nread model: %s %v\ndatabase:   %s %v", what, ja, errA, jb, errB)
		}
	}
	// walk pages through a list in both stores, comparing every page and
	// the counts.
	walk := func(what string, size int, list func(s *repository.Store, after *string) (items any, cursors []string, next bool, count func(context.Context) (int, error), err error)) {
		t.Helper()
		var after *string
		for page := 0; page < 6; page++ {
			ia, ca, na, cnta, ea := list(mem, after)
			ib, cb, nb, cntb, eb := list(db, after)
			same(fmt.Sprintf("%s, page %d", what, page), []any{ia, ca, na}, []any{ib, cb, nb}, ea, eb)
			if ea != nil {
				return
			}
			if page == 0 {
				x, e1 := cnta(ctx)
				y, e2 := cntb(ctx)
				same(what+", count", x, y, e1, e2)
			}
			if !na || len(ca) == 0 {
				return
			}
			after = &ca[len(ca)-1]
		}
	}
	optYear := func() *int {
		if rng.IntN(2) == 0 {
			return nil
		}
		y := 2015 + rng.IntN(10)
		return &y
	}
	for round := 0; round < 50; round++ {
		read := callers[rng.IntN(len(callers))]
		size := []int{0, 1, 3, 7, 20, 100}[rng.IntN(6)]
		f := domain.AwardFilter{Year: optYear()}
		if rng.IntN(2) == 0 {
			f.ProvinceID = pick(provinces...)
		}
		if rng.IntN(3) == 0 {
			f.Status = pick("PROPOSED", "CONFERRED", "REJECTED", "REVOKED")
		}
		if rng.IntN(4) == 0 {
			f.AwardTypeID = pick("huan-chuong-lao-dong", "giay-khen")
		}
		if rng.IntN(4) == 0 {
			f.Authority = pick("PRESIDENT", "UNIT_HEAD")
		}
		if rng.IntN(4) == 0 {
			f.MovementID = pick(movementIDs[rng.IntN(len(movementIDs))], "not-an-id", "0123456789abcdef01234567")
		}
		if rng.IntN(4) == 0 {
			f.RecipientKind = pick("INDIVIDUAL", "COLLECTIVE")
		}
		if rng.IntN(3) == 0 {
			f.RecipientName = pick("nguyen", "Nguyễn Văn", "đông", "DONG", "thi b", "xyz")
		}
		if rng.IntN(4) == 0 {
			f.Search = pick("so noi vu", "xuất sắc", "tan thanh", "doan ket", "huyen")
		}
		walk(fmt.Sprintf("awards %+v as %+v by %d", f, read, size), size, func(s *repository.Store, after *string) (any, []string, bool, func(context.Context) (int, error), error) {
			p, err := s.Awards(ctx, f, read, domain.PageArgs{First: &size, After: after})
			if err != nil {
				return nil, nil, false, nil, err
			}
			return p.Items, p.Cursors, p.HasNext, p.Count, nil
		})
		mf := domain.MovementFilter{Year: optYear()}
		if rng.IntN(3) == 0 {
			mf.Scope = pick("NATIONAL", "CLUSTER", "PROVINCE")
		}
		if rng.IntN(3) == 0 {
			mf.ProvinceID = pick(provinces...)
		}
		if rng.IntN(3) == 0 {
			mf.Search = pick("phong trao", "Đổi", "thi dua 3", "anh sang")
		}
		walk(fmt.Sprintf("movements %+v as %+v by %d", mf, read, size), size, func(s *repository.Store, after *string) (any, []string, bool, func(context.Context) (int, error), error) {
			p, err := s.Movements(ctx, mf, read, domain.PageArgs{First: &size, After: after})
			if err != nil {
				return nil, nil, false, nil, err
			}
			return p.Items, p.Cursors, p.HasNext, p.Count, nil
		})
		rf := domain.ReviewFilter{Year: optYear()}
		if rng.IntN(2) == 0 {
			rf.Kind = pick("MID_YEAR", "YEAR_END", "PHASE")
		}
		walk(fmt.Sprintf("reviews %+v as %+v by %d", rf, read, size), size, func(s *repository.Store, after *string) (any, []string, bool, func(context.Context) (int, error), error) {
			p, err := s.PeriodReviews(ctx, rf, read, domain.PageArgs{First: &size, After: after})
			if err != nil {
				return nil, nil, false, nil, err
			}
			return p.Items, p.Cursors, p.HasNext, p.Count, nil
		})
		by := [][]string{{domain.TallyAuthority}, {domain.TallyProvince, domain.TallyYear}, {domain.TallyStatus, domain.TallyAwardType, domain.TallyRecipientKind}}[rng.IntN(3)]
		ta, ea := mem.AwardTally(ctx, f, read, by)
		tb, eb := db.AwardTally(ctx, f, read, by)
		same(fmt.Sprintf("tally %v of %+v", by, f), ta, tb, ea, eb)
		cf := domain.ConferredFilter{From: fmt.Sprintf("%d-01-01", 2015+rng.IntN(10)), To: fmt.Sprintf("%d-06-30", 2018+rng.IntN(8)),
			ProvinceIDs: provinces[:1+rng.IntN(len(provinces))]}
		if rng.IntN(2) == 0 {
			cf.Authorities = []string{pick("PRESIDENT", "PRIME_MINISTER")}
		}
		na, ea := mem.CountConferred(ctx, cf)
		nb, eb := db.CountConferred(ctx, cf)
		same(fmt.Sprintf("conferred %+v", cf), na, nb, ea, eb)
		id := pick(awardIDs[rng.IntN(len(awardIDs))], movementIDs[rng.IntN(len(movementIDs))], "bad")
		aa, ea := mem.Award(ctx, id, read)
		ab, eb := db.Award(ctx, id, read)
		same("award "+id, aa, ab, ea, eb)
		ma, ea := mem.MovementsByID(ctx, []string{id, movementIDs[0], "bad"}, read)
		mb, eb := db.MovementsByID(ctx, []string{id, movementIDs[0], "bad"}, read)
		same("movements by id", ma, mb, ea, eb)
	}
	// A malformed cursor is refused alike.
	bad := "not-a-cursor"
	_, ea := mem.Awards(ctx, domain.AwardFilter{}, all, domain.PageArgs{After: &bad})
	_, eb := db.Awards(ctx, domain.AwardFilter{}, all, domain.PageArgs{After: &bad})
	same("malformed cursor", domain.ErrorCode(ea), domain.ErrorCode(eb), nil, nil)
}

// A change is visible to the very next read: the read model is changed
// inside the write, before the write returns.
func TestReadModelSeesEachWriteAtOnce(t *testing.T) {
	ctx := t.Context()
	s := dbtest.Store(t)
	if err := s.Warm(ctx); err != nil {
		t.Fatal(err)
	}
	all := domain.Access{All: true}
	list := func() []domain.Award {
		p, err := s.Awards(ctx, domain.AwardFilter{ProvinceID: "lang-son"}, all, domain.PageArgs{})
		if err != nil {
			t.Fatal(err)
		}
		return p.Items
	}
	a := &domain.Award{ProvinceID: "lang-son", Owner: "lang-son", AwardTypeID: "giay-khen", Authority: "UNIT_HEAD", Year: 2024,
		Status: "PROPOSED", Recipient: domain.Recipient{Kind: "INDIVIDUAL", Name: "Lục Văn Tâm"}, LegalBasis: "x"}
	for i := 0; i < 20; i++ {
		a.ID = ""
		if err := s.CreateAward(ctx, a); err != nil {
			t.Fatal(err)
		}
		if got := list(); len(got) != i+1 || got[0].ID != a.ID && got[len(got)-1].ID != a.ID {
			t.Fatalf("after create %d: %d awards listed", i+1, len(got))
		}
	}
	_, after, err := s.UpdateAward(ctx, a.ID, 1, all, all, func(old *domain.Award) (*domain.Award, error) {
		old.Recipient.Name = "Lục Văn Tâm (sửa)"
		return old, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	p, err := s.Awards(ctx, domain.AwardFilter{RecipientName: "luc van tam (sua)"}, all, domain.PageArgs{})
	if err != nil || len(p.Items) != 1 || p.Items[0].Version != after.Version {
		t.Fatalf("the update is not the next read's: %+v %v", p, err)
	}
	if _, err := s.DeleteAward(ctx, a.ID, after.Version, all, all, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Award(ctx, a.ID, all); domain.ErrorCode(err) != domain.CodeNotFound {
		t.Fatalf("a deleted award is still read: %v", err)
	}
	if got := list(); len(got) != 19 {
		t.Fatalf("after the delete: %d listed, want 19", len(got))
	}
	// A total asked for after a write that brings a value no award held
	// yet counts it (the page was read before the write).
	p, err = s.Awards(ctx, domain.AwardFilter{ProvinceID: "son-la"}, all, domain.PageArgs{})
	if err != nil || len(p.Items) != 0 {
		t.Fatal(err)
	}
	b := *a
	b.ID, b.ProvinceID, b.Owner = "", "son-la", "son-la"
	if err := s.CreateAward(ctx, &b); err != nil {
		t.Fatal(err)
	}
	if n, err := p.Count(ctx); err != nil || n != 1 {
		t.Fatalf("the total after the first son-la award: %d %v, want 1", n, err)
	}
}

// A write whose outcome was unknown (its deadline passed while the server
// had it) may be applied by the server after the service's first read
// back: the later reads of resync bring the read model to what the
// database holds, within seconds and without a restart, so the next update
// at the stored version is accepted.
func TestResyncFollowsAWriteAppliedLate(t *testing.T) {
	ctx := t.Context()
	s := dbtest.Store(t)
	if !s.Capabilities().FerretDB {
		t.Skip("the read model is FerretDB's (a single writer); MongoDB's lists read the database")
	}
	if err := s.Warm(ctx); err != nil {
		t.Fatal(err)
	}
	all := domain.Access{All: true}
	a := &domain.Award{ProvinceID: "lang-son", Owner: "lang-son", AwardTypeID: "giay-khen", Authority: "UNIT_HEAD", Year: 2024,
		Status: "PROPOSED", Recipient: domain.Recipient{Kind: "INDIVIDUAL", Name: "Lục Văn Tâm"}, LegalBasis: "x"}
	if err := s.CreateAward(ctx, a); err != nil {
		t.Fatal(err)
	}
	s.ResyncAward(ctx, a.ID) // the first read back: the server has not applied the write yet
	if err := s.SetAwardCitationBehind(ctx, a.ID, "Áp dụng muộn"); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(3 * time.Second)
	for {
		got, err := s.Award(ctx, a.ID, all)
		if err != nil {
			t.Fatal(err)
		}
		if got.Version == 2 && got.Citation == "Áp dụng muộn" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("3 s after the late write the read model serves version %d, the database holds 2", got.Version)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if _, _, err := s.UpdateAward(ctx, a.ID, 2, all, all, func(old *domain.Award) (*domain.Award, error) { return old, nil }); err != nil {
		t.Fatalf("an update at the stored version: %v", err)
	}
}
