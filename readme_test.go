package main

import (
	"context"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// The README's front-end quick start runs as written: docs/walkthrough.sh is
// its shell steps, in order, and runs end to end beside a fresh service, each
// id taken from the answer before; its subscription messages, sent as
// written, see the next change.
func TestReadmeExamples(t *testing.T) {
	section := docSection(t, "README.md", "## Front-end quick start")
	script, err := os.ReadFile("docs/walkthrough.sh")
	if err != nil {
		t.Fatal(err)
	}
	blocks := regexp.MustCompile("(?s)```sh\n(.*?)```").FindAllStringSubmatch(section, -1)
	if len(blocks) < 5 {
		t.Fatalf("README: %d shell steps in the quick start", len(blocks))
	}
	rest := string(script)
	for i, b := range blocks {
		at := strings.Index(rest, b[1])
		if at < 0 {
			t.Fatalf("docs/walkthrough.sh does not have the README's step %d (in order):\n%s", i+1, b[1])
		}
		rest = rest[at+len(b[1]):]
	}

	env := map[string]string{"DATA_DIR": t.TempDir(), "LOG_LEVEL": "error"}
	proc, base := serve(t, env)
	defer func() { _ = proc.Process.Signal(syscall.SIGTERM); _ = proc.Wait() }()
	// `go run . token …` in the script runs this test binary's token command.
	bin := t.TempDir()
	shim := "#!/bin/sh\nshift 2\nTHIDUA_TEST_SERVE=1 DATA_DIR=" + env["DATA_DIR"] + " exec " + os.Args[0] + " \"$@\"\n"
	if err := os.WriteFile(filepath.Join(bin, "go"), []byte(shim), 0o755); err != nil {
		t.Fatal(err)
	}
	abs, _ := filepath.Abs("docs/walkthrough.sh")
	cmd := exec.Command("sh", abs)
	cmd.Dir = t.TempDir()
	cmd.Env = append(os.Environ(), "PATH="+bin+":"+os.Getenv("PATH"), "API="+base+"/graphql")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("docs/walkthrough.sh: %v\n%s\n%s", err, out, stderr.String())
	}
	for _, want := range []string{`"status":"CONFERRED"`, `"totalCount":1`, `"contentType":"application/pdf"`, `"name":"Lào Cai"`} {
		if !strings.Contains(string(out), want) {
			t.Errorf("the walk-through's answers lack %s:\n%s", want, out)
		}
	}
	if strings.Contains(string(out), `"errors"`) {
		t.Errorf("a walk-through step failed:\n%s", out)
	}

	// The subscription, with the messages the README shows.
	msgs := regexp.MustCompile("(?s)```json\n(.*?)```").FindStringSubmatch(section)
	if msgs == nil {
		t.Fatal("README: no subscription messages in the quick start")
	}
	lines := strings.Split(strings.TrimSpace(msgs[1]), "\n")
	if len(lines) != 2 {
		t.Fatalf("README: %d subscription messages, want connection_init and subscribe", len(lines))
	}
	tok := devToken(t, env, "lang-son=editor")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c := dialGraphQLWS(ctx, t, base)
	read := func() string {
		for {
			_, b, err := c.Read(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(b), `"ping"`) {
				return string(b)
			}
		}
	}
	if err := c.Write(ctx, websocket.MessageText, []byte(strings.Replace(lines[0], "TOKEN", tok, 1))); err != nil {
		t.Fatal(err)
	}
	if m := read(); !strings.Contains(m, "connection_ack") {
		t.Fatalf("after the README's connection_init: %s", m)
	}
	if err := c.Write(ctx, websocket.MessageText, []byte(lines[1])); err != nil {
		t.Fatal(err)
	}
	time.Sleep(200 * time.Millisecond)
	if _, code, _, err := post(base, tok, `mutation { createAward(input: {provinceId: "lang-son", awardTypeId: "giay-khen",
	  authority: UNIT_HEAD, year: 2025, status: PROPOSED, recipient: {kind: INDIVIDUAL, name: "Vi Thị Hoa"}}) { id } }`); err != nil || code != "" {
		t.Fatalf("create: %q %v", code, err)
	}
	if m := read(); !strings.Contains(m, `"next"`) || !strings.Contains(m, `"op":"CREATED"`) || !strings.Contains(m, "Vi Thị Hoa") {
		t.Fatalf("the README's subscription got %s", m)
	}
}

// docSection is the text of a document's section, from its heading to the
// next heading of the same level.
func docSection(t *testing.T, file, heading string) string {
	t.Helper()
	raw, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	text := string(raw)
	start := strings.Index(text, heading+"\n")
	if start < 0 {
		t.Fatalf("%s: no section %q", file, heading)
	}
	if end := strings.Index(text[start+len(heading):], "\n## "); end >= 0 {
		return text[start : start+len(heading)+end]
	}
	return text[start:]
}

// docs/api-guide.md's examples run as written, in order, on a fresh service;
// the ids they paste come from the answers of the earlier steps.
func TestGuideExamples(t *testing.T) {
	section := docSection(t, "docs/api-guide.md", "## Examples")
	blocks := regexp.MustCompile("(?s)```graphql\n(.*?)```").FindAllStringSubmatch(section, -1)
	if len(blocks) != 6 {
		t.Fatalf("docs/api-guide.md: %d GraphQL examples, want 6", len(blocks))
	}
	// Step 1: the token, with the command the README gives.
	cmd := regexp.MustCompile("(?m)^\\s*go run \\. token (.*)$").FindStringSubmatch(section)
	if cmd == nil {
		t.Fatal("docs/api-guide.md: no token command")
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
	section := docSection(t, "docs/domain.md", "## Dossiers: from proposal to decision")
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
