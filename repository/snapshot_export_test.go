package repository

import (
	"fmt"
	"reflect"
)

// SameReadModel compares the loaded read models of two stores: the same
// rows (records and derived keys) in the same order, the same award keys
// (as the strings they number).
func SameReadModel(a, b *Store) error {
	a.rm.mu.RLock()
	defer a.rm.mu.RUnlock()
	b.rm.mu.RLock()
	defer b.rm.mu.RUnlock()
	if !a.rm.loaded || !b.rm.loaded {
		return fmt.Errorf("not loaded")
	}
	name := func(rm *readModel, id int32) string {
		if id == 0 {
			return ""
		}
		return rm.strings.names[id-1]
	}
	keyOf := func(rm *readModel, k awardKey) [9]any {
		return [9]any{k.year, name(rm, k.province), name(rm, k.status), name(rm, k.awardType), name(rm, k.authority),
			name(rm, k.kind), name(rm, k.owner), name(rm, k.movement), k.published}
	}
	for i := range a.rm.awards.keys {
		if i < len(b.rm.awards.keys) && keyOf(a.rm, a.rm.awards.keys[i]) != keyOf(b.rm, b.rm.awards.keys[i]) {
			return fmt.Errorf("award key %d: %v, %v", i, keyOf(a.rm, a.rm.awards.keys[i]), keyOf(b.rm, b.rm.awards.keys[i]))
		}
	}
	for _, c := range []struct {
		name string
		a, b any
	}{
		{"awards", a.rm.awards.rows, b.rm.awards.rows},
		{"movements", a.rm.movements.rows, b.rm.movements.rows},
		{"reviews", a.rm.reviews.rows, b.rm.reviews.rows},
		{"dossiers", a.rm.dossiers.rows, b.rm.dossiers.rows},
		{"honorees", a.rm.honorees.rows, b.rm.honorees.rows},
		{"decisions", a.rm.decisions.rows, b.rm.decisions.rows},
		{"units", a.rm.units.rows, b.rm.units.rows},
		{"registrations", a.rm.registrations.rows, b.rm.registrations.rows},
		{"initiatives", a.rm.initiatives.rows, b.rm.initiatives.rows},
	} {
		va, vb := reflect.ValueOf(c.a), reflect.ValueOf(c.b)
		if va.Len() != vb.Len() {
			return fmt.Errorf("%s: %d rows, %d", c.name, va.Len(), vb.Len())
		}
		for i := 0; i < va.Len(); i++ {
			if x, y := va.Index(i).Elem().Interface(), vb.Index(i).Elem().Interface(); !reflect.DeepEqual(x, y) {
				return fmt.Errorf("%s row %d:\n%+v\n%+v", c.name, i, x, y)
			}
		}
	}
	return nil
}
