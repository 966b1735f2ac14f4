package graph

import (
	"context"
	"errors"
	"fmt"
	"sort"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vikstrous/dataloadgen"
	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/thidua/thidua/domain"
	"github.com/thidua/thidua/graph/model"
	"github.com/thidua/thidua/repository"
)

// Helpers of the resolvers (kept out of the generated *.resolvers.go files).

// loadMovement reads a movement through the request's loader; one the
// caller cannot see is null.
func (r *Resolver) loadMovement(ctx context.Context, id string) (*model.Movement, error) {
	oid, err := repository.ParseID("movementId", id)
	if err != nil {
		return nil, err
	}
	m, err := loadersFrom(ctx).movements.Load(ctx, oid)
	if errors.Is(err, dataloadgen.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return toMovement(m), nil
}

// awardDoc checks an award input, reading the movement it names within the
// caller's access.
func (r *Resolver) awardDoc(ctx context.Context, in model.AwardInput) (*repository.Award, error) {
	var movement *repository.Movement
	if in.MovementID != nil {
		oid, err := repository.ParseID("input.movementId", *in.MovementID)
		if err != nil {
			return nil, err
		}
		movement, err = r.Store.Movement(ctx, oid, readAccess(ctx))
		if err != nil && domain.ErrorCode(err) != domain.CodeNotFound {
			return nil, err
		}
	}
	c := r.checker()
	a := c.awardDoc(in, movement)
	return a, c.err
}

func awardFilter(in *model.AwardFilter) (repository.AwardFilter, error) {
	var f repository.AwardFilter
	if in == nil {
		return f, nil
	}
	f = repository.AwardFilter{ProvinceID: deref(in.ProvinceID), Year: in.Year,
		AwardTypeID: deref(in.AwardTypeID), RecipientName: deref(in.RecipientName), Search: deref(in.Search)}
	if in.Status != nil {
		f.Status = string(*in.Status)
	}
	if in.Authority != nil {
		f.Authority = string(*in.Authority)
	}
	if in.RecipientKind != nil {
		f.RecipientKind = string(*in.RecipientKind)
	}
	if in.MovementID != nil {
		oid, err := repository.ParseID("filter.movementId", *in.MovementID)
		if err != nil {
			return f, err
		}
		f.MovementID = &oid
	}
	if len(f.RecipientName) > 200 {
		return f, domain.Invalid("filter.recipientName", "must be at most 200 characters")
	}
	if len(f.Search) > 200 {
		return f, domain.Invalid("filter.search", "must be at most 200 characters")
	}
	return f, nil
}

// reviewDoc checks a review input, reading the movements it names within the
// caller's access.
func (r *Resolver) reviewDoc(ctx context.Context, in model.PeriodReviewInput) (*repository.PeriodReview, error) {
	c := r.checker()
	ids := make([]bson.ObjectID, 0, len(in.MovementIds))
	for i, id := range in.MovementIds {
		oid, err := repository.ParseID(fmt.Sprintf("input.movementIds[%d]", i), id)
		if err != nil {
			return nil, err
		}
		ids = append(ids, oid)
	}
	movements, err := r.Store.MovementsByID(ctx, ids, readAccess(ctx))
	if err != nil {
		return nil, err
	}
	doc := c.reviewDoc(in, movements)
	return doc, c.err
}

// loadReports reads a review's province reports through the request's
// loader (reports and summary share one batch).
func (r *Resolver) loadReports(ctx context.Context, reviewID string) ([]repository.ProvinceReport, error) {
	oid, err := repository.ParseID("id", reviewID)
	if err != nil {
		return nil, err
	}
	reps, err := loadersFrom(ctx).reports.Load(ctx, oid)
	if errors.Is(err, dataloadgen.ErrNotFound) {
		return nil, nil
	}
	return reps, err
}

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
func prefetchMovements(ctx context.Context, awards []repository.Award) {
	if !selects(ctx, "edges", "node", "movement") {
		return
	}
	seen := map[bson.ObjectID]bool{}
	var ids []bson.ObjectID
	for _, a := range awards {
		if a.MovementID != nil && !seen[*a.MovementID] {
			seen[*a.MovementID] = true
			ids = append(ids, *a.MovementID)
		}
	}
	if len(ids) > 0 {
		loadersFrom(ctx).movements.LoadAllThunk(ctx, ids)
	}
}

// loadMovements reads movements in one batch, in the given order, leaving
// out those the caller cannot see.
func (r *Resolver) loadMovements(ctx context.Context, ids []string) ([]*model.Movement, error) {
	oids := make([]bson.ObjectID, 0, len(ids))
	for _, id := range ids {
		oid, err := repository.ParseID("movementId", id)
		if err != nil {
			return nil, err
		}
		oids = append(oids, oid)
	}
	docs, err := loadersFrom(ctx).movements.LoadAll(ctx, oids)
	var errs dataloadgen.ErrorSlice
	if err != nil && !errors.As(err, &errs) {
		return nil, err
	}
	out := make([]*model.Movement, 0, len(docs))
	for i, d := range docs {
		if i < len(errs) && errs[i] != nil {
			if errors.Is(errs[i], dataloadgen.ErrNotFound) {
				continue
			}
			return nil, errs[i]
		}
		out = append(out, toMovement(d))
	}
	return out, nil
}

// prefetchReports starts loading, in one batch, the province reports of a
// page of reviews when the query asks for them (reports or summary).
func prefetchReports(ctx context.Context, reviews []repository.PeriodReview) {
	if !selects(ctx, "edges", "node", "reports") && !selects(ctx, "edges", "node", "summary") {
		return
	}
	ids := make([]bson.ObjectID, len(reviews))
	for i := range reviews {
		ids[i] = reviews[i].ID
	}
	if len(ids) > 0 {
		loadersFrom(ctx).reports.LoadAllThunk(ctx, ids)
	}
}

// tallyKeys maps the tally dimensions to the award fields they group by;
// FORM groups by award type and then by its form.
var tallyKeys = map[model.TallyDimension]string{
	model.TallyDimensionAuthority: "authority", model.TallyDimensionForm: "awardTypeId",
	model.TallyDimensionAwardType: "awardTypeId", model.TallyDimensionRecipientKind: "recipientKind",
	model.TallyDimensionProvince: "provinceId", model.TallyDimensionYear: "year", model.TallyDimensionStatus: "status",
}

// awardTallies groups the matching awards in the database, then folds award
// types into forms where FORM (and not AWARD_TYPE) is asked for.
func (r *Resolver) awardTallies(ctx context.Context, f repository.AwardFilter, by []model.TallyDimension) ([]*model.AwardTally, error) {
	if len(by) == 0 {
		return nil, domain.Invalid("by", "name at least one dimension")
	}
	var fields []string
	want := map[model.TallyDimension]bool{}
	for _, d := range by {
		want[d] = true
		k := tallyKeys[d]
		if !contains(fields, k) {
			fields = append(fields, k)
		}
	}
	rows, err := r.Store.AwardTally(ctx, f, readAccess(ctx), fields)
	if err != nil {
		return nil, err
	}
	snap := r.Catalog.Get()
	groups := map[string]*model.AwardTally{}
	var order []string
	for _, row := range rows {
		t := &model.AwardTally{Count: row.Count}
		str := func(k string) string { s, _ := row.Keys[k].(string); return s }
		if want[model.TallyDimensionAuthority] {
			a := model.Authority(str("authority"))
			t.Authority = &a
		}
		if want[model.TallyDimensionAwardType] {
			t.AwardType = toAwardType(snap.AwardType(str("awardTypeId")))
		}
		if want[model.TallyDimensionForm] {
			if at := snap.AwardType(str("awardTypeId")); at != nil {
				form := model.AwardForm(at.Form)
				t.Form = &form
			}
		}
		if want[model.TallyDimensionRecipientKind] {
			k := model.RecipientKind(str("recipientKind"))
			t.RecipientKind = &k
		}
		if want[model.TallyDimensionProvince] {
			t.Province = r.province(str("provinceId"))
		}
		if want[model.TallyDimensionYear] {
			switch y := row.Keys["year"].(type) {
			case int32:
				v := int(y)
				t.Year = &v
			case int64:
				v := int(y)
				t.Year = &v
			}
		}
		if want[model.TallyDimensionStatus] {
			st := model.AwardStatus(str("status"))
			t.Status = &st
		}
		key := tallyKey(t)
		if g, ok := groups[key]; ok {
			g.Count += t.Count
			continue
		}
		groups[key] = t
		order = append(order, key)
	}
	out := make([]*model.AwardTally, 0, len(order))
	for _, k := range order {
		out = append(out, groups[k])
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Count > out[j].Count })
	return out, nil
}

// tallyKey identifies a tally group by the values of its set dimensions.
func tallyKey(t *model.AwardTally) string {
	v := func(p fmt.Stringer) string {
		if p == nil {
			return ""
		}
		return p.String()
	}
	var parts []string
	if t.Authority != nil {
		parts = append(parts, v(t.Authority))
	}
	if t.Form != nil {
		parts = append(parts, v(t.Form))
	}
	if t.AwardType != nil {
		parts = append(parts, t.AwardType.ID)
	}
	if t.RecipientKind != nil {
		parts = append(parts, v(t.RecipientKind))
	}
	if t.Province != nil {
		parts = append(parts, t.Province.ID)
	}
	if t.Year != nil {
		parts = append(parts, fmt.Sprint(*t.Year))
	}
	if t.Status != nil {
		parts = append(parts, v(t.Status))
	}
	return fmt.Sprint(parts)
}
