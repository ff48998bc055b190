// Package iostreams carries a command's standard streams and what is known about
// them: whether each is a terminal, whether colour is wanted and whether the user
// can be prompted. Commands never touch os.Stdin/os.Stdout/os.Stderr directly.
package iostreams

import (
	"bytes"
	"io"
	"os"

	"golang.org/x/term"
)

// IOStreams is the set of streams a command reads from and writes to.
type IOStreams struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer

	stdinTTY  bool
	stdoutTTY bool
	stderrTTY bool
	color     bool // stdout takes colour
	errColor  bool // stderr takes colour
	width     int  // terminal width of stdout; 0 when unknown or not a terminal

	// InFd is the file descriptor of In when it is a terminal (for hidden input); -1 otherwise.
	InFd int
}

// System returns the process's own streams.
func System() *IOStreams {
	s := &IOStreams{In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr, InFd: -1}
	s.stdinTTY = isTerminal(os.Stdin)
	s.stdoutTTY = isTerminal(os.Stdout)
	s.stderrTTY = isTerminal(os.Stderr)
	if s.stdinTTY {
		s.InFd = int(os.Stdin.Fd())
	}
	s.color = colorFor(s.stdoutTTY, os.Getenv)
	s.errColor = colorFor(s.stderrTTY, os.Getenv)
	if s.stdoutTTY {
		if w, _, err := term.GetSize(int(os.Stdout.Fd())); err == nil && w > 0 {
			s.width = w
		}
	}
	return s
}

func isTerminal(f *os.File) bool { return term.IsTerminal(int(f.Fd())) }

// Test returns streams backed by buffers; no stream is a terminal.
func Test() (*IOStreams, *bytes.Buffer, *bytes.Buffer, *bytes.Buffer) {
	in, out, errOut := &bytes.Buffer{}, &bytes.Buffer{}, &bytes.Buffer{}
	return &IOStreams{In: in, Out: out, ErrOut: errOut, InFd: -1}, in, out, errOut
}

func (s *IOStreams) IsStdinTTY() bool  { return s.stdinTTY }
func (s *IOStreams) IsStdoutTTY() bool { return s.stdoutTTY }
func (s *IOStreams) IsStderrTTY() bool { return s.stderrTTY }

// SetStdinTTY, SetStdoutTTY and SetStderrTTY are for tests.
func (s *IOStreams) SetStdinTTY(v bool)  { s.stdinTTY = v }
func (s *IOStreams) SetStdoutTTY(v bool) { s.stdoutTTY = v }
func (s *IOStreams) SetStderrTTY(v bool) { s.stderrTTY = v }

// CanPrompt reports whether the user can be asked a question: stdin is a
// terminal. Prompts are written to stderr, which may be redirected.
func (s *IOStreams) CanPrompt() bool { return s.stdinTTY }

// ColorEnabled reports whether stdout may carry ANSI colour (see colorFor).
func (s *IOStreams) ColorEnabled() bool { return s.color }

// SetColorEnabled sets the colour decision for stdout and stderr: false for
// --no-color; tests turn it on.
func (s *IOStreams) SetColorEnabled(v bool) { s.color, s.errColor = v, v }

// TerminalWidth is the width of the terminal stdout writes to, in cells; 0 when
// stdout is not a terminal or its size is unknown (then nothing is fitted).
func (s *IOStreams) TerminalWidth() int {
	if !s.stdoutTTY {
		return 0
	}
	return s.width
}

// SetTerminalWidth is for tests.
func (s *IOStreams) SetTerminalWidth(w int) { s.width = w }
