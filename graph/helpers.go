package graph

import (
	"context"
	"errors"
	"fmt"

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
		AwardTypeID: deref(in.AwardTypeID), RecipientName: deref(in.RecipientName)}
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
