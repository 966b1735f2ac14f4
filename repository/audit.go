package repository

import (
	"context"
	"encoding/json"
	"reflect"
	"sort"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
)

const colAudit = "audit"

// AuditEntry records one mutation, accepted or refused. Entries are only
// ever appended: the store has no way to change or remove one.
type AuditEntry struct {
	ID            bson.ObjectID `bson:"_id"`
	At            time.Time     `bson:"at"`
	AtMs          int64         `bson:"atMs"` // sort key
	Subject       string        `bson:"subject,omitempty"`
	Name          string        `bson:"name,omitempty"`
	Role          string        `bson:"role,omitempty"`  // the role the caller acted under
	Scope         string        `bson:"scope,omitempty"` // the scope that granted it
	Operation     string        `bson:"operation"`
	RecordType    string        `bson:"recordType"`
	RecordID      string        `bson:"recordId,omitempty"`
	ProvinceID    string        `bson:"provinceId,omitempty"` // the province the record belongs to
	Outcome       string        `bson:"outcome"`              // ACCEPTED, DENIED, FAILED
	Reason        string        `bson:"reason,omitempty"`
	VersionBefore *int          `bson:"versionBefore,omitempty"`
	VersionAfter  *int          `bson:"versionAfter,omitempty"`
	Changes       []FieldChange `bson:"changes"`
	RequestID     string        `bson:"requestId,omitempty"`
}

// FieldChange is one changed field, its old and new values as JSON text
// (empty when absent).
type FieldChange struct {
	Field string `bson:"field"`
	Old   string `bson:"old,omitempty"`
	New   string `bson:"new,omitempty"`
}

// AuditFilter selects audit entries; zero fields select everything.
type AuditFilter struct {
	ProvinceID, RecordType, RecordID, Subject, Outcome, Operation string
}

var auditOrder = order{
	field: "atMs", desc: true,
	key: func(d any) any { return d.(*AuditEntry).AtMs },
	id:  func(d any) any { return d.(*AuditEntry).ID },
}

// AppendAudit appends an entry, stamping its id and time.
func (s *Store) AppendAudit(ctx context.Context, e *AuditEntry) error {
	e.ID = bson.NewObjectID()
	e.At = s.stamp()
	e.AtMs = e.At.UnixMilli()
	if e.Changes == nil {
		e.Changes = []FieldChange{}
	}
	return insert(ctx, s, colAudit, e)
}

// AuditLog lists entries, newest first. acc.Owners are the provinces whose
// entries the caller may read (All: every entry).
func (s *Store) AuditLog(ctx context.Context, f AuditFilter, acc Access, p PageArgs) (*Page[AuditEntry], error) {
	q := bson.D{}
	for _, kv := range [][2]string{{"provinceId", f.ProvinceID}, {"recordType", f.RecordType}, {"recordId", f.RecordID},
		{"subject", f.Subject}, {"outcome", f.Outcome}, {"operation", f.Operation}} {
		if kv[1] != "" {
			q = append(q, bson.E{Key: kv[0], Value: kv[1]})
		}
	}
	var scope bson.D
	if !acc.All {
		scope = bson.D{{Key: "provinceId", Value: bson.D{{Key: "$in", Value: acc.ownersIn()}}}}
	}
	return findPage[AuditEntry](ctx, s, colAudit, and(q, scope), auditOrder, p)
}

// derivedFields are stored for queries, not written by clients; they are left
// out of audit diffs.
var derivedFields = map[string]bool{
	"_id": true, "version": true, "createdAt": true, "updatedAt": true,
	"owner": true, "published": true, "titleKey": true, "nameKey": true, "searchKey": true, "history": true,
}

// Diff lists the fields that differ between two versions of a record (nil
// before: created; nil after: deleted), by field name.
func Diff(before, after any) []FieldChange {
	b, a := asMap(before), asMap(after)
	keys := map[string]bool{}
	for k := range b {
		keys[k] = true
	}
	for k := range a {
		keys[k] = true
	}
	var out []FieldChange
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

// asMap turns a document into a map through BSON, dropping derived fields
// at every level.
func asMap(doc any) map[string]any {
	if doc == nil || reflect.ValueOf(doc).IsNil() {
		return map[string]any{}
	}
	raw, err := bson.Marshal(doc)
	if err != nil {
		return map[string]any{}
	}
	var m bson.M
	if err := bson.Unmarshal(raw, &m); err != nil {
		return map[string]any{}
	}
	return strip(map[string]any(m)).(map[string]any)
}

func strip(v any) any {
	switch x := v.(type) {
	case bson.M:
		return strip(map[string]any(x))
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			if k != "nameKey" && k != "titleKey" {
				out[k] = strip(e)
			}
		}
		return out
	case bson.A:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = strip(e)
		}
		return out
	}
	return v
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
