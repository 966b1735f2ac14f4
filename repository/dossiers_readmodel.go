package repository

import (
	"context"
	"strconv"
	"strings"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/thidua/thidua/domain"
	"github.com/thidua/thidua/vntext"
)

// The read model's dossiers, decisions and honorees (readmodel.go): the
// same order, filters, cursors and access as dossierFilter, decisionFilter
// and honoreeFilter with their read filters.

type dossierRow struct {
	rec       domain.Dossier
	searchKey string
}

type decisionRow struct{ rec domain.DecisionRecord }

type honoreeRow struct {
	rec       domain.Honoree
	searchKey string
}

func newDossierRow(d *domain.Dossier) *dossierRow {
	return &dossierRow{rec: *copyDossier(d), searchKey: dossierSearchKey(d)}
}

func newHonoreeRow(h *domain.Honoree) *honoreeRow {
	return &honoreeRow{rec: *h, searchKey: honoreeSearchKey(h)}
}

func none(any) struct{} { return struct{}{} }

func (rm *readModel) newDossierIndexes() {
	// Dossiers: year, newest first, then id, descending.
	rm.dossiers = newIndex(func(r *dossierRow) string { return r.rec.ID }, func(a, b *dossierRow) bool {
		if a.rec.Year != b.rec.Year {
			return a.rec.Year > b.rec.Year
		}
		return a.rec.ID > b.rec.ID
	}, func(r *dossierRow) struct{} { return none(r) })
	// Decisions: date, latest first, then id, descending.
	rm.decisions = newIndex(func(r *decisionRow) string { return r.rec.ID }, func(a, b *decisionRow) bool {
		if a.rec.Date != b.rec.Date {
			return a.rec.Date > b.rec.Date
		}
		return a.rec.ID > b.rec.ID
	}, func(r *decisionRow) struct{} { return none(r) })
	// Honorees: folded name, then id, ascending.
	rm.honorees = newIndex(func(r *honoreeRow) string { return r.rec.ID }, func(a, b *honoreeRow) bool {
		if a.searchKey != b.searchKey {
			return a.searchKey < b.searchKey
		}
		return a.rec.ID < b.rec.ID
	}, func(r *honoreeRow) struct{} { return none(r) })
}

// loadDossiers loads the three collections into rm (called with rm.mu held
// while the model loads). Decisions still carrying a journal are not
// recorded yet (RecoverDecisions finishes them at start).
func (s *Store) loadDossiers(ctx context.Context, rm *readModel) error {
	var ds []*dossierRow
	if err := loadAll(ctx, s, dossiers, bson.D{}, func(d *domain.Dossier) { ds = append(ds, newDossierRow(d)) }); err != nil {
		return err
	}
	var hs []*honoreeRow
	if err := loadAll(ctx, s, honorees, bson.D{}, func(h *domain.Honoree) { hs = append(hs, newHonoreeRow(h)) }); err != nil {
		return err
	}
	var cs []*decisionRow
	// Only recorded decisions (decisionFilter leaves out journals).
	if err := loadAll(ctx, s, decisions, decisionFilter(domain.DecisionFilter{}), func(d *domain.DecisionRecord) {
		cs = append(cs, &decisionRow{rec: *d})
	}); err != nil {
		return err
	}
	rm.dossiers.load(ds)
	rm.honorees.load(hs)
	rm.decisions.load(cs)
	return nil
}

func (s *Store) keptDossier(d *domain.Dossier, deleted bool) {
	s.keep(func(rm *readModel) {
		if deleted {
			rm.dossiers.del(d.ID)
		} else {
			rm.dossiers.put(newDossierRow(d))
		}
	})
}

// keptDecision and keptHonoree follow a write, or a read back after an
// unknown outcome (resync), which finds the record absent when the write
// did not happen: then the record is not in the model either.
func (s *Store) keptDecision(d *domain.DecisionRecord, deleted bool) {
	s.keep(func(rm *readModel) {
		if deleted {
			rm.decisions.del(d.ID)
		} else {
			rm.decisions.put(&decisionRow{rec: *d})
		}
	})
}

func (s *Store) keptHonoree(h *domain.Honoree, deleted bool) {
	s.keep(func(rm *readModel) {
		if deleted {
			rm.honorees.del(h.ID)
		} else {
			rm.honorees.put(newHonoreeRow(h))
		}
	})
}

func (rm *readModel) dossierPage(f domain.DossierFilter, read domain.Access, p domain.PageArgs) (*domain.Page[domain.Dossier], error) {
	search := vntext.Fold(f.Search)
	match := func(r *dossierRow, _ *struct{}) bool {
		d := &r.rec
		return seesDossier(read, d) && (f.ProvinceID == "" || d.ProvinceID == f.ProvinceID) &&
			(f.Status == "" || d.Status == f.Status) && (f.Year == nil || d.Year == *f.Year) &&
			(f.Authority == "" || d.Authority == f.Authority) && (f.Kind == "" || d.Kind == f.Kind) &&
			(search == "" || strings.Contains(r.searchKey, search))
	}
	return memPage(rm, rm.dossiers, p, match,
		func(r *dossierRow, c *memCursor) bool {
			y, ok := c.key.(int)
			return ok && (r.rec.Year < y || r.rec.Year == y && r.rec.ID < c.id)
		},
		func(r *dossierRow) any { return r.rec.Year }, func(r *dossierRow) string { return r.rec.ID },
		func(r *dossierRow) domain.Dossier { return *copyDossier(&r.rec) })
}

func (rm *readModel) decisionPage(f domain.DecisionFilter, read domain.Access, p domain.PageArgs) (*domain.Page[domain.DecisionRecord], error) {
	match := func(r *decisionRow, _ *struct{}) bool {
		d := &r.rec
		return read.Sees(d.Published, d.Owner) && (f.ProvinceID == "" || d.ProvinceID == f.ProvinceID) &&
			(f.Year == nil || strings.HasPrefix(d.Date, strconv.Itoa(*f.Year)+"-")) && (f.Authority == "" || d.Authority == f.Authority)
	}
	return memPage(rm, rm.decisions, p, match,
		func(r *decisionRow, c *memCursor) bool {
			k, ok := c.key.(string)
			return ok && (r.rec.Date < k || r.rec.Date == k && r.rec.ID < c.id)
		},
		func(r *decisionRow) any { return r.rec.Date }, func(r *decisionRow) string { return r.rec.ID },
		func(r *decisionRow) domain.DecisionRecord { return *copyDecision(&r.rec) })
}

func (rm *readModel) honoreePage(f domain.HonoreeFilter, read domain.Access, p domain.PageArgs) (*domain.Page[domain.Honoree], error) {
	search := vntext.Fold(f.Search)
	match := func(r *honoreeRow, _ *struct{}) bool {
		h := &r.rec
		return read.Sees(h.Published, h.Owner) && (f.ProvinceID == "" || h.ProvinceID == f.ProvinceID) &&
			(f.Kind == "" || h.Kind == f.Kind) && (search == "" || strings.Contains(r.searchKey, search))
	}
	return memPage(rm, rm.honorees, p, match,
		func(r *honoreeRow, c *memCursor) bool {
			k, ok := c.key.(string)
			return ok && (r.searchKey > k || r.searchKey == k && r.rec.ID > c.id)
		},
		func(r *honoreeRow) any { return r.searchKey }, func(r *honoreeRow) string { return r.rec.ID },
		func(r *honoreeRow) domain.Honoree { return r.rec })
}
