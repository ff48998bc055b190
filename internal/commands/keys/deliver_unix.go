//go:build !windows

package keys

import (
	"errors"
	"os"
	"os/exec"
	"syscall"
)

// setProcessGroup starts CMD in a process group of its own, so that a timeout
// or an interrupt kills CMD and everything it started, and so that a Ctrl-C on
// the terminal reaches metabind (which then kills the group and cleans up)
// rather than CMD alone.
func setProcessGroup(c *exec.Cmd) {
	c.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
}

// killProcessGroup sends SIGKILL to CMD's whole process group.
func killProcessGroup(p *os.Process) error {
	if p == nil {
		return nil
	}
	err := syscall.Kill(-p.Pid, syscall.SIGKILL)
	if errors.Is(err, syscall.ESRCH) {
		return os.ErrProcessDone
	}
	return err
}

// exitSignal reports the signal that ended CMD, if one did.
func exitSignal(ee *exec.ExitError) (string, bool) {
	if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return ws.Signal().String(), true
	}
	return "", false
}
