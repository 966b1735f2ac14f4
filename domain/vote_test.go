package domain_test

import (
	"fmt"
	"testing"

	"github.com/thidua/thidua/domain"
)

func bp(b bool) *bool { return &b }

func openVote(t *testing.T, in domain.VoteSettingsInput, r *domain.PeriodReview) *domain.Vote {
	t.Helper()
	v, err := domain.OpenVote(testRef(), now, r, in, 0.5)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestVoteVotersAreMembersOnTheDate(t *testing.T) {
	v := openVote(t, domain.VoteSettingsInput{Criteria: []domain.CriterionInput{{Name: "Kết quả"}}}, review(2025, "2026-01-15"))
	if len(v.Voters) != 6 || has(v.Voters, "yen-bai") || has(v.Voters, "ha-giang") {
		t.Fatalf("voters on 15/1/2026: %v", v.Voters)
	}
	if _, err := domain.CheckBallot(v, "yen-bai", "lao-cai", nil); err == nil {
		t.Error("Yên Bái voted after its merger")
	}
	if _, err := domain.CheckBallot(v, "lao-cai", "ha-giang", nil); err == nil {
		t.Error("Hà Giang stood after its merger")
	}
	if _, err := domain.OpenVote(testRef(), now, &domain.PeriodReview{Kind: "MID_YEAR", Year: 2022, Date: "2022-07-20"},
		domain.VoteSettingsInput{Criteria: []domain.CriterionInput{{Name: "x"}}}, 0.5); err == nil {
		t.Error("a vote at a mid-year review")
	}
}

// ballots builds one ballot per voter naming leaders[i] and giving every
// scored province score on every criterion (own score ownScore).
func ballots(v *domain.Vote, leaders []string, score func(from, to string) float64) []domain.Ballot {
	var out []domain.Ballot
	for i, p := range v.Voters {
		b := domain.Ballot{ProvinceID: p, LeaderID: leaders[i]}
		for _, q := range v.Voters {
			if (q == p && !v.SelfScoring) || (q != p && !v.CrossScoring) {
				continue
			}
			for _, c := range v.Criteria {
				b.Scores = append(b.Scores, domain.Score{ProvinceID: q, Criterion: c.Name, Score: score(p, q)})
			}
		}
		out = append(out, b)
	}
	return out
}

func TestTally(t *testing.T) {
	r := review(2022, "2022-12-20") // 7 members: more than half is 4
	crit := []domain.CriterionInput{{Name: "Kinh tế", Weight: f64(2), MaxPoints: f64(50)}, {Name: "Xã hội"}}
	flat := func(string, string) float64 { return 40 }
	none := sp(domain.SecondRoundNone) // one round: the rules before second rounds
	tests := []struct {
		name     string
		settings domain.VoteSettingsInput
		leaders  []string
		score    func(from, to string) float64
		leader   string
		tied     int
	}{
		{"a majority leads", domain.VoteSettingsInput{Criteria: crit},
			[]string{"lang-son", "lang-son", "lang-son", "lang-son", "cao-bang", "cao-bang", "cao-bang"}, flat, "lang-son", 0},
		{"most ballots without a majority and no second round: no leader", domain.VoteSettingsInput{Criteria: crit, SecondRound: none},
			[]string{"lang-son", "lang-son", "lang-son", "cao-bang", "cao-bang", "dien-bien", "son-la"}, flat, "", 0},
		{"a two-thirds majority set by the cluster", domain.VoteSettingsInput{Criteria: crit, Majority: f64(2.0 / 3)},
			[]string{"lang-son", "lang-son", "lang-son", "lang-son", "lang-son", "cao-bang", "cao-bang"}, flat, "lang-son", 0},
		{"level on ballots and scores and no second round: tied", domain.VoteSettingsInput{Criteria: crit, Majority: f64(0.2), SecondRound: none},
			[]string{"lang-son", "lang-son", "cao-bang", "cao-bang", "son-la", "dien-bien", "lai-chau"}, flat, "", 2},
		{"level on ballots, the score decides", domain.VoteSettingsInput{Criteria: crit, Majority: f64(0.2)},
			[]string{"lang-son", "lang-son", "cao-bang", "cao-bang", "son-la", "dien-bien", "lai-chau"},
			func(_, to string) float64 {
				if to == "cao-bang" {
					return 45
				}
				return 40
			}, "cao-bang", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := openVote(t, tt.settings, r)
			bs := ballots(v, tt.leaders, tt.score)
			for _, b := range bs {
				if _, err := domain.CheckBallot(v, b.ProvinceID, b.LeaderID, b.Scores); err != nil {
					t.Fatalf("ballot of %s: %v", b.ProvinceID, err)
				}
			}
			domain.Tally(v, bs)
			if v.Status != "CLOSED" || v.LeaderID != tt.leader || len(v.Tied) != tt.tied {
				t.Fatalf("leader %q tied %v, want %q and %d tied; tally %+v", v.LeaderID, v.Tied, tt.leader, tt.tied, v.Tally)
			}
			// Scores are the weighted share of the maximum points: 40 of 50
			// at weight 2 and 40 of 100 at weight 1 is (1.6 + 0.4) / 3 = 66.67 %.
			for _, c := range v.Tally {
				if want := 100 * (2*tt.score("", c.ProvinceID)/50 + tt.score("", c.ProvinceID)/100) / 3; c.ScoreTotal != float64(int(want*100+0.5))/100 {
					t.Errorf("%s scores %v, want %.2f", c.ProvinceID, c.ScoreTotal, want)
				}
			}
		})
	}
}

// A province that scores itself generously does not outscore one that is
// only scored by others: scores are compared as means over the scorers.
func TestSelfScoringIsFair(t *testing.T) {
	r := review(2022, "2022-12-20")
	v := openVote(t, domain.VoteSettingsInput{Criteria: []domain.CriterionInput{{Name: "Kết quả"}},
		SelfScoring: bp(true), CrossScoring: bp(true)}, r)
	bs := ballots(v, []string{"lang-son", "lang-son", "cao-bang", "lang-son", "son-la", "dien-bien", "lai-chau"},
		func(from, to string) float64 {
			if from == to {
				return 100 // every province gives itself full marks
			}
			if to == "lang-son" {
				return 90
			}
			return 80
		})
	for _, b := range bs {
		if _, err := domain.CheckBallot(v, b.ProvinceID, b.LeaderID, b.Scores); err != nil {
			t.Fatalf("ballot of %s: %v", b.ProvinceID, err)
		}
	}
	domain.Tally(v, bs)
	scores := map[string]float64{}
	for _, c := range v.Tally {
		scores[c.ProvinceID] = c.ScoreTotal
	}
	// lang-son: (100 + 6×90)/7; cao-bang: (100 + 6×80)/7.
	if scores["lang-son"] <= scores["cao-bang"] || scores["cao-bang"] != 82.86 {
		t.Fatalf("scores %v", scores)
	}
	// Self-scoring only where the vote has it.
	v2 := openVote(t, domain.VoteSettingsInput{Criteria: []domain.CriterionInput{{Name: "Kết quả"}}}, r)
	if _, err := domain.CheckBallot(v2, "lang-son", "cao-bang", []domain.Score{{ProvinceID: "lang-son", Criterion: "Kết quả", Score: 100}}); err == nil {
		t.Error("a province scored itself in a vote without self-scoring")
	}
	// A score above the criterion's maximum is refused.
	v3 := openVote(t, domain.VoteSettingsInput{Criteria: []domain.CriterionInput{{Name: "A", MaxPoints: f64(10)}}}, r)
	b := ballots(v3, []string{"lang-son", "", "", "", "", "", ""}, func(string, string) float64 { return 11 })[0]
	if _, err := domain.CheckBallot(v3, b.ProvinceID, b.LeaderID, b.Scores); err == nil {
		t.Error("a score above maxPoints was accepted")
	}
}

// castAll checks each ballot of a round against the vote, as castBallot
// does, and fails the test on a refused one.
func castAll(t *testing.T, v *domain.Vote, bs []domain.Ballot) {
	t.Helper()
	for _, b := range bs {
		if _, err := domain.CheckBallot(v, b.ProvinceID, b.LeaderID, b.Scores); err != nil {
			t.Fatalf("round %d, ballot of %s: %v", v.Round, b.ProvinceID, err)
		}
	}
}

// secondRound builds the ballots of a second round: one per voter naming
// leaders[i] ("" abstains), without scores.
func secondRound(v *domain.Vote, leaders []string) []domain.Ballot {
	var out []domain.Ballot
	for i, p := range v.Voters {
		if leaders[i] != "" {
			out = append(out, domain.Ballot{ProvinceID: p, LeaderID: leaders[i], Round: 2})
		}
	}
	return out
}

// The second round (bình xét lại) when the first names no leader. Source:
// no regulation of this cluster was found that says who stands again or
// what majority the second round needs (docs/domain.md, "The law behind the
// rules": not confirmed), so both are settings of the vote: secondRound
// (NONE, TOP_TWO — the default, the common practice of a run-off between
// the two first — or TIED: only those level at the top) and
// secondRoundMajority (null: the most ballots lead, as in a re-vote under
// the election law, Luật Bầu cử 85/2015/QH13 Điều 80 — an analogy, not the
// cluster's rule). The voters are the cluster's members on 20/12/2022 (7).
func TestSecondRound(t *testing.T) {
	r := review(2022, "2022-12-20")
	// Voters in order: cao-bang dien-bien ha-giang lao-cai lai-chau son-la lang-son.
	crit := []domain.CriterionInput{{Name: "Kết quả"}}
	flat := func(string, string) float64 { return 80 }
	caoBangHigher := func(_, to string) float64 {
		if to == "cao-bang" {
			return 90
		}
		return 80
	}
	threeOfSeven := []string{"lang-son", "lang-son", "lang-son", "cao-bang", "cao-bang", "dien-bien", "son-la"}
	tests := []struct {
		name       string
		settings   domain.VoteSettingsInput
		first      []string
		score      func(from, to string) float64
		candidates []string // of round 2; nil: the first round closes the vote
		second     []string
		leader     string
		tied       []string
	}{
		{"3 of 7: the two first stand again; the most ballots lead", domain.VoteSettingsInput{Criteria: crit},
			threeOfSeven, flat, []string{"lang-son", "cao-bang"},
			[]string{"lang-son", "lang-son", "lang-son", "lang-son", "cao-bang", "cao-bang", "cao-bang"}, "lang-son", nil},
		{"second round level on ballots, first-round scores level: tied, no leader", domain.VoteSettingsInput{Criteria: crit},
			threeOfSeven, flat, []string{"lang-son", "cao-bang"},
			[]string{"lang-son", "lang-son", "lang-son", "", "cao-bang", "cao-bang", "cao-bang"}, "", []string{"cao-bang", "lang-son"}},
		{"second round level on ballots: the first round's score decides", domain.VoteSettingsInput{Criteria: crit},
			threeOfSeven, caoBangHigher, []string{"lang-son", "cao-bang"},
			[]string{"lang-son", "lang-son", "lang-son", "", "cao-bang", "cao-bang", "cao-bang"}, "cao-bang", nil},
		{"level for second place: all of them stand", domain.VoteSettingsInput{Criteria: crit},
			[]string{"lang-son", "lang-son", "lang-son", "cao-bang", "cao-bang", "dien-bien", "dien-bien"}, flat,
			[]string{"lang-son", "cao-bang", "dien-bien"},
			[]string{"lang-son", "lang-son", "lang-son", "lang-son", "lang-son", "cao-bang", "dien-bien"}, "lang-son", nil},
		{"a majority set for the second round too: 3 of 7 again is no leader", domain.VoteSettingsInput{Criteria: crit, SecondRoundMajority: f64(0.5)},
			threeOfSeven, flat, []string{"lang-son", "cao-bang"},
			[]string{"lang-son", "lang-son", "lang-son", "", "", "cao-bang", "cao-bang"}, "", nil},
		{"TIED: no tie at the top, no second round", domain.VoteSettingsInput{Criteria: crit, SecondRound: sp("TIED")},
			threeOfSeven, flat, nil, nil, "", nil},
		{"TIED: those level at the top stand again", domain.VoteSettingsInput{Criteria: crit, SecondRound: sp("TIED")},
			[]string{"lang-son", "lang-son", "son-la", "son-la", "cao-bang", "dien-bien", "lai-chau"}, flat, []string{"lang-son", "son-la"},
			[]string{"son-la", "son-la", "son-la", "lang-son", "son-la", "lang-son", "son-la"}, "son-la", nil},
		{"NONE: no second round", domain.VoteSettingsInput{Criteria: crit, SecondRound: sp("NONE")},
			threeOfSeven, flat, nil, nil, "", nil},
		{"a majority in the first round: no second round", domain.VoteSettingsInput{Criteria: crit},
			[]string{"lang-son", "lang-son", "lang-son", "lang-son", "cao-bang", "cao-bang", "cao-bang"}, flat, nil, nil, "lang-son", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := openVote(t, tt.settings, r)
			bs := ballots(v, tt.first, tt.score)
			castAll(t, v, bs)
			domain.Tally(v, bs)
			if tt.candidates == nil {
				if v.Status != "CLOSED" || len(v.Rounds) != 1 || v.LeaderID != tt.leader {
					t.Fatalf("after round 1: status %s, %d rounds, leader %q; want CLOSED, 1, %q", v.Status, len(v.Rounds), v.LeaderID, tt.leader)
				}
				return
			}
			if v.Status != "OPEN" || v.Round != 2 || len(v.Rounds) != 2 || !v.Rounds[0].Closed || v.Rounds[0].LeaderID != "" ||
				fmt.Sprint(v.Rounds[1].Candidates) != fmt.Sprint(tt.candidates) {
				t.Fatalf("after round 1: status %s round %d rounds %+v; want OPEN in round 2 between %v", v.Status, v.Round, v.Rounds, tt.candidates)
			}
			// Round 2: only its candidates, and no scores.
			if _, err := domain.CheckBallot(v, "lai-chau", "son-la", nil); err == nil && !has(tt.candidates, "son-la") {
				t.Error("round 2 took a ballot for a province that does not stand")
			}
			if _, err := domain.CheckBallot(v, "lai-chau", tt.candidates[0], []domain.Score{{ProvinceID: "son-la", Criterion: "Kết quả", Score: 1}}); err == nil {
				t.Error("round 2 took scores")
			}
			bs2 := secondRound(v, tt.second)
			castAll(t, v, bs2)
			domain.Tally(v, bs2)
			if v.Status != "CLOSED" || v.Round != 2 || v.LeaderID != tt.leader || fmt.Sprint(v.Tied) != fmt.Sprint(append([]string{}, tt.tied...)) ||
				v.Rounds[1].LeaderID != tt.leader || len(v.Tally) != len(tt.candidates) {
				t.Fatalf("after round 2: status %s leader %q tied %v tally %+v; want CLOSED, %q, %v", v.Status, v.LeaderID, v.Tied, v.Tally, tt.leader, tt.tied)
			}
		})
	}
	// Nobody cast a ballot: nobody stands again.
	v := openVote(t, domain.VoteSettingsInput{Criteria: crit}, r)
	domain.Tally(v, nil)
	if v.Status != "CLOSED" || len(v.Rounds) != 1 {
		t.Errorf("a vote without ballots: %s, %d rounds", v.Status, len(v.Rounds))
	}
	// The settings are checked.
	for field, in := range map[string]domain.VoteSettingsInput{
		"settings.secondRound":         {Criteria: crit, SecondRound: sp("BEST_OF_THREE")},
		"settings.secondRoundMajority": {Criteria: crit, SecondRoundMajority: f64(1)},
		"settings.flagAwardTypeId":     {Criteria: crit, FlagAwardTypeID: sp("chien-si-thi-dua-toan-quoc")},
	} {
		if _, err := domain.OpenVote(testRef(), now, r, in, 0.5); errField(err) != field {
			t.Errorf("%s: %v", field, err)
		}
	}
	if _, err := domain.OpenVote(testRef(), now, r, domain.VoteSettingsInput{Criteria: crit, SecondRound: sp("NONE"), SecondRoundMajority: f64(0.5)}, 0.5); errField(err) != "settings.secondRoundMajority" {
		t.Errorf("a second-round majority without a second round: %v", err)
	}
}

// Bonus and penalty points (điểm cộng, điểm trừ) beside the criteria.
// Source: domain.md ("scoring follows the cluster's criteria table
// (weights, maximum points, bonus and penalty points)"); the items, their
// points and the cap are each cluster's regulation, not the law (not
// confirmed): settings of the vote.
func TestBonusAndPenalty(t *testing.T) {
	r := review(2022, "2022-12-20")
	settings := domain.VoteSettingsInput{Criteria: []domain.CriterionInput{{Name: "Kết quả"}},
		BonusItems:   []domain.PointItemInput{{Name: "Sáng kiến", MaxPoints: f64(5)}, {Name: "Đăng cai hội nghị", MaxPoints: f64(3)}},
		BonusCap:     f64(6),
		PenaltyItems: []domain.PointItemInput{{Name: "Báo cáo chậm"}}}
	v := openVote(t, settings, r)
	if v.BonusCap != 6 || len(v.PenaltyItems) != 1 || v.PenaltyItems[0].MaxPoints != 5 {
		t.Fatalf("settings: %+v", v.VoteSettings)
	}
	// lang-son: 80 on the criterion, 5 + 3 bonus (capped at 6), 2 penalty
	// from each scorer: 80 + 6 − 2 = 84; cao-bang: 82, nothing else.
	bs := ballots(v, []string{"lang-son", "cao-bang", "lang-son", "cao-bang", "cao-bang", "lang-son", "cao-bang"},
		func(_, to string) float64 {
			if to == "cao-bang" {
				return 82
			}
			return 80
		})
	for i := range bs {
		if bs[i].ProvinceID != "lang-son" {
			bs[i].Scores = append(bs[i].Scores, domain.Score{ProvinceID: "lang-son", Criterion: "Sáng kiến", Score: 5},
				domain.Score{ProvinceID: "lang-son", Criterion: "Đăng cai hội nghị", Score: 3},
				domain.Score{ProvinceID: "lang-son", Criterion: "Báo cáo chậm", Score: 2})
		}
	}
	castAll(t, v, bs)
	domain.Tally(v, bs)
	got := map[string]domain.VoteCount{}
	for _, c := range v.Tally {
		got[c.ProvinceID] = c
	}
	if c := got["lang-son"]; c.Base != 80 || c.Bonus != 6 || c.Penalty != 2 || c.ScoreTotal != 84 {
		t.Errorf("lang-son: %+v, want 80 + 6 − 2 = 84", c)
	}
	if c := got["cao-bang"]; c.ScoreTotal != 82 || c.Bonus != 0 || c.Penalty != 0 {
		t.Errorf("cao-bang: %+v", c)
	}
	// 4 of 7 ballots for cao-bang lead whatever the score; the second round
	// (none needed here) would be decided by 84 against 82.
	if v.LeaderID != "cao-bang" {
		t.Errorf("leader %q", v.LeaderID)
	}

	ballot := func(extra domain.Score) error {
		b := ballots(v, []string{"lang-son", "", "", "", "", "", ""}, func(string, string) float64 { return 50 })[0]
		_, err := domain.CheckBallot(openVote(t, settings, r), b.ProvinceID, b.LeaderID, append(b.Scores, extra))
		return err
	}
	for _, tt := range []struct {
		score domain.Score
		field string
	}{
		{domain.Score{ProvinceID: "lang-son", Criterion: "Sáng kiến", Score: 5.5}, "scores[6].score"},
		{domain.Score{ProvinceID: "lang-son", Criterion: "Báo cáo chậm", Score: -1}, "scores[6].score"},
		{domain.Score{ProvinceID: "lang-son", Criterion: "Điểm thưởng khác", Score: 1}, "scores[6].criterion"},
		{domain.Score{ProvinceID: "dien-bien", Criterion: "Kết quả", Score: 1}, "scores[6]"},
	} {
		if err := ballot(tt.score); errField(err) != tt.field {
			t.Errorf("%+v: %v, want field %s", tt.score, err, tt.field)
		}
	}
	if err := ballot(domain.Score{ProvinceID: "lang-son", Criterion: "Báo cáo chậm", Score: 5}); err != nil {
		t.Errorf("a penalty at its maximum: %v", err)
	}
	for field, in := range map[string]domain.VoteSettingsInput{
		"settings.bonusItems[0].name":      {Criteria: settings.Criteria, BonusItems: []domain.PointItemInput{{Name: "Kết quả"}}},
		"settings.penaltyItems[1].name":    {Criteria: settings.Criteria, PenaltyItems: []domain.PointItemInput{{Name: "A"}, {Name: "A"}}},
		"settings.bonusItems[0].maxPoints": {Criteria: settings.Criteria, BonusItems: []domain.PointItemInput{{Name: "A", MaxPoints: f64(0)}}},
		"settings.bonusCap":                {Criteria: settings.Criteria, BonusItems: settings.BonusItems, BonusCap: f64(9)},
	} {
		if _, err := domain.OpenVote(testRef(), now, r, in, 0.5); errField(err) != field {
			t.Errorf("%s: %v", field, err)
		}
	}
}
