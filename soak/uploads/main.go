// Command uploads measures the service under concurrent large uploads:
// it builds and starts thidua on an embedded database, sends N uploads of
// SIZE bytes at once (editors attaching to their drafts, then viewers
// refused), reads the process's peak resident memory (/proc/PID/status
// VmHWM, the kernel's high-water mark), and checks that the process still
// serves (its writer lease held).
//
//	go run ./soak/uploads                  # 16 uploads of 20 MiB, UPLOAD_CONCURRENCY=16
//	go run ./soak/uploads -n 32 -concurrency 8
package main

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/thidua/thidua/auth"
)

const secret = "soak-secret-soak-secret-soak-secret"

func main() {
	n := flag.Int("n", 16, "uploads sent at once")
	size := flag.Int("size", 20<<20, "bytes of each file")
	concurrency := flag.Int("concurrency", 16, "UPLOAD_CONCURRENCY (and the per-subject limit) of the service")
	flag.Parse()
	dir, err := os.MkdirTemp("", "thidua-uploads-*")
	must(err)
	defer os.RemoveAll(dir)
	bin := filepath.Join(dir, "thidua")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Stderr = os.Stderr
	must(build.Run())
	addr := freeAddr()
	base := "http://" + addr
	cmd := exec.Command(bin)
	cmd.Env = append(os.Environ(), "DATA_DIR="+filepath.Join(dir, "data"), "ADDR="+addr, "JWT_SECRET="+secret,
		"LOG_LEVEL=error", "PLAYGROUND=false", "REQUEST_TIMEOUT=120s", "UPLOAD_MAX_BYTES="+strconv.Itoa(*size),
		"UPLOAD_CONCURRENCY="+strconv.Itoa(*concurrency), "UPLOAD_CONCURRENCY_PER_SUBJECT="+strconv.Itoa(*concurrency))
	cmd.Stderr = os.Stderr
	must(cmd.Start())
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	defer func() { _ = cmd.Process.Signal(os.Interrupt); <-exited }()
	waitReady(base)
	pid := cmd.Process.Pid
	fmt.Printf("idle: RSS %d MB\n", rssMB(pid, "VmRSS"))

	tok := func(sub, role string) string {
		t, _ := auth.Issue(auth.IssueConfig{Secret: []byte(secret), Issuer: "thidua", Audience: "thidua",
			Subject: sub, Roles: map[string]string{"lang-son": role}, TTL: time.Hour, Now: time.Now()})
		return t
	}
	editor := tok("editor", "editor")
	hc := &http.Client{Timeout: 10 * time.Minute}
	var ids []string
	for i := 0; i < *n; i++ {
		ids = append(ids, createDossier(hc, base, editor, i))
	}
	pdf := make([]byte, *size)
	_, _ = rand.Read(pdf)
	copy(pdf, "%PDF-1.4\n")
	copy(pdf[len(pdf)-7:], "\n%%EOF\n")

	for _, round := range []struct {
		name, tok string
	}{{"editors", editor}, {"viewers (refused)", tok("viewer", "viewer")}} {
		start := time.Now()
		codes := make([]string, *n)
		var wg sync.WaitGroup
		for i := range *n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				codes[i] = upload(hc, base, round.tok, ids[i], pdf)
			}()
		}
		wg.Wait()
		count := map[string]int{}
		for _, c := range codes {
			count[c]++
		}
		fmt.Printf("%d %s uploads of %d MiB at once: %v in %s; peak RSS so far %d MB\n",
			*n, round.name, *size>>20, count, time.Since(start).Round(time.Millisecond), rssMB(pid, "VmHWM"))
	}
	select {
	case err := <-exited:
		must(fmt.Errorf("the service stopped: %v", err))
	default:
	}
	res, err := http.Get(base + "/readyz")
	must(err)
	res.Body.Close()
	fmt.Printf("after: RSS %d MB, peak (VmHWM) %d MB, /readyz %d, process running (writer lease held)\n",
		rssMB(pid, "VmRSS"), rssMB(pid, "VmHWM"), res.StatusCode)
}

func createDossier(hc *http.Client, base, tok string, i int) string {
	in := map[string]any{"provinceId": "lang-son", "kind": "REGULAR", "authority": "PROVINCE_CHAIR", "year": 2025,
		"title": fmt.Sprintf("Hồ sơ %d", i), "proposingUnit": "Sở Nội vụ", "letter": map[string]any{"number": fmt.Sprintf("%d/TTr", i+1), "date": "2026-11-01"},
		"recipients": []any{map[string]any{"recipient": map[string]any{"kind": "INDIVIDUAL", "name": "Vi Văn Sơn"},
			"awardTypeId": "bang-khen-chu-tich-tinh", "achievement": "Thành tích"}}}
	body, _ := json.Marshal(map[string]any{"query": `mutation($in: DossierInput!) { createDossier(input: $in) { id } }`, "variables": map[string]any{"in": in}})
	req, _ := http.NewRequest(http.MethodPost, base+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+tok)
	res, err := hc.Do(req)
	must(err)
	defer res.Body.Close()
	var out struct {
		Data struct {
			CreateDossier struct{ ID string } `json:"createDossier"`
		} `json:"data"`
		Errors []any `json:"errors"`
	}
	must(json.NewDecoder(res.Body).Decode(&out))
	if out.Data.CreateDossier.ID == "" {
		must(fmt.Errorf("createDossier: %v", out.Errors))
	}
	return out.Data.CreateDossier.ID
}

// upload attaches data to the record id and returns "ok" or the error's code.
func upload(hc *http.Client, base, tok, id string, data []byte) string {
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	go func() {
		ops, _ := json.Marshal(map[string]any{"query": `mutation($id: ID!, $f: Upload!) { attachFile(recordId: $id, file: $f) { id size } }`,
			"variables": map[string]any{"id": id, "f": nil}})
		_ = mw.WriteField("operations", string(ops))
		_ = mw.WriteField("map", `{"0": ["variables.f"]}`)
		part, _ := mw.CreateFormFile("0", "to-trinh.pdf")
		_, err := part.Write(data)
		if err == nil {
			err = mw.Close()
		}
		_ = pw.CloseWithError(err)
	}()
	req, _ := http.NewRequest(http.MethodPost, base+"/graphql", pr)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+tok)
	res, err := hc.Do(req)
	if err != nil {
		return "transport error"
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	var out struct {
		Errors []struct {
			Extensions struct{ Code string } `json:"extensions"`
		} `json:"errors"`
	}
	_ = json.Unmarshal(raw, &out)
	if len(out.Errors) > 0 {
		return out.Errors[0].Extensions.Code
	}
	return "ok"
}

// rssMB reads a memory figure (VmRSS, VmHWM) of process pid, in MB.
func rssMB(pid int, field string) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, field+":"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb >> 10
		}
	}
	return 0
}

func waitReady(base string) {
	for range 600 {
		if res, err := http.Get(base + "/readyz"); err == nil {
			res.Body.Close()
			if res.StatusCode == 200 {
				return
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	must(fmt.Errorf("service not ready"))
}

func freeAddr() string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	must(err)
	defer ln.Close()
	return ln.Addr().String()
}

func must(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "uploads:", err)
		os.Exit(1)
	}
}
