package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/metabind/metabind-cli/internal/api"
	"github.com/metabind/metabind-cli/internal/cmdutil"
	"github.com/metabind/metabind-cli/internal/commands/root"
	"github.com/metabind/metabind-cli/internal/iostreams"
)

// Main runs metabind with the process's arguments and streams and returns the exit code.
// SIGINT and SIGTERM cancel the command's context, which cancels any request in
// flight; the exit code is then 130 or 143. A command that has not returned
// within a short grace period after the signal (stuck in something a context
// cannot stop) is ended with that code anyway, and so is one that gets a
// second signal.
func Main() int {
	defer catchSIGPIPE()()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var got atomic.Value
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sigs)
	go watchSignals(sigs, func(s os.Signal) {
		got.Store(s)
		cancel()
	}, shutdownGrace, func() bool { return api.RecoveryBusy(time.Second) }, os.Exit)
	f := cmdutil.New(iostreams.System(), os.Getenv)
	f.InterruptCode = func() int {
		if s, ok := got.Load().(os.Signal); ok {
			return signalExit(s)
		}
		return 0
	}
	return RunFactory(ctx, os.Args[1:], f)
}

// Grace periods between the first signal and a forced exit.
const (
	// signalGrace: a command's own cancellation (requests in flight, a
	// prompt) ends well within it; the process always ends within a second.
	signalGrace = 800 * time.Millisecond
	// serverGrace: the emulator server lets requests in flight finish (up to
	// 15 s) before it closes its database.
	serverGrace = 20 * time.Second
	// recoveryCap bounds the wait for a new key's clean-up (api.Recovery
	// calls), polled every recoveryPoll.
	recoveryCap  = 30 * time.Second
	recoveryPoll = 50 * time.Millisecond
)

// isServer is set when the command being run is the emulator server.
var isServer atomic.Bool

// shutdownGrace is the grace period for the command being run.
func shutdownGrace() time.Duration {
	if isServer.Load() {
		return serverGrace
	}
	return signalGrace
}

// watchSignals cancels the command on the first signal (through cancel) and
// calls exit with the signal's code when a second one arrives or when the
// command is still running after grace, unless busy reports clean-up under
// way (then it waits for that, up to recoveryCap after the signal).
func watchSignals(sigs <-chan os.Signal, cancel func(os.Signal), grace func() time.Duration, busy func() bool, exit func(int)) {
	var first os.Signal
	var firstAt time.Time
	var timeout <-chan time.Time
	for {
		select {
		case s, ok := <-sigs:
			if !ok {
				return
			}
			if first != nil {
				exit(signalExit(s))
				return
			}
			first, firstAt = s, time.Now()
			cancel(s)
			timeout = time.After(grace())
		case <-timeout:
			if busy != nil && busy() && time.Since(firstAt) < recoveryCap {
				// A new key's clean-up is under way: removing it matters
				// more than ending at once (a second signal still does).
				timeout = time.After(recoveryPoll)
				continue
			}
			exit(signalExit(first))
			return
		}
	}
}

func signalExit(s os.Signal) int {
	if s == syscall.SIGTERM {
		return cmdutil.ExitTerminated
	}
	return cmdutil.ExitInterrupted
}

// Run executes one command line and returns its exit code.
func Run(ctx context.Context, args []string, ios *iostreams.IOStreams, getenv func(string) string) int {
	return RunFactory(ctx, args, cmdutil.New(ios, getenv))
}

// RunFactory is Run with a prepared factory (tests inject fakes through it).
// A panic is a bug: it is reported in one line, without a stack trace unless
// --debug is set, and exits 1.
func RunFactory(ctx context.Context, args []string, f *cmdutil.Factory) (code int) {
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintf(f.IOStreams.ErrOut, "error: internal error: %v\nThis is a bug in metabind; please report it with the command you ran (secrets removed).\n", r)
			if f.Global.Debug {
				fmt.Fprintf(f.IOStreams.ErrOut, "%s\n", debug.Stack())
			}
			code = cmdutil.ExitError
		}
	}()
	cmd := root.NewCmdRoot(f)
	cmdutil.TagUsageErrors(cmd)
	// Help, usage and completion scripts go through cobra's writer: record a
	// failed write (a closed pipe, a full disk) and report it like any other
	// command's, rather than let cobra print the raw error and exit 0.
	helpOut := &recordingWriter{w: cmd.OutOrStdout()}
	cmd.SetOut(helpOut)
	cmd.SetArgs(args)
	if c, _, err := cmd.Find(args); err == nil && c.CommandPath() == "metabind emulator start" {
		isServer.Store(true)
	}
	err := cmd.ExecuteContext(ctx)
	if err == nil && helpOut.err != nil {
		err = cmdutil.Errorf(cmdutil.ExitError, "%v", helpOut.err)
	}
	if err == nil {
		return cmdutil.ExitOK
	}
	err = cmdutil.AfterChange(err, f.Changes()) // exit 2 means nothing changed
	code = cmdutil.ExitCode(err)
	if f.InterruptCode != nil && code != cmdutil.ExitOK {
		if c := f.InterruptCode(); c != 0 {
			code = c
		}
	}
	var silent *cmdutil.SilentError
	if !errors.As(err, &silent) {
		reportError(f, err, code)
	}
	return code
}

func reportError(f *cmdutil.Factory, err error, code int) {
	tok := f.TokenState()
	if f.JSONErrors() {
		cmdutil.WriteJSONError(f.IOStreams.ErrOut, err, code, f.Now(), tok)
		return
	}
	fmt.Fprintln(f.IOStreams.ErrOut, f.IOStreams.ErrColorScheme().ErrorPrefix(cmdutil.FormatError(err, f.Now(), tok)))
}

// recordingWriter passes writes on until one fails, then keeps the error and
// drops the rest, so that the caller can report it once.
type recordingWriter struct {
	w   io.Writer
	err error
}

func (r *recordingWriter) Write(p []byte) (int, error) {
	if r.err == nil {
		if _, err := r.w.Write(p); err != nil {
			r.err = err
		}
	}
	return len(p), nil
}
