package prompt

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/metabind/metabind-cli/internal/iostreams"
)

// newTest returns a prompter reading stdin from the given text.
func newTest(stdin string) (Prompter, *bytes.Buffer) {
	ios, in, _, errOut := iostreams.Test()
	in.WriteString(stdin)
	return New(ios), errOut
}

func TestConfirmParsing(t *testing.T) {
	cases := []struct {
		input      string
		defaultYes bool
		want       bool
	}{
		{"y\n", false, true},
		{"Y\n", false, true},
		{"yes\n", false, true},
		{"YES\n", false, true},
		{"  yEs  \n", false, true},
		{"n\n", true, false},
		{"N\n", true, false},
		{"no\n", true, false},
		{"No\n", true, false},
		{"\n", false, false},
		{"\n", true, true},
		{"   \n", true, true},
		{"y\r\n", false, true},
		{"y", false, true}, // last line without a newline
		{"no", true, false},
	}
	for _, c := range cases {
		p, errOut := newTest(c.input)
		got, err := p.Confirm(context.Background(), "Revoke it?", c.defaultYes)
		if err != nil {
			t.Errorf("Confirm(%q, defaultYes=%v): %v", c.input, c.defaultYes, err)
			continue
		}
		if got != c.want {
			t.Errorf("Confirm(%q, defaultYes=%v) = %v, want %v", c.input, c.defaultYes, got, c.want)
		}
		wantPrompt := "Revoke it? [y/N] "
		if c.defaultYes {
			wantPrompt = "Revoke it? [Y/n] "
		}
		if errOut.String() != wantPrompt {
			t.Errorf("prompt = %q, want %q", errOut.String(), wantPrompt)
		}
	}
}

func TestConfirmReasks(t *testing.T) {
	p, errOut := newTest("maybe\nyess\ny\n")
	got, err := p.Confirm(context.Background(), "Continue?", false)
	if err != nil || !got {
		t.Fatalf("Confirm = %v, %v; want true after two re-asks", got, err)
	}
	want := "Continue? [y/N] " + `Please answer "y" or "n".` + "\n" +
		"Continue? [y/N] " + `Please answer "y" or "n".` + "\n" +
		"Continue? [y/N] "
	if errOut.String() != want {
		t.Errorf("stderr = %q, want %q", errOut.String(), want)
	}
}

func TestConfirmGivesUpAfterThreeInvalidAnswers(t *testing.T) {
	p, errOut := newTest("a\nb\nc\ny\n")
	_, err := p.Confirm(context.Background(), "Continue?", true)
	if err == nil || !strings.Contains(err.Error(), "no valid answer after 3 attempts") {
		t.Fatalf("err = %v, want the give-up error", err)
	}
	if n := strings.Count(errOut.String(), "Continue? [Y/n] "); n != 3 {
		t.Errorf("asked %d times, want 3", n)
	}
	// The fourth line is still there for the next prompt.
	if got, err := p.Input(context.Background(), "Next:"); got != "y" || err != nil {
		t.Errorf("next Input = %q, %v; want the unread line", got, err)
	}
}

func TestEOF(t *testing.T) {
	ctx := context.Background()
	cases := map[string]func(Prompter) error{
		"Confirm":  func(p Prompter) error { _, err := p.Confirm(ctx, "Sure?", true); return err },
		"Input":    func(p Prompter) error { _, err := p.Input(ctx, "Name:"); return err },
		"Password": func(p Prompter) error { _, err := p.Password(ctx, "Token:"); return err },
	}
	for name, call := range cases {
		p, _ := newTest("")
		if err := call(p); !errors.Is(err, ErrNoAnswer) || err.Error() != "no answer (stdin closed)" {
			t.Errorf("%s on empty stdin: err = %v, want ErrNoAnswer", name, err)
		}
	}
	// EOF after an invalid answer ends the dialogue too.
	p, _ := newTest("what\n")
	if _, err := p.Confirm(ctx, "Sure?", false); !errors.Is(err, ErrNoAnswer) {
		t.Errorf("EOF on re-ask: err = %v, want ErrNoAnswer", err)
	}
}

func TestSuccessivePromptsReadSuccessiveLines(t *testing.T) {
	p, errOut := newTest("my key\n  s3cret-token \t\r\ny\n\n")
	ctx := context.Background()
	name, err := p.Input(ctx, "Name:")
	if err != nil || name != "my key" {
		t.Fatalf("Input = %q, %v", name, err)
	}
	token, err := p.Password(ctx, "Token:")
	if err != nil || token != "s3cret-token" {
		t.Fatalf("Password = %q, %v; want surrounding whitespace trimmed", token, err)
	}
	ok, err := p.Confirm(ctx, "Save?", false)
	if err != nil || !ok {
		t.Fatalf("Confirm = %v, %v", ok, err)
	}
	empty, err := p.Input(ctx, "Optional: ")
	if err != nil || empty != "" {
		t.Fatalf("Input on an empty line = %q, %v; want \"\"", empty, err)
	}
	if want := "Name: Token: Save? [y/N] Optional: "; errOut.String() != want {
		t.Errorf("stderr = %q, want %q", errOut.String(), want)
	}
	if _, err := p.Input(ctx, "More:"); !errors.Is(err, ErrNoAnswer) {
		t.Errorf("reading past the end: err = %v, want ErrNoAnswer", err)
	}
}

func TestInputKeepsInnerAndLeadingSpace(t *testing.T) {
	p, _ := newTest("  two  words  \r\n")
	got, err := p.Input(context.Background(), "Name:")
	if err != nil || got != "  two  words  " {
		t.Errorf("Input = %q, %v; want only the line ending removed", got, err)
	}
}

func TestCancelledContextBeforeReading(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	p, errOut := newTest("y\nname\ntoken\n")
	if _, err := p.Confirm(ctx, "Sure?", false); !errors.Is(err, context.Canceled) {
		t.Errorf("Confirm: err = %v, want context.Canceled", err)
	}
	if _, err := p.Input(ctx, "Name:"); !errors.Is(err, context.Canceled) {
		t.Errorf("Input: err = %v, want context.Canceled", err)
	}
	if _, err := p.Password(ctx, "Token:"); !errors.Is(err, context.Canceled) {
		t.Errorf("Password: err = %v, want context.Canceled", err)
	}
	if errOut.Len() != 0 {
		t.Errorf("prompted despite the cancelled context: %q", errOut.String())
	}
	// Nothing was consumed.
	if ok, err := p.Confirm(context.Background(), "Sure?", false); err != nil || !ok {
		t.Errorf("Confirm after cancellation = %v, %v; want the first line", ok, err)
	}
}

// signalReader reports each Read call on a channel before delegating.
type signalReader struct {
	r     io.Reader
	reads chan struct{}
}

func (s signalReader) Read(b []byte) (int, error) {
	s.reads <- struct{}{}
	return s.r.Read(b)
}

func TestCancelWhileWaitingKeepsTheLineForTheNextPrompt(t *testing.T) {
	pr, pw := io.Pipe()
	defer pw.Close()
	ios, _, _, errOut := iostreams.Test()
	reads := make(chan struct{}, 10)
	ios.In = signalReader{pr, reads}
	p := New(ios)

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := p.Input(ctx, "Name:")
		done <- err
	}()
	<-reads // the prompt is blocked reading stdin
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("Input: err = %v, want context.Canceled", err)
	}
	// Ctrl-C at the question ends its line, so an error printed next is not
	// glued to "Name: ".
	if got := errOut.String(); got != "Name: \n" {
		t.Errorf("stderr after the cancelled prompt = %q, want %q", got, "Name: \n")
	}

	go func() { io.WriteString(pw, "late answer\n") }()
	got, err := p.Input(context.Background(), "Name:")
	if err != nil || got != "late answer" {
		t.Errorf("next Input = %q, %v; want the line typed after the cancellation", got, err)
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("stderr closed") }

func TestPromptWriteErrors(t *testing.T) {
	ios, in, _, _ := iostreams.Test()
	in.WriteString("y\n")
	ios.ErrOut = failingWriter{}
	p := New(ios)
	if _, err := p.Confirm(context.Background(), "Sure?", false); err == nil || !strings.Contains(err.Error(), "stderr closed") {
		t.Errorf("Confirm: err = %v, want the write error", err)
	}
	if _, err := p.Input(context.Background(), "Name:"); err == nil {
		t.Error("Input: want the write error")
	}
}

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, errors.New("device gone") }

func TestReadErrors(t *testing.T) {
	ios, _, _, _ := iostreams.Test()
	ios.In = errReader{}
	_, err := New(ios).Input(context.Background(), "Name:")
	if err == nil || !strings.Contains(err.Error(), "device gone") || errors.Is(err, ErrNoAnswer) {
		t.Errorf("err = %v, want the read error", err)
	}
}
