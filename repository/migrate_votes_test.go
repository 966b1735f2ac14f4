package repository_test

import (
	"fmt"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/thidua/thidua/domain"
	"github.com/thidua/thidua/seed"
)

// Data written by the code of commit fa3094f (the founding data, one award,
// and votes before rounds, bonus and penalty items): the cluster's 2022
// vote closed without a leader (3 of 7 ballots for Lạng Sơn), its 2023 vote
// open with two ballots. Migration 12 gives each one round and the old
// rules, and their ballots the first round; the old votes read, the open
// one goes on under its old rules.
func TestMigrateVoteRounds(t *testing.T) {
	ctx := t.Context()
	s, db := dataOf(t, "fa3094f-votes.sqlite")
	const cluster = "mien-nui-bien-gioi-phia-bac"
	reviewOf := map[int]string{}
	oldTally := map[int]string{}
	cur, err := db.Collection("votes").Find(ctx, bson.D{})
	if err != nil {
		t.Fatal(err)
	}
	var olds []bson.M
	if err := cur.All(ctx, &olds); err != nil {
		t.Fatal(err)
	}
	for _, o := range olds {
		if _, has := o["rounds"]; has {
			t.Fatal("the old data already has rounds: not the previous code's data")
		}
		y := int(o["year"].(int32))
		reviewOf[y] = o["_id"].(bson.ObjectID).Hex()
		oldTally[y] = fmt.Sprint(o["tally"])
	}
	if len(reviewOf) != 2 || reviewOf[2022] == "" || reviewOf[2023] == "" {
		t.Fatalf("old votes: %v", olds)
	}
	if !indexNames(t, db, "ballots")["one_ballot_per_province"] {
		t.Fatal("the old data lacks the old ballot index")
	}
	for range 2 { // idempotent
		if err := s.Migrate(ctx, seed.Migrations()...); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Collection("migrations").DeleteOne(ctx, bson.D{{Key: "_id", Value: 12}}); err != nil {
			t.Fatal(err)
		}
	}
	if names := indexNames(t, db, "ballots"); names["one_ballot_per_province"] || !names["one_ballot_per_province_and_round"] {
		t.Errorf("ballot indexes after migration 12: %v", names)
	}

	v22, err := s.VoteOfCluster(ctx, cluster, 2022)
	if err != nil || v22 == nil {
		t.Fatalf("the 2022 vote: %v, %v", v22, err)
	}
	if v22.ID != reviewOf[2022] || v22.Status != "CLOSED" || v22.Round != 1 || len(v22.Rounds) != 1 || !v22.Rounds[0].Closed ||
		len(v22.Rounds[0].Candidates) != 7 || v22.LeaderID != "" || v22.SecondRound != "NONE" ||
		v22.FlagAwardTypeID != "co-thi-dua-chinh-phu" || len(v22.BonusItems) != 0 || v22.BonusCap != 0 || v22.Version != 2 {
		t.Errorf("migrated closed vote = %+v", v22)
	}
	if len(v22.Tally) != 7 || v22.Tally[0].ProvinceID != "lang-son" || v22.Tally[0].Votes != 3 ||
		v22.Tally[0].Base != v22.Tally[0].ScoreTotal || v22.Tally[0].ScoreTotal != 80 ||
		len(v22.Rounds[0].Tally) != 7 || v22.Rounds[0].Tally[0] != v22.Tally[0] {
		t.Errorf("the 2022 tally %+v, round %+v; stored before: %s", v22.Tally, v22.Rounds[0].Tally, oldTally[2022])
	}
	if none, err := s.VoteOfCluster(ctx, cluster, 2021); none != nil || err != nil {
		t.Errorf("no vote for 2021: %v, %v", none, err)
	}

	// The open vote keeps its ballots, in round 1, and a province's new
	// ballot replaces its old one.
	rid := reviewOf[2023]
	ballots, err := s.BallotsByReview(ctx, []string{rid})
	if err != nil {
		t.Fatal(err)
	}
	if len(ballots[rid]) != 2 || ballots[rid][0].Round != 1 || ballots[rid][1].Round != 1 || len(ballots[rid][0].Scores) != 12 {
		t.Fatalf("migrated ballots = %+v", ballots[rid])
	}
	b, err := s.CastBallot(ctx, &domain.Ballot{ReviewID: rid, ProvinceID: "cao-bang", LeaderID: "son-la", By: "u-2",
		Scores: ballots[rid][0].Scores}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if b.Version != 2 || b.Round != 1 {
		t.Errorf("the replaced ballot = %+v", b)
	}
	closed, err := s.CloseVote(ctx, rid, 1, func(v *domain.Vote, bs []domain.Ballot) error {
		if len(bs) != 2 {
			return fmt.Errorf("round 1 has %d ballots, want 2", len(bs))
		}
		domain.Tally(v, bs)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// Old rules: no second round, so 1 of 7 each closes without a leader.
	if closed.Status != "CLOSED" || len(closed.Rounds) != 1 || closed.LeaderID != "" {
		t.Errorf("the old open vote closed as %+v", closed)
	}
}
