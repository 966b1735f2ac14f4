package repository_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/thidua/thidua/dbtest"
	"github.com/thidua/thidua/domain"
	"github.com/thidua/thidua/embeddb"
	"github.com/thidua/thidua/repository"
	"github.com/thidua/thidua/seed"
)

// oldData opens a copy of a database written by the code of commit be2fba8
// (founding data, one more award, a YEAR_END review with an open vote whose
// criteria were names, and one ballot) on its own embedded server.
func oldData(t *testing.T) (*repository.Store, *mongo.Database) {
	t.Helper()
	return dataOf(t, "be2fba8.sqlite")
}

// dataOf opens a copy of a database file of migrate/testdata on its own
// embedded server.
func dataOf(t *testing.T, file string) (*repository.Store, *mongo.Database) {
	t.Helper()
	dir := t.TempDir()
	src, err := os.ReadFile(filepath.Join("..", "migrate", "testdata", file))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "thidua.sqlite"), src, 0o600); err != nil {
		t.Fatal(err)
	}
	srv, err := embeddb.Start(t.Context(), dir, "", slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	s, err := repository.Open(t.Context(), srv.URI(), "thidua", dbtest.Options()...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = s.Close(ctx)
	})
	client, err := mongo.Connect(options.Client().ApplyURI(srv.URI()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = client.Disconnect(context.Background()) })
	return s, client.Database("thidua")
}

// indexNames is the set of the names of coll's indexes.
func indexNames(t *testing.T, db *mongo.Database, coll string) map[string]bool {
	t.Helper()
	specs, err := db.Collection(coll).Indexes().ListSpecifications(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]bool{}
	for _, sp := range specs {
		out[sp.Name] = true
	}
	return out
}

// migrateAgain forgets the recorded migrations unrecord matches, runs the
// seed's migrations again, and checks that no award type changed from
// byID (the catalogue after the first run).
func migrateAgain(t *testing.T, s *repository.Store, db *mongo.Database, unrecord bson.D, byID map[string]domain.AwardType) {
	t.Helper()
	if _, err := db.Collection("migrations").DeleteMany(t.Context(), unrecord); err != nil {
		t.Fatal(err)
	}
	if err := s.Migrate(t.Context(), seed.Migrations()...); err != nil {
		t.Fatal(err)
	}
	for id, at := range awardTypesByID(t, s) {
		if at.Version != byID[id].Version {
			t.Errorf("%s changed on a second run: version %d → %d", id, byID[id].Version, at.Version)
		}
	}
}

// awardTypesByID is the catalogue of award types, by id.
func awardTypesByID(t *testing.T, s *repository.Store) map[string]domain.AwardType {
	t.Helper()
	types, err := s.AwardTypes(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string]domain.AwardType{}
	for _, at := range types {
		byID[at.ID] = at
	}
	return byID
}

func TestMigrateOldData(t *testing.T) {
	ctx := t.Context()
	s, db := oldData(t)

	// The old shape does not fit the new types: the migration is needed.
	var oldVote struct {
		ID bson.ObjectID `bson:"_id"`
	}
	if err := db.Collection("votes").FindOne(ctx, bson.D{}).Decode(&oldVote); err != nil {
		t.Fatal(err)
	}
	review := oldVote.ID.Hex()
	if _, err := s.VotesByReview(ctx, []string{review}); err == nil {
		t.Error("reading an old vote before the migration should fail to decode")
	}

	// Extra migrations run after the built-in ones, in id order, once.
	var ran []int
	extra := func(id int) repository.Migration {
		return repository.Migration{ID: id, Name: "test", Up: func(ctx context.Context, s *repository.Store) error {
			ran = append(ran, id)
			return nil
		}}
	}
	for i := 0; i < 2; i++ {
		if err := s.Migrate(ctx, extra(4), extra(3)); err != nil {
			t.Fatal(err)
		}
	}
	if len(ran) != 2 || ran[0] != 3 || ran[1] != 4 {
		t.Errorf("extra migrations ran %v, want [3 4]", ran)
	}

	votes, err := s.VotesByReview(ctx, []string{review})
	if err != nil {
		t.Fatal(err)
	}
	v := votes[review]
	if v == nil {
		t.Fatalf("no vote for review %s", review)
	}
	want := domain.Criterion{Name: "Kết quả", Weight: 1, MaxPoints: 100}
	if len(v.Criteria) != 1 || v.Criteria[0] != want || v.Majority != 0.5 || v.SelfScoring || !v.CrossScoring ||
		v.Status != "OPEN" || len(v.Voters) != 7 || v.Version != 1 {
		t.Errorf("migrated vote = %+v", v)
	}
	ballots, err := s.BallotsByReview(ctx, []string{review})
	if err != nil {
		t.Fatal(err)
	}
	if len(ballots[review]) != 1 || len(ballots[review][0].Scores) == 0 {
		t.Errorf("ballots = %+v", ballots)
	}

	types, err := s.AwardTypes(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(types) == 0 {
		t.Fatal("no award types")
	}
	for _, at := range types {
		if len(at.AuthorityRules) == 0 || len(at.AuthorityRules) != len(at.Authorities) {
			t.Errorf("award type %s: rules %+v for authorities %v", at.ID, at.AuthorityRules, at.Authorities)
			continue
		}
		for i, r := range at.AuthorityRules {
			if r != (domain.AuthorityRule{Authority: at.Authorities[i]}) {
				t.Errorf("award type %s: rule %+v", at.ID, r)
			}
		}
	}

	// Each built-in migration is recorded once.
	cur, err := db.Collection("migrations").Find(ctx, bson.D{})
	if err != nil {
		t.Fatal(err)
	}
	var recs []struct {
		ID        int       `bson:"_id"`
		Name      string    `bson:"name"`
		AppliedAt time.Time `bson:"appliedAt"`
	}
	if err := cur.All(ctx, &recs); err != nil {
		t.Fatal(err)
	}
	count := map[int]int{}
	for _, r := range recs {
		count[r.ID]++
		if r.Name == "" || r.AppliedAt.IsZero() {
			t.Errorf("migration record %+v", r)
		}
	}
	// The repository's own migrations, and the test's two (3, 4).
	recorded := map[int]bool{1: true, 2: true, 3: true, 4: true, 6: true, 7: true, 9: true, 10: true, 12: true, 13: true, 14: true}
	for id := range recorded {
		if count[id] != 1 {
			t.Errorf("migration %d recorded %d times", id, count[id])
		}
	}
	if len(recs) != len(recorded) {
		t.Errorf("migration records = %+v", recs)
	}

	// Each migration is idempotent by itself: forgotten records run them
	// again, to the same result.
	if _, err := db.Collection("migrations").DeleteMany(ctx, bson.D{}); err != nil {
		t.Fatal(err)
	}
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	again, err := s.VotesByReview(ctx, []string{review})
	if err != nil {
		t.Fatal(err)
	}
	if a := again[review]; len(a.Criteria) != 1 || a.Criteria[0] != want || a.Majority != 0.5 || !a.CrossScoring {
		t.Errorf("vote migrated twice = %+v", a)
	}
	types2, err := s.AwardTypes(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for i := range types2 {
		if len(types2[i].AuthorityRules) != len(types[i].AuthorityRules) {
			t.Errorf("award type %s migrated twice: rules %+v", types2[i].ID, types2[i].AuthorityRules)
		}
	}

	// Everything else still reads back.
	acc := domain.Access{All: true}
	awards, err := s.Awards(ctx, domain.AwardFilter{}, acc, domain.PageArgs{})
	if err != nil {
		t.Fatal(err)
	}
	if len(awards.Items) != 1 || awards.Items[0].Recipient.Name == "" || len(awards.Items[0].History) != 1 {
		t.Errorf("awards = %+v", awards.Items)
	}
	if _, err := s.Award(ctx, awards.Items[0].ID, acc); err != nil {
		t.Error(err)
	}
	reviews, err := s.PeriodReviews(ctx, domain.ReviewFilter{}, acc, domain.PageArgs{})
	if err != nil {
		t.Fatal(err)
	}
	if len(reviews.Items) != 2 {
		t.Errorf("reviews = %d, want 2", len(reviews.Items))
	}
	found := false
	for _, r := range reviews.Items {
		found = found || r.ID == review && r.Kind == "YEAR_END"
		if _, err := s.PeriodReview(ctx, r.ID, acc); err != nil {
			t.Error(err)
		}
	}
	if !found {
		t.Errorf("the vote's review %s is not among %+v", review, reviews.Items)
	}
	// The founding review keeps its fixed id, and refers to the founding
	// movements by theirs: seed.ID still computes the stored ids.
	mid, err := s.PeriodReview(ctx, seed.ID("review:2022-07-20"), acc)
	if err != nil {
		t.Fatal(err)
	}
	movements, err := s.Movements(ctx, domain.MovementFilter{}, acc, domain.PageArgs{})
	if err != nil {
		t.Fatal(err)
	}
	if len(movements.Items) != 4 || len(mid.MovementIDs) != 4 {
		t.Errorf("movements = %d, review refers to %d, want 4", len(movements.Items), len(mid.MovementIDs))
	}
	byID, err := s.MovementsByID(ctx, mid.MovementIDs, acc)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range seed.Movements {
		if byID[seed.ID("movement:"+m.Title)] == nil {
			t.Errorf("movement %q is not at its seed id", m.Title)
		}
	}
	for _, f := range []func() error{
		func() error { _, err := s.Provinces(ctx); return err },
		func() error { _, err := s.Indicators(ctx); return err },
		func() error { _, err := s.Clusters(ctx); return err },
		func() error {
			_, err := s.ReportsByReview(ctx, []string{review, mid.ID})
			return err
		},
		func() error { _, err := s.AuditLog(ctx, domain.AuditFilter{}, acc, domain.PageArgs{}); return err },
	} {
		if err := f(); err != nil {
			t.Error(err)
		}
	}
	// The migrated vote closes under the new rules.
	closed, err := s.CloseVote(ctx, review, 1, func(v *domain.Vote, ballots []domain.Ballot) error {
		v.Tally = []domain.VoteCount{{ProvinceID: ballots[0].LeaderID, Votes: 1}}
		v.LeaderID = ballots[0].LeaderID
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if closed.Status != "CLOSED" || closed.Version != 2 {
		t.Errorf("closed = %+v", closed)
	}
}

func TestMigrateRefusesBadLists(t *testing.T) {
	s := dbtest.Store(t)
	up := func(context.Context, *repository.Store) error { return nil }
	for _, extra := range [][]repository.Migration{
		{{ID: 2, Name: "again", Up: up}},
		{{ID: 3, Name: "a", Up: up}, {ID: 3, Name: "b", Up: up}},
		{{ID: 0, Name: "zero", Up: up}},
		{{ID: 5, Name: "nil"}},
	} {
		if err := s.Migrate(t.Context(), extra...); err == nil {
			t.Errorf("Migrate(%+v) accepted", extra)
		}
	}
	// A failed migration is not recorded, and stops the later ones.
	boom := errors.New("boom")
	later := false
	err := s.Migrate(t.Context(),
		repository.Migration{ID: 3, Name: "fails", Up: func(context.Context, *repository.Store) error { return boom }},
		repository.Migration{ID: 4, Name: "later", Up: func(context.Context, *repository.Store) error { later = true; return nil }})
	if !errors.Is(err, boom) || later {
		t.Fatalf("failing migration: %v (later ran: %v)", err, later)
	}
	ran := false
	if err := s.Migrate(t.Context(), repository.Migration{ID: 3, Name: "fixed", Up: func(context.Context, *repository.Store) error { ran = true; return nil }}); err != nil {
		t.Fatal(err)
	}
	if !ran {
		t.Error("a migration that failed did not run again")
	}
}

// The founding data's own migrations (package seed), on the data written by
// the previous code: the catalogue follows the law, provinces name their
// predecessors, the 2022 review keeps only the movements the article
// names; a second start changes nothing.
func TestSeedMigrationsOnOldData(t *testing.T) {
	ctx := t.Context()
	s, db := oldData(t)
	if err := s.Migrate(ctx, seed.Migrations()...); err != nil {
		t.Fatal(err)
	}
	byID := awardTypesByID(t, s)
	flag := byID["co-thi-dua-chinh-phu"]
	if !domain.AuthorityAllowed(&flag, "PRIME_MINISTER", "2022-03-01") || domain.AuthorityAllowed(&flag, "GOVERNMENT", "2022-03-01") ||
		!domain.AuthorityAllowed(&flag, "GOVERNMENT", "2024-03-01") || flag.Version != 2 {
		t.Errorf("government flag after the migration: %+v", flag)
	}
	if k := byID["huan-chuong-dai-doan-ket-dan-toc"].RecipientKinds; len(k) != 1 || k[0] != "INDIVIDUAL" {
		t.Errorf("Huân chương Đại đoàn kết dân tộc recipients: %v", k)
	}
	if len(byID) != len(seed.AwardTypes) || byID["chien-si-thi-dua-co-so"].ID == "" {
		t.Errorf("%d award types after the migration, want the %d of the catalogue", len(byID), len(seed.AwardTypes))
	}
	ps, err := s.Provinces(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range ps {
		if p.ID == "lao-cai" && (len(p.PredecessorIDs) != 1 || p.PredecessorIDs[0] != "yen-bai" || p.AdministrativeCentre == "") {
			t.Errorf("lao-cai after the migration: %+v", p)
		}
	}
	r, err := s.PeriodReview(ctx, seed.ID("review:2022-07-20"), domain.Access{All: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.MovementIDs) != 2 || r.MovementIDs[0] != seed.ReviewMovementIDs()[0] || r.Version != 2 {
		t.Errorf("the 2022 review after the migration: %v (version %d)", r.MovementIDs, r.Version)
	}
	n, err := db.Collection("migrations").CountDocuments(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: bson.A{3, 4, 5}}}}})
	if err != nil || n != 3 {
		t.Errorf("recorded data migrations: %d %v", n, err)
	}
	// Idempotent: running them again, even unrecorded, changes nothing.
	migrateAgain(t, s, db, bson.D{}, byID)
	if r2, _ := s.PeriodReview(ctx, r.ID, domain.Access{All: true}); r2.Version != r.Version {
		t.Errorf("the review changed on a second run")
	}
}

// A database written by the code of commit cdb5f88 (before dossiers: the
// founding data and one conferred Lạng Sơn award) gets the dossier flow's
// indexes from migration 6, keeps its award readable (no decision, dossier
// or honoree), and takes dossiers and decisions.
func TestMigrateDataBeforeDossiers(t *testing.T) {
	ctx := t.Context()
	s, db := dataOf(t, "cdb5f88.sqlite")
	names := func(coll string) map[string]bool { return indexNames(t, db, coll) }
	if names("honorees")["one_key_per_province"] || names("awards")["honoreeId_1"] {
		t.Fatal("the old data already has the new indexes: not the previous commit's data")
	}
	if err := s.Migrate(ctx, seed.Migrations()...); err != nil {
		t.Fatal(err)
	}
	if err := s.Migrate(ctx, seed.Migrations()...); err != nil {
		t.Fatalf("again: %v", err)
	}
	if !names("honorees")["one_key_per_province"] || !names("awards")["honoreeId_1"] || !names("dossiers")["year_-1__id_-1"] {
		t.Errorf("after migration 6: honorees %v, awards %v, dossiers %v", names("honorees"), names("awards"), names("dossiers"))
	}
	if n, err := db.Collection("migrations").CountDocuments(ctx, bson.D{{Key: "_id", Value: 6}}); err != nil || n != 1 {
		t.Errorf("migration 6 recorded %d times (%v), want once", n, err)
	}
	all, first := domain.Access{All: true}, 10
	page, err := s.Awards(ctx, domain.AwardFilter{ProvinceID: "lang-son"}, all, domain.PageArgs{First: &first})
	if err != nil || len(page.Items) != 1 {
		t.Fatalf("the old award: %v, %v", page, err)
	}
	if a := page.Items[0]; a.Recipient.Name != "Nguyễn Thị Hoa" || a.DecisionID != "" || a.DossierID != "" || a.HonoreeID != "" {
		t.Errorf("the old award reads as %+v", a)
	}
	// The new flow on the old data: a honoree whose key is taken twice is
	// refused by the index, and a decision records whole.
	h := &domain.Honoree{Owner: "lang-son", ProvinceID: "lang-son", Key: "LS-1", Kind: "INDIVIDUAL", Name: "Vi Văn Sơn"}
	if err := s.CreateHonoree(ctx, h); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateHonoree(ctx, &domain.Honoree{Owner: "lang-son", ProvinceID: "lang-son", Key: "ls-1", Kind: "INDIVIDUAL", Name: "Ai"}); domain.ErrorCode(err) != domain.CodeConflict {
		t.Errorf("a second honoree with the same key: %v, want CONFLICT", err)
	}
	d := &domain.Dossier{Owner: "lang-son", ProvinceID: "lang-son", Kind: domain.KindRegular, Authority: "PROVINCE_CHAIR",
		Year: 2025, Title: "Hồ sơ", ProposingUnit: "Sở Nội vụ", Status: domain.DossierVetted,
		Recipients: []domain.DossierRecipient{{HonoreeID: h.ID, ProvinceID: "lang-son", AwardTypeID: "bang-khen-chu-tich-tinh",
			Recipient: h.Recipient(), Achievement: "Thành tích"}}}
	if err := s.CreateDossier(ctx, d); err != nil {
		t.Fatal(err)
	}
	if err := decide(ctx, s, d); err != nil {
		t.Fatal(err)
	}
	page, err = s.Awards(ctx, domain.AwardFilter{ProvinceID: "lang-son"}, all, domain.PageArgs{First: &first})
	if err != nil || len(page.Items) != 2 {
		t.Errorf("awards after the decision: %d, %v; want the old one and the new one", len(page.Items), err)
	}
}

// A database written by the code of commit fa3094f (before reward money:
// the founding data migrated to 7, and one Lao động tiên tiến of Lạng Sơn
// conferred on 1/8/2024) gets the coefficients of the catalogue from
// migration 15 and the base salary table from migration 16; an
// administrator's coefficients and base salaries are kept, and a second
// run changes nothing.
func TestMigrateRewardMoney(t *testing.T) {
	ctx := t.Context()
	s, db := dataOf(t, "fa3094f-money.sqlite")
	if n, err := db.Collection("award_types").CountDocuments(ctx, bson.D{{Key: "rewardCoefficients", Value: bson.D{{Key: "$exists", Value: true}}}}); err != nil || n != 0 {
		t.Fatalf("the old data has coefficients already (%d, %v): not the previous commit's data", n, err)
	}
	if n, err := db.Collection("migrations").CountDocuments(ctx, bson.D{{Key: "_id", Value: 7}}); err != nil || n != 1 {
		t.Fatalf("the old data is not migrated to 7 (%d, %v)", n, err)
	}
	// An administrator's correction made before the upgrade would be
	// kept: give one stored type a coefficient of its own.
	if _, err := db.Collection("award_types").UpdateOne(ctx, bson.D{{Key: "_id", Value: "giay-khen"}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "rewardCoefficients", Value: bson.A{bson.D{{Key: "thousandths", Value: 150}, {Key: "confirmed", Value: true}}}}}}}); err != nil {
		t.Fatal(err)
	}
	if err := s.Migrate(ctx, seed.Migrations()...); err != nil {
		t.Fatal(err)
	}
	byID := awardTypesByID(t, s)
	for _, c := range []struct {
		id          string
		thousandths int
	}{{"lao-dong-tien-tien", 300}, {"chien-si-thi-dua-co-so", 1000}, {"chien-si-thi-dua-tinh", 3000}, {"chien-si-thi-dua-toan-quoc", 4500},
		{"tap-the-lao-dong-tien-tien", 800}, {"tap-the-lao-dong-xuat-sac", 1500}, {"co-thi-dua-tinh", 8000}, {"co-thi-dua-chinh-phu", 12000},
		{"thon-to-dan-pho-van-hoa", 1500}} {
		cs := byID[c.id].RewardCoefficients
		if len(cs) != 1 || cs[0].Thousandths != c.thousandths || cs[0].From != domain.Law2022Start || cs[0].Confirmed || cs[0].Source == "" {
			t.Errorf("%s after migration 15: %+v, want %d‰ from %s, unconfirmed, with its source", c.id, cs, c.thousandths, domain.Law2022Start)
		}
	}
	if cs := byID["huan-chuong-lao-dong"].RewardCoefficients; len(cs) != 0 {
		t.Errorf("an order got coefficients nobody confirmed: %+v", cs)
	}
	if cs := byID["giay-khen"].RewardCoefficients; len(cs) != 1 || cs[0].Thousandths != 150 || !cs[0].Confirmed {
		t.Errorf("the administrator's coefficient: %+v", cs)
	}
	salaries, err := s.BaseSalaries(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(salaries) != 2 || salaries[0].From != "2023-07-01" || salaries[0].Amount != 1_800_000 ||
		salaries[1].From != "2024-07-01" || salaries[1].Amount != 2_340_000 {
		t.Errorf("base salaries after migration 16: %+v", salaries)
	}
	// The old award now carries its amount: 0.3 × 2,340,000 = 702,000 → 710,000.
	all, first := domain.Access{All: true}, 10
	page, err := s.Awards(ctx, domain.AwardFilter{ProvinceID: "lang-son"}, all, domain.PageArgs{First: &first})
	if err != nil || len(page.Items) != 1 {
		t.Fatalf("the old award: %v, %v", page, err)
	}
	ldtt := byID["lao-dong-tien-tien"]
	if r := domain.AwardReward(&page.Items[0], &ldtt, salaries); r == nil || r.Amount != 710_000 {
		t.Errorf("the old award's reward: %+v", r)
	}
	n, err := db.Collection("migrations").CountDocuments(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: bson.A{15, 16}}}}})
	if err != nil || n != 2 {
		t.Errorf("recorded migrations 15 and 16: %d %v", n, err)
	}
	// Idempotent, even unrecorded; an administrator's base salary is kept.
	b := domain.BaseSalary{From: "2024-07-01", Amount: 2_340_001}
	if _, err := s.SaveBaseSalary(ctx, &b, salaries[1].Version); err != nil {
		t.Fatal(err)
	}
	migrateAgain(t, s, db, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: bson.A{15, 16}}}}}, byID)
	if salaries, _ = s.BaseSalaries(ctx); len(salaries) != 2 || salaries[1].Amount != 2_340_001 {
		t.Errorf("base salaries after a second run: %+v", salaries)
	}
}
