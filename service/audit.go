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
