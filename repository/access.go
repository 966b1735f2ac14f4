package repository

import "go.mongodb.org/mongo-driver/v2/bson"

// ScopeAll is the owner of the cluster's own records (national and cluster
// movements, period reviews), and the scope of every province.
const ScopeAll = "*"

// Access says which records a caller may see (for reads) or change (for
// writes) beyond the published ones. It is decided by package auth; the
// repository only applies it.
type Access struct {
	All    bool     // every record
	Owners []string // records owned by these scopes (province ids)
}

// allows reports whether a record owned by owner is within the access.
func (a Access) allows(owner string) bool {
	if a.All {
		return true
	}
	for _, o := range a.Owners {
		if o == owner {
			return true
		}
	}
	return false
}

// ownersIn returns the owners of a, as a bson array ([] when none).
func (a Access) ownersIn() bson.A {
	out := bson.A{}
	for _, o := range a.Owners {
		out = append(out, o)
	}
	return out
}

// readFilter restricts a query to published records and those the access
// covers.
func (a Access) readFilter() bson.D {
	if a.All {
		return nil
	}
	return bson.D{{Key: "$or", Value: bson.A{
		bson.D{{Key: "published", Value: true}},
		bson.D{{Key: "owner", Value: bson.D{{Key: "$in", Value: a.ownersIn()}}}},
	}}}
}

// writeFilter restricts a write to records the access covers.
func (a Access) writeFilter() bson.D {
	if a.All {
		return nil
	}
	return bson.D{{Key: "owner", Value: bson.D{{Key: "$in", Value: a.ownersIn()}}}}
}

// and joins filters: into one document when their keys differ (a flat
// filter is what servers push down to their storage best: FerretDB on
// PostgreSQL only pushes down top-level equalities), with $and otherwise.
func and(filters ...bson.D) bson.D {
	var parts []bson.D
	seen := map[string]bool{}
	flat := true
	for _, f := range filters {
		if len(f) == 0 {
			continue
		}
		parts = append(parts, f)
		for _, e := range f {
			if seen[e.Key] {
				flat = false
			}
			seen[e.Key] = true
		}
	}
	switch {
	case len(parts) == 0:
		return bson.D{}
	case len(parts) == 1:
		return parts[0]
	case flat:
		var out bson.D
		for _, p := range parts {
			out = append(out, p...)
		}
		return out
	default:
		arr := make(bson.A, len(parts))
		for i, p := range parts {
			arr[i] = p
		}
		return bson.D{{Key: "$and", Value: arr}}
	}
}
