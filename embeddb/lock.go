package embeddb

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// LockFile is the name of the lock file inside a data directory.
const LockFile = "thidua.lock"

// DirInUseError is returned by Start (and LockDir) when another process
// holds the data directory.
type DirInUseError struct {
	Dir    string // absolute data directory
	Holder string // what the holder wrote into the lock file ("" if unreadable)
}

func (e *DirInUseError) Error() string {
	holder := e.Holder
	if holder == "" {
		holder = "a process that has not written its name yet"
	}
	return fmt.Sprintf("data directory %s is in use by another process (%s; lock %s): "+
		"one process per DATA_DIR — stop it, or use another DATA_DIR",
		e.Dir, holder, filepath.Join(e.Dir, LockFile))
}

// DirLock is an exclusive flock(2) on dir/thidua.lock, held until Release
// or until the process ends (the kernel releases it, kill -9 included).
type DirLock struct {
	f *os.File
}

// LockDir takes the exclusive lock of dir without waiting and writes the
// holder's pid, host name and start time into the lock file. When another
// process (or another open of the file in this process) holds it, the error
// is a *DirInUseError naming the holder read back from the file.
//
// The lock file is never removed: unlinking it would let one process lock
// the old inode and another a new file of the same name.
func LockDir(dir string) (*DirLock, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("data dir: %w", err)
	}
	path := filepath.Join(abs, LockFile)
	// os.OpenFile sets O_CLOEXEC: child processes do not inherit the lock.
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o640)
	if err != nil {
		return nil, fmt.Errorf("data dir lock: %w", err)
	}
	if err := flock(f); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, &DirInUseError{Dir: abs, Holder: readHolder(path)}
		}
		return nil, fmt.Errorf("data dir lock %s: %w", path, err)
	}
	host, _ := os.Hostname()
	info := fmt.Sprintf("pid %d on host %s, started %s\n", os.Getpid(), host, time.Now().UTC().Format(time.RFC3339))
	if err := f.Truncate(0); err == nil {
		_, err = f.WriteAt([]byte(info), 0)
	}
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("data dir lock %s: %w", path, err)
	}
	_ = f.Sync()
	return &DirLock{f: f}, nil
}

// flock takes an exclusive lock without blocking, retrying on EINTR.
func flock(f *os.File) error {
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if !errors.Is(err, syscall.EINTR) {
			return err
		}
	}
}

// readHolder reads what the holder wrote. The holder writes just after it
// locks, so a contender that lost by microseconds may find the file empty
// or half written: it reads again for a moment until it finds a whole line.
func readHolder(path string) string {
	var s string
	for i := 0; i < 20; i++ {
		b, _ := os.ReadFile(path)
		s = string(b)
		if strings.HasSuffix(s, "\n") {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	return strings.TrimSpace(s)
}

// Release empties the lock file and releases the lock.
func (l *DirLock) Release() {
	if l == nil || l.f == nil {
		return
	}
	_ = l.f.Truncate(0)
	_ = l.f.Close() // closing the last descriptor releases the flock
	l.f = nil
}
