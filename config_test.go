package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/thidua/thidua/domain"
)

// ELIGIBILITY_RULES replaces the law's table: "none", or a JSON file whose
// every rule names its award type, what it needs, how many times and the
// article; UPLOAD_TYPES accepts only types thidua can check.
func TestDossierSettings(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good := write("good.json", `[{"awardTypeId": "bang-khen-thu-tuong", "needs": ["bang-khen-chu-tich-tinh"], "times": 1,
	  "within": 5, "basis": "Luật 06/2022/QH15, Điều 73 khoản 1 điểm b"}]`)
	env := func(kv ...string) func(string) string {
		m := map[string]string{}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return func(k string) string { return m[k] }
	}
	c, err := loadConfig(env("ELIGIBILITY_RULES", good))
	if err != nil || len(c.Prerequisites) != 1 || c.Prerequisites[0].Within != 5 || c.Prerequisites[0].Needs[0] != "bang-khen-chu-tich-tinh" {
		t.Errorf("a rules file: %+v, %v", c, err)
	}
	if c, err := loadConfig(env("ELIGIBILITY_RULES", "none")); err != nil || c.Prerequisites == nil || len(c.Prerequisites) != 0 {
		t.Errorf("none: %+v, %v; want an empty table (no rule), not the default", c.Prerequisites, err)
	}
	if c, err := loadConfig(env()); err != nil || c.Prerequisites != nil {
		t.Errorf("unset: %v, %v; want nil (the law's table)", c.Prerequisites, err)
	}
	for _, bad := range []string{
		write("nobasis.json", `[{"awardTypeId": "x", "needs": ["y"], "times": 1}]`),
		write("unknown.json", `[{"awardTypeId": "x", "needs": ["y"], "times": 1, "basis": "Điều 1", "typo": true}]`),
		filepath.Join(dir, "absent.json"),
	} {
		if _, err := loadConfig(env("ELIGIBILITY_RULES", bad)); err == nil || !strings.Contains(err.Error(), "ELIGIBILITY_RULES") {
			t.Errorf("ELIGIBILITY_RULES=%s: %v, want a refusal naming the setting", bad, err)
		}
	}
	if _, err := loadConfig(env("UPLOAD_TYPES", "application/pdf,text/html")); err == nil || !strings.Contains(err.Error(), "text/html") {
		t.Errorf("UPLOAD_TYPES with text/html: %v, want a refusal", err)
	}
	if c, err := loadConfig(env("UPLOAD_TYPES", "application/pdf", "UPLOAD_MAX_BYTES", "1000")); err != nil ||
		len(c.Uploads.Types) != 1 || c.Uploads.MaxBytes != 1000 {
		t.Errorf("uploads: %+v, %v", c.Uploads, err)
	}
}

// Development listens on loopback only: its token secret is public, so a
// neighbour on the network could mint a `*` admin token (api.md). Production
// keeps :8080, and ADDR always wins.
func TestListenAddressDefaults(t *testing.T) {
	env := func(kv ...string) func(string) string {
		m := map[string]string{"JWT_SECRET": strings.Repeat("s", 40), "JWT_ISSUER": "i", "JWT_AUDIENCE": "a"}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return func(k string) string { return m[k] }
	}
	for _, c := range []struct {
		env  func(string) string
		want string
	}{
		{env(), "127.0.0.1:8080"},
		{env("APP_ENV", "development", "ADDR", ":9090"), ":9090"},
		{env("APP_ENV", "production"), ":8080"},
		{env("APP_ENV", "production", "ADDR", "10.0.0.5:80"), "10.0.0.5:80"},
	} {
		cfg, err := loadConfig(c.env)
		if err != nil {
			t.Fatal(err)
		}
		if cfg.Addr != c.want {
			t.Errorf("ADDR=%q APP_ENV=%q: listens on %q, want %q", c.env("ADDR"), c.env("APP_ENV"), cfg.Addr, c.want)
		}
	}
}

// PUBLIC_HOLIDAYS adds dated or yearly holidays to the fixed ones the
// public notice's working days leave out; anything else is refused.
func TestPublicHolidaysSetting(t *testing.T) {
	env := func(v string) func(string) string {
		return func(k string) string {
			if k == "PUBLIC_HOLIDAYS" {
				return v
			}
			return ""
		}
	}
	c, err := loadConfig(env("2026-02-16, 2026-02-17,03-10"))
	if err != nil {
		t.Fatal(err)
	}
	if c.Route == nil || strings.Join(c.Route.Holidays, ",") != "01-01,04-30,05-01,09-02,2026-02-16,2026-02-17,03-10" {
		t.Errorf("PUBLIC_HOLIDAYS: %+v", c.Route)
	}
	if c, err := loadConfig(env("")); err != nil || c.Route != nil {
		t.Errorf("no PUBLIC_HOLIDAYS: %+v, %v; want the default rules", c.Route, err)
	}
	for _, bad := range []string{"2026-02-30", "16/02/2026", "13-01", "tết"} {
		if _, err := loadConfig(env(bad)); err == nil || !strings.Contains(err.Error(), "PUBLIC_HOLIDAYS") {
			t.Errorf("PUBLIC_HOLIDAYS=%s: %v, want a refusal naming the setting", bad, err)
		}
	}
}

// ROUTE_RULES replaces the route's unconfirmed rules — the notice and the
// ranking chains — from a JSON file; what it leaves out keeps the defaults,
// and PUBLIC_HOLIDAYS adds to its holidays; a malformed file refuses the
// start, naming the setting.
func TestRouteRulesSetting(t *testing.T) {
	dir := t.TempDir()
	file := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	env := func(rules, holidays string) func(string) string {
		return func(k string) string {
			return map[string]string{"ROUTE_RULES": rules, "PUBLIC_HOLIDAYS": holidays}[k]
		}
	}
	ok := file("ok.json", `{"notice": {"forms": ["ORDER"], "awardTypes": ["chien-si-thi-dua-toan-quoc"], "minWorkingDays": 15, "basis": "Quy chế"},
	  "ranks": [["huan-chuong-lao-dong", "bang-khen-thu-tuong"]]}`)
	c, err := loadConfig(env(ok, "2026-02-16"))
	if err != nil {
		t.Fatal(err)
	}
	r := c.Route
	if r == nil || r.Notice.MinWorkingDays != 15 || strings.Join(r.Notice.AwardTypes, ",") != "chien-si-thi-dua-toan-quoc" ||
		len(r.Ranks) != 1 || r.Ranks[0][1] != "bang-khen-thu-tuong" || strings.Join(r.Holidays, ",") != "01-01,04-30,05-01,09-02,2026-02-16" {
		t.Errorf("ROUTE_RULES: %+v", r)
	}
	c, err = loadConfig(env(file("ranks.json", `{"ranks": [["a", "b"]]}`), ""))
	if err != nil || c.Route.Notice.MinWorkingDays != domain.DefaultRouteRules.Notice.MinWorkingDays || len(c.Route.Ranks) != 1 {
		t.Errorf("ranks alone: %+v %v, want the default notice", c.Route, err)
	}
	for name, body := range map[string]string{"unknown.json": `{"rank": []}`, "short.json": `{"ranks": [["a"]]}`,
		"days.json": `{"notice": {"forms": ["ORDER"], "minWorkingDays": 0}}`, "broken.json": `{`} {
		if _, err := loadConfig(env(file(name, body), "")); err == nil || !strings.Contains(err.Error(), "ROUTE_RULES") {
			t.Errorf("%s: %v, want a refusal naming ROUTE_RULES", name, err)
		}
	}
	if _, err := loadConfig(env(filepath.Join(dir, "missing.json"), "")); err == nil {
		t.Error("a missing file is accepted")
	}
}
