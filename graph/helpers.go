package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/thidua/thidua/domain"
	"github.com/thidua/thidua/graph/model"
)

// Helpers of the resolvers (kept out of the generated *.resolvers.go files).

// selects reports whether the current field's selection reaches path
// (e.g. "edges", "node", "movement"), through fragments.
func selects(ctx context.Context, path ...string) bool {
	fc := graphql.GetFieldContext(ctx)
	if fc == nil || !graphql.HasOperationContext(ctx) {
		return false
	}
	oc := graphql.GetOperationContext(ctx)
	sel := fc.Field.Selections
	for _, name := range path {
		var next ast.SelectionSet
		found := false
		for _, f := range graphql.CollectFields(oc, sel, nil) {
			if f.Name == name {
				next = append(next, f.Selections...)
				found = true
			}
		}
		if !found {
			return false
		}
		sel = next
	}
	return true
}

// prefetchMovements starts loading, in one batch, the movements a page of
// awards refers to, when the query asks for them; the movement field
// resolvers then find them in the loader's cache. This makes the number of
// round trips of a page independent of its size and of scheduling.
func prefetchMovements(ctx context.Context, awards []domain.Award) {
	if !selects(ctx, "edges", "node", "movement") {
		return
	}
	seen := map[string]bool{}
	var ids []string
	for _, a := range awards {
		if a.MovementID != "" && !seen[a.MovementID] {
			seen[a.MovementID] = true
			ids = append(ids, a.MovementID)
		}
	}
	if len(ids) > 0 {
		loadersFrom(ctx).movements.LoadAllThunk(ctx, ids)
	}
}

// prefetchReviewEdges starts loading, in one batch each, what a page of
// reviews refers to when the query asks for it: province reports (reports
// or summary), votes, and movements.
func prefetchReviewEdges(ctx context.Context, reviews []domain.PeriodReview) {
	if len(reviews) == 0 {
		return
	}
	ids := make([]string, len(reviews))
	for i := range reviews {
		ids[i] = reviews[i].ID
	}
	l := loadersFrom(ctx)
	if selects(ctx, "edges", "node", "reports") || selects(ctx, "edges", "node", "summary") {
		l.reports.LoadAllThunk(ctx, ids)
	}
	if selects(ctx, "edges", "node", "vote") {
		l.votes.LoadAllThunk(ctx, ids)
		if selects(ctx, "edges", "node", "vote", "voted") || selects(ctx, "edges", "node", "vote", "ballots") {
			l.ballots.LoadAllThunk(ctx, ids)
		}
	}
	if selects(ctx, "edges", "node", "movements") {
		seen := map[string]bool{}
		var mids []string
		for _, r := range reviews {
			for _, id := range r.MovementIDs {
				if !seen[id] {
					seen[id] = true
					mids = append(mids, id)
				}
			}
		}
		if len(mids) > 0 {
			l.movements.LoadAllThunk(ctx, mids)
		}
	}
}

// tallyKeys maps the tally dimensions to the award fields they group by;
// FORM groups by award type and then folds types into their form.
var tallyKeys = map[model.TallyDimension]string{
	model.TallyDimensionAuthority: domain.TallyAuthority, model.TallyDimensionForm: domain.TallyAwardType,
	model.TallyDimensionAwardType: domain.TallyAwardType, model.TallyDimensionRecipientKind: domain.TallyRecipientKind,
	model.TallyDimensionProvince: domain.TallyProvince, model.TallyDimensionYear: domain.TallyYear,
	model.TallyDimensionStatus: domain.TallyStatus,
}

func containsStr(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// nodeOrNil returns a found record as a Node, and never a typed nil.
func nodeOrNil[T any, P interface {
	*T
	model.Node
}](n P, err error) (model.Node, error) {
	if err != nil || n == nil {
		return nil, err
	}
	return n, nil
}
