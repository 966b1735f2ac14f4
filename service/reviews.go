package service

import (
	"context"

	"github.com/thidua/thidua/auth"
	"github.com/thidua/thidua/domain"
)

// checkReview checks a review input, reading the movements it names within
// the caller's access.
func (s *Service) checkReview(ctx context.Context, in domain.PeriodReviewInput) (*domain.PeriodReview, error) {
	movements, err := s.MovementsByID(ctx, in.MovementIDs)
	if err != nil {
		return nil, err
	}
	return domain.CheckReview(s.ref(), s.now(), in, movements)
}

// CreatePeriodReview records a review of the cluster (policy: editor of "*").
func (s *Service) CreatePeriodReview(ctx context.Context, in domain.PeriodReviewInput) (*domain.PeriodReview, error) {
	if err := auth.Authorize(caller(ctx), auth.CreatePeriodReview, domain.ScopeAll); err != nil {
		return nil, err
	}
	r, err := s.checkReview(ctx, in)
	if err != nil {
		return nil, err
	}
	if err := s.Store.CreatePeriodReview(ctx, r); err != nil {
		return nil, err
	}
	recordChange(ctx, r.ID, "", nil, r, nil, intp(r.Version))
	s.publish(ctx, "periodReview", "CREATED", r)
	return r, nil
}

// UpdatePeriodReview replaces a review at the expected version (policy:
// editor of "*").
func (s *Service) UpdatePeriodReview(ctx context.Context, id string, in domain.PeriodReviewInput, expected int) (*domain.PeriodReview, error) {
	if err := auth.Authorize(caller(ctx), auth.UpdatePeriodReview, domain.ScopeAll); err != nil {
		return nil, err
	}
	write, err := writeAccess(ctx, auth.UpdatePeriodReview)
	if err != nil {
		return nil, err
	}
	if err := domain.CheckID("id", id); err != nil {
		return nil, err
	}
	next, err := s.checkReview(ctx, in)
	if err != nil {
		return nil, err
	}
	before, after, err := s.Store.UpdatePeriodReview(ctx, id, expected, readAccess(ctx), write, func(old *domain.PeriodReview) (*domain.PeriodReview, error) {
		out := *next
		out.ID, out.Meta = old.ID, old.Meta
		return &out, nil
	})
	if err != nil {
		return nil, err
	}
	recordChange(ctx, id, "", before, after, intp(before.Version), intp(after.Version))
	s.publish(ctx, "periodReview", "UPDATED", after)
	return after, nil
}

// SubmitProvinceReport stores a province's values in a review, replacing
// its earlier ones (policy: editor of that province). Only a member of the
// review's cluster on the review's date reports.
func (s *Service) SubmitProvinceReport(ctx context.Context, reviewID, provinceID string, values []domain.IndicatorValueInput, expected *int) (*domain.ProvinceReport, error) {
	if err := auth.Authorize(caller(ctx), auth.SubmitProvinceReport, provinceID); err != nil {
		return nil, err
	}
	if err := domain.CheckID("reviewId", reviewID); err != nil {
		return nil, err
	}
	ref := s.ref()
	if _, err := domain.KnownProvince(ref, "provinceId", provinceID); err != nil {
		return nil, err
	}
	vals, err := domain.CheckReportValues(ref, s.now(), values)
	if err != nil {
		return nil, err
	}
	read := readAccess(ctx)
	before, rep, err := s.Store.SubmitReport(ctx, reviewID, provinceID, vals, subject(ctx), expected,
		func(review *domain.PeriodReview) error {
			if !read.Sees(review.Published, review.Owner) {
				return domain.NotFound("period review", reviewID)
			}
			return domain.CanReport(ref, review, provinceID)
		})
	if err != nil {
		return nil, err
	}
	var vBefore *int
	if before != nil {
		vBefore = intp(before.Version)
	}
	recordChange(ctx, rep.ID, provinceID, before, rep, vBefore, intp(rep.Version))
	op := "UPDATED"
	if before == nil {
		op = "CREATED"
	}
	s.publish(ctx, "provinceReport", op, rep)
	return rep, nil
}

// PeriodReview reads a review the caller may see; nil when absent or hidden.
func (s *Service) PeriodReview(ctx context.Context, id string) (*domain.PeriodReview, error) {
	return orNil(s.Store.PeriodReview(ctx, id, readAccess(ctx))) // a malformed id names nothing
}

// PeriodReviews lists the reviews the caller may see, latest first.
func (s *Service) PeriodReviews(ctx context.Context, f domain.ReviewFilter, p domain.PageArgs) (*domain.Page[domain.PeriodReview], error) {
	if err := checkPage(p); err != nil {
		return nil, err
	}
	return s.Store.PeriodReviews(ctx, f, readAccess(ctx), p)
}

// ReportsByReview reads the province reports of reviews the caller has
// already read (loaders), in one query.
func (s *Service) ReportsByReview(ctx context.Context, reviewIDs []string) (map[string][]domain.ProvinceReport, error) {
	return s.Store.ReportsByReview(ctx, reviewIDs)
}

// Summary derives a review's cluster figures from its members' reports.
func (s *Service) Summary(review *domain.PeriodReview, reports []domain.ProvinceReport) []domain.IndicatorSummary {
	snap := s.ref()
	return domain.Summarize(snap, review, snap.Indicators, reports)
}

// Reports keeps the reports of the review's members on its date.
func (s *Service) Reports(review *domain.PeriodReview, reports []domain.ProvinceReport) []domain.ProvinceReport {
	return domain.MemberReports(s.ref(), review, reports)
}
