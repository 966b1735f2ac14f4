package service

import (
	"context"

	"github.com/thidua/thidua/auth"
	"github.com/thidua/thidua/domain"
)

// The audit trail: every command reports the change it made (recordChange);
// the surface that ran the command (the GraphQL mutation interceptor)
// writes one entry per call, accepted or refused, with WriteAudit.

// AuditRecord is what a command reports about its change.
type AuditRecord struct {
	Done                 bool // the change was made
	RecordID, ProvinceID string
	Before, After        any
	VBefore, VAfter      *int
	// Filed: a refused command on a stored record names the record's own
	// province in ProvinceID (not the one the caller asked for).
	Filed bool
}

// fileRefusal files a refused command on a stored record under the
// record's own province, whatever the caller named: a refused move is not
// shown to the target province's admin, and a refused change or delete of
// a record hidden from the caller (NOT_FOUND) reaches the admins of the
// province that owns it. An id that names no record is filed under no
// province (only `*` admins read it), not under the one the caller named:
// the caller's own province's trail then shows neither attempt, so where
// an entry lands does not tell whether a hidden record exists. The read
// is the audit's, not the caller's.
func (s *Service) fileRefusal(ctx context.Context, kind, id string, err error) error {
	rec, ok := ctx.Value(auditKey{}).(*AuditRecord)
	if err == nil || !ok || rec.Done || domain.CheckID("id", id) != nil {
		return err
	}
	notFound := domain.ErrorCode(err) == domain.CodeNotFound
	all := domain.Access{All: true}
	var province string
	var found error
	switch kind {
	case "award":
		var a *domain.Award
		if a, found = s.Store.Award(ctx, id, all); found == nil {
			province = a.ProvinceID
		}
	case "movement":
		var m *domain.Movement
		if m, found = s.Store.Movement(ctx, id, all); found == nil {
			province = m.ProvinceID
		}
	case "dossier":
		ds, derr := s.dossiers()
		if derr != nil {
			return err
		}
		var d *domain.Dossier
		if d, found = ds.Dossier(ctx, id, all); found == nil {
			province = d.ProvinceID
		}
	default:
		return err
	}
	switch {
	case found == nil:
		rec.ProvinceID, rec.RecordID, rec.Filed = province, id, true
	case notFound && domain.ErrorCode(found) == domain.CodeNotFound:
		rec.ProvinceID, rec.RecordID, rec.Filed = "", id, true
	}
	return err
}

type auditKey struct{}

// WithAuditRecord returns ctx carrying a fresh record for the command run
// in it.
func WithAuditRecord(ctx context.Context) (context.Context, *AuditRecord) {
	rec := &AuditRecord{}
	return context.WithValue(ctx, auditKey{}, rec), rec
}

// recordChange reports the change a command made: the record's id, its
// province ("" for the cluster's own records), and the record before (nil:
// created) and after (nil: deleted).
func recordChange(ctx context.Context, id, province string, before, after any, vBefore, vAfter *int) {
	if rec, ok := ctx.Value(auditKey{}).(*AuditRecord); ok {
		*rec = AuditRecord{Done: true, RecordID: id, ProvinceID: province, Before: before, After: after, VBefore: vBefore, VAfter: vAfter}
	}
}

func intp(v int) *int { return &v }

// Changes lists the fields a recorded change touched.
func (r *AuditRecord) Changes() []domain.FieldChange { return domain.Diff(r.Before, r.After) }

// WriteAudit appends an entry, naming the grant the caller acted under.
func (s *Service) WriteAudit(ctx context.Context, e *domain.AuditEntry) error {
	if p := caller(ctx); p != nil {
		e.Subject, e.Name = p.Subject, p.Name
		scope := e.ProvinceID
		if scope == "" {
			scope = auth.AllScope
		}
		if sc, role := p.GrantFor(scope); role != auth.None {
			e.Scope, e.Role = sc, role.String()
		}
	}
	if e.Changes == nil {
		e.Changes = []domain.FieldChange{}
	}
	return s.Store.AppendAudit(ctx, e)
}

// AuditLog lists audit entries: a `*` admin reads all, a province's admin
// that province's; anyone else is refused.
func (s *Service) AuditLog(ctx context.Context, f domain.AuditFilter, p domain.PageArgs) (*domain.Page[domain.AuditEntry], error) {
	acc := auth.Grants(caller(ctx), auth.ReadAudit)
	if !acc.All && len(acc.Owners) == 0 {
		if caller(ctx) == nil {
			return nil, auth.Authorize(nil, auth.ReadAudit)
		}
		return nil, domain.Forbidden("the audit trail needs the admin role for a province or for the cluster")
	}
	return s.Store.AuditLog(ctx, f, acc, p)
}
