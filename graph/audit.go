package graph

import (
	"context"
	"log/slog"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/thidua/thidua/auth"
	"github.com/thidua/thidua/domain"
	"github.com/thidua/thidua/graph/model"
	"github.com/thidua/thidua/service"
)

// The audit trail: every mutation root field, accepted or refused, leaves
// one entry. Commands report what they changed (package service); the
// interceptor below writes the entry once the field has run, in one place.
//
// Order of writes: an entry is appended after the change it reports has
// been made, so no entry claims a change that did not happen. Without
// transactions, a crash between the two loses the entry (see README).

// recordTypes maps each mutation to the kind of record it writes.
var recordTypes = map[string]string{
	"createMovement": "movement", "updateMovement": "movement", "deleteMovement": "movement",
	"createAward": "award", "updateAward": "award", "deleteAward": "award", "revokeAward": "award",
	"createPeriodReview": "periodReview", "updatePeriodReview": "periodReview",
	"submitProvinceReport": "provinceReport",
	"setClusterYear":       "cluster", "openVote": "vote", "castBallot": "ballot", "closeVote": "vote",
	"saveAwardType": "awardType", "saveIndicator": "indicator",
}

// auditor is the gqlgen extension that writes the entries.
type auditor struct {
	service          *service.Service
	logger           *slog.Logger
	anonymousRefusal func(operation string)
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
	rctx, rec := service.WithAuditRecord(ctx)
	res := next(rctx)
	e := &domain.AuditEntry{
		Operation: rfc.Field.Name, RecordType: recordTypes[rfc.Field.Name],
		Outcome: string(model.AuditOutcomeAccepted), RequestID: domain.RequestID(ctx),
	}
	// A change was made exactly when the command reported one; otherwise
	// the field's first error (from its arguments or its command) says why.
	if rec.Done {
		e.RecordID, e.ProvinceID = rec.RecordID, rec.ProvinceID
		e.VersionBefore, e.VersionAfter = rec.VBefore, rec.VAfter
		e.Changes = rec.Changes()
	} else {
		e.Outcome, e.Reason = string(model.AuditOutcomeFailed), "no change was made"
		for _, err := range graphql.GetErrors(ctx) {
			if len(err.Path) > 0 && err.Path[0] == ast.PathName(rfc.Field.Alias) {
				code, _ := err.Extensions["code"].(string)
				if domain.Code(code).Denied() {
					e.Outcome = string(model.AuditOutcomeDenied)
				}
				e.Reason = code + ": " + err.Message
				break
			}
		}
		if rec.Filed {
			// A refusal on a stored record is filed under its own province.
			e.RecordID, e.ProvinceID = rec.RecordID, rec.ProvinceID
		} else {
			// What the refused call aimed at, from its arguments.
			args := rfc.Field.ArgumentMap(oc.Variables)
			e.RecordID = firstString(args["id"], args["reviewId"])
			input, _ := args["input"].(map[string]any)
			e.ProvinceID = firstString(args["provinceId"], input["provinceId"])
		}
		if auth.FromContext(ctx) == nil {
			// An anonymous refusal is counted, not written: a flood of
			// them must not grow the trail (nor write under a province
			// the stranger named).
			if a.anonymousRefusal != nil {
				a.anonymousRefusal(e.Operation)
			}
			return res
		}
	}
	// The entry is written even if the client has gone away.
	wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 3*time.Second)
	defer cancel()
	if err := a.service.WriteAudit(wctx, e); err != nil {
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
