package graph

import (
	"context"
	"fmt"

	"github.com/99designs/gqlgen/graphql"

	"github.com/thidua/thidua/auth"
	"github.com/thidua/thidua/graph/model"
)

// scoped is an input that names the scope owning the record it writes.
type scoped interface{ OwnerScope() string }

// requireRole implements @requireRole: the argument carries a scope (a
// province id, or an input that names its scope) and the caller needs at
// least role there. auth decides.
func requireRole(ctx context.Context, _ any, next graphql.Resolver, role model.Role) (any, error) {
	v, err := next(ctx)
	if err != nil {
		return nil, err
	}
	var scope string
	switch x := v.(type) {
	case string:
		scope = x
	case int:
		scope = auth.AllScope // an expected version of one of the cluster's own records
	case scoped:
		scope = x.OwnerScope()
	default:
		return nil, fmt.Errorf("@requireRole on an argument of type %T", v)
	}
	need := map[model.Role]auth.Role{model.RoleViewer: auth.Viewer, model.RoleEditor: auth.Editor, model.RoleAdmin: auth.Admin}[role]
	if err := auth.Require(ctx, need, scope); err != nil {
		return nil, err
	}
	return v, nil
}
