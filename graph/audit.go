package graph

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync/atomic"
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
// transactions (FerretDB), a crash between the two loses the entry (see
// docs/security.md). With them (a MongoDB replica set), InterceptField runs the
// mutation's resolver — its command — and the entry of an accepted change
// in one transaction, so neither commits without the other; a refused
// command's writes (if any) are rolled back and its entry is written after,
// as without transactions. Mutations run one after another (gqlgen runs a
// mutation's root fields serially, and the resolver has returned when
// InterceptField's next does), so one transaction covers exactly one
// command. The result is marshalled (its child fields read) after the
// commit, outside the transaction.

// recordTypes maps each mutation to the kind of record it writes.
var recordTypes = map[string]string{
	"createMovement": "movement", "updateMovement": "movement", "deleteMovement": "movement",
	"createAward": "award", "updateAward": "award", "deleteAward": "award", "revokeAward": "award",
	"createPeriodReview": "periodReview", "updatePeriodReview": "periodReview",
	"submitProvinceReport": "provinceReport",
	"setClusterYear":       "cluster", "openVote": "vote", "castBallot": "ballot", "closeVote": "vote",
	"saveAwardType": "awardType", "saveIndicator": "indicator", "saveBaseSalary": "baseSalary", "saveLawPeriod": "lawPeriod",
	"createDossier": "dossier", "updateDossier": "dossier", "deleteDossier": "dossier", "submitDossier": "dossier",
	"returnDossier": "dossier", "vetDossier": "dossier", "rejectDossier": "dossier", "forwardDossier": "dossier",
	"recordDecision": "decision", "saveHonoree": "honoree", "attachFile": "attachment",
	"saveUnit": "unit", "registerEmulation": "registration", "saveInitiative": "initiative", "importTitles": "award",
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
	// The command and its entry run to their end whatever the client does
	// (service.Detach): only their own deadline stops them.
	dctx, cancel := a.service.Detach(ctx)
	defer cancel()
	ctx = dctx
	rctx, rec := service.WithAuditRecord(ctx)
	var tx *auditTx
	if a.service.Transactional() {
		tx = &auditTx{rec: rec}
		rctx = context.WithValue(rctx, auditTxKey{}, tx)
	}
	res := next(rctx)
	if tx != nil && tx.written {
		return res // the entry committed with the change
	}
	e := entryOf(ctx, rfc, rec)
	// A change was made exactly when the command reported one; otherwise
	// the field's first error (from its arguments or its command) says why.
	switch {
	case tx != nil && tx.unknown != "":
		// Its transaction's outcome is unknown: the entry says so, with
		// the change it would have made.
		e.Outcome, e.Reason = string(model.AuditOutcomeUnknown), tx.unknown
	case !rec.Done:
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
	// The entry is written even if the client has gone away, with a
	// deadline of its own: a command that used most of its time still has
	// its entry written (a fixed 3 s lost entries of accepted changes under
	// the hostile soak's load).
	wctx, wcancel := a.service.Detach(ctx)
	defer wcancel()
	if err := a.service.WriteAudit(wctx, e); err != nil {
		a.logger.ErrorContext(ctx, "audit entry not written", "err", err, "operation", e.Operation,
			"outcome", e.Outcome, "record", e.RecordID, "request_id", e.RequestID)
	}
	return res
}

// entryOf is the entry of a root field, filled in from the change its
// command reported (if it did: else the caller adds why not).
func entryOf(ctx context.Context, rfc *graphql.RootFieldContext, rec *service.AuditRecord) *domain.AuditEntry {
	e := &domain.AuditEntry{
		Operation: rfc.Field.Name, RecordType: recordTypes[rfc.Field.Name],
		Outcome: string(model.AuditOutcomeAccepted), RequestID: domain.RequestID(ctx),
	}
	if rec.Done {
		e.RecordID, e.ProvinceID = rec.RecordID, rec.ProvinceID
		e.VersionBefore, e.VersionAfter = rec.VBefore, rec.VAfter
		e.Changes = rec.Changes()
	}
	return e
}

// auditTx is the transaction state of one mutation root field.
type auditTx struct {
	rec     *service.AuditRecord
	used    bool   // InterceptField has run the field's resolver
	written bool   // the change and its entry committed together
	unknown string // why the transaction's outcome is unknown, if it is
}

type auditTxKey struct{}

// errRefused aborts the transaction of a refused command: whatever it
// wrote is rolled back, and its entry is written after (InterceptRootField).
var errRefused = errors.New("the command was refused")

// InterceptField runs a mutation's resolver and, if the command made a
// change, its audit entry in one transaction (only on servers with
// transactions: InterceptRootField set up auditTx). The driver runs the
// whole again on a transient error (a write conflict with a concurrent
// transaction): the resolver must return such errors, which the
// repository keeps wrapped.
func (a auditor) InterceptField(ctx context.Context, next graphql.Resolver) (any, error) {
	// Only a mutation's root fields are Mutation's (gqlgen gives even
	// them a parent: the operation's); every other field passes on before
	// the context lookup (gqlgen calls this for every field it resolves).
	fc := graphql.GetFieldContext(ctx)
	if fc == nil || fc.Object != "Mutation" {
		return next(ctx)
	}
	tx, ok := ctx.Value(auditTxKey{}).(*auditTx)
	if !ok || tx.used {
		return next(ctx)
	}
	tx.used = true
	rfc := graphql.GetRootFieldContext(ctx)
	var res any
	var rerr error
	// gqlgen resolves the result's child fields with the context given to
	// next: the transaction's while it runs, the request's once it has
	// ended (its session is then closed and must not be used, least of
	// all by child resolvers running side by side).
	scope := &txScope{base: ctx}
	var entry *domain.AuditEntry // the last run's, written in its transaction
	err := a.service.InTransaction(ctx, func(tctx context.Context) error {
		*tx.rec = service.AuditRecord{}
		if err := rewindUploads(fc.Args); err != nil {
			return err
		}
		scope.cur.Store(&tctx)
		defer scope.cur.Store(nil)
		res, rerr = next(scope)
		switch {
		case rerr != nil && service.Transient(rerr):
			return rerr // run again
		case rerr != nil:
			return errRefused
		case !tx.rec.Done:
			return nil // no change reported: InterceptRootField says so
		}
		entry = entryOf(ctx, rfc, tx.rec)
		return a.service.WriteAudit(tctx, entry)
	})
	switch {
	case err == nil:
		tx.written = tx.rec.Done
		return res, nil
	case errors.Is(err, errRefused):
		if tx.rec.Done {
			*tx.rec = service.AuditRecord{} // rolled back: not a change
		}
		return res, rerr
	case service.CommitUnknown(err) && tx.rec.Done && entry != nil:
		return a.settleUnknown(ctx, tx, entry, res, err)
	default:
		// The transaction did not commit (the entry's write failed, the
		// commit failed, or conflicts outlasted the retries): nothing
		// changed, and the caller is told so.
		*tx.rec = service.AuditRecord{}
		a.logger.ErrorContext(ctx, "mutation and audit entry not committed", "err", err,
			"operation", rfc.Field.Name, "request_id", domain.RequestID(ctx))
		var de *domain.Error
		if errors.As(err, &de) {
			return nil, err
		}
		return nil, domain.Unavailable(err)
	}
}

// settleUnknown settles a mutation whose transaction's commit was not
// answered (MongoDB: UnknownTransactionCommitResult after the retries, or
// the commit's time up): the change and its entry may have committed. The
// entry, committed with the change or not at all, is read back: stored,
// the change was made (ACCEPTED, the caller gets its result); else the
// entry filed after says the outcome is unknown (UNKNOWN), never FAILED —
// not stored yet is not never stored, as a commit may still be waiting
// for its majority.
func (a auditor) settleUnknown(ctx context.Context, tx *auditTx, entry *domain.AuditEntry, res any, err error) (any, error) {
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 3*time.Second)
	defer cancel()
	stored, known, rerr := a.service.CommittedEntry(rctx, entry.ID)
	if stored {
		tx.written = true
		return res, nil
	}
	tx.unknown = "outcome unknown: the commit was not answered (" + err.Error() + "); "
	if known {
		tx.unknown += "read back, the change is not stored (yet); if it commits, the ACCEPTED entry with this request id records it"
	} else {
		tx.unknown += fmt.Sprintf("it could not be read back (%v)", rerr)
	}
	a.logger.ErrorContext(ctx, "mutation's outcome unknown", "err", err, "read_back_err", rerr,
		"operation", entry.Operation, "record", entry.RecordID, "request_id", entry.RequestID)
	return nil, &domain.Error{Code: domain.CodeUnavailable,
		Message: "the change's outcome is unknown (the database did not answer its commit): read the record again before retrying", Err: err}
}

// rewindUploads puts the files a mutation was given back at their start:
// a transaction run again reads them again (the first run drained them).
func rewindUploads(args map[string]any) error {
	for _, v := range args {
		if u, ok := v.(graphql.Upload); ok && u.File != nil {
			if _, pending := u.File.(*pendingFile); pending {
				// Read from the request only once the command may store
				// it (upload.go), then kept in a temporary file that every
				// run reads from its start: nothing to put back, and
				// seeking would read it before the command's checks.
				continue
			}
			if _, err := u.File.Seek(0, io.SeekStart); err != nil {
				return domain.Invalid("file", "the upload could not be read again: %v", err)
			}
		}
	}
	return nil
}

// txScope is the context a mutation's resolver is given: the
// transaction's (carrying its session) while the transaction runs, the
// request's (base) before and after it.
type txScope struct {
	base context.Context
	cur  atomic.Pointer[context.Context]
}

func (c *txScope) now() context.Context {
	if p := c.cur.Load(); p != nil {
		return *p
	}
	return c.base
}

func (c *txScope) Deadline() (time.Time, bool) { return c.now().Deadline() }
func (c *txScope) Done() <-chan struct{}       { return c.now().Done() }
func (c *txScope) Err() error                  { return c.now().Err() }
func (c *txScope) Value(key any) any           { return c.now().Value(key) }

func firstString(vs ...any) string {
	for _, v := range vs {
		if s, ok := v.(string); ok && s != "" {
			return s
		}
	}
	return ""
}
