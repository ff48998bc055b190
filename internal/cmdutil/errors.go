package cmdutil

import (
	"errors"
	"fmt"
)

// Exit codes. They are part of the CLI's interface: scripts depend on them, so a
// code never changes meaning. ExitCode maps every error to one of these.
const (
	ExitOK          = 0
	ExitError       = 1   // anything else: network, server, declined prompt
	ExitUsage       = 2   // bad flag or argument, missing --yes without a TTY, missing org/project, ambiguous name
	ExitKeyRejected = 3   // keys test: the key was refused
	ExitAuth        = 4   // not logged in, token expired or invalid (401), not permitted (403)
	ExitNotFound    = 5   // 404, or no key matches an id or name
	ExitConflict    = 6   // 409, e.g. the name is taken
	ExitPartial     = 7   // a bulk operation failed for some keys
	ExitInterrupted = 130 // SIGINT (Ctrl-C)
	ExitTerminated  = 143 // SIGTERM
)

// Error is an error that carries its exit code and, optionally, a hint telling the
// user what to do next.
type Error struct {
	Code int
	Err  error
	Hint string
}

func (e *Error) Error() string { return e.Err.Error() }
func (e *Error) Unwrap() error { return e.Err }

// NewError wraps err with an exit code.
func NewError(code int, err error) *Error { return &Error{Code: code, Err: err} }

// Errorf builds an *Error with the given code.
func Errorf(code int, format string, args ...any) *Error {
	return &Error{Code: code, Err: fmt.Errorf(format, args...)}
}

// WithHint returns e with a hint attached: what the user should do next.
func (e *Error) WithHint(hint string) *Error {
	e.Hint = hint
	return e
}

// FlagErrorf reports a usage error (exit 2).
func FlagErrorf(format string, args ...any) *Error { return Errorf(ExitUsage, format, args...) }

// SilentError means the command already told the user what happened; only its
// exit code matters.
type SilentError struct{ Code int }

func (e *SilentError) Error() string { return fmt.Sprintf("exit status %d", e.Code) }

// ErrCancelled is returned when the user declines a confirmation prompt.
var ErrCancelled = Errorf(ExitError, "cancelled; nothing was changed")

// IsUsage reports whether err is a usage error.
func IsUsage(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.Code == ExitUsage
}
