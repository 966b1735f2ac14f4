package graph

import (
	"sync/atomic"
	"time"

	"github.com/thidua/thidua/catalog"
	"github.com/thidua/thidua/service"
)

// Resolver is the root resolver: the dependencies of every resolver, and
// nothing else. Resolvers map GraphQL to the service's commands and
// queries and back; they hold no rule.
type Resolver struct {
	Service *service.Service
	Catalog *catalog.Cache
	Now     func() time.Time

	refs atomic.Pointer[refModels] // the catalogue's models, per snapshot (convert.go)
}
