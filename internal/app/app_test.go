package app

import (
	"context"
	"os"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/metabind/metabind-cli/internal/cmdutil"
	"github.com/metabind/metabind-cli/internal/iostreams"
	"github.com/metabind/metabind-cli/internal/prompt"
)

func TestVersion(t *testing.T) {
	ios, _, out, _ := iostreams.Test()
	code := Run(context.Background(), []string{"--version"}, ios, func(string) string { return "" })
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	if !strings.HasPrefix(out.String(), "metabind dev") || !strings.Contains(out.String(), "go: go1.") {
		t.Fatalf("unexpected output %q", out.String())
	}
}

func TestUnknownCommandFails(t *testing.T) {
	ios, _, _, errOut := iostreams.Test()
	code := Run(context.Background(), []string{"nope"}, ios, func(string) string { return "" })
	if code == 0 || !strings.Contains(errOut.String(), "unknown command") {
		t.Fatalf("exit %d, stderr %q", code, errOut.String())
	}
}

func TestPanicIsReportedWithoutStackTrace(t *testing.T) {
	ios, _, _, errOut := iostreams.Test()
	ios.SetStdinTTY(true) // auth login prompts on a terminal
	f := cmdutil.New(ios, func(string) string { return "" })
	// A prompter that panics stands in for any bug inside a command.
	f.NewPrompter = func() prompt.Prompter { panic("boom") }
	code := RunFactory(context.Background(), []string{"auth", "login"}, f)
	if code != 1 {
		t.Fatalf("exit %d, want 1", code)
	}
	if !strings.Contains(errOut.String(), "internal error: boom") || strings.Contains(errOut.String(), "goroutine") {
		t.Fatalf("stderr %q", errOut.String())
	}
}

// A command stuck where its context cannot reach still ends after the grace
// period, with the first signal's code; a second signal ends it at once.
func TestWatchSignalsForcesExit(t *testing.T) {
	for _, tc := range []struct {
		name    string
		signals []os.Signal
		grace   time.Duration
		want    int
	}{
		{"SIGINT, grace expires", []os.Signal{os.Interrupt}, time.Millisecond, 130},
		{"SIGTERM, grace expires", []os.Signal{syscall.SIGTERM}, time.Millisecond, 143},
		{"second signal", []os.Signal{syscall.SIGTERM, os.Interrupt}, time.Hour, 130},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sigs := make(chan os.Signal, len(tc.signals))
			cancelled := make(chan os.Signal, 1)
			exited := make(chan int, 1)
			go watchSignals(sigs, func(s os.Signal) { cancelled <- s },
				func() time.Duration { return tc.grace }, nil, func(code int) { exited <- code })
			for _, s := range tc.signals {
				sigs <- s
			}
			if got := <-cancelled; got != tc.signals[0] {
				t.Errorf("cancelled by %v, want %v", got, tc.signals[0])
			}
			if got := <-exited; got != tc.want {
				t.Errorf("exit %d, want %d", got, tc.want)
			}
		})
	}
}

func TestShutdownGraceOfTheServer(t *testing.T) {
	t.Cleanup(func() { isServer.Store(false) })
	if g := shutdownGrace(); g >= time.Second {
		t.Errorf("a CLI command's grace is %s; it must end within a second", g)
	}
	ios, _, _, _ := iostreams.Test()
	// --help: the command is found, not run.
	_ = Run(context.Background(), []string{"emulator", "start", "--help"}, ios, func(string) string { return "" })
	if g := shutdownGrace(); g != serverGrace {
		t.Errorf("emulator start's grace is %s, want %s (its own shutdown waits up to 15 s)", g, serverGrace)
	}
}

// A new key's clean-up after an interrupt holds the forced exit until it is
// done (a second signal would still end it).
func TestWatchSignalsWaitsForRecovery(t *testing.T) {
	sigs := make(chan os.Signal, 1)
	exited := make(chan int, 1)
	var busy atomic.Bool
	busy.Store(true)
	polled := make(chan struct{}, 100)
	go watchSignals(sigs, func(os.Signal) {}, func() time.Duration { return time.Millisecond },
		func() bool { polled <- struct{}{}; return busy.Load() }, func(code int) { exited <- code })
	sigs <- os.Interrupt
	<-polled
	<-polled // still busy after the grace period: no exit yet
	select {
	case code := <-exited:
		t.Fatalf("exited %d during the clean-up", code)
	default:
	}
	busy.Store(false)
	if code := <-exited; code != 130 {
		t.Errorf("exit %d, want 130", code)
	}
}
