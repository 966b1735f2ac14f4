package domain

import (
	"fmt"
	"math"
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
// are the vote's settings (docs/domain.md, "The year-end vote").

// VoteSettingsInput is the command to open a vote.
type VoteSettingsInput struct {
	SelfVoteAllowed bool
	Secret          bool
	Criteria        []CriterionInput
	SelfScoring     *bool    // default false
	CrossScoring    *bool    // default true
	Majority        *float64 // default: the service's VOTE_MAJORITY
	BonusItems      []PointItemInput
	PenaltyItems    []PointItemInput
	BonusCap        *float64 // default: the bonus items' maximums added up
	SecondRound     *string  // default SecondRoundTopTwo
	// SecondRoundMajority: nil, the most ballots lead in the second round.
	SecondRoundMajority *float64
	FlagAwardTypeID     *string // default DefaultClusterFlag
}

// PointItemInput is a bonus or penalty item: what earns or loses points,
// and the most points it gives or takes (default 5).
type PointItemInput struct {
	Name      string
	MaxPoints *float64
}

// PointItem is a bonus item (điểm cộng) or a penalty item (điểm trừ) of a
// vote's score table, in points of the 100-point score.
type PointItem struct {
	Name      string  `json:"name"`
	MaxPoints float64 `json:"maxPoints"`
}

// VoteRound is one round of a vote: the provinces that may be named
// leader in it, and once it is closed its tally, leader and ties.
type VoteRound struct {
	Number     int         `json:"number"`
	Candidates []string    `json:"candidates"`
	Closed     bool        `json:"closed"`
	Tally      []VoteCount `json:"tally"`
	LeaderID   string      `json:"leaderId,omitempty"`
	Tied       []string    `json:"tied"`
}

// Second-round rules. No regulation of this cluster that says who stands
// in a second round was found (docs/domain.md, "The law behind the rules"): the
// rule is a setting of each vote.
const (
	// SecondRoundNone: a round without a leader closes the vote.
	SecondRoundNone = "NONE"
	// SecondRoundTopTwo: the first two of the tally (ballots, then score)
	// stand again, with any province level with the second on both.
	SecondRoundTopTwo = "TOP_TWO"
	// SecondRoundTied: only provinces level at the top on ballots and score
	// stand again; a round without a majority and without a tie closes
	// the vote.
	SecondRoundTied = "TIED"
)

// SecondRoundRules are the rules a vote may take.
var SecondRoundRules = []string{SecondRoundNone, SecondRoundTopTwo, SecondRoundTied}

// DefaultClusterFlag is the award a cluster's leader is proposed for when
// the vote names none: the Government's emulation flag (Law 06/2022/QH15
// Điều 25).
const DefaultClusterFlag = "co-thi-dua-chinh-phu"

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
		Voters: m.Members, Tally: []VoteCount{}, Tied: []string{},
		Round: 1, Rounds: []VoteRound{{Number: 1, Candidates: m.Members, Tally: []VoteCount{}, Tied: []string{}}}}
	if in.Majority != nil {
		v.Majority = *in.Majority
	}
	if v.Majority <= 0 || v.Majority >= 1 {
		c.fail("settings.majority", "must be a share between 0 and 1 (0.5: more than half of the members)")
	}
	c.secondRound(&v.VoteSettings, in)
	v.FlagAwardTypeID = DefaultClusterFlag
	if in.FlagAwardTypeID != nil {
		v.FlagAwardTypeID = *in.FlagAwardTypeID
	}
	if t := ref.AwardType(v.FlagAwardTypeID); t == nil {
		c.fail("settings.flagAwardTypeId", "unknown award type %q", v.FlagAwardTypeID)
	} else if !contains(t.RecipientKinds, "COLLECTIVE") {
		c.fail("settings.flagAwardTypeId", "%s is not awarded to collectives", t.Name)
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
	v.BonusItems = c.pointItems("settings.bonusItems", in.BonusItems, seen)
	v.PenaltyItems = c.pointItems("settings.penaltyItems", in.PenaltyItems, seen)
	for _, b := range v.BonusItems {
		v.BonusCap += b.MaxPoints
	}
	if in.BonusCap != nil {
		if len(v.BonusItems) == 0 {
			c.fail("settings.bonusCap", "a cap needs bonus items")
		}
		c.number("settings.bonusCap", *in.BonusCap, 0.01, v.BonusCap)
		v.BonusCap = *in.BonusCap
	}
	return v, c.err
}

// secondRound checks the second round's rule and majority.
func (c *checker) secondRound(s *VoteSettings, in VoteSettingsInput) {
	s.SecondRound = SecondRoundTopTwo
	if in.SecondRound != nil {
		s.SecondRound = *in.SecondRound
	}
	if !contains(SecondRoundRules, s.SecondRound) {
		c.fail("settings.secondRound", "%q is not a second-round rule: one of %v", s.SecondRound, SecondRoundRules)
	}
	if m := in.SecondRoundMajority; m != nil {
		if s.SecondRound == SecondRoundNone {
			c.fail("settings.secondRoundMajority", "this vote has no second round")
		}
		if *m <= 0 || *m >= 1 {
			c.fail("settings.secondRoundMajority", "must be a share between 0 and 1, or null: the most ballots")
		}
		v := *m
		s.SecondRoundMajority = &v
	}
}

// pointItems checks a list of bonus or penalty items: named once across
// the whole score table (seen), each worth 0.01–100 points, at most 20.
func (c *checker) pointItems(field string, in []PointItemInput, seen map[string]bool) []PointItem {
	out := make([]PointItem, 0, len(in))
	if len(in) > 20 {
		c.fail(field, "give at most 20 items")
	}
	for i, it := range in {
		f := field + "[" + strconv.Itoa(i) + "]"
		name := c.text(f+".name", &it.Name, true, MaxShort)
		if seen[name] {
			c.fail(f+".name", "%q is already a row of the score table", name)
		}
		seen[name] = true
		row := PointItem{Name: name, MaxPoints: 5}
		if it.MaxPoints != nil {
			row.MaxPoints = *it.MaxPoints
			c.number(f+".maxPoints", row.MaxPoints, 0.01, 100)
		}
		out = append(out, row)
	}
	return out
}

func (v *Vote) criterion(name string) *Criterion {
	for i := range v.Criteria {
		if v.Criteria[i].Name == name {
			return &v.Criteria[i]
		}
	}
	return nil
}

// row kinds of the score table
const (
	rowCriterion = iota + 1
	rowBonus
	rowPenalty
)

// row finds a row of the score table by name: its kind and its maximum.
func (v *Vote) row(name string) (kind int, max, weight float64) {
	if cr := v.criterion(name); cr != nil {
		return rowCriterion, cr.MaxPoints, cr.Weight
	}
	for _, it := range v.BonusItems {
		if it.Name == name {
			return rowBonus, it.MaxPoints, 0
		}
	}
	for _, it := range v.PenaltyItems {
		if it.Name == name {
			return rowPenalty, it.MaxPoints, 0
		}
	}
	return 0, 0, 0
}

// CurrentRound is the round being voted (the last one); a vote stored
// before rounds has one, of all its voters.
func (v *Vote) CurrentRound() *VoteRound {
	if len(v.Rounds) == 0 {
		v.Rounds = []VoteRound{{Number: 1, Candidates: v.Voters, Tally: []VoteCount{}, Tied: []string{}}}
		v.Round = 1
	}
	return &v.Rounds[len(v.Rounds)-1]
}

// CheckBallot checks a province's ballot in the vote's current round: a
// voter, a leader among the round's candidates (itself only if allowed).
// In the first round, exactly one score on each criterion for itself
// (self-scoring) and for each other voter (cross-scoring), between 0 and
// the criterion's maximum, and at most one on each bonus and penalty item
// for the same provinces (none: 0 points). A second round takes no scores:
// its ties are broken by the first round's.
func CheckBallot(v *Vote, province, leader string, scores []Score) ([]Score, error) {
	c := &checker{}
	round := v.CurrentRound()
	if !contains(v.Voters, province) {
		c.fail("provinceId", "%s is not a member of the cluster on the review's date", province)
	}
	switch {
	case !contains(v.Voters, leader):
		c.fail("leaderId", "%s is not a member of the cluster on the review's date", leader)
	case !contains(round.Candidates, leader):
		c.fail("leaderId", "round %d is between %v only", round.Number, round.Candidates)
	}
	if leader == province && !v.SelfVoteAllowed {
		c.fail("leaderId", "this vote does not allow a province to vote for itself")
	}
	if round.Number > 1 {
		if len(scores) > 0 {
			c.fail("scores", "round %d takes no scores: the first round's decide its ties", round.Number)
		}
		return []Score{}, c.err
	}
	out := make([]Score, 0, len(scores))
	seen := map[string]bool{}
	criteria := 0
	for i, s := range scores {
		field := fmt.Sprintf("scores[%d]", i)
		kind, max, _ := v.row(s.Criterion)
		switch {
		case !contains(v.Voters, s.ProvinceID):
			c.fail(field+".provinceId", "%s is not a member of the cluster on the review's date", s.ProvinceID)
		case s.ProvinceID == province && !v.SelfScoring:
			c.fail(field+".provinceId", "this vote has no self-scoring: score the other members")
		case s.ProvinceID != province && !v.CrossScoring:
			c.fail(field+".provinceId", "this vote has no cross-scoring: score only your own province")
		case kind == 0:
			c.fail(field+".criterion", "%q is not a criterion, bonus or penalty item of this vote", s.Criterion)
		case seen[s.ProvinceID+"\x00"+s.Criterion]:
			c.fail(field, "%s is scored twice on %q", s.ProvinceID, s.Criterion)
		default:
			c.number(field+".score", s.Score, 0, max)
		}
		if kind == rowCriterion {
			criteria++
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
	if want := targets * len(v.Criteria); c.err == nil && criteria != want {
		c.fail("scores", "score %d provinces on each of the %d criteria (%d scores), not %d", targets, len(v.Criteria), want, criteria)
	}
	return out, c.err
}

// Tally closes the vote's current round. In the first round each voter's
// ballot names a leader and scores; the counts are ordered by ballots,
// then by score: the mean, over the provinces that scored a candidate, of
// the weighted share of the maximum points they gave it on the criteria
// (0–100), plus the mean of the bonus points they gave it (each scorer's
// up to BonusCap), less the mean of the penalty points — so a candidate
// scored by itself as well as by the others is compared fairly with one
// that is not. In a second round only ballots for its candidates count,
// and each keeps its first-round score.
//
// The first is the leader when its ballots are more than the round's
// majority share of the voters (in a second round without a majority of
// its own, when it has any ballot) and no other has the same ballots and
// score; otherwise the round has no leader, and the provinces level at
// the top are tied. A first round without a leader opens the second round
// the vote's rule gives candidates for (the vote stays OPEN, in round 2);
// otherwise the vote closes, naming its leader or none.
func Tally(v *Vote, ballots []Ballot) {
	round := v.CurrentRound()
	var tally []VoteCount
	if round.Number == 1 {
		tally = scoreRound(v, ballots)
	} else {
		tally = recount(v, round, ballots)
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
	need := v.Majority
	if round.Number > 1 {
		need = 0 // the most ballots
		if v.SecondRoundMajority != nil {
			need = *v.SecondRoundMajority
		}
	}
	leader, tied := lead(tally, need, len(v.Voters))
	round.Closed, round.Tally, round.LeaderID, round.Tied = true, tally, leader, tied
	v.Status, v.Tally, v.LeaderID, v.Tied = VoteClosed, tally, leader, tied
	if leader != "" || round.Number > 1 {
		return
	}
	if next := runoff(v.SecondRound, tally, tied); len(next) > 1 {
		v.Rounds = append(v.Rounds, VoteRound{Number: round.Number + 1, Candidates: next, Tally: []VoteCount{}, Tied: []string{}})
		v.Round, v.Status = round.Number+1, VoteOpen
	}
}

// scoreRound counts a first round's ballots and scores.
func scoreRound(v *Vote, ballots []Ballot) []VoteCount {
	type acc struct {
		VoteCount
		base, bonus, penalty float64
		scorers              int
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
		type given struct{ base, bonus, penalty float64 }
		gave := map[string]*given{}
		for _, s := range b.Scores {
			kind, max, weight := v.row(s.Criterion)
			if counts[s.ProvinceID] == nil || kind == 0 {
				continue
			}
			g := gave[s.ProvinceID]
			if g == nil {
				g = &given{}
				gave[s.ProvinceID] = g
			}
			switch kind {
			case rowCriterion:
				if max > 0 {
					g.base += weight * s.Score / max
				}
			case rowBonus:
				g.bonus += s.Score
			case rowPenalty:
				g.penalty += s.Score
			}
		}
		for p, g := range gave {
			if totalWeight > 0 {
				c := counts[p]
				c.base += 100 * g.base / totalWeight
				c.bonus += math.Min(g.bonus, v.BonusCap)
				c.penalty += g.penalty
				c.scorers++
			}
		}
	}
	tally := make([]VoteCount, 0, len(counts))
	for _, c := range counts {
		if n := float64(c.scorers); n > 0 {
			c.Base, c.Bonus, c.Penalty = round2(c.base/n), round2(c.bonus/n), round2(c.penalty/n)
			c.ScoreTotal = round2((c.base + c.bonus - c.penalty) / n)
		}
		tally = append(tally, c.VoteCount)
	}
	return tally
}

// recount counts a later round's ballots for its candidates; each keeps
// its score of the first round.
func recount(v *Vote, round *VoteRound, ballots []Ballot) []VoteCount {
	first := map[string]VoteCount{}
	for _, c := range v.Rounds[0].Tally {
		first[c.ProvinceID] = c
	}
	tally := make([]VoteCount, 0, len(round.Candidates))
	at := map[string]int{}
	for _, p := range round.Candidates {
		c := first[p]
		c.ProvinceID, c.Votes = p, 0
		at[p] = len(tally)
		tally = append(tally, c)
	}
	for _, b := range ballots {
		if i, ok := at[b.LeaderID]; ok && contains(v.Voters, b.ProvinceID) {
			tally[i].Votes++
		}
	}
	return tally
}

// lead names the first of an ordered tally the leader when its ballots are
// more than need × voters (need 0: any ballot) and no other is level with
// it on ballots and score; otherwise it returns the provinces level at the
// top (none when nobody has a ballot, or one alone lacks the majority).
func lead(tally []VoteCount, need float64, voters int) (string, []string) {
	tied := []string{}
	if len(tally) == 0 || tally[0].Votes == 0 {
		return "", tied
	}
	top := tally[0]
	for _, c := range tally {
		if c.Votes == top.Votes && c.ScoreTotal == top.ScoreTotal {
			tied = append(tied, c.ProvinceID)
		}
	}
	if len(tied) > 1 {
		return "", tied
	}
	if float64(top.Votes) > need*float64(voters) {
		return top.ProvinceID, []string{}
	}
	return "", []string{}
}

// runoff returns the candidates of a second round after a first round
// without a leader, by the vote's rule (nil: no second round). Nobody
// stands again when nobody had a ballot.
func runoff(rule string, tally []VoteCount, tied []string) []string {
	if len(tally) < 2 || tally[0].Votes == 0 {
		return nil
	}
	switch {
	case len(tied) > 1 && rule != SecondRoundNone:
		return tied
	case rule != SecondRoundTopTwo:
		return nil
	}
	second := tally[1]
	out := []string{tally[0].ProvinceID}
	for _, c := range tally[1:] {
		if c.Votes == second.Votes && c.ScoreTotal == second.ScoreTotal {
			out = append(out, c.ProvinceID)
		}
	}
	return out
}

// BallotsShown says whether who voted for whom may be shown: once the vote
// is closed, and only for a vote that is not secret.
func BallotsShown(status string, secret bool) bool { return status == VoteClosed && !secret }
