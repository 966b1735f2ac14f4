package repository

import (
	"context"
	"errors"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/thidua/thidua/domain"
)

const (
	colVotes   = "votes"
	colBallots = "ballots"
)

// voteDoc is the year-end vote of a cluster, held at a year-end review (its
// _id is the review's). Votes stored before the criteria became a table
// hold criteria as strings: migration 1 converts them; votes stored before
// rounds, bonus and penalty items have none: migration 12 gives them one
// round and the old rules (no second round, no bonus or penalty).
type voteDoc struct {
	ID              bson.ObjectID  `bson:"_id"`
	ClusterID       string         `bson:"clusterId"`
	Year            int            `bson:"year"`
	Status          string         `bson:"status"` // OPEN, CLOSED
	SelfVoteAllowed bool           `bson:"selfVoteAllowed"`
	Secret          bool           `bson:"secret"`
	Criteria        []criterionDoc `bson:"criteria"`
	SelfScoring     bool           `bson:"selfScoring"`
	CrossScoring    bool           `bson:"crossScoring"`
	Majority        float64        `bson:"majority"`
	BonusItems      []pointItemDoc `bson:"bonusItems"`
	PenaltyItems    []pointItemDoc `bson:"penaltyItems"`
	BonusCap        float64        `bson:"bonusCap"`
	SecondRound     string         `bson:"secondRound"`
	SecondMajority  *float64       `bson:"secondRoundMajority,omitempty"`
	FlagAwardTypeID string         `bson:"flagAwardTypeId"`
	Voters          []string       `bson:"voters"` // the cluster's members that year
	Round           int            `bson:"round"`
	Rounds          []roundDoc     `bson:"rounds"`
	Tally           []voteCountDoc `bson:"tally"`
	LeaderID        string         `bson:"leaderId,omitempty"`
	Tied            []string       `bson:"tied"`
	Meta            meta           `bson:",inline"`
}

type pointItemDoc struct {
	Name      string  `bson:"name"`
	MaxPoints float64 `bson:"maxPoints"`
}

// roundDoc is one round of a vote.
type roundDoc struct {
	Number     int            `bson:"number"`
	Candidates []string       `bson:"candidates"`
	Closed     bool           `bson:"closed"`
	Tally      []voteCountDoc `bson:"tally"`
	LeaderID   string         `bson:"leaderId,omitempty"`
	Tied       []string       `bson:"tied"`
}

type criterionDoc struct {
	Name      string  `bson:"name"`
	Weight    float64 `bson:"weight"`
	MaxPoints float64 `bson:"maxPoints"`
}

type voteCountDoc struct {
	ProvinceID string  `bson:"provinceId"`
	Votes      int     `bson:"votes"`
	ScoreTotal float64 `bson:"scoreTotal"`
	Base       float64 `bson:"base"`
	Bonus      float64 `bson:"bonus"`
	Penalty    float64 `bson:"penalty"`
}

// ballotDoc is one province's ballot. A province changes only its own,
// while the vote is open.
type ballotDoc struct {
	ID         bson.ObjectID `bson:"_id"`
	ReviewID   bson.ObjectID `bson:"reviewId"`
	ProvinceID string        `bson:"provinceId"`
	Round      int           `bson:"round"`
	LeaderID   string        `bson:"leaderId"`
	Scores     []scoreDoc    `bson:"scores"`
	By         string        `bson:"by,omitempty"`
	Meta       meta          `bson:",inline"`
}

type scoreDoc struct {
	ProvinceID string  `bson:"provinceId"`
	Criterion  string  `bson:"criterion"`
	Score      float64 `bson:"score"`
}

func tallyToDoc(t []domain.VoteCount) []voteCountDoc {
	if t == nil {
		return []voteCountDoc{}
	}
	out := make([]voteCountDoc, len(t))
	for i, c := range t {
		out[i] = voteCountDoc(c)
	}
	return out
}

func tallyToDomain(t []voteCountDoc) []domain.VoteCount {
	if t == nil {
		return nil
	}
	out := make([]domain.VoteCount, len(t))
	for i, c := range t {
		out[i] = domain.VoteCount(c)
	}
	return out
}

func itemsToDomain(items []pointItemDoc) []domain.PointItem {
	out := make([]domain.PointItem, len(items))
	for i, it := range items {
		out[i] = domain.PointItem(it)
	}
	return out
}

func itemsToDoc(items []domain.PointItem) []pointItemDoc {
	out := make([]pointItemDoc, len(items))
	for i, it := range items {
		out[i] = pointItemDoc(it)
	}
	return out
}

func voteToDomain(d *voteDoc) *domain.Vote {
	v := &domain.Vote{ID: hexID(d.ID), ClusterID: d.ClusterID, Year: d.Year, Status: d.Status,
		VoteSettings: domain.VoteSettings{SelfVoteAllowed: d.SelfVoteAllowed, Secret: d.Secret,
			SelfScoring: d.SelfScoring, CrossScoring: d.CrossScoring, Majority: d.Majority,
			BonusItems: itemsToDomain(d.BonusItems), PenaltyItems: itemsToDomain(d.PenaltyItems), BonusCap: d.BonusCap,
			SecondRound: d.SecondRound, SecondRoundMajority: copyPtr(d.SecondMajority), FlagAwardTypeID: d.FlagAwardTypeID},
		Voters: d.Voters, Round: d.Round, Tally: tallyToDomain(d.Tally), LeaderID: d.LeaderID, Tied: d.Tied, Meta: d.Meta.domain()}
	if d.Criteria != nil {
		v.Criteria = make([]domain.Criterion, len(d.Criteria))
		for i, c := range d.Criteria {
			v.Criteria[i] = domain.Criterion(c)
		}
	}
	v.Rounds = make([]domain.VoteRound, len(d.Rounds))
	for i, r := range d.Rounds {
		v.Rounds[i] = domain.VoteRound{Number: r.Number, Candidates: r.Candidates, Closed: r.Closed,
			Tally: tallyToDomain(r.Tally), LeaderID: r.LeaderID, Tied: r.Tied}
	}
	return v
}

func roundsToDoc(rounds []domain.VoteRound) []roundDoc {
	out := make([]roundDoc, len(rounds))
	for i, r := range rounds {
		tied := r.Tied
		if tied == nil {
			tied = []string{}
		}
		out[i] = roundDoc{Number: r.Number, Candidates: r.Candidates, Closed: r.Closed, Tally: tallyToDoc(r.Tally),
			LeaderID: r.LeaderID, Tied: tied}
	}
	return out
}

func voteToDoc(v *domain.Vote) (*voteDoc, error) {
	id, ok := parseID(v.ID)
	if !ok {
		return nil, domain.NotFound("period review", v.ID)
	}
	d := &voteDoc{ID: id, ClusterID: v.ClusterID, Year: v.Year, Status: v.Status, SelfVoteAllowed: v.SelfVoteAllowed,
		Secret: v.Secret, SelfScoring: v.SelfScoring, CrossScoring: v.CrossScoring, Majority: v.Majority,
		BonusItems: itemsToDoc(v.BonusItems), PenaltyItems: itemsToDoc(v.PenaltyItems), BonusCap: v.BonusCap,
		SecondRound: v.SecondRound, SecondMajority: copyPtr(v.SecondRoundMajority), FlagAwardTypeID: v.FlagAwardTypeID,
		Voters: v.Voters, Round: v.Round, Rounds: roundsToDoc(v.Rounds),
		Tally: tallyToDoc(v.Tally), LeaderID: v.LeaderID, Tied: v.Tied, Meta: metaOf(v.Meta)}
	if v.Criteria != nil {
		d.Criteria = make([]criterionDoc, len(v.Criteria))
		for i, c := range v.Criteria {
			d.Criteria[i] = criterionDoc(c)
		}
	}
	return d, nil
}

func ballotToDomain(d *ballotDoc) *domain.Ballot {
	b := &domain.Ballot{ID: hexID(d.ID), ReviewID: hexID(d.ReviewID), ProvinceID: d.ProvinceID, Round: d.Round, LeaderID: d.LeaderID,
		By: d.By, Meta: d.Meta.domain()}
	if d.Scores != nil {
		b.Scores = make([]domain.Score, len(d.Scores))
		for i, s := range d.Scores {
			b.Scores[i] = domain.Score(s)
		}
	}
	return b
}

func scoresToDoc(ss []domain.Score) []scoreDoc {
	if ss == nil {
		return nil
	}
	out := make([]scoreDoc, len(ss))
	for i, s := range ss {
		out[i] = scoreDoc(s)
	}
	return out
}

// OpenVote starts the vote of a year-end review (v.ID is the review's id),
// filling in its status, empty tally and meta.
func (s *Store) OpenVote(ctx context.Context, v *domain.Vote) error {
	v.Status, v.Tally, v.Tied, v.LeaderID = "OPEN", []domain.VoteCount{}, []string{}, ""
	v.CurrentRound() // the first round, if the vote has none
	d, err := voteToDoc(v)
	if err != nil {
		return err
	}
	d.Meta = s.newMeta()
	err = insert(ctx, s, colVotes, d)
	if domain.ErrorCode(err) == domain.CodeConflict {
		return domain.Conflict("cluster %s already has a vote for %d, or this review has one", v.ClusterID, v.Year)
	}
	if err != nil {
		return err
	}
	v.Meta = d.Meta.domain()
	return nil
}

// vote reads the vote of a review from the primary (it is read before a
// checked write), and the count of ballots cast on it; nil when there is
// none.
func (s *Store) vote(ctx context.Context, reviewID bson.ObjectID) (*domain.Vote, int, error) {
	var d struct {
		Vote    voteDoc `bson:",inline"`
		Ballots int     `bson:"ballots"`
	}
	err := mapErr(s.primary(colVotes).FindOne(ctx, bson.D{{Key: "_id", Value: reviewID}}).Decode(&d))
	if errors.Is(err, errNoDocument) {
		return nil, 0, nil
	}
	if err != nil {
		return nil, 0, err
	}
	return voteToDomain(&d.Vote), d.Ballots, nil
}

// VotesByReview returns the votes of the given reviews, by review id, in one
// query; a review without a vote has no entry.
func (s *Store) VotesByReview(ctx context.Context, reviewIDs []string) (map[string]*domain.Vote, error) {
	out := make(map[string]*domain.Vote, len(reviewIDs))
	oids := parseIDs(reviewIDs)
	if len(oids) == 0 {
		return out, nil
	}
	cur, err := s.c(colVotes).Find(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: oids}}}})
	if err != nil {
		return nil, mapErr(err)
	}
	var docs []voteDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, mapErr(err)
	}
	for i := range docs {
		v := voteToDomain(&docs[i])
		out[v.ID] = v
	}
	return out, nil
}

// VoteOfCluster returns the vote of a cluster for a year (one at most,
// the unique index), nil when there is none.
func (s *Store) VoteOfCluster(ctx context.Context, clusterID string, year int) (*domain.Vote, error) {
	var d voteDoc
	err := mapErr(s.c(colVotes).FindOne(ctx, bson.D{{Key: "clusterId", Value: clusterID}, {Key: "year", Value: year}}).Decode(&d))
	if errors.Is(err, errNoDocument) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return voteToDomain(&d), nil
}

// BallotsByReview returns the ballots of the given reviews, by review id,
// of every round, each list ordered by round then province, in one query.
func (s *Store) BallotsByReview(ctx context.Context, reviewIDs []string) (map[string][]domain.Ballot, error) {
	out := make(map[string][]domain.Ballot, len(reviewIDs))
	for _, id := range reviewIDs {
		out[id] = nil // a vote without ballots has an empty list, not "not found"
	}
	oids := parseIDs(reviewIDs)
	if len(oids) == 0 {
		return out, nil
	}
	cur, err := s.c(colBallots).Find(ctx, bson.D{{Key: "reviewId", Value: bson.D{{Key: "$in", Value: oids}}}},
		options.Find().SetSort(bson.D{{Key: "round", Value: 1}, {Key: "provinceId", Value: 1}}))
	if err != nil {
		return nil, mapErr(err)
	}
	var docs []ballotDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, mapErr(err)
	}
	for i := range docs {
		b := ballotToDomain(&docs[i])
		out[b.ReviewID] = append(out[b.ReviewID], *b)
	}
	return out, nil
}

// CastBallot stores or replaces a province's ballot while the vote is open;
// check (if any), given the vote, refuses a ballot its rules forbid.
//
// A ballot and the close of its vote cannot interleave: a ballot is either
// counted by the close or refused. On FerretDB the in-process lock of the
// vote serialises them. On MongoDB with transactions each runs in one
// transaction that also writes the vote document (a ballot bumps the vote's
// `ballots` counter, conditional on the vote being OPEN; the close is
// conditional on the version and the counter it read), so of two
// concurrent ones the server aborts one with a write conflict and the
// driver runs it again: a ballot run again after the close finds the vote
// closed, a close run again counts the ballot.
func (s *Store) CastBallot(ctx context.Context, b *domain.Ballot, check func(v *domain.Vote) error) (*domain.Ballot, error) {
	rid, ok := parseID(b.ReviewID)
	if !ok {
		return nil, domain.NotFound("period review", b.ReviewID)
	}
	defer s.lock(colVotes, rid.Hex())()
	var cast *domain.Ballot
	err := s.InTransaction(ctx, func(ctx context.Context) error {
		v, _, err := s.vote(ctx, rid)
		if err != nil {
			return err
		}
		if v == nil {
			return domain.Invalid("reviewId", "this review has no vote")
		}
		if v.Status != "OPEN" {
			return domain.Invalid("reviewId", "the vote is closed")
		}
		if check != nil {
			if err := check(v); err != nil {
				return err
			}
		}
		round := v.CurrentRound().Number
		if !s.caps.FerretDB {
			// Count the ballot on the vote, if it is still open in the
			// same round: the close is conditional on this counter, and in
			// a transaction this write makes a concurrent close conflict
			// with the ballot.
			res, err := s.c(colVotes).UpdateOne(ctx, bson.D{{Key: "_id", Value: rid}, {Key: "status", Value: "OPEN"}, {Key: "round", Value: round}},
				bson.D{{Key: "$inc", Value: bson.D{{Key: "ballots", Value: 1}}}})
			if err != nil {
				return mapErr(err)
			}
			if res.MatchedCount == 0 {
				return domain.Invalid("reviewId", "the vote is closed")
			}
		}
		now := s.stamp()
		key := bson.D{{Key: "reviewId", Value: rid}, {Key: "round", Value: round}, {Key: "provinceId", Value: b.ProvinceID}}
		var out ballotDoc
		err = mapErr(s.c(colBallots).FindOneAndUpdate(ctx, key, bson.D{
			{Key: "$set", Value: bson.D{{Key: "leaderId", Value: b.LeaderID}, {Key: "scores", Value: scoresToDoc(b.Scores)},
				{Key: "by", Value: b.By}, {Key: "updatedAt", Value: now}}},
			{Key: "$setOnInsert", Value: bson.D{{Key: "_id", Value: bson.NewObjectID()}, {Key: "createdAt", Value: now}}},
			{Key: "$inc", Value: bson.D{{Key: "version", Value: 1}}},
		}, options.FindOneAndUpdate().SetUpsert(true).SetReturnDocument(options.After)).Decode(&out))
		if err != nil {
			return err
		}
		cast = ballotToDomain(&out)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return cast, nil
}

// CloseVote closes the current round of an open vote at the expected
// version and stores the tally that tally, given the vote and the round's
// ballots, fills in (Tally, LeaderID, Tied, Rounds); the rules of the count
// are the domain's. The vote closes with the round unless tally opened the
// next round (appended to Rounds): then it stays OPEN, in that round. See CastBallot
// for why a ballot cannot slip past the close. The write is conditional
// (on MongoDB) on the version, the status and the ballot counter read, and
// one that matched nothing is a CONFLICT, never a success.
func (s *Store) CloseVote(ctx context.Context, reviewID string, expected int,
	tally func(v *domain.Vote, ballots []domain.Ballot) error) (*domain.Vote, error) {
	rid, ok := parseID(reviewID)
	if !ok {
		return nil, domain.NotFound("period review", reviewID)
	}
	defer s.lock(colVotes, rid.Hex())()
	var closed *domain.Vote
	err := s.InTransaction(ctx, func(ctx context.Context) error {
		v, counted, err := s.vote(ctx, rid)
		if err != nil {
			return err
		}
		switch {
		case v == nil:
			return domain.Invalid("reviewId", "this review has no vote")
		case v.Status != "OPEN":
			return domain.Invalid("reviewId", "the vote is already closed")
		case v.Version != expected:
			return domain.Conflict("the vote is at version %d, not %d", v.Version, expected)
		}
		round := v.CurrentRound().Number
		ballots, err := s.ballotsOf(ctx, rid, round)
		if err != nil {
			return err
		}
		if err := tally(v, ballots); err != nil {
			return err
		}
		// The round read is closed; the vote too, unless tally opened
		// the next round.
		v.Rounds[round-1].Closed = true
		v.Status = "CLOSED"
		if v.CurrentRound().Number > round {
			v.Status = "OPEN"
		}
		if v.Tied == nil {
			v.Tied = []string{}
		}
		filter := s.checkedFilter(rid, expected, domain.Access{All: true})
		if !s.caps.FerretDB {
			var ballotsRead any = counted
			if counted == 0 {
				ballotsRead = bson.D{{Key: "$in", Value: bson.A{0, nil}}} // missing: no ballot counted yet
			}
			filter = append(filter, bson.E{Key: "status", Value: "OPEN"}, bson.E{Key: "ballots", Value: ballotsRead})
		}
		v.Version, v.UpdatedAt = expected+1, s.stamp()
		res, err := s.c(colVotes).UpdateOne(ctx, filter, bson.D{
			{Key: "$set", Value: bson.D{{Key: "status", Value: v.Status}, {Key: "tally", Value: tallyToDoc(v.Tally)},
				{Key: "tied", Value: v.Tied}, {Key: "leaderId", Value: v.LeaderID}, {Key: "round", Value: v.Round},
				{Key: "rounds", Value: roundsToDoc(v.Rounds)}, {Key: "updatedAt", Value: v.UpdatedAt}}},
			{Key: "$inc", Value: bson.D{{Key: "version", Value: 1}}},
		})
		if err != nil {
			return mapErr(err)
		}
		if res.MatchedCount == 0 {
			return domain.Conflict("the vote changed concurrently (a ballot was cast, or it was closed); read it again")
		}
		if v.Tally == nil {
			v.Tally = []domain.VoteCount{}
		}
		closed = v
		return nil
	})
	if err != nil {
		return nil, err
	}
	return closed, nil
}

// ballotsOf reads the ballots of one round of a vote from the primary (the
// count of a close), ordered by province.
func (s *Store) ballotsOf(ctx context.Context, rid bson.ObjectID, round int) ([]domain.Ballot, error) {
	cur, err := s.primary(colBallots).Find(ctx, bson.D{{Key: "reviewId", Value: rid}, {Key: "round", Value: round}},
		options.Find().SetSort(bson.D{{Key: "provinceId", Value: 1}}))
	if err != nil {
		return nil, mapErr(err)
	}
	var docs []ballotDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, mapErr(err)
	}
	out := make([]domain.Ballot, len(docs))
	for i := range docs {
		out[i] = *ballotToDomain(&docs[i])
	}
	return out, nil
}
