//go:build windows

package keys

import (
	"os"
	"os/exec"
	"strconv"
	"syscall"
)

// setProcessGroup starts CMD in a new process group, Windows' nearest
// equivalent of a Unix process group: a Ctrl-C in the console does not reach
// it, and metabind stops it instead.
func setProcessGroup(c *exec.Cmd) {
	c.SysProcAttr = &syscall.SysProcAttr{CreationFlags: syscall.CREATE_NEW_PROCESS_GROUP}
}

// killProcessGroup ends CMD and the processes it started (taskkill /T), or CMD
// alone when taskkill is not available.
func killProcessGroup(p *os.Process) error {
	if p == nil {
		return nil
	}
	if err := exec.Command("taskkill", "/T", "/F", "/PID", strconv.Itoa(p.Pid)).Run(); err == nil {
		return nil
	}
	return p.Kill()
}

// exitSignal: Windows has no signals; a killed process just has an exit code.
func exitSignal(*exec.ExitError) (string, bool) { return "", false }
