package repository

import (
	"context"
	"errors"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/thidua/thidua/domain"
)

// ReviewFilter selects period reviews; zero fields select everything.
type ReviewFilter struct {
	Kind string
	Year *int
}

var reviewOrder = order{
	field: "date", desc: true,
	key: func(d any) any { return d.(*PeriodReview).Date },
	id:  func(d any) any { return d.(*PeriodReview).ID },
}

func (f ReviewFilter) bson() bson.D {
	q := bson.D{}
	if f.Kind != "" {
		q = append(q, bson.E{Key: "kind", Value: f.Kind})
	}
	if f.Year != nil {
		q = append(q, bson.E{Key: "year", Value: *f.Year})
	}
	return q
}

// CreatePeriodReview stores a new review and fills in its id and meta.
func (s *Store) CreatePeriodReview(ctx context.Context, r *PeriodReview) error {
	now := s.stamp()
	if r.ID.IsZero() {
		r.ID = bson.NewObjectID()
	}
	r.Owner = ScopeAll
	r.Meta = Meta{Version: 1, CreatedAt: now, UpdatedAt: now}
	return insert(ctx, s, colReviews, r)
}

// PeriodReview reads one review within the read access.
func (s *Store) PeriodReview(ctx context.Context, id bson.ObjectID, read Access) (*PeriodReview, error) {
	return getOne[PeriodReview](ctx, s, colReviews, "period review", id, read)
}

// PeriodReviews lists reviews, latest first.
func (s *Store) PeriodReviews(ctx context.Context, f ReviewFilter, read Access, p PageArgs) (*Page[PeriodReview], error) {
	return findPage[PeriodReview](ctx, s, colReviews, and(f.bson(), read.readFilter()), reviewOrder, p)
}

// UpdatePeriodReview replaces the editable fields of a review.
func (s *Store) UpdatePeriodReview(ctx context.Context, id bson.ObjectID, expected int, read, write Access, r *PeriodReview) (before, after *PeriodReview, err error) {
	return update[PeriodReview](ctx, s, versioned{colReviews, "period review", id, expected, read, write}, func(*PeriodReview) (bson.D, error) {
		return bson.D{
			{Key: "published", Value: r.Published}, {Key: "kind", Value: r.Kind},
			{Key: "year", Value: r.Year}, {Key: "period", Value: r.Period}, {Key: "date", Value: r.Date},
			{Key: "periodStart", Value: r.PeriodStart}, {Key: "periodEnd", Value: r.PeriodEnd},
			{Key: "hostProvinceId", Value: r.HostProvinceID}, {Key: "location", Value: r.Location},
			{Key: "theme", Value: r.Theme}, {Key: "movementIds", Value: r.MovementIDs},
			{Key: "reportedFigures", Value: r.ReportedFigures},
			{Key: "reportedAwardTallies", Value: r.ReportedAwardTallies},
		}, nil
	})
}

// ReportsByReview returns the province reports of the given reviews, by
// review id, each list ordered by province. The caller has checked that it
// may read the reviews.
func (s *Store) ReportsByReview(ctx context.Context, reviewIDs []bson.ObjectID) (map[bson.ObjectID][]ProvinceReport, error) {
	out := make(map[bson.ObjectID][]ProvinceReport, len(reviewIDs))
	if len(reviewIDs) == 0 {
		return out, nil
	}
	cur, err := s.c(colReports).Find(ctx, bson.D{{Key: "reviewId", Value: bson.D{{Key: "$in", Value: reviewIDs}}}},
		options.Find().SetSort(bson.D{{Key: "provinceId", Value: 1}}))
	if err != nil {
		return nil, mapErr(err)
	}
	var docs []ProvinceReport
	if err := cur.All(ctx, &docs); err != nil {
		return nil, mapErr(err)
	}
	for _, id := range reviewIDs {
		out[id] = nil // a review without reports has an empty list, not "not found"
	}
	for _, d := range docs {
		out[d.ReviewID] = append(out[d.ReviewID], d)
	}
	return out, nil
}

// SubmitReport stores a province's values in a review, replacing that
// province's earlier values and nothing else. With expected set, the
// province's current report must be at that version. The caller has checked
// that it may report for the province; check (if any), given the review,
// refuses a report the review cannot take.
func (s *Store) SubmitReport(ctx context.Context, reviewID bson.ObjectID, provinceID string, values []IndicatorValue, by string,
	expected *int, check func(review *PeriodReview) error) (before, after *ProvinceReport, err error) {
	var review PeriodReview
	err = mapErr(s.c(colReviews).FindOne(ctx, bson.D{{Key: "_id", Value: reviewID}}).Decode(&review))
	if errors.Is(err, errNoDocument) {
		return nil, nil, domain.NotFound("period review", reviewID.Hex())
	}
	if err != nil {
		return nil, nil, err
	}
	if check != nil {
		if err := check(&review); err != nil {
			return nil, nil, err
		}
	}
	defer s.lock(colReports, reviewID.Hex()+"/"+provinceID)()
	key := bson.D{{Key: "reviewId", Value: reviewID}, {Key: "provinceId", Value: provinceID}}
	var cur ProvinceReport
	err = mapErr(s.c(colReports).FindOne(ctx, key).Decode(&cur))
	now := s.stamp()
	switch {
	case errors.Is(err, errNoDocument):
		if expected != nil {
			return nil, nil, domain.Conflict("%s has no report in this review yet; submit without expectedVersion", provinceID)
		}
		r := &ProvinceReport{ID: bson.NewObjectID(), ReviewID: reviewID, ProvinceID: provinceID,
			Values: values, SubmittedBy: by, Meta: Meta{Version: 1, CreatedAt: now, UpdatedAt: now}}
		if err := insert(ctx, s, colReports, r); err != nil {
			return nil, nil, err
		}
		return nil, r, nil
	case err != nil:
		return nil, nil, err
	}
	version := cur.Version
	if expected != nil {
		version = *expected
	}
	var out ProvinceReport
	err = mapErr(s.c(colReports).FindOneAndUpdate(ctx,
		append(key, bson.E{Key: "version", Value: version}),
		bson.D{
			{Key: "$set", Value: bson.D{{Key: "values", Value: values}, {Key: "submittedBy", Value: by}, {Key: "updatedAt", Value: now}}},
			{Key: "$inc", Value: bson.D{{Key: "version", Value: 1}}},
		},
		options.FindOneAndUpdate().SetReturnDocument(options.After)).Decode(&out))
	if errors.Is(err, errNoDocument) {
		return nil, nil, domain.Conflict("the report of %s is at version %d, not %d", provinceID, cur.Version, version)
	}
	if err != nil {
		return nil, nil, err
	}
	return &cur, &out, nil
}
