package repository

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/thidua/thidua/domain"
	"github.com/thidua/thidua/vntext"
)

// The read model: where this process is the only writer (FerretDB, whose
// server cannot filter or sort without reading every document), lists,
// counts, filters, searches and tallies of awards, movements and reviews
// are answered from memory. It is loaded once from the database, then
// changed by every acknowledged write of this process before the write
// returns (inside the write's own lock), so a change is visible to the
// very next read. It answers exactly what the database queries answer —
// the same records, order, cursors and counts, under the same access
// (TestReadModelAnswersAsTheDatabase).

type awardRow struct {
	rec                domain.Award
	nameKey, searchKey string
}

type movementRow struct {
	rec      domain.Movement
	titleKey string
}

type reviewRow struct{ rec domain.PeriodReview }

// index keeps rows sorted by their list order, and by id; keys[i] holds
// the filterable fields of rows[i] side by side in memory, so a count over
// 100,000 rows reads one contiguous array instead of chasing pointers.
type index[R, K any] struct {
	rows []*R
	keys []K
	byID map[string]*R
	id   func(*R) string
	less func(a, b *R) bool // list order: before
	key  func(*R) K
}

func newIndex[R, K any](id func(*R) string, less func(a, b *R) bool, key func(*R) K) *index[R, K] {
	return &index[R, K]{byID: map[string]*R{}, id: id, less: less, key: key}
}

// load replaces every row at once (sorted once, not one insertion each).
func (ix *index[R, K]) load(rows []*R) {
	sort.Slice(rows, func(i, j int) bool { return ix.less(rows[i], rows[j]) })
	ix.rows, ix.keys, ix.byID = rows, make([]K, len(rows)), make(map[string]*R, len(rows))
	for i, r := range rows {
		ix.keys[i] = ix.key(r)
		ix.byID[ix.id(r)] = r
	}
}

// put adds or replaces a row.
func (ix *index[R, K]) put(r *R) {
	ix.del(ix.id(r))
	i := sort.Search(len(ix.rows), func(i int) bool { return !ix.less(ix.rows[i], r) })
	ix.rows = append(ix.rows, nil)
	copy(ix.rows[i+1:], ix.rows[i:])
	ix.rows[i] = r
	var zero K
	ix.keys = append(ix.keys, zero)
	copy(ix.keys[i+1:], ix.keys[i:])
	ix.keys[i] = ix.key(r)
	ix.byID[ix.id(r)] = r
}

// del removes a row by id.
func (ix *index[R, K]) del(id string) {
	old, ok := ix.byID[id]
	if !ok {
		return
	}
	delete(ix.byID, id)
	i := sort.Search(len(ix.rows), func(i int) bool { return !ix.less(ix.rows[i], old) })
	for ; i < len(ix.rows); i++ {
		if ix.rows[i] == old {
			ix.rows = append(ix.rows[:i], ix.rows[i+1:]...)
			ix.keys = append(ix.keys[:i], ix.keys[i+1:]...)
			return
		}
	}
}

// awardKey is what award filters and access compare, as interned numbers.
type awardKey struct {
	year                                                          int32
	province, status, awardType, authority, kind, owner, movement int32
	published                                                     bool
}

// interner numbers the strings award keys hold; 0 is "".
type interner struct {
	ids   map[string]int32
	names []string
}

func (in *interner) id(s string) int32 {
	if s == "" {
		return 0
	}
	if id, ok := in.ids[s]; ok {
		return id
	}
	in.names = append(in.names, s)
	id := int32(len(in.names))
	in.ids[s] = id
	return id
}

// lookup returns the number of s, or -1 when no row holds it (then a filter
// on it matches nothing); 0 for "".
func (in *interner) lookup(s string) int32 {
	if s == "" {
		return 0
	}
	if id, ok := in.ids[s]; ok {
		return id
	}
	return -1
}

type readModel struct {
	mu     sync.RWMutex
	loaded bool
	// gen counts changes; counts remembers totals of award lists by filter
	// and access until the next change (a page's totalCount is asked
	// again and again between writes).
	gen       uint64
	counts    sync.Map // countKey → countEntry
	countsLen atomic.Int64
	// pending re-read records whose writes had an unknown outcome while the
	// database did not answer (resync); retrying: a goroutine is at it.
	pending   []func(context.Context) bool
	retrying  bool
	strings   interner
	awards    *index[awardRow, awardKey]
	movements *index[movementRow, struct{}]
	reviews   *index[reviewRow, struct{}]
	dossiers  *index[dossierRow, struct{}]
	decisions *index[decisionRow, struct{}]
	honorees  *index[honoreeRow, struct{}]
	// units, registrations, initiatives: grassroots_readmodel.go.
	units         *index[unitRow, struct{}]
	registrations *index[registrationRow, struct{}]
	initiatives   *index[initiativeRow, struct{}]
}

func newReadModel() *readModel {
	rm := &readModel{strings: interner{ids: map[string]int32{}}}
	// Awards: year, newest first, then id, descending.
	rm.awards = newIndex(func(r *awardRow) string { return r.rec.ID }, func(a, b *awardRow) bool {
		if a.rec.Year != b.rec.Year {
			return a.rec.Year > b.rec.Year
		}
		return a.rec.ID > b.rec.ID
	}, func(r *awardRow) awardKey {
		a, in := &r.rec, &rm.strings
		return awardKey{year: int32(a.Year), province: in.id(a.ProvinceID), status: in.id(a.Status),
			awardType: in.id(a.AwardTypeID), authority: in.id(a.Authority), kind: in.id(a.Recipient.Kind),
			owner: in.id(a.Owner), movement: in.id(a.MovementID), published: a.Published}
	})
	// Movements: folded title, then id, ascending.
	rm.movements = newIndex(func(r *movementRow) string { return r.rec.ID }, func(a, b *movementRow) bool {
		if a.titleKey != b.titleKey {
			return a.titleKey < b.titleKey
		}
		return a.rec.ID < b.rec.ID
	}, func(*movementRow) struct{} { return struct{}{} })
	// Reviews: date, latest first, then id, descending.
	rm.reviews = newIndex(func(r *reviewRow) string { return r.rec.ID }, func(a, b *reviewRow) bool {
		if a.rec.Date != b.rec.Date {
			return a.rec.Date > b.rec.Date
		}
		return a.rec.ID > b.rec.ID
	}, func(*reviewRow) struct{} { return struct{}{} })
	rm.newDossierIndexes()
	rm.newGrassrootsIndexes()
	return rm
}

func newAwardRow(a *domain.Award) *awardRow {
	return &awardRow{rec: *a, nameKey: vntext.Fold(a.Recipient.Name), searchKey: awardSearchKey(a)}
}

func newMovementRow(m *domain.Movement) *movementRow {
	return &movementRow{rec: *m, titleKey: movementTitleKey(m)}
}

// model returns the read model, loading it on first use; nil where the
// database answers lists itself (several writers: MongoDB).
func (s *Store) model(ctx context.Context) (*readModel, error) {
	rm := s.rm
	if rm == nil {
		return nil, nil
	}
	rm.mu.RLock()
	loaded := rm.loaded
	rm.mu.RUnlock()
	if loaded {
		return rm, nil
	}
	rm.mu.Lock()
	defer rm.mu.Unlock()
	if rm.loaded {
		return rm, nil
	}
	// Two readers at once: the awards (the most by far) in one, the rest
	// in the other. The server decodes every document it returns, so this
	// keeps two cores busy while the service starts.
	var as []*awardRow
	awardsLoaded := make(chan error, 1)
	actx, stopAwards := context.WithCancel(ctx)
	defer stopAwards()
	go func() {
		awardsLoaded <- loadAll(actx, s, awards, bson.D{}, func(a *domain.Award) { as = append(as, newAwardRow(a)) })
	}()
	var ms []*movementRow
	var rs []*reviewRow
	err := loadAll(ctx, s, movements, bson.D{}, func(m *domain.Movement) { ms = append(ms, newMovementRow(m)) })
	if err == nil {
		err = loadAll(ctx, s, reviews, bson.D{}, func(r *domain.PeriodReview) { rs = append(rs, &reviewRow{rec: *r}) })
	}
	if err == nil {
		err = s.loadDossiers(ctx, rm)
	}
	if err == nil {
		err = s.loadGrassroots(ctx, rm)
	}
	if err != nil {
		stopAwards() // no use reading on
	}
	if aerr := <-awardsLoaded; err == nil {
		err = aerr
	}
	if err != nil {
		return nil, err
	}
	rm.awards.load(as)
	rm.movements.load(ms)
	rm.reviews.load(rs)
	rm.loaded = true
	return rm, nil
}

// Warm loads the read model now (at start, before the service is ready),
// where there is one.
func (s *Store) Warm(ctx context.Context) error {
	_, err := s.model(ctx)
	return err
}

func loadAll[D, T any](ctx context.Context, s *Store, k kind[D, T], filter bson.D, put func(*T)) error {
	cur, err := s.c(k.coll).Find(ctx, filter)
	if err != nil {
		return mapErr(err)
	}
	defer cur.Close(ctx)
	for cur.Next(ctx) {
		var d D
		if err := cur.Decode(&d); err != nil {
			return fmt.Errorf("load %s: %w", k.name, err)
		}
		put(k.toDomain(&d))
	}
	return mapErr(cur.Err())
}

// The writes' side: called with the record as stored, inside the write's
// lock, after the database acknowledged it. Before the model is loaded
// there is nothing to keep.

func (s *Store) keptAward(a *domain.Award, deleted bool) {
	s.keep(func(rm *readModel) {
		if deleted {
			rm.awards.del(a.ID)
		} else {
			rm.awards.put(newAwardRow(a))
		}
	})
}

func (s *Store) keptMovement(m *domain.Movement, deleted bool) {
	s.keep(func(rm *readModel) {
		if deleted {
			rm.movements.del(m.ID)
		} else {
			rm.movements.put(newMovementRow(m))
		}
	})
}

func (s *Store) keptReview(r *domain.PeriodReview) {
	s.keep(func(rm *readModel) { rm.reviews.put(&reviewRow{rec: *r}) })
}

func (s *Store) keep(f func(rm *readModel)) {
	if s.rm == nil {
		return
	}
	s.rm.mu.Lock()
	defer s.rm.mu.Unlock()
	if s.rm.loaded {
		f(s.rm)
		s.rm.gen++
	}
}

type countEntry struct {
	gen uint64
	n   int
}

// maxCounts bounds the remembered totals; past it they start over.
const maxCounts = 4096

func countKey(f domain.AwardFilter, read domain.Access) string {
	y := ""
	if f.Year != nil {
		y = fmt.Sprint(*f.Year)
	}
	return fmt.Sprintf("%q|%s|%q|%q|%q|%q|%q|%q|%q|%t|%q|%q|%q", f.ProvinceID, y, f.Status, f.AwardTypeID, f.Authority,
		f.MovementID, f.RecipientKind, vntext.Fold(f.RecipientName), vntext.Fold(f.Search), read.All, read.Owners,
		f.HonoreeID, f.DecisionID)
}

// The reads' side.

// memPage walks rows in list order from after the cursor, keeping those
// match accepts, as findPage does in the database.
func memPage[R, K, T any](rm *readModel, ix *index[R, K], args domain.PageArgs, match func(r *R, k *K) bool,
	afterCursor func(r *R, c *memCursor) bool, key func(*R) any, id func(*R) string, rec func(*R) T) (*domain.Page[T], error) {
	n, err := pageSize(args.First)
	if err != nil {
		return nil, err
	}
	var c *memCursor
	if args.After != nil && *args.After != "" {
		if c, err = decodeCursor(*args.After); err != nil {
			return nil, err
		}
	}
	page := &domain.Page[T]{
		HasPrev: c != nil,
		Count: func(context.Context) (int, error) {
			rm.mu.RLock()
			defer rm.mu.RUnlock()
			total := 0
			for i := range ix.keys {
				if match(ix.rows[i], &ix.keys[i]) {
					total++
				}
			}
			return total, nil
		},
	}
	if n == 0 {
		return page, nil
	}
	// As the database path: an empty page is [], not null (its cursors are
	// null). Sized for a full page: a record is copied once, not again at
	// each growth.
	page.Items = make([]T, 0, min(n, len(ix.rows)))
	rm.mu.RLock()
	defer rm.mu.RUnlock()
	start := 0
	if c != nil {
		// The rows after the cursor: the list is sorted, so search.
		start = sort.Search(len(ix.rows), func(i int) bool { return afterCursor(ix.rows[i], c) })
	}
	for i := start; i < len(ix.rows); i++ {
		r := ix.rows[i]
		if !match(r, &ix.keys[i]) {
			continue
		}
		if len(page.Items) == n {
			page.HasNext = true
			break
		}
		if page.Cursors == nil {
			page.Cursors = make([]string, 0, cap(page.Items))
		}
		page.Items = append(page.Items, rec(r))
		page.Cursors = append(page.Cursors, encodeCursor(key(r), id(r)))
	}
	return page, nil
}

// awardMatcher is awardFilter and readFilter, in Go, on the interned keys
// (call it with rm.mu held).
func (rm *readModel) awardMatcher(f domain.AwardFilter, read domain.Access) func(r *awardRow, k *awardKey) bool {
	name, search := vntext.Fold(f.RecipientName), vntext.Fold(f.Search)
	in := &rm.strings
	province, status, awardType := in.lookup(f.ProvinceID), in.lookup(f.Status), in.lookup(f.AwardTypeID)
	authority, movement, kind := in.lookup(f.Authority), in.lookup(f.MovementID), in.lookup(f.RecipientKind)
	year := int32(-1)
	if f.Year != nil {
		year = int32(*f.Year)
	}
	var owners []int32
	for _, o := range read.Owners {
		if id := in.lookup(o); id > 0 {
			owners = append(owners, id)
		}
	}
	eq := func(want, have int32) bool { return want == 0 || want == have }
	return func(r *awardRow, k *awardKey) bool {
		if !read.All && !k.published {
			seen := false
			for _, o := range owners {
				seen = seen || o == k.owner
			}
			if !seen {
				return false
			}
		}
		return eq(province, k.province) && (year < 0 || k.year == year) && eq(status, k.status) &&
			eq(awardType, k.awardType) && eq(authority, k.authority) && eq(movement, k.movement) && eq(kind, k.kind) &&
			(name == "" || strings.Contains(r.nameKey, name)) &&
			(search == "" || strings.Contains(r.searchKey, search)) &&
			(f.HonoreeID == "" || r.rec.HonoreeID == f.HonoreeID) && (f.DecisionID == "" || r.rec.DecisionID == f.DecisionID)
	}
}

func (rm *readModel) awardPage(f domain.AwardFilter, read domain.Access, p domain.PageArgs) (*domain.Page[domain.Award], error) {
	rm.mu.RLock()
	match := rm.awardMatcher(f, read)
	rm.mu.RUnlock()
	page, err := memPage(rm, rm.awards, p, match,
		func(r *awardRow, c *memCursor) bool {
			y, ok := c.key.(int)
			return ok && (r.rec.Year < y || r.rec.Year == y && r.rec.ID < c.id)
		},
		func(r *awardRow) any { return r.rec.Year }, func(r *awardRow) string { return r.rec.ID },
		func(r *awardRow) domain.Award { return r.rec })
	if err != nil {
		return nil, err
	}
	key := countKey(f, read)
	// The total, under one lock: the matcher (whose interned values a write
	// may have added to), the count and the generation it is kept under.
	page.Count = func(context.Context) (int, error) {
		rm.mu.RLock()
		defer rm.mu.RUnlock()
		if e, ok := rm.counts.Load(key); ok && e.(countEntry).gen == rm.gen {
			return e.(countEntry).n, nil
		}
		match, n := rm.awardMatcher(f, read), 0
		for i := range rm.awards.keys {
			if match(rm.awards.rows[i], &rm.awards.keys[i]) {
				n++
			}
		}
		if size := rm.countsLen.Add(1); size > maxCounts {
			rm.counts.Clear()
			rm.countsLen.Store(0)
		}
		rm.counts.Store(key, countEntry{gen: rm.gen, n: n})
		return n, nil
	}
	return page, nil
}

func (rm *readModel) movementPage(f domain.MovementFilter, read domain.Access, p domain.PageArgs) (*domain.Page[domain.Movement], error) {
	search := vntext.Fold(f.Search)
	match := func(r *movementRow, _ *struct{}) bool {
		m := &r.rec
		return read.Sees(m.Published, m.Owner) &&
			(f.Scope == "" || m.Scope == f.Scope) &&
			(f.ProvinceID == "" || m.ProvinceID == f.ProvinceID) &&
			(f.Year == nil || (m.StartYear == nil || *m.StartYear <= *f.Year) && (m.EndYear == nil || *m.EndYear >= *f.Year)) &&
			(search == "" || strings.Contains(r.titleKey, search))
	}
	return memPage(rm, rm.movements, p, match,
		func(r *movementRow, c *memCursor) bool {
			k, ok := c.key.(string)
			return ok && (r.titleKey > k || r.titleKey == k && r.rec.ID > c.id)
		},
		func(r *movementRow) any { return r.titleKey }, func(r *movementRow) string { return r.rec.ID },
		func(r *movementRow) domain.Movement { return r.rec })
}

func (rm *readModel) reviewPage(f domain.ReviewFilter, read domain.Access, p domain.PageArgs) (*domain.Page[domain.PeriodReview], error) {
	match := func(r *reviewRow, _ *struct{}) bool {
		v := &r.rec
		return read.Sees(v.Published, v.Owner) && (f.Kind == "" || v.Kind == f.Kind) && (f.Year == nil || v.Year == *f.Year)
	}
	return memPage(rm, rm.reviews, p, match,
		func(r *reviewRow, c *memCursor) bool {
			k, ok := c.key.(string)
			return ok && (r.rec.Date < k || r.rec.Date == k && r.rec.ID < c.id)
		},
		func(r *reviewRow) any { return r.rec.Date }, func(r *reviewRow) string { return r.rec.ID },
		func(r *reviewRow) domain.PeriodReview { return r.rec })
}

// byID returns a copy of a row's record within the read access.
func byID[R, K, T any](rm *readModel, ix *index[R, K], id, name string, read domain.Access, rec func(*R) *T, visible func(*T) bool) (*T, error) {
	rm.mu.RLock()
	defer rm.mu.RUnlock()
	r, ok := ix.byID[id]
	if !ok {
		return nil, domain.NotFound(name, id)
	}
	t := rec(r)
	if !visible(t) {
		return nil, domain.NotFound(name, id)
	}
	return t, nil
}

func (rm *readModel) award(id string, read domain.Access) (*domain.Award, error) {
	return byID(rm, rm.awards, id, awards.name, read, func(r *awardRow) *domain.Award { a := r.rec; return &a },
		func(a *domain.Award) bool { return read.Sees(a.Published, a.Owner) })
}

func (rm *readModel) movement(id string, read domain.Access) (*domain.Movement, error) {
	return byID(rm, rm.movements, id, movements.name, read, func(r *movementRow) *domain.Movement { m := r.rec; return &m },
		func(m *domain.Movement) bool { return read.Sees(m.Published, m.Owner) })
}

func (rm *readModel) review(id string, read domain.Access) (*domain.PeriodReview, error) {
	return byID(rm, rm.reviews, id, reviews.name, read, func(r *reviewRow) *domain.PeriodReview { v := r.rec; return &v },
		func(v *domain.PeriodReview) bool { return read.Sees(v.Published, v.Owner) })
}

// tally groups the matching awards as the database's $group does.
func (rm *readModel) tally(f domain.AwardFilter, read domain.Access, by []string) ([]domain.TallyRow, error) {
	for _, k := range by {
		if _, ok := tallyFields[k]; !ok {
			return nil, domain.Invalid("by", "cannot group by %q", k)
		}
	}
	groups := map[domain.TallyRow]int{}
	rm.mu.RLock()
	match := rm.awardMatcher(f, read)
	for i, r := range rm.awards.rows {
		if !match(r, &rm.awards.keys[i]) {
			continue
		}
		var key domain.TallyRow
		for _, k := range by {
			switch k {
			case domain.TallyAuthority:
				key.Authority = r.rec.Authority
			case domain.TallyAwardType:
				key.AwardTypeID = r.rec.AwardTypeID
			case domain.TallyRecipientKind:
				key.RecipientKind = r.rec.Recipient.Kind
			case domain.TallyProvince:
				key.ProvinceID = r.rec.ProvinceID
			case domain.TallyYear:
				key.Year = r.rec.Year
			case domain.TallyStatus:
				key.Status = r.rec.Status
			case domain.TallyUnit:
				key.UnitID = r.rec.UnitID
			}
		}
		groups[key]++
	}
	rm.mu.RUnlock()
	out := make([]domain.TallyRow, 0, len(groups))
	for k, n := range groups {
		k.Count = n
		out = append(out, k)
	}
	sortTally(out)
	return out, nil
}

// countConferred is CountConferred in Go.
func (rm *readModel) countConferred(f domain.ConferredFilter) int {
	in := func(list []string, v string) bool {
		if len(list) == 0 {
			return true
		}
		for _, x := range list {
			if x == v {
				return true
			}
		}
		return false
	}
	n := 0
	rm.mu.RLock()
	defer rm.mu.RUnlock()
	for _, r := range rm.awards.rows {
		a := &r.rec
		if (a.Status != domain.StatusConferred && a.Status != domain.StatusRevoked) ||
			((f.From != "" || f.To != "") && (a.Decision == nil || f.From != "" && a.Decision.Date < f.From || f.To != "" && a.Decision.Date > f.To)) ||
			!in(f.Authorities, a.Authority) || !in(f.AwardTypeIDs, a.AwardTypeID) || !in(f.ProvinceIDs, a.ProvinceID) {
			continue
		}
		n++
	}
	return n
}

// resync refreshes a record in the read model from the database after a
// write whose outcome is unknown (the command's deadline passed, or the
// connection dropped, after the server may have applied it): the record
// is read again by _id on a context of its own, now and again later
// (resyncAgain), each time under the record's lock. The server may still
// be running the write when the first read is answered (it runs what it
// was sent even when its client has given up), so one read is not enough:
// the later ones bring the model to what the database then holds. If the
// database does not answer, the record is read again every second once it
// does. Until then lists show it as it was before the write, which the
// client was not told succeeded (writes check versions in the database,
// never here). Called inside the write's lock.
func resync[D, T any](ctx context.Context, s *Store, k kind[D, T], id bson.ObjectID) {
	if s.rm == nil || k.kept == nil {
		return
	}
	again := func(ctx context.Context) bool {
		defer s.lock(k.coll, id.Hex())()
		return refresh(ctx, s, k, id)
	}
	go func() {
		for _, d := range resyncAgain {
			time.Sleep(d)
			ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
			if !again(ctx) {
				s.retry(again)
			}
			cancel()
		}
	}()
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
	defer cancel()
	if refresh(rctx, s, k, id) {
		return
	}
	s.retry(again)
}

// resyncAgain are the pauses before the later reads of a record whose
// write had an unknown outcome (resync).
var resyncAgain = []time.Duration{time.Second, 4 * time.Second, 25 * time.Second}

// retry runs f again every second, until it reports success (retryPending).
func (s *Store) retry(f func(ctx context.Context) bool) {
	s.rm.mu.Lock()
	defer s.rm.mu.Unlock()
	s.rm.pending = append(s.rm.pending, f)
	if !s.rm.retrying {
		s.rm.retrying = true
		go s.retryPending()
	}
}

// refresh reads one record by _id into the read model; false when the
// database did not answer.
func refresh[D, T any](ctx context.Context, s *Store, k kind[D, T], id bson.ObjectID) bool {
	raw, err := s.byID(ctx, k.coll, id)
	switch {
	case errors.Is(err, errNoDocument):
		gone, _ := bson.Marshal(bson.D{{Key: "_id", Value: id}})
		if rec, derr := k.decode(gone); derr == nil {
			k.kept(s, rec, true)
		}
		return true
	case err != nil:
		return false
	}
	if rec, derr := k.decode(raw); derr == nil {
		k.kept(s, rec, false)
	}
	return true
}

// retryPending refreshes, every second, the records whose writes had an
// unknown outcome, until none is left.
func (s *Store) retryPending() {
	for {
		time.Sleep(time.Second)
		s.rm.mu.Lock()
		todo := s.rm.pending
		s.rm.pending = nil
		s.rm.mu.Unlock()
		var again []func(context.Context) bool
		for _, f := range todo {
			ctx, cancel := context.WithTimeout(context.WithoutCancel(context.TODO()), 2*time.Second)
			if !f(ctx) {
				again = append(again, f)
			}
			cancel()
		}
		s.rm.mu.Lock()
		s.rm.pending = append(again, s.rm.pending...)
		if len(s.rm.pending) == 0 {
			s.rm.retrying = false
			s.rm.mu.Unlock()
			return
		}
		s.rm.mu.Unlock()
	}
}
