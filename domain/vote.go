package domain

import (
	"fmt"
	"sort"
	"strconv"
	"time"
)

// The year-end vote of a cluster for its leading province, which is
// proposed for the Government's emulation flag (Law 06/2022/QH15 Điều 25
// khoản 1–2: the flag goes to collectives leading emulation clusters).
// Only the members on the review date vote, are scored and can lead
// (domain.md, "Roles"). How a cluster scores and how large a majority a
// leader needs are set by each cluster's regulation, not by the law: they
// are the vote's settings (README, "Settings the law leaves to clusters").

// VoteSettingsInput is the command to open a vote.
type VoteSettingsInput struct {
	SelfVoteAllowed bool
	Secret          bool
	Criteria        []CriterionInput
	SelfScoring     *bool    // default false
	CrossScoring    *bool    // default true
	Majority        *float64 // default: the service's VOTE_MAJORITY
}

// CriterionInput is a row of the criteria table.
type CriterionInput struct {
	Name      string
	Weight    *float64 // default 1
	MaxPoints *float64 // default 100
}

// Vote statuses.
const (
	VoteOpen   = "OPEN"
	VoteClosed = "CLOSED"
)

// OpenVote checks the opening of a vote at a review: a YEAR_END review, a
// cluster with at least two members on its date, a criteria table, a way
// of scoring, and a majority between 0 and 1.
func OpenVote(ref Reference, now time.Time, review *PeriodReview, in VoteSettingsInput, defaultMajority float64) (*Vote, error) {
	c := newChecker(ref, now)
	if review.Kind != "YEAR_END" {
		c.fail("reviewId", "the vote is held at a YEAR_END review, not %s", review.Kind)
	}
	m := ReviewMembership(ref, review)
	if m == nil {
		c.fail("reviewId", "no cluster has members recorded for %d; set them with setClusterYear", review.Year)
		return nil, c.err
	}
	if len(m.Members) < 2 {
		c.fail("reviewId", "the cluster has fewer than two members on %s", review.Date)
	}
	v := &Vote{ID: review.ID, ClusterID: m.Cluster.ID, Year: review.Year, Status: VoteOpen,
		VoteSettings: VoteSettings{SelfVoteAllowed: in.SelfVoteAllowed, Secret: in.Secret, Criteria: []Criterion{},
			SelfScoring: in.SelfScoring != nil && *in.SelfScoring, CrossScoring: in.CrossScoring == nil || *in.CrossScoring,
			Majority: defaultMajority},
		Voters: m.Members, Tally: []VoteCount{}, Tied: []string{}}
	if in.Majority != nil {
		v.Majority = *in.Majority
	}
	if v.Majority <= 0 || v.Majority >= 1 {
		c.fail("settings.majority", "must be a share between 0 and 1 (0.5: more than half of the members)")
	}
	if !v.SelfScoring && !v.CrossScoring {
		c.fail("settings.crossScoring", "a vote needs self-scoring, cross-scoring or both")
	}
	seen := map[string]bool{}
	for i, cr := range in.Criteria {
		field := "settings.criteria[" + strconv.Itoa(i) + "]"
		name := c.text(field+".name", &cr.Name, true, MaxShort)
		if seen[name] {
			c.fail(field+".name", "criterion %q is listed twice", name)
		}
		seen[name] = true
		row := Criterion{Name: name, Weight: 1, MaxPoints: 100}
		if cr.Weight != nil {
			row.Weight = *cr.Weight
			c.number(field+".weight", row.Weight, 0.01, 100)
		}
		if cr.MaxPoints != nil {
			row.MaxPoints = *cr.MaxPoints
			c.number(field+".maxPoints", row.MaxPoints, 1, 1000)
		}
		v.Criteria = append(v.Criteria, row)
	}
	if len(v.Criteria) == 0 || len(v.Criteria) > 20 {
		c.fail("settings.criteria", "give between 1 and 20 criteria")
	}
	return v, c.err
}

func (v *Vote) criterion(name string) *Criterion {
	for i := range v.Criteria {
		if v.Criteria[i].Name == name {
			return &v.Criteria[i]
		}
	}
	return nil
}

// CheckBallot checks a province's ballot: a voter, a leader among the
// voters (itself only if allowed), and exactly one score on each criterion
// for itself (self-scoring) and for each other voter (cross-scoring),
// between 0 and the criterion's maximum.
func CheckBallot(v *Vote, province, leader string, scores []Score) ([]Score, error) {
	c := &checker{}
	if !contains(v.Voters, province) {
		c.fail("provinceId", "%s is not a member of the cluster on the review's date", province)
	}
	if !contains(v.Voters, leader) {
		c.fail("leaderId", "%s is not a member of the cluster on the review's date", leader)
	}
	if leader == province && !v.SelfVoteAllowed {
		c.fail("leaderId", "this vote does not allow a province to vote for itself")
	}
	out := make([]Score, 0, len(scores))
	seen := map[string]bool{}
	for i, s := range scores {
		field := fmt.Sprintf("scores[%d]", i)
		cr := v.criterion(s.Criterion)
		switch {
		case !contains(v.Voters, s.ProvinceID):
			c.fail(field+".provinceId", "%s is not a member of the cluster on the review's date", s.ProvinceID)
		case s.ProvinceID == province && !v.SelfScoring:
			c.fail(field+".provinceId", "this vote has no self-scoring: score the other members")
		case s.ProvinceID != province && !v.CrossScoring:
			c.fail(field+".provinceId", "this vote has no cross-scoring: score only your own province")
		case cr == nil:
			c.fail(field+".criterion", "%q is not a criterion of this vote", s.Criterion)
		case seen[s.ProvinceID+"\x00"+s.Criterion]:
			c.fail(field, "%s is scored twice on %q", s.ProvinceID, s.Criterion)
		default:
			c.number(field+".score", s.Score, 0, cr.MaxPoints)
		}
		seen[s.ProvinceID+"\x00"+s.Criterion] = true
		out = append(out, s)
	}
	targets := 0
	if v.SelfScoring {
		targets++
	}
	if v.CrossScoring {
		targets += len(v.Voters) - 1
	}
	if want := targets * len(v.Criteria); c.err == nil && len(out) != want {
		c.fail("scores", "score %d provinces on each of the %d criteria (%d scores), not %d", targets, len(v.Criteria), want, len(out))
	}
	return out, c.err
}

// Tally closes a vote: each voter's ballot names a leader and scores;
// the counts are ordered by ballots, then by score — the mean, over the
// provinces that scored a candidate, of the weighted share of the maximum
// points they gave it, so a candidate scored by itself as well as by the
// others is compared fairly with one that is not. The first is the leader
// when its ballots are more than the majority share of the voters and no
// other has the same ballots and score; otherwise there is no leader, and
// the provinces level at the top are tied.
func Tally(v *Vote, ballots []Ballot) {
	type acc struct {
		VoteCount
		sum     float64
		scorers int
	}
	counts := map[string]*acc{}
	for _, p := range v.Voters {
		counts[p] = &acc{VoteCount: VoteCount{ProvinceID: p}}
	}
	var totalWeight float64
	for _, cr := range v.Criteria {
		totalWeight += cr.Weight
	}
	for _, b := range ballots {
		if !contains(v.Voters, b.ProvinceID) {
			continue // only the members on the date vote
		}
		if c := counts[b.LeaderID]; c != nil {
			c.Votes++
		}
		given := map[string]float64{}
		for _, s := range b.Scores {
			if cr := v.criterion(s.Criterion); cr != nil && counts[s.ProvinceID] != nil && cr.MaxPoints > 0 {
				given[s.ProvinceID] += cr.Weight * s.Score / cr.MaxPoints
			}
		}
		for p, g := range given {
			if totalWeight > 0 {
				counts[p].sum += 100 * g / totalWeight
				counts[p].scorers++
			}
		}
	}
	tally := make([]VoteCount, 0, len(counts))
	for _, c := range counts {
		if c.scorers > 0 {
			c.ScoreTotal = round2(c.sum / float64(c.scorers))
		}
		tally = append(tally, c.VoteCount)
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
	v.Status, v.Tally, v.Tied, v.LeaderID = VoteClosed, tally, []string{}, ""
	if len(tally) == 0 || tally[0].Votes == 0 {
		return
	}
	top := tally[0]
	for _, c := range tally {
		if c.Votes == top.Votes && c.ScoreTotal == top.ScoreTotal {
			v.Tied = append(v.Tied, c.ProvinceID)
		}
	}
	if len(v.Tied) > 1 {
		return
	}
	v.Tied = []string{}
	if float64(top.Votes) > v.Majority*float64(len(v.Voters)) {
		v.LeaderID = top.ProvinceID
	}
}

// BallotsShown says whether who voted for whom may be shown: once the vote
// is closed, and only for a vote that is not secret.
func BallotsShown(status string, secret bool) bool { return status == VoteClosed && !secret }
