//go:build linux

package prompt

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime"
	"syscall"
	"testing"

	"github.com/metabind/metabind-cli/internal/iostreams"
	"golang.org/x/sys/unix"

	"github.com/metabind/metabind-cli/internal/testsupport"
)

// openPTY opens a pseudo-terminal pair; the test skips where none is available.
func openPTY(t *testing.T) (master, slave *os.File) {
	t.Helper()
	m, err := os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pseudo-terminal: %v", err)
	}
	if err := unix.IoctlSetPointerInt(int(m.Fd()), unix.TIOCSPTLCK, 0); err != nil {
		m.Close()
		t.Skipf("unlocking pseudo-terminal: %v", err)
	}
	n, err := unix.IoctlGetUint32(int(m.Fd()), unix.TIOCGPTN)
	if err != nil {
		m.Close()
		t.Skipf("pseudo-terminal number: %v", err)
	}
	s, err := os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		m.Close()
		t.Skipf("opening pseudo-terminal: %v", err)
	}
	// Closing the master hangs the terminal up, which ends any read still
	// blocked on the slave; then the slave can be closed.
	t.Cleanup(func() { m.Close(); s.Close() })
	return m, s
}

func echoOn(t *testing.T, fd int) bool {
	t.Helper()
	tio, err := unix.IoctlGetTermios(fd, unix.TCGETS)
	if err != nil {
		t.Fatalf("reading terminal state: %v", err)
	}
	return tio.Lflag&unix.ECHO != 0
}

func ttyStreams(slave *os.File) (*iostreams.IOStreams, *testsupport.SyncBuffer) {
	ios, _, _, _ := iostreams.Test()
	errOut := &testsupport.SyncBuffer{}
	ios.In, ios.ErrOut, ios.InFd = slave, errOut, int(slave.Fd())
	ios.SetStdinTTY(true)
	ios.SetStderrTTY(true)
	return ios, errOut
}

func TestPasswordOnTerminal(t *testing.T) {
	master, slave := openPTY(t)
	ios, errOut := ttyStreams(slave)
	fd := int(slave.Fd())
	if !echoOn(t, fd) {
		t.Fatal("a new terminal should echo")
	}
	if _, err := master.WriteString("  eyJ.s3cret.sig \n"); err != nil {
		t.Fatal(err)
	}
	got, err := New(ios).Password(context.Background(), "Paste your token:")
	if err != nil {
		t.Fatalf("Password: %v", err)
	}
	if got != "eyJ.s3cret.sig" {
		t.Errorf("Password = %q", got)
	}
	if want := "Paste your token: \n"; errOut.String() != want {
		t.Errorf("stderr = %q, want the prompt and a newline", errOut.String())
	}
	if !echoOn(t, fd) {
		t.Error("echo not restored after hidden input")
	}
}

func TestPasswordCancelRestoresTerminal(t *testing.T) {
	_, slave := openPTY(t)
	ios, errOut := ttyStreams(slave)
	fd := int(slave.Fd())
	p := New(ios)

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := p.Password(ctx, "Token:")
		done <- err
	}()
	// Wait until the hidden read has turned echo off, as it is when the user
	// presses Ctrl-C at the prompt.
	for echoOn(t, fd) {
		runtime.Gosched()
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("Password: err = %v, want context.Canceled", err)
	}
	if !echoOn(t, fd) {
		t.Error("echo still off after cancellation")
	}
	if want := "Token: \n"; errOut.String() != want {
		t.Errorf("stderr = %q, want %q", errOut.String(), want)
	}
	// The abandoned read still owns the terminal: a new prompt refuses rather
	// than read a secret with echo on.
	if _, err := p.Password(context.Background(), "Token:"); !errors.Is(err, errBusy) {
		t.Errorf("second Password: err = %v, want errBusy", err)
	}
}
