package httpapi_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/event"

	"github.com/thidua/thidua/repository"
	"github.com/thidua/thidua/seed"
)

// Each page costs a fixed number of database round trips, whatever its size:
// the edges to other collections are batched per request, and reference
// data comes from memory.
func TestRoundTripsDoNotGrowWithPageSize(t *testing.T) {
	t.Parallel()
	var commands atomic.Int64
	a := newAPI(t, repository.WithMonitor(&event.CommandMonitor{
		Started: func(context.Context, *event.CommandStartedEvent) { commands.Add(1) },
	}))
	ctx := context.Background()
	movementIDs := []bson.ObjectID{}
	for _, m := range seed.Movements {
		movementIDs = append(movementIDs, seed.ID("movement:"+m.Title))
	}
	for i := 0; i < 100; i++ {
		mid := movementIDs[i%len(movementIDs)]
		aw := &repository.Award{ProvinceID: "lang-son", AwardTypeID: "bang-khen-thu-tuong", Authority: "PRIME_MINISTER",
			Recipient: repository.Recipient{Kind: "INDIVIDUAL", Name: fmt.Sprint("Người ", i)},
			Year:      2022, Status: "CONFERRED", MovementID: &mid, LegalBasis: "x",
			Decision: &repository.Decision{Number: "1/QĐ-TTg", Date: "2022-09-01"}}
		if err := a.store.CreateAward(ctx, aw, "test"); err != nil {
			t.Fatal(err)
		}
	}
	count := func(q string, vars map[string]any) int64 {
		before := commands.Load()
		a.ok("", q, vars)
		return commands.Load() - before
	}
	const page = `query($n: Int) { awards(first: $n) { totalCount edges { node {
	  id recipient { name } province { name } awardType { name } movement { title } } } } }`
	got := map[int]int64{}
	for _, n := range []int{1, 10, 100} {
		got[n] = count(page, map[string]any{"n": n})
	}
	if got[1] != got[10] || got[10] != got[100] || got[100] > 4 {
		t.Errorf("round trips for pages of 1, 10, 100 awards: %v; want equal and at most 4", got)
	}
	t.Logf("round trips per awards page (find, count, movements): %v", got)

	if n := count(`{ provinces { id name successor { id } } awardTypes { id name } indicators { id name } }`, nil); n != 0 {
		t.Errorf("a reference-data query made %d round trips, want 0", n)
	}

	rid := seed.ID("review:2022-07-20")
	const review = `query($id: ID!) { periodReview(id: $id) { hostProvince { name } movements { title }
	  reports { province { name } values { indicator { name } value } } summary { derived { text } provincesReported } } }`
	submit := func(p string) {
		if _, _, err := a.store.SubmitReport(ctx, rid, p, []repository.IndicatorValue{{IndicatorID: "new-jobs", Value: 10}}, "t", nil, nil); err != nil {
			t.Fatal(err)
		}
	}
	submit("lang-son")
	one := count(review, map[string]any{"id": rid.Hex()})
	for _, p := range seed.ClusterMembers[1:] {
		submit(p)
	}
	seven := count(review, map[string]any{"id": rid.Hex()})
	if one != seven || seven > 3 {
		t.Errorf("round trips for a review with 1 and 7 reports: %d, %d; want equal and at most 3", one, seven)
	}
	const reviews = `{ periodReviews(first: 10) { edges { node { reports { province { id } } summary { provincesReported } } } } }`
	if n := count(reviews, nil); n > 3 {
		t.Errorf("a page of reviews with their reports: %d round trips, want at most 3", n)
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
