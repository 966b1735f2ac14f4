package graph

import (
	"testing"

	"github.com/thidua/thidua/auth"
)

// Every mutation of the schema has its row in auth.Policy, the one table of
// permissions: a mutation added without one fails here.
func TestEveryMutationHasAPolicy(t *testing.T) {
	schema := NewExecutableSchema(Config{Resolvers: &Resolver{}}).Schema()
	n := 0
	for _, f := range schema.Mutation.Fields {
		if len(f.Name) > 1 && f.Name[:2] == "__" {
			continue
		}
		n++
		if _, ok := auth.Policy[auth.Action(f.Name)]; !ok {
			t.Errorf("mutation %s has no row in auth.Policy", f.Name)
		}
		if recordTypes[f.Name] == "" {
			t.Errorf("mutation %s has no record type for the audit trail", f.Name)
		}
	}
	if n < 16 {
		t.Errorf("only %d mutations in the schema", n)
	}
}
