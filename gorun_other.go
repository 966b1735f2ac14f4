//go:build !linux

package main

// followGoRun does nothing where the kernel cannot signal a parent's death;
// there, stop a service started by `go run` with Ctrl-C, or build it first.
func followGoRun() {}
