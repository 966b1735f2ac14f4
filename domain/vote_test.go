package domain_test

import (
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
		{"most ballots without a majority: no leader", domain.VoteSettingsInput{Criteria: crit},
			[]string{"lang-son", "lang-son", "lang-son", "cao-bang", "cao-bang", "dien-bien", "son-la"}, flat, "", 0},
		{"a two-thirds majority set by the cluster", domain.VoteSettingsInput{Criteria: crit, Majority: f64(2.0 / 3)},
			[]string{"lang-son", "lang-son", "lang-son", "lang-son", "lang-son", "cao-bang", "cao-bang"}, flat, "lang-son", 0},
		{"level on ballots and scores: tied", domain.VoteSettingsInput{Criteria: crit, Majority: f64(0.2)},
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
