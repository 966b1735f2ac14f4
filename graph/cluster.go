package graph

import (
	"context"
	"fmt"
	"strconv"

	"github.com/thidua/thidua/domain"
	"github.com/thidua/thidua/graph/model"
	"github.com/thidua/thidua/repository"
)

// Clusters over time and the year-end vote: conversions and input checks.

func (r *Resolver) province(id string) *model.Province {
	if id == "" {
		return nil
	}
	return toProvince(r.Catalog.Get().Province(id))
}

func (r *Resolver) provinces(ids []string) []*model.Province {
	snap := r.Catalog.Get()
	out := make([]*model.Province, 0, len(ids))
	for _, id := range ids {
		if p := snap.Province(id); p != nil {
			out = append(out, toProvince(p))
		}
	}
	return out
}

func (r *Resolver) ballots(ctx context.Context, v *model.Vote) ([]repository.Ballot, error) {
	oid, err := repository.ParseID("reviewId", v.ReviewID)
	if err != nil {
		return nil, err
	}
	return loadersFrom(ctx).ballots.Load(ctx, oid)
}

func toCluster(c *repository.Cluster) *model.Cluster {
	out := &model.Cluster{ID: c.ID, Name: c.Name, Version: c.Version, Years: []*model.ClusterYear{}}
	for _, y := range c.Years {
		out.Years = append(out.Years, &model.ClusterYear{Year: y.Year, MemberIDs: y.Members, ChairID: y.Chair, DeputyID: y.Deputy})
	}
	return out
}

func toVote(v *repository.Vote) *model.Vote {
	out := &model.Vote{ReviewID: v.ID.Hex(), Status: model.VoteStatus(v.Status), SelfVoteAllowed: v.SelfVoteAllowed,
		Secret: v.Secret, Criteria: v.Criteria, VoterIDs: v.Voters, LeaderID: v.LeaderID, TiedIDs: v.Tied, Version: v.Version}
	if v.Status == "CLOSED" {
		out.Tally = []*model.VoteCount{}
		for _, c := range v.Tally {
			out.Tally = append(out.Tally, &model.VoteCount{ProvinceID: c.ProvinceID, Votes: c.Votes, ScoreTotal: c.ScoreTotal})
		}
	}
	return out
}

func toBallot(b *repository.Ballot) *model.Ballot {
	out := &model.Ballot{ProvinceID: b.ProvinceID, LeaderID: b.LeaderID, Version: b.Version, UpdatedAt: b.UpdatedAt, Scores: []*model.Score{}}
	for _, s := range b.Scores {
		out.Scores = append(out.Scores, &model.Score{ProvinceID: s.ProvinceID, Criterion: s.Criterion, Score: s.Score})
	}
	return out
}

// clusterYear checks a cluster's composition: known provinces that exist at
// the start of the year, no repeats, a chair and a deputy among them, and
// not the same province.
func (c *checker) clusterYear(in model.ClusterYearInput) repository.ClusterYear {
	c.year("input.year", in.Year)
	y := repository.ClusterYear{Year: in.Year, Members: []string{}}
	seen := map[string]bool{}
	for i, id := range in.MemberIds {
		field := fmt.Sprintf("input.memberIds[%d]", i)
		p := c.province(field, id)
		if p == nil {
			continue
		}
		c.activeOn(field, p, fmt.Sprintf("%04d-01-01", in.Year))
		if seen[id] {
			c.fail(field, "%s is listed twice", id)
		}
		seen[id] = true
		y.Members = append(y.Members, id)
	}
	if len(y.Members) < 2 {
		c.fail("input.memberIds", "a cluster has at least two members")
	}
	if in.ChairID != nil {
		if !seen[*in.ChairID] {
			c.fail("input.chairId", "the chair must be a member")
		}
		y.Chair = *in.ChairID
	}
	if in.DeputyID != nil {
		if !seen[*in.DeputyID] {
			c.fail("input.deputyId", "the deputy must be a member")
		}
		if in.ChairID != nil && *in.ChairID == *in.DeputyID {
			c.fail("input.deputyId", "the chair and the deputy are two provinces")
		}
		y.Deputy = *in.DeputyID
	}
	return y
}

// vote checks the opening of a vote at a review.
func (c *checker) vote(review *repository.PeriodReview, in model.VoteSettingsInput) *repository.Vote {
	if review.Kind != "YEAR_END" {
		c.fail("reviewId", "the vote is held at a YEAR_END review, not %s", review.Kind)
	}
	cluster, year := c.snap.ClusterOf(review.Year)
	if cluster == nil {
		c.fail("reviewId", "no cluster has members recorded for %d; set them with setClusterYear", review.Year)
		return nil
	}
	v := &repository.Vote{ID: review.ID, ClusterID: cluster.ID, Year: review.Year, SelfVoteAllowed: in.SelfVoteAllowed,
		Secret: in.Secret, Voters: year.Members, Criteria: []string{}}
	seen := map[string]bool{}
	for i, cr := range in.Criteria {
		text := c.text("settings.criteria["+strconv.Itoa(i)+"]", &cr, true, maxShort)
		if seen[text] {
			c.fail("settings.criteria["+strconv.Itoa(i)+"]", "criterion %q is listed twice", text)
		}
		seen[text] = true
		v.Criteria = append(v.Criteria, text)
	}
	if len(v.Criteria) == 0 || len(v.Criteria) > 20 {
		c.fail("settings.criteria", "give between 1 and 20 criteria")
	}
	return v
}

// ballot checks a province's ballot against the vote: a voter, a leader
// among the voters (itself only if allowed), and a score from 0 to 100 for
// each other voter on each criterion, exactly once.
func (c *checker) ballot(v *repository.Vote, province, leader string, scores []*model.ScoreInput) []repository.Score {
	if !contains(v.Voters, province) {
		c.fail("provinceId", "%s is not a member of the cluster in %d", province, v.Year)
	}
	if !contains(v.Voters, leader) {
		c.fail("leaderId", "%s is not a member of the cluster in %d", leader, v.Year)
	}
	if leader == province && !v.SelfVoteAllowed {
		c.fail("leaderId", "this vote does not allow a province to vote for itself")
	}
	out := make([]repository.Score, 0, len(scores))
	seen := map[string]bool{}
	for i, s := range scores {
		field := fmt.Sprintf("scores[%d]", i)
		switch {
		case !contains(v.Voters, s.ProvinceID) || s.ProvinceID == province:
			c.fail(field+".provinceId", "a province scores the other members, not %s", s.ProvinceID)
		case !contains(v.Criteria, s.Criterion):
			c.fail(field+".criterion", "%q is not a criterion of this vote", s.Criterion)
		case seen[s.ProvinceID+"\x00"+s.Criterion]:
			c.fail(field, "%s is scored twice on %q", s.ProvinceID, s.Criterion)
		}
		c.number(field+".score", s.Score, 0, 100)
		seen[s.ProvinceID+"\x00"+s.Criterion] = true
		out = append(out, repository.Score{ProvinceID: s.ProvinceID, Criterion: s.Criterion, Score: s.Score})
	}
	if want := (len(v.Voters) - 1) * len(v.Criteria); c.err == nil && len(out) != want {
		c.err = domain.Invalid("scores", "score each of the %d other members on each of the %d criteria (%d scores), not %d",
			len(v.Voters)-1, len(v.Criteria), want, len(out))
	}
	return out
}
