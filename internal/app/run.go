package app

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"runtime/debug"
	"sync/atomic"
	"syscall"

	"github.com/metabind/metabind-cli/internal/cmdutil"
	"github.com/metabind/metabind-cli/internal/commands/root"
	"github.com/metabind/metabind-cli/internal/iostreams"
)

// Main runs metabind with the process's arguments and streams and returns the exit code.
// SIGINT and SIGTERM cancel the command's context, which cancels any request in
// flight; the exit code is then 130 or 143. A second signal exits at once.
func Main() int {
	defer catchSIGPIPE()()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var got atomic.Value
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sigs)
	go func() {
		first := true
		for s := range sigs {
			if !first {
				os.Exit(signalExit(s))
			}
			first = false
			got.Store(s)
			cancel()
		}
	}()
	f := cmdutil.New(iostreams.System(), os.Getenv)
	f.InterruptCode = func() int {
		if s, ok := got.Load().(os.Signal); ok {
			return signalExit(s)
		}
		return 0
	}
	return RunFactory(ctx, os.Args[1:], f)
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
	cmd.SetArgs(args)
	executed, err := cmd.ExecuteContextC(ctx)
	if err == nil {
		return cmdutil.ExitOK
	}
	err = cmdutil.CobraError(executed, err)
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
