package bench

import "syscall"

// childAttr puts a child in its own process group (so that stopping it stops what it forks)
// and kills it should the bench process die first.
func childAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}

// stopGroup signals the child's process group.
func stopGroup(pid int, sig syscall.Signal) { _ = syscall.Kill(-pid, sig) }
