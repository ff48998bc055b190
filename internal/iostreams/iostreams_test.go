package iostreams

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"
)

func TestColorFor(t *testing.T) {
	cases := []struct {
		tty  bool
		env  map[string]string
		want bool
	}{
		{true, map[string]string{}, true},
		{false, map[string]string{}, false},
		{true, map[string]string{"NO_COLOR": "1"}, false},
		{true, map[string]string{"TERM": "dumb"}, false},
		{false, map[string]string{"CLICOLOR_FORCE": "1"}, true},
		{false, map[string]string{"CLICOLOR_FORCE": "0"}, false},
		{false, map[string]string{"CLICOLOR_FORCE": "1", "NO_COLOR": "1"}, false},
		{true, map[string]string{"CLICOLOR_FORCE": "1", "TERM": "dumb"}, true},
		{true, map[string]string{"CLICOLOR": "0"}, false},
		{true, map[string]string{"CLICOLOR": "1"}, true},
		{false, map[string]string{"CLICOLOR": "1"}, false},
		{true, map[string]string{"CLICOLOR": "0", "CLICOLOR_FORCE": "1"}, true},
		{false, map[string]string{"CLICOLOR": "0", "CLICOLOR_FORCE": "1"}, true},
		{true, map[string]string{"CLICOLOR": "0", "CLICOLOR_FORCE": "1", "NO_COLOR": "1"}, false},
	}
	for _, c := range cases {
		got := colorFor(c.tty, func(k string) string { return c.env[k] })
		if got != c.want {
			t.Errorf("colorFor(tty %v, %v) = %v, want %v", c.tty, c.env, got, c.want)
		}
	}
}

func TestColorScheme(t *testing.T) {
	s, _, _, _ := Test()
	cs := s.ColorScheme()
	if cs.Status("active") != "active" || cs.SuccessIcon() != "✓" || cs.ErrorPrefix("error: x") != "error: x" {
		t.Fatal("test streams must not be coloured")
	}
	s.SetColorEnabled(true)
	cs, ecs := s.ColorScheme(), s.ErrColorScheme()
	for got, want := range map[string]string{
		cs.Status("active"):              "\x1b[32mactive\x1b[0m",
		cs.Status("revoked"):             "\x1b[31mrevoked\x1b[0m",
		cs.Status("paused"):              "paused",
		cs.FailureIcon():                 "\x1b[31m✗\x1b[0m",
		ecs.ErrorPrefix("error: no key"): "\x1b[31merror:\x1b[0m no key",
		ecs.ErrorPrefix("no prefix"):     "no prefix",
	} {
		if got != want {
			t.Errorf("got %q, want %q", got, want)
		}
	}
	s.SetColorEnabled(false)
	if s.ErrColorScheme().Enabled() || s.ColorScheme().Enabled() {
		t.Error("SetColorEnabled(false) leaves colour on")
	}
}

func TestTestStreamsAreNotTTYs(t *testing.T) {
	s, _, _, _ := Test()
	if s.CanPrompt() || s.IsStdoutTTY() || s.ColorEnabled() {
		t.Fatal("test streams must not look like a terminal")
	}
	s.SetStdoutTTY(true)
	s.SetStderrTTY(true)
	if s.CanPrompt() {
		t.Fatal("CanPrompt must be false while stdin is not a terminal")
	}
	s.SetStdinTTY(true)
	if !s.CanPrompt() {
		t.Fatal("CanPrompt should follow the stdin TTY state")
	}
}

func TestReadAllStopsOnCancel(t *testing.T) {
	pr, pw := io.Pipe() // never written: a read blocks like an idle terminal
	defer pw.Close()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := ReadAll(ctx, pr, 10); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	b, err := ReadAll(context.Background(), strings.NewReader("0123456789abc"), 10)
	if err != nil || string(b) != "0123456789a" {
		t.Fatalf("got %q, %v; want the first max+1 bytes", b, err)
	}
}
