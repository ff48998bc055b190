// Package prompt asks the user questions: yes/no confirmations, visible input and
// hidden input (tokens, API keys). Prompts are written to stderr so stdout carries
// only the command's payload. Commands check iostreams.CanPrompt before prompting
// and receive a Prompter through their options, so tests script the answers with
// Fake.
package prompt

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/metabind/metabind-cli/internal/iostreams"
	"golang.org/x/term"
)

// Prompter asks the user questions. Every method returns ctx.Err() when ctx is
// cancelled (Ctrl-C) before or while waiting for the answer.
//
// Callers pass the message without the "[y/N]" marker, which Confirm appends, and
// sanitize any text in it that came from a server (output.Sanitize).
type Prompter interface {
	// Confirm asks a yes/no question, appending " [y/N] " (" [Y/n] " when
	// defaultYes). It accepts y, yes, n and no in any case; an empty answer is the
	// default; anything else asks again, up to three times in all.
	Confirm(ctx context.Context, message string, defaultYes bool) (bool, error)
	// Password reads a line without echoing it when stdin is a terminal, and
	// returns it with surrounding whitespace removed.
	Password(ctx context.Context, message string) (string, error)
	// Input reads a visible line and returns it without its line ending.
	Input(ctx context.Context, message string) (string, error)
}

// ErrNoAnswer is returned when stdin ends before an answer was given.
var ErrNoAnswer = errors.New("no answer (stdin closed)")

// errBusy is returned when an earlier read, abandoned when its context was
// cancelled, still holds stdin in a way the new prompt cannot share.
var errBusy = errors.New("cannot prompt: an interrupted prompt is still reading stdin")

// maxConfirmAttempts is how many times Confirm asks before giving up.
const maxConfirmAttempts = 3

// New returns the Prompter for ios: prompts go to ios.ErrOut and answers are read
// from ios.In through one buffered reader kept across calls, so successive
// prompts read successive lines. Create one Prompter per IOStreams. Hidden input
// uses the terminal on ios.InFd (when it is not -1); Ctrl-C during hidden input
// restores the terminal's echo before Password returns.
func New(ios *iostreams.IOStreams) Prompter {
	return &terminalPrompter{ios: ios, in: bufio.NewReader(ios.In)}
}

type terminalPrompter struct {
	ios *iostreams.IOStreams
	in  *bufio.Reader

	mu sync.Mutex
	// pendingLine is the result of a line read abandoned by a cancelled prompt;
	// the next line read takes it over, so no input is lost or read twice.
	pendingLine chan readResult
	// pendingHidden is a hidden read abandoned by a cancelled prompt.
	pendingHidden chan readResult
}

type readResult struct {
	text string
	err  error
}

func (p *terminalPrompter) Confirm(ctx context.Context, message string, defaultYes bool) (bool, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	ask := func(question string) (string, error) {
		if err := ctx.Err(); err != nil {
			return "", err
		}
		if _, err := io.WriteString(p.ios.ErrOut, question); err != nil {
			return "", err
		}
		return p.readLine(ctx)
	}
	complain := func() {
		fmt.Fprintln(p.ios.ErrOut, `Please answer "y" or "n".`)
	}
	return confirm(ask, complain, message, defaultYes)
}

func (p *terminalPrompter) Input(ctx context.Context, message string) (string, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if err := p.ask(ctx, message); err != nil {
		return "", err
	}
	return p.readLine(ctx)
}

func (p *terminalPrompter) Password(ctx context.Context, message string) (string, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ios.InFd < 0 {
		if err := p.ask(ctx, message); err != nil {
			return "", err
		}
		line, err := p.readLine(ctx)
		return strings.TrimSpace(line), err
	}
	if p.pendingLine != nil || p.pendingHidden != nil {
		return "", errBusy
	}
	if err := p.ask(ctx, message); err != nil {
		return "", err
	}
	return p.readHidden(ctx, p.ios.InFd)
}

// ask checks ctx and writes the prompt message followed by a space.
func (p *terminalPrompter) ask(ctx context.Context, message string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if !strings.HasSuffix(message, " ") {
		message += " "
	}
	_, err := io.WriteString(p.ios.ErrOut, message)
	return err
}

// readLine reads one line from stdin without its line ending. A last line without
// a newline counts; end of input before any text is ErrNoAnswer. When ctx is
// cancelled first it returns ctx.Err() and leaves the read in flight for the next
// call, since a blocked read cannot be interrupted.
func (p *terminalPrompter) readLine(ctx context.Context) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	if p.pendingHidden != nil {
		return "", errBusy
	}
	if p.pendingLine == nil {
		ch := make(chan readResult, 1)
		go func() {
			line, err := p.in.ReadString('\n')
			ch <- readResult{line, err}
		}()
		p.pendingLine = ch
	}
	select {
	case r := <-p.pendingLine:
		p.pendingLine = nil
		line := trimLineEnding(r.text)
		switch {
		case r.err == nil:
			return line, nil
		case errors.Is(r.err, io.EOF) && r.text != "":
			return line, nil
		case errors.Is(r.err, io.EOF):
			return "", ErrNoAnswer
		default:
			return "", fmt.Errorf("reading answer: %w", r.err)
		}
	case <-ctx.Done():
		// The user pressed Ctrl-C at the question: end its line, so the error
		// that follows starts on a line of its own.
		fmt.Fprintln(p.ios.ErrOut)
		return "", ctx.Err()
	}
}

// readHidden reads a line from the terminal fd with echo off. If ctx is cancelled
// first, it restores the terminal state saved before the read and returns
// ctx.Err(); the abandoned read's input is discarded.
func (p *terminalPrompter) readHidden(ctx context.Context, fd int) (string, error) {
	state, err := term.GetState(fd)
	if err != nil {
		return "", fmt.Errorf("reading hidden input: %w", err)
	}
	ch := make(chan readResult, 1)
	go func() {
		b, err := term.ReadPassword(fd)
		text := string(b)
		clear(b)
		ch <- readResult{text, err}
	}()
	select {
	case r := <-ch:
		// The user's Enter was not echoed; end the prompt line.
		fmt.Fprintln(p.ios.ErrOut)
		if r.err != nil {
			if errors.Is(r.err, io.EOF) {
				return "", ErrNoAnswer
			}
			return "", fmt.Errorf("reading hidden input: %w", r.err)
		}
		return strings.TrimSpace(r.text), nil
	case <-ctx.Done():
		restoreErr := term.Restore(fd, state)
		fmt.Fprintln(p.ios.ErrOut)
		p.pendingHidden = ch
		if restoreErr != nil {
			return "", fmt.Errorf("%w (restoring the terminal: %v)", ctx.Err(), restoreErr)
		}
		return "", ctx.Err()
	}
}

// confirm runs the yes/no dialogue shared by the real prompter and Fake. ask
// poses the question and returns the raw answer; complain is called before each
// repeat.
func confirm(ask func(question string) (string, error), complain func(), message string, defaultYes bool) (bool, error) {
	question := message + " [y/N] "
	if defaultYes {
		question = message + " [Y/n] "
	}
	for attempt := 1; ; attempt++ {
		answer, err := ask(question)
		if err != nil {
			return false, err
		}
		if yes, ok := parseYesNo(answer, defaultYes); ok {
			return yes, nil
		}
		if attempt == maxConfirmAttempts {
			return false, fmt.Errorf("no valid answer after %d attempts: answer y or n", maxConfirmAttempts)
		}
		complain()
	}
}

// parseYesNo interprets a confirmation answer; ok is false when it is neither
// yes, no nor empty.
func parseYesNo(answer string, defaultYes bool) (yes, ok bool) {
	switch strings.ToLower(strings.TrimSpace(answer)) {
	case "":
		return defaultYes, true
	case "y", "yes":
		return true, true
	case "n", "no":
		return false, true
	}
	return false, false
}

func trimLineEnding(s string) string {
	s = strings.TrimSuffix(s, "\n")
	return strings.TrimSuffix(s, "\r")
}
