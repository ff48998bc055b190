package prompt

import (
	"context"
	"fmt"
	"strings"
)

// Fake is a Prompter for tests. Each prompt records its message (as the caller
// passed it, without the "[y/N]" marker) in Asked and consumes the next of
// Answers; a prompt with no answer left fails with "unexpected prompt: …".
// Answers are interpreted as the real Prompter interprets typed lines: Confirm
// parses y/yes/n/no/"" and asks again (consuming the next answer) after anything
// else, up to three times; Password trims surrounding whitespace; Input drops a
// trailing line ending. A cancelled context returns ctx.Err() without consuming
// an answer. A Fake is not safe for concurrent use.
type Fake struct {
	Answers []string
	Asked   []string
}

var _ Prompter = (*Fake)(nil)

func (f *Fake) Confirm(ctx context.Context, message string, defaultYes bool) (bool, error) {
	ask := func(string) (string, error) { return f.next(ctx, message) }
	return confirm(ask, func() {}, message, defaultYes)
}

func (f *Fake) Password(ctx context.Context, message string) (string, error) {
	answer, err := f.next(ctx, message)
	return strings.TrimSpace(answer), err
}

func (f *Fake) Input(ctx context.Context, message string) (string, error) {
	answer, err := f.next(ctx, message)
	return trimLineEnding(answer), err
}

func (f *Fake) next(ctx context.Context, message string) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	f.Asked = append(f.Asked, message)
	if len(f.Answers) == 0 {
		return "", fmt.Errorf("unexpected prompt: %q", message)
	}
	answer := f.Answers[0]
	f.Answers = f.Answers[1:]
	return answer, nil
}
