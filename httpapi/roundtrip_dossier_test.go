package httpapi_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/event"

	"github.com/thidua/thidua/domain"
	"github.com/thidua/thidua/repository"
)

// A page of dossiers with every edge — recipients' honorees and awards, the
// awards' decisions, the dossier's decision and attachments — costs the same
// round trips for 1 dossier as for 12, on the database path (as MongoDB
// answers it: no read model).
func TestDossierRoundTripsDoNotGrowWithPageSize(t *testing.T) {
	t.Parallel()
	var commands atomic.Int64
	var mu sync.Mutex
	var names []string
	a := newAPI(t, repository.WithoutReadModel(), repository.WithMonitor(&event.CommandMonitor{
		Started: func(_ context.Context, e *event.CommandStartedEvent) {
			commands.Add(1)
			mu.Lock()
			names = append(names, e.CommandName+":"+collectionOf(e))
			mu.Unlock()
		},
	}))
	ctx := context.Background()
	all := domain.Access{All: true}
	for i := 0; i < 12; i++ {
		d := &domain.Dossier{Owner: "lang-son", ProvinceID: "lang-son", Kind: domain.KindRegular, Authority: "PROVINCE_CHAIR",
			Year: 2025, Title: fmt.Sprint("Hồ sơ ", i), ProposingUnit: "Sở Nội vụ", Status: domain.DossierVetted}
		for j := 0; j < 2; j++ {
			h := &domain.Honoree{Owner: "lang-son", ProvinceID: "lang-son", Key: fmt.Sprint("K-", i, "-", j), Kind: "INDIVIDUAL",
				Name: fmt.Sprint("Người ", i, " ", j)}
			if err := a.store.CreateHonoree(ctx, h); err != nil {
				t.Fatal(err)
			}
			d.Recipients = append(d.Recipients, domain.DossierRecipient{HonoreeID: h.ID, ProvinceID: "lang-son",
				AwardTypeID: "bang-khen-chu-tich-tinh", Recipient: h.Recipient(), Achievement: "Thành tích"})
		}
		if err := a.store.CreateDossier(ctx, d); err != nil {
			t.Fatal(err)
		}
		_, _, _, _, err := a.store.RecordDecision(ctx, d.ID, d.Version, all, all,
			func(d *domain.Dossier) (*domain.DecisionRecord, []*domain.Award, error) {
				return domain.Decide(a.refs.Get(), now, d, domain.DecisionRecordInput{DossierID: d.ID, Number: fmt.Sprint(i, "/QĐ-UBND"),
					Date: "2026-11-20", IssuedBy: "UBND tỉnh Lạng Sơn", Signer: domain.SignerInput{Name: "Hồ Tiến Thiệu"}}, "u-1")
			},
			func(d *domain.Dossier, dec *domain.DecisionRecord, awards []*domain.Award) (*domain.Dossier, error) {
				return domain.Link(d, dec, awards, "u-1", now.Add(time.Second))
			})
		if err != nil {
			t.Fatal(err)
		}
	}
	viewer := token(t, map[string]string{"lang-son": "viewer"})
	const q = `query($n: Int) { dossiers(first: $n) { totalCount edges { node { id decision { number }
	  attachments { name } recipients { honoree { key } award { id decisionRecord { number } dossier { id } } } } } } }`
	got := map[int]int64{}
	for _, n := range []int{1, 12} {
		mu.Lock()
		names = nil
		mu.Unlock()
		before := commands.Load()
		d := a.ok(viewer, q, map[string]any{"n": n})
		got[n] = commands.Load() - before
		mu.Lock()
		t.Logf("page of %d: %v", n, names)
		mu.Unlock()
		if len(get(d, "dossiers", "edges").([]any)) != n {
			t.Fatalf("page of %d: %v", n, d)
		}
	}
	t.Logf("round trips per page of dossiers: %v", got)
	if got[1] != got[12] {
		t.Errorf("round trips for pages of 1 and 12 dossiers: %v; want equal", got)
	}
}

// collectionOf names the collection a command is about.
func collectionOf(e *event.CommandStartedEvent) string {
	v, err := e.Command.LookupErr(e.CommandName)
	if err != nil {
		return ""
	}
	s, _ := v.StringValueOK()
	return s
}
