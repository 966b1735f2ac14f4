package graph

import (
	"context"

	"github.com/thidua/thidua/auth"
	"github.com/thidua/thidua/domain"
	"github.com/thidua/thidua/graph/model"
	"github.com/thidua/thidua/repository"
)

// readAccess is what the caller may read beyond published records, as
// decided by auth.
func readAccess(ctx context.Context) repository.Access {
	all, scopes := auth.Scopes(ctx, auth.Viewer)
	return repository.Access{All: all, Owners: scopes}
}

// writeAccess is what the caller may change, as decided by auth.
func writeAccess(ctx context.Context) (repository.Access, error) {
	all, scopes, err := auth.Writable(ctx)
	return repository.Access{All: all, Owners: scopes}, err
}

// checker starts checking an input against the current reference data.
func (r *Resolver) checker() *checker {
	return &checker{snap: r.Catalog.Get(), now: r.Now()}
}

var roleModel = map[auth.Role]model.Role{auth.Viewer: model.RoleViewer, auth.Editor: model.RoleEditor, auth.Admin: model.RoleAdmin}

// auditAccess is whose audit entries the caller may read: a `*` admin all,
// a province's admin that province's; anyone else is refused.
func auditAccess(ctx context.Context) (repository.Access, error) {
	if auth.FromContext(ctx) == nil {
		return repository.Access{}, auth.Require(ctx, auth.Admin, auth.AllScope)
	}
	all, scopes := auth.Scopes(ctx, auth.Admin)
	if !all && len(scopes) == 0 {
		return repository.Access{}, domain.Forbidden("the audit trail needs the admin role for a province or for the cluster")
	}
	return repository.Access{All: all, Owners: scopes}, nil
}

// subject is the caller's `sub`, for histories ("" when anonymous).
func subject(ctx context.Context) string {
	if p := auth.FromContext(ctx); p != nil {
		return p.Subject
	}
	return ""
}
