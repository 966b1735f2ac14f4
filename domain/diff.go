package domain

import (
	"encoding/json"
	"reflect"
	"sort"
)

// derivedFields are kept by the service, not written by clients; they are
// left out of audit diffs.
var derivedFields = map[string]bool{
	"id": true, "owner": true, "published": true, "history": true,
}

// Diff lists the fields that differ between two versions of a record (nil
// before: created; nil after: deleted), by their JSON names.
func Diff(before, after any) []FieldChange {
	b, a := asMap(before), asMap(after)
	keys := map[string]bool{}
	for k := range b {
		keys[k] = true
	}
	for k := range a {
		keys[k] = true
	}
	out := []FieldChange{}
	for k := range keys {
		if derivedFields[k] {
			continue
		}
		ov, nv := b[k], a[k]
		if reflect.DeepEqual(ov, nv) {
			continue
		}
		out = append(out, FieldChange{Field: k, Old: jsonText(ov), New: jsonText(nv)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Field < out[j].Field })
	return out
}

func asMap(doc any) map[string]any {
	if doc == nil {
		return map[string]any{}
	}
	if v := reflect.ValueOf(doc); v.Kind() == reflect.Pointer && v.IsNil() {
		return map[string]any{}
	}
	raw, err := json.Marshal(doc)
	if err != nil {
		return map[string]any{}
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		return map[string]any{}
	}
	return m
}

func jsonText(v any) string {
	if v == nil {
		return ""
	}
	b, err := json.Marshal(v)
	if err != nil {
		return ""
	}
	return string(b)
}
