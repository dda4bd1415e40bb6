package testenv

import (
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
)

// startProcess starts bin in dir with its output appended to dir/logName. It runs in its own
// process group, so that stopping it also stops anything it forked, and is killed with the test
// binary should that die first. done is closed when it has exited. A nil env inherits ours.
func startProcess(dir, logName, bin string, args, env []string) (cmd *exec.Cmd, done chan struct{}, err error) {
	cmd = exec.Command(bin, args...)
	cmd.Dir = dir
	cmd.Env = env
	out, err := os.OpenFile(filepath.Join(dir, logName), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, nil, err
	}
	defer out.Close() // the child has its own copy
	cmd.Stdout, cmd.Stderr = out, out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		return nil, nil, err
	}
	done = make(chan struct{})
	go func() {
		_ = cmd.Wait()
		close(done)
	}()
	return cmd, done, nil
}
