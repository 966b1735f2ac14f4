package repository

import (
	"context"
	"errors"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"go.mongodb.org/mongo-driver/v2/mongo/readconcern"
	"go.mongodb.org/mongo-driver/v2/mongo/readpref"

	"github.com/thidua/thidua/domain"
)

const colAudit = "audit"

// auditDoc records one mutation, accepted or refused. Entries are only ever
// appended: the store has no way to change or remove one.
type auditDoc struct {
	ID            bson.ObjectID    `bson:"_id"`
	At            time.Time        `bson:"at"`
	AtMs          int64            `bson:"atMs"` // sort key
	Subject       string           `bson:"subject,omitempty"`
	Name          string           `bson:"name,omitempty"`
	Role          string           `bson:"role,omitempty"`  // the role the caller acted under
	Scope         string           `bson:"scope,omitempty"` // the scope that granted it
	Operation     string           `bson:"operation"`
	RecordType    string           `bson:"recordType"`
	RecordID      string           `bson:"recordId,omitempty"`
	ProvinceID    string           `bson:"provinceId,omitempty"` // the province the record belongs to
	Outcome       string           `bson:"outcome"`              // ACCEPTED, DENIED, FAILED
	Reason        string           `bson:"reason,omitempty"`
	VersionBefore *int             `bson:"versionBefore,omitempty"`
	VersionAfter  *int             `bson:"versionAfter,omitempty"`
	Changes       []fieldChangeDoc `bson:"changes"`
	RequestID     string           `bson:"requestId,omitempty"`
}

// fieldChangeDoc is one changed field, its old and new values as JSON text
// (empty when absent).
type fieldChangeDoc struct {
	Field string `bson:"field"`
	Old   string `bson:"old,omitempty"`
	New   string `bson:"new,omitempty"`
}

func auditToDomain(d *auditDoc) *domain.AuditEntry {
	e := &domain.AuditEntry{ID: hexID(d.ID), At: d.At, Subject: d.Subject, Name: d.Name, Role: d.Role, Scope: d.Scope,
		Operation: d.Operation, RecordType: d.RecordType, RecordID: d.RecordID, ProvinceID: d.ProvinceID,
		Outcome: d.Outcome, Reason: d.Reason, VersionBefore: copyPtr(d.VersionBefore), VersionAfter: copyPtr(d.VersionAfter),
		Changes: make([]domain.FieldChange, len(d.Changes)), RequestID: d.RequestID}
	for i, c := range d.Changes {
		e.Changes[i] = domain.FieldChange(c)
	}
	return e
}

var auditOrder = order[auditDoc]{
	field: "atMs", desc: true,
	key: func(d *auditDoc) any { return d.AtMs },
	id:  func(d *auditDoc) any { return d.ID },
}

// AppendAudit appends an entry, stamping its id and time.
func (s *Store) AppendAudit(ctx context.Context, e *domain.AuditEntry) error {
	id, at := bson.NewObjectID(), s.stamp()
	d := &auditDoc{ID: id, At: at, AtMs: at.UnixMilli(), Subject: e.Subject, Name: e.Name, Role: e.Role, Scope: e.Scope,
		Operation: e.Operation, RecordType: e.RecordType, RecordID: e.RecordID, ProvinceID: e.ProvinceID,
		Outcome: e.Outcome, Reason: e.Reason, VersionBefore: copyPtr(e.VersionBefore), VersionAfter: copyPtr(e.VersionAfter),
		Changes: make([]fieldChangeDoc, len(e.Changes)), RequestID: e.RequestID}
	for i, c := range e.Changes {
		d.Changes[i] = fieldChangeDoc(c)
	}
	if err := insert(ctx, s, colAudit, d); err != nil {
		return err
	}
	e.ID, e.At = hexID(id), at
	if e.Changes == nil {
		e.Changes = []domain.FieldChange{}
	}
	return nil
}

// AuditEntryStored reports whether the entry of id is stored, as the
// primary reads it with majority read concern: committed, and durable. A
// transaction's entry is its witness — it commits with the change it
// records — so this reads back a commit whose answer was lost.
func (s *Store) AuditEntryStored(ctx context.Context, id string) (bool, error) {
	oid, ok := parseID(id)
	if !ok {
		return false, nil
	}
	coll := s.db.Collection(colAudit, options.Collection().SetReadPreference(readpref.Primary()).
		SetReadConcern(readconcern.Majority()))
	err := mapErr(coll.FindOne(ctx, bson.D{{Key: "_id", Value: oid}}, options.FindOne().
		SetProjection(bson.D{{Key: "_id", Value: 1}})).Err())
	if errors.Is(err, errNoDocument) {
		return false, nil
	}
	return err == nil, err
}

// AuditLog lists entries, newest first. acc.Owners are the provinces whose
// entries the caller may read (All: every entry).
func (s *Store) AuditLog(ctx context.Context, f domain.AuditFilter, acc domain.Access, p domain.PageArgs) (*domain.Page[domain.AuditEntry], error) {
	q := bson.D{}
	for _, kv := range [][2]string{{"provinceId", f.ProvinceID}, {"recordType", f.RecordType}, {"recordId", f.RecordID},
		{"subject", f.Subject}, {"outcome", f.Outcome}, {"operation", f.Operation}} {
		if kv[1] != "" {
			q = append(q, bson.E{Key: kv[0], Value: kv[1]})
		}
	}
	var scope bson.D
	if !acc.All {
		scope = bson.D{{Key: "provinceId", Value: bson.D{{Key: "$in", Value: ownersIn(acc)}}}}
	}
	return findPage(ctx, s, colAudit, and(q, scope), auditOrder, auditToDomain, p)
}
