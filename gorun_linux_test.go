package main

import (
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// A service started the way `go run` starts it stops when the `go run`
// process is killed: the kernel passes it SIGTERM, and it shuts down.
func TestServiceFollowsGoRun(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "go-build123", "b001", "exe")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "thidua")
	copyFile(t, os.Args[0], bin)
	addr := freeAddr(t)
	// sh stands for `go run`: it starts the service and waits for it.
	parent := exec.Command("sh", "-c", `"$1" & wait`, "sh", bin)
	parent.Env = append(os.Environ(), "THIDUA_TEST_SERVE=1", "ADDR="+addr, "DATA_DIR="+t.TempDir(), "LOG_LEVEL=error")
	if err := parent.Start(); err != nil {
		t.Fatal(err)
	}
	base := "http://" + addr
	waitReady(t, base, time.Now().Add(60*time.Second), parent.Process)
	_ = parent.Process.Signal(syscall.SIGKILL) // what `kill` does to `go run`: it dies, the service does not hear
	_ = parent.Wait()
	deadline := time.Now().Add(30 * time.Second)
	for status(base+"/healthz") != 0 {
		if time.Now().After(deadline) {
			t.Fatal("the service kept serving after its `go run` was killed")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	in, err := os.Open(from)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_CREATE|os.O_WRONLY, 0o755)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
}
