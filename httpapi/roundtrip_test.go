package httpapi_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"

	"go.mongodb.org/mongo-driver/v2/event"

	"github.com/thidua/thidua/domain"
	"github.com/thidua/thidua/repository"
	"github.com/thidua/thidua/seed"
)

// Each page costs a fixed number of database round trips, whatever its size:
// every edge of every list to another collection is batched per request,
// and reference data comes from memory.
func TestRoundTripsDoNotGrowWithPageSize(t *testing.T) {
	t.Parallel()
	var commands atomic.Int64
	a := newAPI(t, repository.WithMonitor(&event.CommandMonitor{
		Started: func(context.Context, *event.CommandStartedEvent) { commands.Add(1) },
	}))
	ctx := context.Background()
	movementIDs := []string{}
	for _, m := range seed.Movements {
		movementIDs = append(movementIDs, seed.ID("movement:"+m.Title))
	}
	for i := 0; i < 100; i++ {
		aw := &domain.Award{ProvinceID: "lang-son", Owner: "lang-son", Published: true, AwardTypeID: "bang-khen-thu-tuong",
			Authority: "PRIME_MINISTER", Recipient: domain.Recipient{Kind: "INDIVIDUAL", Name: fmt.Sprint("Người ", i)},
			Year: 2022, Status: "CONFERRED", MovementID: movementIDs[i%len(movementIDs)], LegalBasis: "x",
			Decision: &domain.Decision{Number: "1/QĐ-TTg", Date: "2022-09-01"}}
		if err := a.store.CreateAward(ctx, aw); err != nil {
			t.Fatal(err)
		}
	}
	count := func(q string, vars map[string]any) int64 {
		before := commands.Load()
		a.ok("", q, vars)
		return commands.Load() - before
	}
	same := func(what, q string, sizes []int, most int64) {
		t.Helper()
		got := map[int]int64{}
		for _, n := range sizes {
			got[n] = count(q, map[string]any{"n": n})
		}
		for _, n := range sizes {
			if got[n] != got[sizes[0]] || got[n] > most {
				t.Errorf("round trips for pages of %s of sizes %v: %v; want equal and at most %d", what, sizes, got, most)
				return
			}
		}
		t.Logf("round trips per page of %s: %v", what, got)
	}
	same("awards", `query($n: Int) { awards(first: $n) { totalCount edges { node {
	  id recipient { name } province { name } awardType { name } movement { title } } } } }`, []int{1, 10, 100}, 3)
	same("movements", `query($n: Int) { movements(first: $n) { totalCount edges { node { id title province { name } } } } }`, []int{1, 4}, 2)

	if n := count(`{ provinces { id name successor { id } predecessors { id } } awardTypes { id name } indicators { id name }
	  clusters { years { members { id } chair { id } } } }`, nil); n != 0 {
		t.Errorf("a reference-data query made %d round trips, want 0", n)
	}

	// Ten reviews, each with its movements, seven reports and a vote.
	editor := token(t, map[string]string{"*": "editor"})
	rid := seed.ID("review:2022-07-20")
	reviewIDs := []string{rid}
	for i := 1; i < 10; i++ {
		id := get(a.ok(editor, `mutation($p: String, $m: [ID!]) { createPeriodReview(input: {kind: PHASE, year: 2022, period: $p,
		  date: "2022-11-01", hostProvinceId: "son-la", published: true, movementIds: $m}) { id } }`,
			map[string]any{"p": fmt.Sprint("giai đoạn ", i), "m": movementIDs[:2]}), "createPeriodReview", "id").(string)
		reviewIDs = append(reviewIDs, id)
	}
	for _, id := range reviewIDs {
		for _, p := range seed.ClusterMembers {
			if _, _, err := a.store.SubmitReport(ctx, id, p, []domain.IndicatorValue{{IndicatorID: "new-jobs", Value: 10}}, "t", nil, nil); err != nil {
				t.Fatal(err)
			}
		}
	}
	yearEnd := get(a.ok(editor, `mutation($m: [ID!]) { createPeriodReview(input: {kind: YEAR_END, year: 2022, date: "2022-12-20",
	  hostProvinceId: "son-la", published: true, movementIds: $m}) { id } }`, map[string]any{"m": movementIDs[:1]}), "createPeriodReview", "id").(string)
	a.ok(editor, `mutation($r: ID!) { openVote(reviewId: $r, settings: {selfVoteAllowed: false, secret: false, criteria: [{name: "A"}]}) { version } }`,
		map[string]any{"r": yearEnd})
	same("reviews", `query($n: Int) { periodReviews(first: $n) { totalCount edges { node { id hostProvince { name } movements { title }
	  reports { province { name } values { indicator { name } value } } summary { derived { text } provincesReported notReported { id } }
	  reportedAwardTallies { awardTypes { id } count }
	  vote { voters { id } voted { id } tally { province { id } } ballots { province { id } } } } } } }`, []int{1, 5, 11}, 6)

	const review = `query($id: ID!) { periodReview(id: $id) { hostProvince { name } movements { title }
	  reports { province { name } values { indicator { name } value } } summary { derived { text } provincesReported } vote { voted { id } } } }`
	if n := count(review, map[string]any{"id": rid}); n > 4 {
		t.Errorf("round trips for a review with 7 reports: %d; want at most 4", n)
	}
	// The audit log's edges come from memory.
	admin := token(t, map[string]string{"*": "admin"})
	before := commands.Load()
	a.ok(admin, `{ auditLog(first: 50) { edges { node { province { id } operation } } } }`, nil)
	if n := commands.Load() - before; n != 1 {
		t.Errorf("a page of the audit log made %d round trips, want 1", n)
	}
}

// Reference-only responses are cached, and the cache follows the catalog.
func TestReferenceResponsesFollowTheCatalog(t *testing.T) {
	t.Parallel()
	a := newAPI(t)
	const q = `{ province(id: "lang-son") { name } provinces { id } }`
	first := a.ok("", q, nil)
	if get(first, "province", "name") != "Lạng Sơn" || get(a.ok("", q, nil), "province", "name") != "Lạng Sơn" {
		t.Fatalf("reference query: %v", first)
	}
	ctx := context.Background()
	ps, err := a.store.Provinces(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range ps {
		if p.ID == "lang-son" {
			p.Name = "Lạng Sơn (đổi tên)"
			if err := a.store.PutProvince(ctx, &p); err != nil {
				t.Fatal(err)
			}
		}
	}
	if got := get(a.ok("", q, nil), "province", "name"); got != "Lạng Sơn" {
		t.Errorf("before the reload: %v", got)
	}
	if err := a.refs.Reload(ctx); err != nil {
		t.Fatal(err)
	}
	if got := get(a.ok("", q, nil), "province", "name"); got != "Lạng Sơn (đổi tên)" {
		t.Errorf("after the reload: %v, want the new name", got)
	}
	// A query with anything but reference data is not cached.
	d := a.ok(token(t, map[string]string{"lang-son": "viewer"}), `{ me { subject } provinces { id } }`, nil)
	if get(d, "me", "subject") != "u-test" {
		t.Errorf("me with provinces: %v", d)
	}
}
