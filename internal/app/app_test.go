package app

import (
	"context"
	"strings"
	"testing"

	"github.com/metabind/metabind-cli/internal/iostreams"
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
