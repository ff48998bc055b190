package iostreams

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"
)

func TestColorWanted(t *testing.T) {
	cases := []struct {
		env  map[string]string
		want bool
	}{
		{map[string]string{}, true},
		{map[string]string{"NO_COLOR": "1"}, false},
		{map[string]string{"TERM": "dumb"}, false},
	}
	for _, c := range cases {
		got := colorWanted(func(k string) string { return c.env[k] })
		if got != c.want {
			t.Errorf("colorWanted(%v) = %v, want %v", c.env, got, c.want)
		}
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
