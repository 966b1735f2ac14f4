// Package service runs thidua's commands and queries: for each, it asks
// auth whether the caller may (auth.Authorize, the one permission seam),
// applies the domain's rules, stores through the repository with the
// access auth granted, and reports the change to the audit trail. Every
// surface — GraphQL, the report files — goes through it.
package service

import (
	"context"
	"sync/atomic"
	"time"

	"github.com/thidua/thidua/auth"
	"github.com/thidua/thidua/catalog"
	"github.com/thidua/thidua/domain"
)

// Service holds the dependencies of the commands.
type Service struct {
	Store   Store
	Catalog *catalog.Cache
	Now     func() time.Time
	// Events, if set, receives every acknowledged change of an award,
	// movement, review or province report.
	Events Publisher
	// fromStream: changes reach Events from the store's change stream
	// (RelayChanges), not from each command.
	fromStream streamed
	// VoteMajority is the default share of the members a leader's ballots
	// must exceed (VOTE_MAJORITY; 0.5 when zero).
	VoteMajority float64
	// Prerequisites are the eligibility rules a dossier's recipients are
	// checked against when it is submitted (ELIGIBILITY_RULES); nil: the
	// default table (domain.DefaultPrerequisites).
	Prerequisites []domain.Prerequisite
	// Route holds the dossier route's data (the public notice rule, the
	// ranking of forms a decision may lower to, public holidays:
	// PUBLIC_HOLIDAYS); nil: domain.DefaultRouteRules.
	Route *domain.RouteRules
	// FileLimits bound attachments (UPLOAD_MAX_BYTES, UPLOAD_TYPES); nil:
	// domain.DefaultFileLimits.
	FileLimits *domain.FileLimits
	// CommandTimeout bounds a command once it runs detached from its
	// request (COMMAND_TIMEOUT; DefaultCommandTimeout when zero): Detach.
	CommandTimeout time.Duration
	// running counts the detached commands still running (Detach, Drain).
	running atomic.Int64
}

func (s *Service) now() time.Time { return s.Now().UTC().Truncate(time.Millisecond) }

func (s *Service) ref() *catalog.Snapshot { return s.Catalog.Get() }

// Reference returns the current reference data.
func (s *Service) Reference() *catalog.Snapshot { return s.Catalog.Get() }

func caller(ctx context.Context) *auth.Principal { return auth.FromContext(ctx) }

func subject(ctx context.Context) string {
	if p := caller(ctx); p != nil {
		return p.Subject
	}
	return ""
}

// readAccess is what the caller may read beyond published records.
func readAccess(ctx context.Context) domain.Access {
	return auth.Grants(caller(ctx), auth.ReadUnpublished)
}

// ReadAccess is what the caller may read beyond published records.
func ReadAccess(ctx context.Context) domain.Access { return readAccess(ctx) }

// writeAccess is where the caller may do a, as the repository's write
// filter; UNAUTHENTICATED when anonymous.
func writeAccess(ctx context.Context, a auth.Action) (domain.Access, error) {
	p := caller(ctx)
	if p == nil {
		return domain.Access{}, auth.Authorize(p, a)
	}
	return auth.Grants(p, a), nil
}

func (s *Service) majority() float64 {
	if s.VoteMajority > 0 {
		return s.VoteMajority
	}
	return 0.5
}
