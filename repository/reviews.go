package repository

import (
	"context"
	"errors"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/thidua/thidua/domain"
)

var reviewOrder = order[reviewDoc]{
	field: "date", desc: true,
	key: func(d *reviewDoc) any { return d.Date },
	id:  func(d *reviewDoc) any { return d.ID },
}

func reviewFilter(f domain.ReviewFilter) bson.D {
	q := bson.D{}
	if f.Kind != "" {
		q = append(q, bson.E{Key: "kind", Value: f.Kind})
	}
	if f.Year != nil {
		q = append(q, bson.E{Key: "year", Value: *f.Year})
	}
	return q
}

// CreatePeriodReview stores a new review as given (its owner is the
// caller's: the cluster's scope) and fills in its id and meta.
func (s *Store) CreatePeriodReview(ctx context.Context, r *domain.PeriodReview) error {
	return create(ctx, s, reviews, r, func(r *domain.PeriodReview) string { return r.ID },
		func(r *domain.PeriodReview, id string, meta domain.Meta) { r.ID, r.Meta = id, meta })
}

// PeriodReview reads one review within the read access.
func (s *Store) PeriodReview(ctx context.Context, id string, read domain.Access) (*domain.PeriodReview, error) {
	if rm, err := s.model(ctx); err != nil || rm != nil {
		if err != nil {
			return nil, err
		}
		return rm.review(id, read)
	}
	return getOne(ctx, s, reviews, id, read)
}

// PeriodReviews lists reviews, latest first.
func (s *Store) PeriodReviews(ctx context.Context, f domain.ReviewFilter, read domain.Access, p domain.PageArgs) (*domain.Page[domain.PeriodReview], error) {
	if rm, err := s.model(ctx); err != nil || rm != nil {
		if err != nil {
			return nil, err
		}
		return rm.reviewPage(f, read, p)
	}
	return findPage(ctx, s, colReviews, and(reviewFilter(f), readFilter(read)), reviewOrder, reviewToDomain, p)
}

// UpdatePeriodReview replaces the review with the one change returns, given
// the stored one (see update).
func (s *Store) UpdatePeriodReview(ctx context.Context, id string, expected int, read, write domain.Access,
	change func(old *domain.PeriodReview) (*domain.PeriodReview, error)) (before, after *domain.PeriodReview, err error) {
	return update(ctx, s, reviews, id, expected, read, write, change)
}

// ReportsByReview returns the province reports of the given reviews, by
// review id, each list ordered by province, in one query. The caller has
// checked that it may read the reviews.
func (s *Store) ReportsByReview(ctx context.Context, reviewIDs []string) (map[string][]domain.ProvinceReport, error) {
	out := make(map[string][]domain.ProvinceReport, len(reviewIDs))
	for _, id := range reviewIDs {
		out[id] = nil // a review without reports has an empty list, not "not found"
	}
	oids := parseIDs(reviewIDs)
	if len(oids) == 0 {
		return out, nil
	}
	cur, err := s.c(colReports).Find(ctx, bson.D{{Key: "reviewId", Value: bson.D{{Key: "$in", Value: oids}}}},
		options.Find().SetSort(bson.D{{Key: "provinceId", Value: 1}}))
	if err != nil {
		return nil, mapErr(err)
	}
	var docs []reportDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, mapErr(err)
	}
	for i := range docs {
		r := reportToDomain(&docs[i])
		out[r.ReviewID] = append(out[r.ReviewID], *r)
	}
	return out, nil
}

// SubmitReport stores a province's values in a review, replacing that
// province's earlier values and nothing else. With expected set, the
// province's current report must be at that version. The caller has checked
// that it may report for the province; check (if any), given the review,
// refuses a report the review cannot take.
func (s *Store) SubmitReport(ctx context.Context, reviewID, provinceID string, values []domain.IndicatorValue, by string,
	expected *int, check func(review *domain.PeriodReview) error) (before, after *domain.ProvinceReport, err error) {
	rid, ok := parseID(reviewID)
	if !ok {
		return nil, nil, domain.NotFound("period review", reviewID)
	}
	raw, err := s.byID(ctx, colReviews, rid)
	if errors.Is(err, errNoDocument) {
		return nil, nil, domain.NotFound("period review", reviewID)
	}
	if err != nil {
		return nil, nil, err
	}
	review, err := reviews.decode(raw)
	if err != nil {
		return nil, nil, err
	}
	if check != nil {
		if err := check(review); err != nil {
			return nil, nil, err
		}
	}
	defer s.lock(colReports, reviewID+"/"+provinceID)()
	key := bson.D{{Key: "reviewId", Value: rid}, {Key: "provinceId", Value: provinceID}}
	var cur reportDoc
	err = mapErr(s.c(colReports).FindOne(ctx, key).Decode(&cur))
	now := s.stamp()
	switch {
	case errors.Is(err, errNoDocument):
		if expected != nil {
			return nil, nil, domain.Conflict("%s has no report in this review yet; submit without expectedVersion", provinceID)
		}
		r := &reportDoc{ID: bson.NewObjectID(), ReviewID: rid, ProvinceID: provinceID,
			Values: valuesToDoc(values), SubmittedBy: by, Meta: meta{Version: 1, CreatedAt: now, UpdatedAt: now}}
		if err := insert(ctx, s, colReports, r); err != nil {
			return nil, nil, err
		}
		return nil, reportToDomain(r), nil
	case err != nil:
		return nil, nil, err
	}
	version := cur.Meta.Version
	if expected != nil {
		version = *expected
	}
	var out reportDoc
	err = mapErr(s.c(colReports).FindOneAndUpdate(ctx,
		append(key, bson.E{Key: "version", Value: version}),
		bson.D{
			{Key: "$set", Value: bson.D{{Key: "values", Value: valuesToDoc(values)}, {Key: "submittedBy", Value: by}, {Key: "updatedAt", Value: now}}},
			{Key: "$inc", Value: bson.D{{Key: "version", Value: 1}}},
		},
		options.FindOneAndUpdate().SetReturnDocument(options.After)).Decode(&out))
	if errors.Is(err, errNoDocument) {
		return nil, nil, domain.Conflict("the report of %s is at version %d, not %d", provinceID, cur.Meta.Version, version)
	}
	if err != nil {
		return nil, nil, err
	}
	return reportToDomain(&cur), reportToDomain(&out), nil
}
