//go:build !linux

package bench

import (
	"os"
	"syscall"
)

// childAttr is the default elsewhere: the child is stopped by Close.
func childAttr() *syscall.SysProcAttr { return nil }

// stopGroup signals the child itself.
func stopGroup(pid int, sig syscall.Signal) {
	if p, err := os.FindProcess(pid); err == nil {
		_ = p.Signal(sig)
	}
}
