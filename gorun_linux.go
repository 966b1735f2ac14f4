package main

import (
	"os"
	"regexp"
	"syscall"
)

// goRunBinary matches the path where `go run` builds and starts a program:
// $GOTMPDIR/go-build<N>/b<N>/exe/<name>.
var goRunBinary = regexp.MustCompile(`/go-build[0-9]+/b[0-9]+/exe/[^/]+$`)

// followGoRun makes the service stop when the `go run` that started it is
// killed. `go run` does not pass SIGTERM on: killing it (a script's `kill $!`)
// leaves the service serving, holding the port and the data directory's lock.
// Under `go run` the kernel sends this process SIGTERM when its parent dies
// (PR_SET_PDEATHSIG), which shuts it down as a SIGTERM does. A built binary is
// left alone.
func followGoRun() {
	exe, err := os.Executable()
	if err != nil || !goRunBinary.MatchString(exe) {
		return
	}
	parent := os.Getppid()
	if _, _, errno := syscall.RawSyscall(syscall.SYS_PRCTL, syscall.PR_SET_PDEATHSIG, uintptr(syscall.SIGTERM), 0); errno != 0 {
		return
	}
	if os.Getppid() != parent { // the parent died before the request took effect
		_ = syscall.Kill(os.Getpid(), syscall.SIGTERM)
	}
}
