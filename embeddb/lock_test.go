package embeddb

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A data directory has one holder: a second lock (here a second open of the
// file in the same process, which flock(2) treats as another holder) is
// refused with the directory and the holder named; released, it can be
// taken again.
func TestLockDirIsExclusive(t *testing.T) {
	dir := t.TempDir()
	l, err := LockDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	_, err = LockDir(dir)
	var inUse *DirInUseError
	if !errors.As(err, &inUse) {
		t.Fatalf("second lock: %v, want *DirInUseError", err)
	}
	host, _ := os.Hostname()
	for _, want := range []string{dir, fmt.Sprintf("pid %d on host %s", os.Getpid(), host), "one process per DATA_DIR"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("message %q does not name %q", err, want)
		}
	}
	l.Release()
	l2, err := LockDir(dir)
	if err != nil {
		t.Fatalf("after release: %v", err)
	}
	l2.Release()
	if _, err := os.Stat(filepath.Join(dir, LockFile)); err != nil {
		t.Errorf("the lock file must stay (unlinking it races): %v", err)
	}
}

// Start holds the lock until Close.
func TestStartLocksDataDir(t *testing.T) {
	dir := t.TempDir()
	s, err := Start(context.Background(), dir, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	var inUse *DirInUseError
	if s2, err := Start(context.Background(), dir, "", nil); !errors.As(err, &inUse) {
		if s2 != nil {
			s2.Close()
		}
		t.Fatalf("second Start on the same directory: %v, want *DirInUseError", err)
	}
	s.Close()
	s, err = Start(context.Background(), dir, "", nil)
	if err != nil {
		t.Fatalf("Start after Close: %v", err)
	}
	s.Close()
}
