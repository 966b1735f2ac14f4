package service

import (
	"context"

	"github.com/thidua/thidua/auth"
	"github.com/thidua/thidua/domain"
)

// SetClusterYear records a cluster's composition for a year (policy: admin
// of "*").
func (s *Service) SetClusterYear(ctx context.Context, clusterID string, in domain.ClusterYearInput, expected int) (*domain.Cluster, error) {
	if err := auth.Authorize(caller(ctx), auth.SetClusterYear, domain.ScopeAll); err != nil {
		return nil, err
	}
	y, err := domain.CheckClusterYear(s.ref(), s.now(), in)
	if err != nil {
		return nil, err
	}
	before, after, err := s.Store.SetClusterYear(ctx, clusterID, expected, y)
	if err != nil {
		return nil, err
	}
	// The catalogue holds clusters: reload it so this process sees the
	// change now (the write is done: a failed reload is caught up by the
	// periodic one, not reported as the command's failure).
	s.reloadCatalog(ctx)
	recordChange(ctx, clusterID, "", before, after, intp(before.Version), intp(after.Version))
	return after, nil
}

// OpenVote opens the vote of a year-end review (policy: editor of "*").
func (s *Service) OpenVote(ctx context.Context, reviewID string, in domain.VoteSettingsInput) (*domain.Vote, error) {
	if err := auth.Authorize(caller(ctx), auth.OpenVote, domain.ScopeAll); err != nil {
		return nil, err
	}
	if err := domain.CheckID("reviewId", reviewID); err != nil {
		return nil, err
	}
	review, err := s.Store.PeriodReview(ctx, reviewID, readAccess(ctx))
	if err != nil {
		return nil, err
	}
	v, err := domain.OpenVote(s.ref(), s.now(), review, in, s.majority())
	if err != nil {
		return nil, err
	}
	if err := s.Store.OpenVote(ctx, v); err != nil {
		return nil, err
	}
	recordChange(ctx, reviewID, "", nil, v, nil, intp(v.Version))
	return v, nil
}

// CastBallot casts or changes a province's own ballot while the vote is
// open (policy: editor of that province).
func (s *Service) CastBallot(ctx context.Context, reviewID, provinceID, leaderID string, scores []domain.Score) (*domain.Ballot, error) {
	if err := auth.Authorize(caller(ctx), auth.CastBallot, provinceID); err != nil {
		return nil, err
	}
	if err := domain.CheckID("reviewId", reviewID); err != nil {
		return nil, err
	}
	b := &domain.Ballot{ReviewID: reviewID, ProvinceID: provinceID, LeaderID: leaderID, By: subject(ctx)}
	out, err := s.Store.CastBallot(ctx, b, func(v *domain.Vote) error {
		checked, err := domain.CheckBallot(v, provinceID, leaderID, scores)
		b.Scores = checked
		return err
	})
	if err != nil {
		return nil, err
	}
	recordChange(ctx, out.ID, provinceID, nil, out, nil, intp(out.Version))
	return out, nil
}

// CloseVote closes the vote and computes its tally (policy: editor of "*").
func (s *Service) CloseVote(ctx context.Context, reviewID string, expected int) (*domain.Vote, error) {
	if err := auth.Authorize(caller(ctx), auth.CloseVote, domain.ScopeAll); err != nil {
		return nil, err
	}
	if err := domain.CheckID("reviewId", reviewID); err != nil {
		return nil, err
	}
	v, err := s.Store.CloseVote(ctx, reviewID, expected, func(v *domain.Vote, ballots []domain.Ballot) error {
		domain.Tally(v, ballots)
		return nil
	})
	if err != nil {
		return nil, err
	}
	recordChange(ctx, reviewID, "", nil, v, &expected, intp(v.Version))
	return v, nil
}

// VotesByReview reads the votes of reviews the caller has already read
// (loaders), in one query.
func (s *Service) VotesByReview(ctx context.Context, reviewIDs []string) (map[string]*domain.Vote, error) {
	return s.Store.VotesByReview(ctx, reviewIDs)
}

// BallotsByReview reads the ballots of reviews the caller has already read
// (loaders), in one query.
func (s *Service) BallotsByReview(ctx context.Context, reviewIDs []string) (map[string][]domain.Ballot, error) {
	return s.Store.BallotsByReview(ctx, reviewIDs)
}

// SaveAwardType creates (expected 0) or replaces an award type (policy:
// admin of "*").
func (s *Service) SaveAwardType(ctx context.Context, in domain.AwardTypeInput, expected int) (*domain.AwardType, error) {
	return saveReference(ctx, s, auth.SaveAwardType, func() (*domain.AwardType, error) { return s.checkAwardType(ctx, in, expected) },
		func(t *domain.AwardType) (*domain.AwardType, error) { return s.Store.SaveAwardType(ctx, t, expected) },
		func(t *domain.AwardType) (string, int) { return t.ID, t.Version })
}

// SaveIndicator creates (expected 0) or replaces an indicator (policy:
// admin of "*").
func (s *Service) SaveIndicator(ctx context.Context, in domain.IndicatorInput, expected int) (*domain.Indicator, error) {
	return saveReference(ctx, s, auth.SaveIndicator, func() (*domain.Indicator, error) { return domain.CheckIndicator(s.now(), in) },
		func(i *domain.Indicator) (*domain.Indicator, error) { return s.Store.SaveIndicator(ctx, i, expected) },
		func(i *domain.Indicator) (string, int) { return i.ID, i.Version })
}

// SaveLawPeriod creates (expected 0) or replaces a period of the law table
// (policy: admin of "*").
func (s *Service) SaveLawPeriod(ctx context.Context, in domain.LawPeriodInput, expected int) (*domain.LawPeriod, error) {
	return saveReference(ctx, s, auth.SaveLawPeriod, func() (*domain.LawPeriod, error) { return domain.CheckLawPeriod(s.now(), in) },
		func(p *domain.LawPeriod) (*domain.LawPeriod, error) { return s.Store.SaveLawPeriod(ctx, p, expected) },
		func(p *domain.LawPeriod) (string, int) { return p.ID, p.Version })
}

// saveReference is the one command that edits the catalogue: authorise,
// check, save versioned, reload the catalogue in memory, audit.
func saveReference[T any](ctx context.Context, s *Service, a auth.Action, check func() (*T, error),
	save func(*T) (before *T, err error), idVersion func(*T) (string, int)) (*T, error) {
	if err := auth.Authorize(caller(ctx), a, domain.ScopeAll); err != nil {
		return nil, err
	}
	rec, err := check()
	if err != nil {
		return nil, err
	}
	before, err := save(rec)
	if err != nil {
		return nil, err
	}
	s.reloadCatalog(ctx) // as in SetClusterYear
	var vb *int
	if before != nil {
		_, v := idVersion(before)
		vb = intp(v)
	}
	id, v := idVersion(rec)
	recordChange(ctx, id, "", before, rec, vb, intp(v))
	return rec, nil
}

// reloadCatalog reloads the catalogue once the command's writes have
// committed: inside a transaction it would read them uncommitted and serve
// them process-wide (and on a run again, a change that never committed).
func (s *Service) reloadCatalog(ctx context.Context) {
	afterCommit(ctx, func(ctx context.Context) { _ = s.Catalog.Reload(ctx) })
}
