package app

import (
	"context"
	"strings"
	"testing"

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
