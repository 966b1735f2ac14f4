package main

import (
	"context"
	"io"
	"net/http"
	"os"
	"regexp"
	"strings"
	"syscall"
	"testing"
)

// The README's examples run as written, in order, on a fresh service; the
// ids they paste come from the answers of the earlier steps.
func TestReadmeExamples(t *testing.T) {
	raw, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	text := string(raw)
	start, end := strings.Index(text, "## Using it"), strings.Index(text, "## What the API promises")
	if start < 0 || end < start {
		t.Fatal("README: no Using it section")
	}
	section := text[start:end]
	blocks := regexp.MustCompile("(?s)```graphql\n(.*?)```").FindAllStringSubmatch(section, -1)
	if len(blocks) != 6 {
		t.Fatalf("README: %d GraphQL examples in Using it, want 6", len(blocks))
	}
	// Step 1: the token, with the command the README gives.
	cmd := regexp.MustCompile("(?m)^\\s*go run \\. token (.*)$").FindStringSubmatch(section)
	if cmd == nil {
		t.Fatal("README: no token command")
	}
	env := map[string]string{"DATA_DIR": t.TempDir(), "LOG_LEVEL": "error"}
	args := append([]string{"token"}, splitShell(cmd[1])...)
	var out strings.Builder
	if err := run(context.Background(), args, func(k string) string { return env[k] }, &out, io.Discard); err != nil {
		t.Fatalf("go run . %v: %v", args, err)
	}
	tok := strings.TrimSpace(out.String())
	proc, base := serve(t, env)
	defer func() { _ = proc.Process.Signal(syscall.SIGTERM); _ = proc.Wait() }()

	ids := map[string]string{}
	for i, b := range blocks {
		q := b[1]
		for k, v := range ids {
			q = strings.ReplaceAll(q, k, v)
		}
		if strings.Contains(q, "PASTE-") {
			t.Fatalf("example %d needs an id no earlier step gave: %s", i+2, q)
		}
		_, code, data, err := post(base, tok, q)
		if err != nil || code != "" {
			t.Fatalf("example %d: %q %v\n%s", i+2, code, err, q)
		}
		switch {
		case data["periodReviews"] != nil:
			edges := data["periodReviews"].(map[string]any)["edges"].([]any)
			ids["PASTE-REVIEW-ID"] = edges[0].(map[string]any)["node"].(map[string]any)["id"].(string)
		case data["createAward"] != nil:
			ids["PASTE-AWARD-ID"] = data["createAward"].(map[string]any)["id"].(string)
		case data["updateAward"] != nil:
			rec := data["updateAward"].(map[string]any)["recipient"].(map[string]any)
			if rec["position"] != "Chủ tịch" || rec["organization"] == nil {
				t.Errorf("the update example erased the recipient's details: %v", rec)
			}
		case data["awards"] != nil:
			if n := data["awards"].(map[string]any)["totalCount"]; n != 1.0 {
				t.Errorf("the search example finds %v awards on fresh data, want the one created above", n)
			}
		}
	}
}

// splitShell splits a command line's arguments, keeping single- and
// double-quoted words whole.
func splitShell(s string) []string {
	var out []string
	for _, m := range regexp.MustCompile(`'[^']*'|"[^"]*"|\S+`).FindAllString(s, -1) {
		out = append(out, strings.Trim(m, `'"`))
	}
	return out
}

// The README's dossier walk-through runs as written, in order, on a fresh
// service, and the statistics form counts what it decided.
func TestReadmeDossierExamples(t *testing.T) {
	raw, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	text := string(raw)
	start := strings.Index(text, "## Dossiers: from proposal to decision")
	end := strings.Index(text[start+3:], "\n## ") + start + 3
	if start < 0 || end < start {
		t.Fatal("README: no Dossiers section")
	}
	section := text[start:end]
	blocks := regexp.MustCompile("(?s)```graphql\n(.*?)```").FindAllStringSubmatch(section, -1)
	if len(blocks) != 7 {
		t.Fatalf("README: %d GraphQL examples in Dossiers, want 7", len(blocks))
	}
	cmd := regexp.MustCompile("(?m)^\\s*go run \\. token (.*)$").FindStringSubmatch(section)
	if cmd == nil {
		t.Fatal("README: no token command in Dossiers")
	}
	env := map[string]string{"DATA_DIR": t.TempDir(), "LOG_LEVEL": "error"}
	var out strings.Builder
	if err := run(context.Background(), append([]string{"token"}, splitShell(cmd[1])...), func(k string) string { return env[k] }, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	tok := strings.TrimSpace(out.String())
	proc, base := serve(t, env)
	defer func() { _ = proc.Process.Signal(syscall.SIGTERM); _ = proc.Wait() }()
	ids := map[string]string{}
	var decided map[string]any
	for i, b := range blocks {
		q := b[1]
		for k, v := range ids {
			q = strings.ReplaceAll(q, k, v)
		}
		if strings.Contains(q, "PASTE-") {
			t.Fatalf("example %d needs an id no earlier step gave: %s", i+1, q)
		}
		_, code, data, err := post(base, tok, q)
		if err != nil || code != "" {
			t.Fatalf("example %d: %q %v\n%s", i+1, code, err, q)
		}
		switch {
		case data["saveHonoree"] != nil:
			ids["PASTE-HONOREE-ID"] = data["saveHonoree"].(map[string]any)["id"].(string)
		case data["createDossier"] != nil:
			ids["PASTE-DOSSIER-ID"] = data["createDossier"].(map[string]any)["id"].(string)
		case data["recordDecision"] != nil:
			decided = data["recordDecision"].(map[string]any)
		}
	}
	if n := decided["awards"].(map[string]any)["totalCount"]; n != 2.0 {
		t.Errorf("the decision conferred %v awards, want 2", n)
	}
	req, _ := http.NewRequest(http.MethodGet, base+"/reports/statistics/2026.csv?provinceId=lang-son", nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	csv, _ := io.ReadAll(res.Body)
	if !strings.Contains(string(csv), "Lạng Sơn;Tổng số;2;1;0;1;1;") {
		t.Errorf("the statistics form does not count the decision as the README says:\n%s", csv)
	}
}
