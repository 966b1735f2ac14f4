package main

import "syscall"

// childAttr makes a child process die with the bench (a killed bench
// leaves no net/http floor listening).
func childAttr() *syscall.SysProcAttr { return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL} }
