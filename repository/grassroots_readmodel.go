package repository

import (
	"context"
	"strings"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/thidua/thidua/domain"
	"github.com/thidua/thidua/vntext"
)

// The read model's units, registrations and initiatives (readmodel.go).
// FerretDB on SQLite filters by scanning the whole collection: measured,
// one province's year of 1,000 initiatives among 4,000 took 0.4-2 s from
// the database (BenchmarkInitiativesList), and units and registrations
// grow the same way with every province; from memory it is microseconds.

// grassRow is a row of the three indexes: the record and its sort key.
type grassRow[T any] struct {
	rec T
	key string
}

type (
	unitRow         = grassRow[domain.Unit]
	registrationRow = grassRow[domain.EmulationRegistration]
	initiativeRow   = grassRow[domain.Initiative]
)

func newUnitRow(u *domain.Unit) *unitRow { return &unitRow{rec: *u, key: domain.UnitKey(u.Name)} }

func newRegistrationRow(r *domain.EmulationRegistration) *registrationRow {
	return &registrationRow{rec: *copyRegistration(r), key: r.UnitID}
}

func newInitiativeRow(x *domain.Initiative) *initiativeRow {
	return &initiativeRow{rec: *copyInitiative(x), key: initiativeSearchKey(x)}
}

func copyRegistration(r *domain.EmulationRegistration) *domain.EmulationRegistration {
	out := *r
	out.Titles = make([]domain.RegisteredTitle, len(r.Titles))
	for i, t := range r.Titles {
		out.Titles[i] = t
		out.Titles[i].Names = copySlice(t.Names)
	}
	return &out
}

func copyInitiative(x *domain.Initiative) *domain.Initiative {
	out := *x
	out.Authors = copySlice(x.Authors)
	out.RecognisedBy = copyPtr(x.RecognisedBy)
	return &out
}

func initiativeSearchKey(x *domain.Initiative) string {
	return vntext.Fold(x.Title + " | " + strings.Join(x.Authors, " | "))
}

func (rm *readModel) newGrassrootsIndexes() {
	// Units: folded name, then id.
	rm.units = newIndex(func(r *unitRow) string { return r.rec.ID }, func(a, b *unitRow) bool {
		if a.key != b.key {
			return a.key < b.key
		}
		return a.rec.ID < b.rec.ID
	}, func(r *unitRow) struct{} { return none(r) })
	// Registrations: year, newest first, then unit, then id.
	rm.registrations = newIndex(func(r *registrationRow) string { return r.rec.ID }, func(a, b *registrationRow) bool {
		if a.rec.Year != b.rec.Year {
			return a.rec.Year > b.rec.Year
		}
		if a.key != b.key {
			return a.key < b.key
		}
		return a.rec.ID < b.rec.ID
	}, func(r *registrationRow) struct{} { return none(r) })
	// Initiatives: year, newest first, then id.
	rm.initiatives = newIndex(func(r *initiativeRow) string { return r.rec.ID }, func(a, b *initiativeRow) bool {
		if a.rec.Year != b.rec.Year {
			return a.rec.Year > b.rec.Year
		}
		return a.rec.ID < b.rec.ID
	}, func(r *initiativeRow) struct{} { return none(r) })
}

// loadGrassroots loads the three collections into rm (with rm.mu held).
func (s *Store) loadGrassroots(ctx context.Context, rm *readModel) error {
	var us []*unitRow
	var rs []*registrationRow
	var xs []*initiativeRow
	err := loadAll(ctx, s, units, bson.D{}, func(u *domain.Unit) { us = append(us, newUnitRow(u)) })
	if err == nil {
		err = loadAll(ctx, s, registrations, bson.D{}, func(r *domain.EmulationRegistration) { rs = append(rs, newRegistrationRow(r)) })
	}
	if err == nil {
		err = loadAll(ctx, s, initiatives, bson.D{}, func(x *domain.Initiative) { xs = append(xs, newInitiativeRow(x)) })
	}
	if err != nil {
		return err
	}
	rm.loadGrassrootsRows(us, rs, xs)
	return nil
}

func (rm *readModel) loadGrassrootsRows(us []*unitRow, rs []*registrationRow, xs []*initiativeRow) {
	rm.units.load(us)
	rm.registrations.load(rs)
	rm.initiatives.load(xs)
}

// keptGrass is the kept function of the three kinds.
func keptGrass[T any](ix func(rm *readModel) *index[grassRow[T], struct{}], row func(*T) *grassRow[T], id func(*T) string) func(*Store, *T, bool) {
	return func(s *Store, rec *T, deleted bool) {
		s.keep(func(rm *readModel) {
			if deleted {
				ix(rm).del(id(rec))
			} else {
				ix(rm).put(row(rec))
			}
		})
	}
}

var (
	keptUnit = keptGrass(func(rm *readModel) *index[unitRow, struct{}] { return rm.units }, newUnitRow,
		func(u *domain.Unit) string { return u.ID })
	keptRegistration = keptGrass(func(rm *readModel) *index[registrationRow, struct{}] { return rm.registrations },
		newRegistrationRow, func(r *domain.EmulationRegistration) string { return r.ID })
	keptInitiative = keptGrass(func(rm *readModel) *index[initiativeRow, struct{}] { return rm.initiatives },
		newInitiativeRow, func(x *domain.Initiative) string { return x.ID })
)

// grassList lists the rows of ix that match, in the index's order, at most
// limit (0: all), copied by out.
func grassList[T any](rm *readModel, ix *index[grassRow[T], struct{}], limit int, match func(*grassRow[T]) bool, out func(*T) *T) []T {
	rm.mu.RLock()
	defer rm.mu.RUnlock()
	list := []T{}
	for _, r := range ix.rows {
		if match(r) {
			list = append(list, *out(&r.rec))
			if limit > 0 && len(list) >= limit {
				break
			}
		}
	}
	return list
}

func copyUnit(u *domain.Unit) *domain.Unit { v := *u; return &v }

func (rm *readModel) unitList(provinceID string, read domain.Access) []domain.Unit {
	return grassList(rm, rm.units, 0, func(r *unitRow) bool {
		return r.rec.ProvinceID == provinceID && read.Sees(r.rec.Published, r.rec.Owner)
	}, copyUnit)
}

func (rm *readModel) registrationList(f domain.RegistrationFilter, read domain.Access, limit int) []domain.EmulationRegistration {
	return grassList(rm, rm.registrations, limit, func(r *registrationRow) bool {
		x := &r.rec
		return (f.ProvinceID == "" || x.ProvinceID == f.ProvinceID) && (f.Year == nil || x.Year == *f.Year) &&
			(f.UnitID == "" || x.UnitID == f.UnitID) && read.Sees(x.Published, x.Owner)
	}, copyRegistration)
}

func (rm *readModel) initiativeList(f domain.InitiativeFilter, read domain.Access) []domain.Initiative {
	search := vntext.Fold(f.Search)
	return grassList(rm, rm.initiatives, MaxInitiatives, func(r *initiativeRow) bool {
		x := &r.rec
		return x.ProvinceID == f.ProvinceID && (f.Year == nil || x.Year == *f.Year) && (f.UnitID == "" || x.UnitID == f.UnitID) &&
			(search == "" || strings.Contains(r.key, search)) && read.Sees(x.Published, x.Owner)
	}, copyInitiative)
}

// grassByID reads one record of ix within the read access.
func grassByID[T any](rm *readModel, ix *index[grassRow[T], struct{}], id, name string, read domain.Access,
	out func(*T) *T, visible func(*T) bool) (*T, error) {
	return byID(rm, ix, id, name, read, func(r *grassRow[T]) *T { return out(&r.rec) }, visible)
}

// decodeGrassroots decodes the three kinds of a read model image.
func decodeGrassroots(ctx context.Context, data []byte, us *[]*unitRow, rs *[]*registrationRow, xs *[]*initiativeRow) ([]byte, error) {
	rest, err := decodeKind(ctx, data, units, func(u *domain.Unit) { *us = append(*us, newUnitRow(u)) })
	if err == nil {
		rest, err = decodeKind(ctx, rest, registrations, func(r *domain.EmulationRegistration) { *rs = append(*rs, newRegistrationRow(r)) })
	}
	if err == nil {
		rest, err = decodeKind(ctx, rest, initiatives, func(x *domain.Initiative) { *xs = append(*xs, newInitiativeRow(x)) })
	}
	return rest, err
}
