package repository

import (
	"context"
	"errors"
	"sort"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/thidua/thidua/domain"
)

const (
	colVotes   = "votes"
	colBallots = "ballots"
)

// Vote is the year-end vote of a cluster for its leading province, held at
// a year-end review (its _id is the review's). One per cluster a year.
type Vote struct {
	ID              bson.ObjectID `bson:"_id"`
	ClusterID       string        `bson:"clusterId"`
	Year            int           `bson:"year"`
	Status          string        `bson:"status"` // OPEN, CLOSED
	SelfVoteAllowed bool          `bson:"selfVoteAllowed"`
	Secret          bool          `bson:"secret"`
	Criteria        []string      `bson:"criteria"`
	Voters          []string      `bson:"voters"` // the cluster's members that year
	Tally           []VoteCount   `bson:"tally"`
	LeaderID        string        `bson:"leaderId,omitempty"`
	Tied            []string      `bson:"tied"`
	Meta            `bson:",inline"`
}

// VoteCount is a province's result: ballots naming it leader, and the sum of
// the scores the others gave it.
type VoteCount struct {
	ProvinceID string  `bson:"provinceId"`
	Votes      int     `bson:"votes"`
	ScoreTotal float64 `bson:"scoreTotal"`
}

// Ballot is one province's ballot: its choice of leader and its scores of
// the others. A province changes only its own, while the vote is open.
type Ballot struct {
	ID         bson.ObjectID `bson:"_id"`
	ReviewID   bson.ObjectID `bson:"reviewId"`
	ProvinceID string        `bson:"provinceId"`
	LeaderID   string        `bson:"leaderId"`
	Scores     []Score       `bson:"scores"`
	By         string        `bson:"by,omitempty"`
	Meta       `bson:",inline"`
}

// Score is one province's score of another on one criterion.
type Score struct {
	ProvinceID string  `bson:"provinceId"`
	Criterion  string  `bson:"criterion"`
	Score      float64 `bson:"score"`
}

// OpenVote starts the vote of a year-end review.
func (s *Store) OpenVote(ctx context.Context, v *Vote) error {
	now := s.stamp()
	v.Status, v.Tally, v.Tied = "OPEN", []VoteCount{}, []string{}
	v.Meta = Meta{Version: 1, CreatedAt: now, UpdatedAt: now}
	err := insert(ctx, s, colVotes, v)
	if domain.ErrorCode(err) == domain.CodeConflict {
		return domain.Conflict("cluster %s already has a vote for %d, or this review has one", v.ClusterID, v.Year)
	}
	return err
}

// Vote reads the vote of a review; nil when there is none.
func (s *Store) Vote(ctx context.Context, reviewID bson.ObjectID) (*Vote, error) {
	var v Vote
	err := mapErr(s.c(colVotes).FindOne(ctx, bson.D{{Key: "_id", Value: reviewID}}).Decode(&v))
	if errors.Is(err, errNoDocument) {
		return nil, nil
	}
	return &v, err
}

// Ballots lists the ballots of a review, by province.
func (s *Store) Ballots(ctx context.Context, reviewID bson.ObjectID) ([]Ballot, error) {
	m, err := s.BallotsByReview(ctx, []bson.ObjectID{reviewID})
	return m[reviewID], err
}

// BallotsByReview returns the ballots of the given reviews, by review id,
// each list ordered by province, in one query.
func (s *Store) BallotsByReview(ctx context.Context, reviewIDs []bson.ObjectID) (map[bson.ObjectID][]Ballot, error) {
	cur, err := s.c(colBallots).Find(ctx, bson.D{{Key: "reviewId", Value: bson.D{{Key: "$in", Value: reviewIDs}}}},
		options.Find().SetSort(bson.D{{Key: "provinceId", Value: 1}}))
	if err != nil {
		return nil, mapErr(err)
	}
	var docs []Ballot
	if err := cur.All(ctx, &docs); err != nil {
		return nil, mapErr(err)
	}
	out := make(map[bson.ObjectID][]Ballot, len(reviewIDs))
	for _, id := range reviewIDs {
		out[id] = nil // a vote without ballots has an empty list, not "not found"
	}
	for _, d := range docs {
		out[d.ReviewID] = append(out[d.ReviewID], d)
	}
	return out, nil
}

// CastBallot stores or replaces a province's ballot while the vote is open;
// check, given the vote, refuses a ballot its rules forbid.
func (s *Store) CastBallot(ctx context.Context, b *Ballot, check func(v *Vote) error) (*Ballot, error) {
	defer s.lock(colVotes, b.ReviewID.Hex())()
	v, err := s.Vote(ctx, b.ReviewID)
	if err != nil {
		return nil, err
	}
	if v == nil {
		return nil, domain.Invalid("reviewId", "this review has no vote")
	}
	if v.Status != "OPEN" {
		return nil, domain.Invalid("reviewId", "the vote is closed")
	}
	if err := check(v); err != nil {
		return nil, err
	}
	now := s.stamp()
	key := bson.D{{Key: "reviewId", Value: b.ReviewID}, {Key: "provinceId", Value: b.ProvinceID}}
	var out Ballot
	err = mapErr(s.c(colBallots).FindOneAndUpdate(ctx, key, bson.D{
		{Key: "$set", Value: bson.D{{Key: "leaderId", Value: b.LeaderID}, {Key: "scores", Value: b.Scores},
			{Key: "by", Value: b.By}, {Key: "updatedAt", Value: now}}},
		{Key: "$setOnInsert", Value: bson.D{{Key: "_id", Value: bson.NewObjectID()}, {Key: "createdAt", Value: now}}},
		{Key: "$inc", Value: bson.D{{Key: "version", Value: 1}}},
	}, options.FindOneAndUpdate().SetUpsert(true).SetReturnDocument(options.After)).Decode(&out))
	return &out, err
}

// CloseVote closes an open vote at the expected version and stores its
// tally: the leader has the most ballots, then the highest score total;
// provinces still level are reported as tied, with no leader.
func (s *Store) CloseVote(ctx context.Context, reviewID bson.ObjectID, expected int) (*Vote, error) {
	defer s.lock(colVotes, reviewID.Hex())()
	v, err := s.Vote(ctx, reviewID)
	if err != nil {
		return nil, err
	}
	switch {
	case v == nil:
		return nil, domain.Invalid("reviewId", "this review has no vote")
	case v.Status != "OPEN":
		return nil, domain.Invalid("reviewId", "the vote is already closed")
	case v.Version != expected:
		return nil, domain.Conflict("the vote is at version %d, not %d", v.Version, expected)
	}
	ballots, err := s.Ballots(ctx, reviewID)
	if err != nil {
		return nil, err
	}
	counts := map[string]*VoteCount{}
	for _, p := range v.Voters {
		counts[p] = &VoteCount{ProvinceID: p}
	}
	for _, b := range ballots {
		if c := counts[b.LeaderID]; c != nil {
			c.Votes++
		}
		for _, sc := range b.Scores {
			if c := counts[sc.ProvinceID]; c != nil {
				c.ScoreTotal += sc.Score
			}
		}
	}
	tally := make([]VoteCount, 0, len(counts))
	for _, c := range counts {
		tally = append(tally, *c)
	}
	sort.Slice(tally, func(i, j int) bool {
		a, b := tally[i], tally[j]
		if a.Votes != b.Votes {
			return a.Votes > b.Votes
		}
		if a.ScoreTotal != b.ScoreTotal {
			return a.ScoreTotal > b.ScoreTotal
		}
		return a.ProvinceID < b.ProvinceID
	})
	v.Tally, v.Tied, v.LeaderID = tally, []string{}, ""
	if len(tally) > 0 && len(ballots) > 0 {
		top := tally[0]
		for _, c := range tally {
			if c.Votes == top.Votes && c.ScoreTotal == top.ScoreTotal {
				v.Tied = append(v.Tied, c.ProvinceID)
			}
		}
		if len(v.Tied) == 1 {
			v.LeaderID, v.Tied = top.ProvinceID, []string{}
		}
	}
	filter := bson.D{{Key: "_id", Value: reviewID}}
	if !s.caps.FerretDB {
		filter = append(filter, bson.E{Key: "version", Value: expected}, bson.E{Key: "status", Value: "OPEN"})
	}
	v.Status, v.Version, v.UpdatedAt = "CLOSED", v.Version+1, s.stamp()
	res, err := s.c(colVotes).UpdateOne(ctx, filter, bson.D{
		{Key: "$set", Value: bson.D{{Key: "status", Value: v.Status}, {Key: "tally", Value: v.Tally}, {Key: "tied", Value: v.Tied},
			{Key: "leaderId", Value: v.LeaderID}, {Key: "updatedAt", Value: v.UpdatedAt}}},
		{Key: "$inc", Value: bson.D{{Key: "version", Value: 1}}},
	})
	if err != nil {
		return nil, mapErr(err)
	}
	if res.MatchedCount == 0 {
		return nil, domain.Conflict("the vote changed concurrently; read it again")
	}
	return v, nil
}
