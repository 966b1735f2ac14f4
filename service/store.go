package service

import (
	"context"

	"github.com/thidua/thidua/domain"
)

// Store is what the commands and queries need of the database. The
// repository implements it, speaking domain types and string ids; it alone
// builds database filters. Ids it cannot parse are NOT_FOUND; a record
// outside the read access is NOT_FOUND; one readable but outside the write
// access is FORBIDDEN; a version mismatch is CONFLICT. Every write that
// matched nothing says why and never reports success.
type Store interface {
	// Reference data.
	Provinces(ctx context.Context) ([]domain.Province, error)
	AwardTypes(ctx context.Context) ([]domain.AwardType, error)
	Indicators(ctx context.Context) ([]domain.Indicator, error)
	Clusters(ctx context.Context) ([]domain.Cluster, error)
	// SaveAwardType creates (expected 0; CONFLICT when the id exists) or
	// replaces (at version expected) an award type, filling in its Meta;
	// before is the stored one (nil when created).
	SaveAwardType(ctx context.Context, t *domain.AwardType, expected int) (before *domain.AwardType, err error)
	// SaveIndicator is SaveAwardType for indicators.
	SaveIndicator(ctx context.Context, i *domain.Indicator, expected int) (before *domain.Indicator, err error)
	// SaveLawPeriod is SaveAwardType for the law table.
	SaveLawPeriod(ctx context.Context, p *domain.LawPeriod, expected int) (before *domain.LawPeriod, err error)
	// SaveBaseSalary is SaveAwardType for the base salary from a date.
	SaveBaseSalary(ctx context.Context, b *domain.BaseSalary, expected int) (before *domain.BaseSalary, err error)
	// SetClusterYear sets (adds or replaces) one year of a cluster at the
	// expected version of the cluster.
	SetClusterYear(ctx context.Context, id string, expected int, y domain.ClusterYear) (before, after *domain.Cluster, err error)

	// Movements.
	CreateMovement(ctx context.Context, m *domain.Movement) error
	Movement(ctx context.Context, id string, read domain.Access) (*domain.Movement, error)
	MovementsByID(ctx context.Context, ids []string, read domain.Access) (map[string]*domain.Movement, error)
	Movements(ctx context.Context, f domain.MovementFilter, read domain.Access, p domain.PageArgs) (*domain.Page[domain.Movement], error)
	UpdateMovement(ctx context.Context, id string, expected int, read, write domain.Access,
		change func(old *domain.Movement) (*domain.Movement, error)) (before, after *domain.Movement, err error)
	// DeleteMovement checks visibility, access and version first, then
	// refuses (CONFLICT) a movement an award or review refers to.
	DeleteMovement(ctx context.Context, id string, expected int, read, write domain.Access) (*domain.Movement, error)

	// Awards.
	CreateAward(ctx context.Context, a *domain.Award) error
	Award(ctx context.Context, id string, read domain.Access) (*domain.Award, error)
	Awards(ctx context.Context, f domain.AwardFilter, read domain.Access, p domain.PageArgs) (*domain.Page[domain.Award], error)
	UpdateAward(ctx context.Context, id string, expected int, read, write domain.Access,
		change func(old *domain.Award) (*domain.Award, error)) (before, after *domain.Award, err error)
	DeleteAward(ctx context.Context, id string, expected int, read, write domain.Access,
		guard func(old *domain.Award) error) (*domain.Award, error)
	AwardTally(ctx context.Context, f domain.AwardFilter, read domain.Access, by []string) ([]domain.TallyRow, error)
	CountConferred(ctx context.Context, f domain.ConferredFilter) (int, error)

	// Period reviews and province reports.
	CreatePeriodReview(ctx context.Context, r *domain.PeriodReview) error
	PeriodReview(ctx context.Context, id string, read domain.Access) (*domain.PeriodReview, error)
	PeriodReviews(ctx context.Context, f domain.ReviewFilter, read domain.Access, p domain.PageArgs) (*domain.Page[domain.PeriodReview], error)
	UpdatePeriodReview(ctx context.Context, id string, expected int, read, write domain.Access,
		change func(old *domain.PeriodReview) (*domain.PeriodReview, error)) (before, after *domain.PeriodReview, err error)
	ReportsByReview(ctx context.Context, reviewIDs []string) (map[string][]domain.ProvinceReport, error)
	SubmitReport(ctx context.Context, reviewID, provinceID string, values []domain.IndicatorValue, by string, expected *int,
		check func(review *domain.PeriodReview) error) (before, after *domain.ProvinceReport, err error)

	// The year-end vote.
	OpenVote(ctx context.Context, v *domain.Vote) error
	VotesByReview(ctx context.Context, reviewIDs []string) (map[string]*domain.Vote, error)
	// VoteOfCluster is a cluster's vote for a year; nil when there is none.
	VoteOfCluster(ctx context.Context, clusterID string, year int) (*domain.Vote, error)
	BallotsByReview(ctx context.Context, reviewIDs []string) (map[string][]domain.Ballot, error)
	CastBallot(ctx context.Context, b *domain.Ballot, check func(v *domain.Vote) error) (*domain.Ballot, error)
	CloseVote(ctx context.Context, reviewID string, expected int,
		tally func(v *domain.Vote, ballots []domain.Ballot) error) (*domain.Vote, error)

	// The audit trail.
	AppendAudit(ctx context.Context, e *domain.AuditEntry) error
	AuditLog(ctx context.Context, f domain.AuditFilter, acc domain.Access, p domain.PageArgs) (*domain.Page[domain.AuditEntry], error)
}
