package graph

import (
	"time"

	"github.com/thidua/thidua/catalog"
	"github.com/thidua/thidua/repository"
)

// Resolver is the root resolver: the dependencies of every resolver, and
// nothing else.
type Resolver struct {
	Store   *repository.Store
	Catalog *catalog.Cache
	Now     func() time.Time
}
