// Package auth says who the caller is (verifying bearer tokens) and what the
// caller may do. It is the only place that decides: resolvers and the
// repository apply what it returns.
package auth

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"time"
)

// Role is a caller's role in a scope; each includes the ones before it.
type Role int

// The roles, weakest first.
const (
	None Role = iota
	Viewer
	Editor
	// Vetter is the commendation office of a level (Ban Thi đua – Khen
	// thưởng): it vets the dossiers addressed to its level's authorities,
	// returning them with reasons or passing them on.
	Vetter
	// Decider records the decisions of its level's authorities on vetted
	// dossiers (or rejects them).
	Decider
	Admin
)

var roleNames = map[string]Role{"viewer": Viewer, "editor": Editor, "vetter": Vetter, "decider": Decider, "admin": Admin}

func (r Role) String() string {
	for n, v := range roleNames {
		if v == r {
			return n
		}
	}
	return "none"
}

// ParseRole parses a role name of the token claims.
func ParseRole(s string) (Role, error) {
	r, ok := roleNames[s]
	if !ok {
		return None, fmt.Errorf("unknown role %q", s)
	}
	return r, nil
}

// AllScope is the scope of every province and of the cluster's own records.
const AllScope = "*"

var scopeRe = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// ValidScope reports whether s is "*" or a province slug.
func ValidScope(s string) bool { return s == AllScope || (len(s) <= 64 && scopeRe.MatchString(s)) }

// Principal is an authenticated caller.
type Principal struct {
	Subject string
	Name    string
	Roles   map[string]Role // scope → role
	Expires time.Time       // the token's exp; the principal is not valid after it
}

// RoleIn returns the caller's role in scope, counting a role in "*".
func (p *Principal) RoleIn(scope string) Role {
	if p == nil {
		return None
	}
	r := p.Roles[scope]
	if all := p.Roles[AllScope]; all > r {
		r = all
	}
	return r
}

// Grant is a role in a scope, for listing.
type Grant struct {
	Scope string
	Role  Role
}

// Grants lists the caller's roles ordered by scope.
func (p *Principal) Grants() []Grant {
	out := make([]Grant, 0, len(p.Roles))
	for s, r := range p.Roles {
		out = append(out, Grant{s, r})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Scope < out[j].Scope })
	return out
}

type ctxKey struct{}

// WithPrincipal returns ctx carrying p.
func WithPrincipal(ctx context.Context, p *Principal) context.Context {
	return context.WithValue(ctx, ctxKey{}, p)
}

// FromContext returns the caller, or nil when anonymous.
func FromContext(ctx context.Context) *Principal {
	p, _ := ctx.Value(ctxKey{}).(*Principal)
	return p
}

// GrantFor returns the role the caller holds for scope and the scope that
// grants it (scope itself, or "*"); None when it holds none.
func (p *Principal) GrantFor(scope string) (string, Role) {
	if p == nil {
		return "", None
	}
	own, all := p.Roles[scope], p.Roles[AllScope]
	switch {
	case own == None && all == None:
		return "", None
	case own >= all:
		return scope, own
	default:
		return AllScope, all
	}
}
