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

// The prefetchers start loading, in one batch per loader, what a page of
// records refers to when the query asks for it; the field resolvers then
// find it in the loaders' caches. The round trips of a page then depend
// neither on its size nor on scheduling.

// prefetch starts loading ids (once each, none empty) when wanted.
func prefetch[V any](ctx context.Context, l loader[V], ids []string, wanted bool) {
	if ids = uniq(ids); wanted && len(ids) > 0 {
		l.prefetch(ctx, ids)
	}
}

// uniq returns the non-empty ids, once each, in order.
func uniq(ids []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, id := range ids {
		if id != "" && !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

// prefetchAwardEdges: a page of awards' movements, decision records,
// dossiers and honorees.
func prefetchAwardEdges(ctx context.Context, list []domain.Award) {
	var movements, decisions, dossiers, honorees []string
	for _, a := range list {
		movements, decisions = append(movements, a.MovementID), append(decisions, a.DecisionID)
		dossiers, honorees = append(dossiers, a.DossierID), append(honorees, a.HonoreeID)
	}
	l := loadersFrom(ctx)
	prefetch(ctx, l.movements(), movements, selects(ctx, "edges", "node", "movement"))
	prefetch(ctx, l.decisions(), decisions, selects(ctx, "edges", "node", "decisionRecord"))
	prefetch(ctx, l.dossiers(), dossiers, selects(ctx, "edges", "node", "dossier"))
	prefetch(ctx, l.honorees(), honorees, selects(ctx, "edges", "node", "honoree"))
}

// prefetchReviewEdges: a page of reviews' province reports (reports or
// summary), votes (and their ballots), and movements.
func prefetchReviewEdges(ctx context.Context, reviews []domain.PeriodReview) {
	ids := make([]string, len(reviews))
	var movements []string
	for i := range reviews {
		ids[i] = reviews[i].ID
		movements = append(movements, reviews[i].MovementIDs...)
	}
	l := loadersFrom(ctx)
	node := func(path ...string) bool { return selects(ctx, append([]string{"edges", "node"}, path...)...) }
	prefetch(ctx, l.reports(), ids, node("reports") || node("summary"))
	prefetch(ctx, l.votes(), ids, node("vote"))
	prefetch(ctx, l.ballots(), ids, node("vote", "voted") || node("vote", "ballots"))
	prefetch(ctx, l.movements(), movements, node("movements"))
}

// prefetchDossierEdges: a page of dossiers' decisions, attachments,
// movements, the recipients' honorees and awards (and the awards' own
// edges); it primes the dossier loader with the page itself.
func prefetchDossierEdges(ctx context.Context, list []domain.Dossier) {
	l := loadersFrom(ctx)
	var ids, decisions, movements, honorees, awards []string
	for i := range list {
		d := &list[i]
		l.dossiers().prime(ctx, d.ID, copyOf(d))
		ids = append(ids, d.ID)
		decisions = append(decisions, d.DecisionID)
		movements = append(movements, d.MovementID)
		for _, r := range d.Recipients {
			honorees, awards = append(honorees, r.HonoreeID), append(awards, r.AwardID)
		}
	}
	node := func(path ...string) bool { return selects(ctx, append([]string{"edges", "node"}, path...)...) }
	prefetch(ctx, l.decisions(), decisions, node("decision") || node("recipients", "award", "decisionRecord"))
	prefetch(ctx, l.dossierFiles(), ids, node("attachments"))
	prefetch(ctx, l.movements(), movements, node("movement") || node("recipients", "award", "movement"))
	prefetch(ctx, l.honorees(), honorees, node("recipients", "honoree") || node("recipients", "award", "honoree"))
	prefetch(ctx, l.awards(), awards, node("recipients", "award"))
}

// prefetchDecisionEdges: a page of decisions' dossiers and attachments.
func prefetchDecisionEdges(ctx context.Context, list []domain.DecisionRecord) {
	var ids, dossiers []string
	for _, d := range list {
		ids, dossiers = append(ids, d.ID), append(dossiers, d.DossierID)
	}
	l := loadersFrom(ctx)
	prefetch(ctx, l.dossiers(), dossiers, selects(ctx, "edges", "node", "dossier"))
	prefetch(ctx, l.decisionFiles(), ids, selects(ctx, "edges", "node", "attachments"))
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
