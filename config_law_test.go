package main

import (
	"os"
	"path/filepath"
	"testing"
)

// The council's threshold is a setting: an ELIGIBILITY_RULES rule may set
// only minBallotShare (percent of all members, 0–100), with the windows'
// fields beside the others.
func TestEligibilityThresholdSetting(t *testing.T) {
	dir := t.TempDir()
	load := func(body string) error {
		p := filepath.Join(dir, "rules.json")
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		c, err := loadConfig(func(k string) string {
			if k == "ELIGIBILITY_RULES" {
				return p
			}
			return ""
		})
		if err == nil && (len(c.Prerequisites) != 2 || c.Prerequisites[0].MinBallotShare != 75 || !c.Prerequisites[1].Exclusive || !c.Prerequisites[1].Adjacent) {
			t.Errorf("read %+v", c.Prerequisites)
		}
		return err
	}
	good := `[{"awardTypeId": "chien-si-thi-dua-toan-quoc", "minBallotShare": 75, "basis": "Nghị định …", "unconfirmed": true},
	  {"awardTypeId": "chien-si-thi-dua-toan-quoc", "needs": ["chien-si-thi-dua-tinh"], "times": 2, "consecutive": true,
	   "period": 3, "exclusive": true, "adjacent": true, "basis": "Điều 21"}]`
	if err := load(good); err != nil {
		t.Errorf("a threshold rule: %v", err)
	}
	for _, bad := range []string{
		`[{"awardTypeId": "x", "minBallotShare": 120, "basis": "b"}]`,
		`[{"awardTypeId": "x", "minBallotShare": -1, "needs": ["y"], "times": 1, "basis": "b"}]`,
		`[{"awardTypeId": "x", "basis": "b"}]`,
	} {
		if err := load(bad); err == nil {
			t.Errorf("%s: accepted", bad)
		}
	}
}
