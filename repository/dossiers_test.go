package repository_test

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/event"

	"github.com/thidua/thidua/dbtest"
	"github.com/thidua/thidua/domain"
	"github.com/thidua/thidua/repository"
)

// A vetted dossier of three recipients, stored.
func vettedDossier(t *testing.T, s *repository.Store) *domain.Dossier {
	t.Helper()
	d := &domain.Dossier{Owner: "lang-son", ProvinceID: "lang-son", Kind: domain.KindRegular, Authority: "PROVINCE_CHAIR",
		Year: 2025, Title: "Đề nghị tặng Bằng khen", ProposingUnit: "Sở Nội vụ", Status: domain.DossierVetted}
	for _, n := range []string{"Nguyễn Thị Hoa", "Hoàng Văn Nam", "Lý Thị Mai"} {
		d.Recipients = append(d.Recipients, domain.DossierRecipient{ProvinceID: "lang-son", AwardTypeID: "bang-khen-chu-tich-tinh",
			Recipient: domain.Recipient{Kind: "INDIVIDUAL", Name: n}, Achievement: "Hoàn thành xuất sắc nhiệm vụ"})
	}
	if err := s.CreateDossier(t.Context(), d); err != nil {
		t.Fatal(err)
	}
	return d
}

// decide records a decision on d through the store, as the service does.
func decide(ctx context.Context, s *repository.Store, d *domain.Dossier) error {
	all := domain.Access{All: true}
	_, _, _, _, err := s.RecordDecision(ctx, d.ID, d.Version, all, all,
		func(d *domain.Dossier) (*domain.DecisionRecord, []*domain.Award, error) {
			// A number of its own per dossier: one decision gives an
			// honoree one award, whatever the dossier (domain.OneAwardPerHonoree).
			dec := &domain.DecisionRecord{Owner: "lang-son", Published: true, Number: d.ID[len(d.ID)-6:] + "/QĐ-UBND", Date: "2026-01-05",
				Authority: "PROVINCE_CHAIR", IssuedBy: "UBND tỉnh Lạng Sơn", Signer: domain.Signer{Name: "Hồ Tiến Thiệu"},
				ProvinceID: "lang-son", DossierID: d.ID}
			var list []*domain.Award
			for _, r := range d.Recipients {
				a := &domain.Award{Owner: "lang-son", Published: true, ProvinceID: "lang-son", AwardTypeID: r.AwardTypeID,
					Authority: "PROVINCE_CHAIR", Recipient: r.Recipient, Year: 2025, Status: domain.StatusConferred,
					Decision: &domain.Decision{Number: dec.Number, Date: dec.Date}, DossierID: d.ID}
				list = append(list, a)
			}
			return dec, list, nil
		},
		func(d *domain.Dossier, dec *domain.DecisionRecord, awards []*domain.Award) (*domain.Dossier, error) {
			return domain.Link(d, dec, awards, "u-1", d.UpdatedAt)
		})
	return err
}

type counts struct{ awards, decisions int }

func countRecords(t *testing.T, s *repository.Store) counts {
	t.Helper()
	all, first := domain.Access{All: true}, 100
	a, err := s.Awards(t.Context(), domain.AwardFilter{}, all, domain.PageArgs{First: &first})
	if err != nil {
		t.Fatal(err)
	}
	d, err := s.Decisions(t.Context(), domain.DecisionFilter{}, all, domain.PageArgs{First: &first})
	if err != nil {
		t.Fatal(err)
	}
	return counts{len(a.Items), len(d.Items)}
}

// A decision is recorded whole or not at all: a failure at any step before
// the dossier's update leaves no award and no decision, and the dossier
// still VETTED; the same holds for a second store reading the database.
func TestDecisionIsWholeOrNothing(t *testing.T) {
	for _, step := range []string{"awards", "dossier"} {
		t.Run(step, func(t *testing.T) {
			boom := errors.New("injected failure")
			s := dbtest.Store(t, repository.WithFaults(func(at string) error {
				if at == step {
					return boom
				}
				return nil
			}))
			d := vettedDossier(t, s)
			if err := decide(t.Context(), s, d); !errors.Is(err, boom) {
				t.Fatalf("decide: %v, want the injected failure", err)
			}
			if got := countRecords(t, s); got != (counts{}) {
				t.Errorf("after a failed decision: %+v, want nothing", got)
			}
			back, err := s.Dossier(t.Context(), d.ID, domain.Access{All: true})
			if err != nil || back.Status != domain.DossierVetted || back.Version != d.Version {
				t.Errorf("dossier after a failed decision: %+v, %v", back, err)
			}
			fresh := reopen(t, s)
			if got := countRecords(t, fresh); got != (counts{}) {
				t.Errorf("the database after a failed decision: %+v, want nothing", got)
			}
		})
	}
	t.Run("whole", func(t *testing.T) {
		s := dbtest.Store(t)
		d := vettedDossier(t, s)
		if err := decide(t.Context(), s, d); err != nil {
			t.Fatal(err)
		}
		if got := countRecords(t, s); got != (counts{3, 1}) {
			t.Errorf("after the decision: %+v, want 3 awards and 1 decision", got)
		}
		back, _ := s.Dossier(t.Context(), d.ID, domain.Access{All: true})
		if back.Status != domain.DossierDecided || back.DecisionID == "" || back.Recipients[2].AwardID == "" {
			t.Errorf("dossier after the decision: %+v", back)
		}
		if err := decide(t.Context(), s, d); domain.ErrorCode(err) != domain.CodeConflict {
			t.Errorf("deciding again at the old version: %v, want CONFLICT", err)
		}
	})
}

// A crash in the middle of a journaled decision is finished at the next
// start: rolled back before the dossier's update (the commit point),
// forward after it.
func TestInterruptedDecisionIsFinishedAtStart(t *testing.T) {
	if !dbtest.Embedded() {
		t.Skip("the journal is the path of servers without transactions")
	}
	crash := errors.New("the process dies here")
	cases := []struct {
		name    string
		faults  map[string]bool
		want    counts
		status  string
		outcome string
	}{
		{"before the commit", map[string]bool{"dossier": true, "undo": true}, counts{}, domain.DossierVetted, "FAILED"},
		{"after the commit", map[string]bool{"clear": true}, counts{3, 1}, domain.DossierDecided, "ACCEPTED"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := dbtest.Store(t, repository.WithFaults(func(at string) error {
				if c.faults[at] {
					return crash
				}
				return nil
			}))
			d := vettedDossier(t, s)
			_ = decide(t.Context(), s, d)
			// The next start: a new process over the same data.
			next := reopen(t, s)
			n, err := next.RecoverDecisions(t.Context())
			if err != nil || n != 1 {
				t.Fatalf("RecoverDecisions: %d, %v; want 1 finished", n, err)
			}
			if got := countRecords(t, next); got != c.want {
				t.Errorf("after recovery: %+v, want %+v", got, c.want)
			}
			back, _ := next.Dossier(t.Context(), d.ID, domain.Access{All: true})
			if back.Status != c.status {
				t.Errorf("dossier after recovery: %s, want %s", back.Status, c.status)
			}
			if n, _ := next.RecoverDecisions(t.Context()); n != 0 {
				t.Errorf("recovery again finished %d, want 0 (idempotent)", n)
			}
			// Recovery files what it did, as itself, under the province.
			log, err := next.AuditLog(t.Context(), domain.AuditFilter{Subject: repository.RecoverySubject},
				domain.Access{All: true}, domain.PageArgs{})
			if err != nil {
				t.Fatal(err)
			}
			if len(log.Items) != 1 || log.Items[0].Outcome != c.outcome || log.Items[0].Operation != "recordDecision" ||
				log.Items[0].ProvinceID != d.ProvinceID || log.Items[0].RecordID == "" {
				t.Errorf("recovery's audit entries: %+v, want one %s recordDecision of %s", log.Items, c.outcome, d.ProvinceID)
			}
		})
	}
}

// reopen opens a second store over s's database, as a new process would.
func reopen(t *testing.T, s *repository.Store) *repository.Store {
	t.Helper()
	next, err := repository.Open(t.Context(), dbtest.URI(), s.Name(), dbtest.Options()...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = next.Close(context.WithoutCancel(t.Context())) })
	return next
}

// A decision's round trips do not grow with its recipients: 50 cost what 3
// cost (one insert for every award).
func TestDecisionRoundTripsAreBounded(t *testing.T) {
	var commands atomic.Int64
	var counting atomic.Bool
	s := dbtest.Store(t, repository.WithMonitor(&event.CommandMonitor{Started: func(_ context.Context, e *event.CommandStartedEvent) {
		if counting.Load() {
			commands.Add(1)
		}
	}}))
	trips := func(recipients int) int64 {
		d := vettedDossier(t, s)
		for len(d.Recipients) < recipients {
			r := d.Recipients[0]
			r.Recipient.Name = fmt.Sprint("Người ", len(d.Recipients))
			d.Recipients = append(d.Recipients, r)
		}
		all := domain.Access{All: true}
		if _, _, err := s.UpdateDossier(t.Context(), d.ID, d.Version, all, all, func(old *domain.Dossier) (*domain.Dossier, error) {
			old.Recipients = d.Recipients
			return old, nil
		}); err != nil {
			t.Fatal(err)
		}
		d.Version++
		commands.Store(0)
		counting.Store(true)
		err := decide(t.Context(), s, d)
		counting.Store(false)
		if err != nil {
			t.Fatal(err)
		}
		return commands.Load()
	}
	few, many := trips(3), trips(50)
	if many != few || many > 8 {
		t.Errorf("a decision of 50 recipients took %d round trips, of 3 took %d; want the same, at most 8", many, few)
	}
}

// On a MongoDB replica set the decision is one transaction: a failure
// before the dossier's update leaves nothing (MongoDB only; not run where
// there is none).
func TestDecisionTransactionOnReplicaSet(t *testing.T) {
	boom := errors.New("injected failure")
	s := dbtest.ReplicaSet(t, repository.WithFaults(func(at string) error {
		if at == "dossier" {
			return boom
		}
		return nil
	}))
	d := vettedDossier(t, s)
	if err := decide(t.Context(), s, d); !errors.Is(err, boom) {
		t.Fatalf("decide: %v, want the injected failure", err)
	}
	if got := countRecords(t, s); got != (counts{}) {
		t.Errorf("after an aborted decision: %+v, want nothing", got)
	}
	whole := dbtest.ReplicaSet(t)
	d = vettedDossier(t, whole)
	if err := decide(t.Context(), whole, d); err != nil {
		t.Fatal(err)
	}
	if got := countRecords(t, whole); got != (counts{3, 1}) {
		t.Errorf("after the decision: %+v, want 3 awards and 1 decision", got)
	}
}

// A journal left by a failed decision whose undo failed too is rolled back
// at the next start even though the dossier was decided afterwards by
// another decision: only the decision the dossier names is finished.
func TestStaleJournalIsNotRolledForward(t *testing.T) {
	if !dbtest.Embedded() {
		t.Skip("the journal is the path of servers without transactions")
	}
	var failing atomic.Bool
	failing.Store(true)
	boom := errors.New("injected failure")
	s := dbtest.Store(t, repository.WithFaults(func(at string) error {
		if failing.Load() && (at == "dossier" || at == "undo") {
			return boom
		}
		return nil
	}))
	d := vettedDossier(t, s)
	if err := decide(t.Context(), s, d); !errors.Is(err, boom) {
		t.Fatalf("first decision: %v, want the injected failure", err)
	}
	failing.Store(false)
	if err := decide(t.Context(), s, d); err != nil {
		t.Fatalf("the retry: %v", err)
	}
	next := reopen(t, s)
	if n, err := next.RecoverDecisions(t.Context()); err != nil || n != 1 {
		t.Fatalf("RecoverDecisions: %d, %v; want the stale journal handled", n, err)
	}
	if got := countRecords(t, next); got != (counts{3, 1}) {
		t.Errorf("after recovery: %+v, want the retry's 3 awards and 1 decision only", got)
	}
}

// Migration 7: awards a decision conferred before awards carried the kind
// of commendation get their dossier's; others keep none.
func TestMigrationGivesDecidedAwardsTheirKind(t *testing.T) {
	ctx := t.Context()
	s := dbtest.Store(t)
	d := vettedDossier(t, s) // kind REGULAR; decide() makes awards without a kind, as the code before did
	if err := decide(ctx, s, d); err != nil {
		t.Fatal(err)
	}
	alone := &domain.Award{Owner: "lang-son", Published: true, ProvinceID: "lang-son", AwardTypeID: "giay-khen",
		Authority: "COMMUNE_CHAIR", Recipient: domain.Recipient{Kind: "INDIVIDUAL", Name: "Ai đó"}, Year: 2025,
		Status: domain.StatusConferred, Decision: &domain.Decision{Number: "3/QĐ", Date: "2026-01-05"}}
	if err := s.CreateAward(ctx, alone); err != nil {
		t.Fatal(err)
	}
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	next := reopen(t, s) // the read model as loaded after the migration
	all, first := domain.Access{All: true}, 10
	page, err := next.Awards(ctx, domain.AwardFilter{}, all, domain.PageArgs{First: &first})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range page.Items {
		want := domain.KindRegular
		if a.ID == alone.ID {
			want = ""
		}
		if a.CommendationKind != want {
			t.Errorf("award %s (%s): kind %q, want %q", a.ID, a.Recipient.Name, a.CommendationKind, want)
		}
	}
}

// A commit whose answer is lost, and the read back too: the decision is
// settled as soon as the database answers, and the read model follows
// (dossier DECIDED, its decision and awards listed) without a restart.
func TestUnknownCommitIsSettledLater(t *testing.T) {
	if !dbtest.Embedded() {
		t.Skip("the journal is the path of servers without transactions")
	}
	var lost atomic.Int32
	lost.Store(2) // the commit's answer, then the read back
	s := dbtest.Store(t, repository.WithFaults(func(at string) error {
		if (at == "committed" || at == "readback") && lost.Add(-1) >= 0 {
			return errors.New("connection lost")
		}
		return nil
	}))
	if err := s.Warm(t.Context()); err != nil { // the read model, as the service has it
		t.Fatal(err)
	}
	d := vettedDossier(t, s)
	if err := decide(t.Context(), s, d); err == nil {
		t.Fatal("decide reported success with its answer lost")
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		back, err := s.Dossier(t.Context(), d.ID, domain.Access{All: true})
		if err == nil && back.Status == domain.DossierDecided && countRecords(t, s) == (counts{3, 1}) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after 5 s: dossier %+v (%v), records %+v; want DECIDED with 3 awards and 1 decision", back, err, countRecords(t, s))
		}
		time.Sleep(100 * time.Millisecond)
	}
	if n, err := reopen(t, s).RecoverDecisions(t.Context()); err != nil || n != 0 {
		t.Errorf("journals left for the next start: %d, %v; want none", n, err)
	}
}
