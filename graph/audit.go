package graph

import (
	"context"
	"log/slog"
	"strings"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/thidua/thidua/auth"
	"github.com/thidua/thidua/domain"
	"github.com/thidua/thidua/graph/model"
	"github.com/thidua/thidua/repository"
)

// The audit trail: every mutation root field, accepted or refused, leaves
// one entry. Resolvers say what they changed (auditChange); the interceptor
// below writes the entry once the field has run, in one place.
//
// Order of writes: an entry is appended after the change it reports has
// been made, so no entry claims a change that did not happen. Without
// transactions, a crash between the two loses the entry (see README).

// auditRecord is what a mutation resolver reports about its change.
type auditRecord struct {
	done                 bool // the change was made
	recordID, provinceID string
	before, after        any
	vBefore, vAfter      *int
}

type auditKey struct{}

// auditChange reports the change a mutation made: the record's id, its
// province ("" for the cluster's own records), and its documents before
// (nil: created) and after (nil: deleted).
func auditChange(ctx context.Context, id, province string, before, after any, vBefore, vAfter *int) {
	if rec, ok := ctx.Value(auditKey{}).(*auditRecord); ok {
		*rec = auditRecord{done: true, recordID: id, provinceID: province, before: before, after: after, vBefore: vBefore, vAfter: vAfter}
	}
}

// recordTypes maps each mutation to the kind of record it writes.
var recordTypes = map[string]string{
	"createMovement": "movement", "updateMovement": "movement", "deleteMovement": "movement",
	"createAward": "award", "updateAward": "award", "deleteAward": "award", "revokeAward": "award",
	"createPeriodReview": "periodReview", "updatePeriodReview": "periodReview",
	"submitProvinceReport": "provinceReport",
	"setClusterYear":       "cluster", "openVote": "vote", "castBallot": "ballot", "closeVote": "vote",
}

// auditor is the gqlgen extension that writes the entries.
type auditor struct {
	store  *repository.Store
	logger *slog.Logger
}

func (auditor) ExtensionName() string                          { return "AuditTrail" }
func (auditor) Validate(schema graphql.ExecutableSchema) error { return nil }

func (a auditor) InterceptRootField(ctx context.Context, next graphql.RootResolver) graphql.Marshaler {
	if !graphql.HasOperationContext(ctx) {
		return next(ctx)
	}
	oc := graphql.GetOperationContext(ctx)
	rfc := graphql.GetRootFieldContext(ctx)
	if rfc == nil || oc.Operation == nil || oc.Operation.Operation != ast.Mutation {
		return next(ctx)
	}
	rec := &auditRecord{}
	res := next(context.WithValue(ctx, auditKey{}, rec))
	e := &repository.AuditEntry{
		Operation: rfc.Field.Name, RecordType: recordTypes[rfc.Field.Name],
		Outcome: string(model.AuditOutcomeAccepted), RequestID: domain.RequestID(ctx),
	}
	if p := auth.FromContext(ctx); p != nil {
		e.Subject, e.Name = p.Subject, p.Name
	}
	// A change was made exactly when the resolver reported one; otherwise
	// the field's first error (from its arguments or its resolver) says why.
	if !rec.done {
		e.Outcome, e.Reason = string(model.AuditOutcomeFailed), "no change was made"
		for _, err := range graphql.GetErrors(ctx) {
			if len(err.Path) > 0 && err.Path[0] == ast.PathName(rfc.Field.Alias) {
				code, _ := err.Extensions["code"].(string)
				if code != string(domain.CodeInternal) && code != string(domain.CodeUnavailable) {
					e.Outcome = string(model.AuditOutcomeDenied)
				}
				e.Reason = code + ": " + err.Message
				break
			}
		}
	}
	if rec.done {
		e.RecordID, e.ProvinceID = rec.recordID, rec.provinceID
		e.VersionBefore, e.VersionAfter = rec.vBefore, rec.vAfter
		e.Changes = repository.Diff(rec.before, rec.after)
	} else {
		// What the refused call aimed at, from its arguments.
		args := rfc.Field.ArgumentMap(oc.Variables)
		e.RecordID = firstString(args["id"], args["reviewId"])
		input, _ := args["input"].(map[string]any)
		e.ProvinceID = firstString(args["provinceId"], input["provinceId"])
	}
	scope := e.ProvinceID
	if scope == "" {
		scope = auth.AllScope
	}
	if s, role := auth.GrantFor(ctx, scope); role != auth.None {
		e.Scope, e.Role = s, role.String()
	}
	// The entry is written even if the client has gone away.
	wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 3*time.Second)
	defer cancel()
	if err := a.store.AppendAudit(wctx, e); err != nil {
		a.logger.ErrorContext(ctx, "audit entry not written", "err", err, "operation", e.Operation,
			"outcome", e.Outcome, "record", e.RecordID, "request_id", e.RequestID)
	}
	return res
}

func firstString(vs ...any) string {
	for _, v := range vs {
		if s, ok := v.(string); ok && s != "" {
			return s
		}
	}
	return ""
}

func toAuditEntry(e *repository.AuditEntry) *model.AuditEntry {
	out := &model.AuditEntry{
		ID: e.ID.Hex(), At: e.At, Subject: str(e.Subject), Name: str(e.Name), Scope: str(e.Scope),
		Operation: e.Operation, RecordType: e.RecordType, RecordID: str(e.RecordID), ProvinceID: e.ProvinceID,
		Outcome: model.AuditOutcome(e.Outcome), Reason: str(e.Reason), VersionBefore: e.VersionBefore,
		VersionAfter: e.VersionAfter, RequestID: str(e.RequestID), Changes: []*model.FieldChange{},
	}
	if e.Role != "" {
		r := model.Role(strings.ToUpper(e.Role))
		out.Role = &r
	}
	for _, c := range e.Changes {
		out.Changes = append(out.Changes, &model.FieldChange{Field: c.Field, Old: str(c.Old), New: str(c.New)})
	}
	return out
}

func intp(v int) *int { return &v }
