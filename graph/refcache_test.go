package graph

import (
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2"
)

// Only a query whose every field is one of cachedFields, fragments
// included, is answered from the response cache.
func TestQuerySource(t *testing.T) {
	schema := NewExecutableSchema(Config{}).Schema()
	for _, c := range []struct {
		query string
		want  source // 0: not cached
	}{
		{`{ __typename }`, fromCatalog}, // a constant answer
		{`{ provinces { id name successor { id } } awardTypes { id name } }`, fromCatalog},
		{`{ provinces { id } awards(first: 5) { totalCount } }`, fromReadModel},
		{`query($p: ID) { awards(first: 50, filter: {provinceId: $p}) { totalCount edges { node {
		   id year status class recipient { name position organization } province { id name }
		   awardType { id name } movement { id title } } } } }`, fromReadModel},
		{`{ dossiers(first: 50) { totalCount edges { node { id status title recipients { recipient { name } awardType { name } } } } } }`, fromReadModel},
		// Fields read from elsewhere (the database, the audit trail, files).
		{`{ awards(first: 5) { edges { node { id history { status } } } } }`, 0},
		{`{ dossiers(first: 5) { edges { node { id attachments { id } } } } }`, 0},
		{`{ dossiers(first: 5) { edges { node { id recipients { award { id } } } } } }`, 0},
		{`{ periodReviews(first: 5) { totalCount } }`, 0},
		// Through fragments.
		{`{ awards(first: 5) { edges { node { ...A } } } } fragment A on Award { id ... on Award { year } }`, fromReadModel},
		{`{ awards(first: 5) { edges { node { ...A } } } } fragment A on Award { id ... on Award { history { status } } }`, 0},
		{`{ awards(first: 5) { edges { node { ...A } } } } fragment A on Award { ...B } fragment B on Award { decision { number } }`, 0},
	} {
		doc, errs := gqlparser.LoadQuery(schema, c.query)
		if errs != nil {
			t.Fatalf("%s: %v", c.query, errs)
		}
		got, ok := querySource(&graphql.OperationContext{Doc: doc, Operation: doc.Operations[0]})
		if !ok {
			got = 0
		}
		if got != c.want {
			t.Errorf("%s: source %d, want %d", c.query, got, c.want)
		}
	}
}
