package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/thidua/thidua/backup"
)

// movementsByID pages through every movement a viewer of * sees and
// returns each, all fields, as JSON by id.
func movementsByID(t *testing.T, base, tok string) map[string]string {
	t.Helper()
	out := map[string]string{}
	after := ""
	for page := 0; page < 1000; page++ {
		_, code, data, err := post(base, tok, `{ movements(first: 100, after: "`+after+`") {
		  pageInfo { hasNextPage endCursor } edges { node { id title scope kind province { id } launchedBy
		  startYear endYear description published version createdAt updatedAt } } } }`)
		if err != nil || code != "" {
			t.Fatalf("read: %q %v", code, err)
		}
		conn := data["movements"].(map[string]any)
		for _, e := range conn["edges"].([]any) {
			n := e.(map[string]any)["node"].(map[string]any)
			raw, _ := json.Marshal(n)
			out[n["id"].(string)] = string(raw)
		}
		pi := conn["pageInfo"].(map[string]any)
		if pi["hasNextPage"] != true {
			return out
		}
		after = pi["endCursor"].(string)
	}
	return out
}

// runCmd runs a subcommand (backup, restore) with env and returns its
// output.
func runCmd(t *testing.T, env map[string]string, args ...string) (string, error) {
	t.Helper()
	var out syncBuffer
	err := run(context.Background(), args, func(k string) string { return env[k] }, &out, &out)
	return out.String(), err
}

// A backup taken by the serving process under a stream of writes restores
// into an empty DATA_DIR, and the service started on it serves every
// record as the original holds it: every write acknowledged before the
// backup, nothing attempted, each equal, as many as the manifest counts.
func TestBackupWhileServingRestores(t *testing.T) {
	env := map[string]string{"DATA_DIR": t.TempDir(), "LOG_LEVEL": "error", "JWT_SECRET": "s3cret"}
	base, stop := start(t, env)
	tok := devToken(t, env, "lang-son=editor")
	viewer := devToken(t, env, "*=viewer")
	w := &writes{attempted: map[string]bool{}}
	stopWrites := make(chan struct{})
	wg := w.stream(base, tok, 4, stopWrites)
	time.Sleep(700 * time.Millisecond)
	w.mu.Lock()
	before := append([]string(nil), w.acked...)
	w.mu.Unlock()

	dest := filepath.Join(t.TempDir(), "backup")
	out, err := runCmd(t, env, "backup", dest)
	if err != nil {
		t.Fatalf("backup while serving: %v\n%s", err, out)
	}
	if !strings.Contains(out, "by the running service, verified") || !strings.Contains(out, "movements ") {
		t.Errorf("backup says: %s", out)
	}
	time.Sleep(300 * time.Millisecond)
	close(stopWrites)
	wg.Wait()
	live := movementsByID(t, base, viewer)
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	if len(before) < 5 {
		t.Fatalf("only %d writes acknowledged before the backup", len(before))
	}
	m, err := backup.Verify(context.Background(), dest)
	if err != nil {
		t.Fatal(err)
	}

	env2 := map[string]string{"DATA_DIR": t.TempDir(), "LOG_LEVEL": "error", "JWT_SECRET": "s3cret"}
	if out, err := runCmd(t, env2, "restore", dest); err != nil || !strings.Contains(out, "restored into") {
		t.Fatalf("restore: %v\n%s", err, out)
	}
	base2, _ := start(t, env2)
	restored := movementsByID(t, base2, viewer)
	var want int64
	for _, f := range m.Files {
		if f.Name == "thidua.sqlite" {
			want = f.Collections["movements"]
		}
	}
	if int64(len(restored)) != want {
		t.Errorf("restored %d movements, the manifest counts %d", len(restored), want)
	}
	titles := map[string]bool{}
	for id, doc := range restored {
		if live[id] != doc {
			t.Errorf("restored movement differs from the original:\n%s\n%s", doc, live[id])
		}
		var n struct{ Title string }
		_ = json.Unmarshal([]byte(doc), &n)
		titles[n.Title] = true
	}
	for _, s := range before {
		if !titles[s] {
			t.Errorf("write %q acknowledged before the backup is not in it", s)
		}
	}
	t.Logf("backup under 4 writers: %d movements in it (%d acknowledged before it, %d in the original after)",
		len(restored), len(before), len(live))
}

// A backup cut short (no manifest), damaged (a changed byte) or restored
// onto data is refused; so is a second backup onto the first; the backup
// of a stopped service is made by the command itself.
func TestRestoreRefuses(t *testing.T) {
	env := map[string]string{"DATA_DIR": t.TempDir(), "LOG_LEVEL": "error"}
	_, stop := start(t, env)
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	dest := filepath.Join(t.TempDir(), "b")
	if out, err := runCmd(t, env, "backup", dest); err != nil || !strings.Contains(out, "with no service running, verified") {
		t.Fatalf("backup of a stopped service: %v\n%s", err, out)
	}
	if _, err := runCmd(t, env, "backup", dest); err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Errorf("a backup onto a backup: %v", err)
	}
	if _, err := runCmd(t, env, "restore", dest); err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Errorf("restore onto data: %v", err)
	}
	copyDir := func(name string) string {
		dir := filepath.Join(t.TempDir(), name)
		if err := os.MkdirAll(dir, 0o750); err != nil {
			t.Fatal(err)
		}
		entries, _ := os.ReadDir(dest)
		for _, e := range entries {
			if e.IsDir() { // the attachments' chunk store: not needed to see these refused
				continue
			}
			raw, err := os.ReadFile(filepath.Join(dest, e.Name()))
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, e.Name()), raw, 0o640); err != nil {
				t.Fatal(err)
			}
		}
		return dir
	}
	cut := copyDir("cut")
	if err := os.Remove(filepath.Join(cut, backup.ManifestName)); err != nil {
		t.Fatal(err)
	}
	damaged := copyDir("damaged")
	f, err := os.OpenFile(filepath.Join(damaged, "thidua.sqlite"), os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = f.WriteAt([]byte{0x5a}, 5000)
	f.Close()
	for _, c := range []struct{ src, want string }{
		{cut, "not a complete backup"},
		{damaged, "damaged or incomplete"},
	} {
		target := map[string]string{"DATA_DIR": t.TempDir(), "LOG_LEVEL": "error"}
		_, err := runCmd(t, target, "restore", c.src)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("restore %s: %v, want %q", filepath.Base(c.src), err, c.want)
		}
		if entries, _ := os.ReadDir(target["DATA_DIR"]); len(entries) > 1 {
			t.Errorf("a refused restore left %d files", len(entries))
		}
	}
}

// Attachments are in the backup: their files' documents in the database's
// copy and their bytes in the chunk store's, taken while the service
// serves; the restored service serves them byte for byte.
func TestBackupCarriesAttachments(t *testing.T) {
	env := map[string]string{"DATA_DIR": t.TempDir(), "LOG_LEVEL": "error", "JWT_SECRET": "s3cret"}
	base, stop := start(t, env)
	tok := devToken(t, env, "lang-son=editor")
	_, code, data, err := post(base, tok, `mutation { createDossier(input: {provinceId: "lang-son", kind: REGULAR,
	  authority: PROVINCE_CHAIR, year: 2025, title: "Hồ sơ thử", proposingUnit: "Sở Nội vụ",
	  recipients: [{recipient: {kind: COLLECTIVE, name: "Phòng Nội vụ"}, awardTypeId: "tap-the-lao-dong-xuat-sac",
	  achievement: "Dẫn đầu"}]}) { id } }`)
	if err != nil || code != "" {
		t.Fatalf("createDossier: %q %v", code, err)
	}
	dossier := data["createDossier"].(map[string]any)["id"].(string)
	file := append([]byte("%PDF-1.4\n"), bytes.Repeat([]byte("Tờ trình đề nghị khen thưởng. "), 200000)...)
	file = append(file, []byte("\n%%EOF\n")...)
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	_ = mw.WriteField("operations", `{"query":"mutation($f: Upload!) { attachFile(recordId: \"`+dossier+`\", file: $f) { url } }","variables":{"f":null}}`)
	_ = mw.WriteField("map", `{"0":["variables.f"]}`)
	part, _ := mw.CreateFormFile("0", "to-trinh.pdf")
	_, _ = part.Write(file)
	_ = mw.Close()
	req, _ := http.NewRequest(http.MethodPost, base+"/graphql", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+tok)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var up struct {
		Data struct {
			AttachFile struct{ URL string } `json:"attachFile"`
		} `json:"data"`
	}
	_ = json.NewDecoder(res.Body).Decode(&up)
	res.Body.Close()
	if up.Data.AttachFile.URL == "" {
		t.Fatalf("attachFile answered no url (%d)", res.StatusCode)
	}
	dest := filepath.Join(t.TempDir(), "backup")
	if out, err := runCmd(t, env, "backup", dest); err != nil {
		t.Fatalf("backup: %v\n%s", err, out)
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	env2 := map[string]string{"DATA_DIR": t.TempDir(), "LOG_LEVEL": "error", "JWT_SECRET": "s3cret"}
	if out, err := runCmd(t, env2, "restore", dest); err != nil {
		t.Fatalf("restore: %v\n%s", err, out)
	}
	base2, _ := start(t, env2)
	req, _ = http.NewRequest(http.MethodGet, base2+up.Data.AttachFile.URL, nil)
	req.Header.Set("Authorization", "Bearer "+devToken(t, env2, "lang-son=viewer"))
	res, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || !bytes.Equal(got, file) {
		t.Errorf("the restored service serves the attachment as %d with %d bytes, want 200 with the %d uploaded", res.StatusCode, len(got), len(file))
	}
}
