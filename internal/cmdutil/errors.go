package cmdutil

import (
	"errors"
	"fmt"
	"strings"
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
	ExitUndelivered = 8   // a new secret did not reach its destination; the new key was removed
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

// UndeliveredError reports a new key whose secret did not reach its
// destination (a delivery command failed, stdout or --output-file could not be
// written) and what was done about the key: exit 8.
type UndeliveredError struct {
	KeyID   string
	KeyName string
	// Cause says why the secret did not arrive. It is a description, not a
	// wrapped error, so that an interrupt does not hide what happened to the key.
	Cause string
	// Cleanup is what happened to the new key: CleanupDeleted, CleanupRevoked, or
	// CleanupFailed when it is still live.
	Cleanup string
	// CleanupErr says why the clean-up failed (CleanupFailed, or the delete
	// that was replaced by a revoke).
	CleanupErr error
	// Also describes the rest of the state (rotate: what happened to the old
	// key), a complete sentence or "".
	Also string
	// Hint, when set, replaces the default hint.
	Hint string
}

// The clean-up of an undelivered key.
const (
	CleanupDeleted = "deleted"
	CleanupRevoked = "revoked"
	CleanupFailed  = "failed"
)

func (e *UndeliveredError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "the secret of the new key %s (%q) did not reach its destination: %s", e.KeyID, e.KeyName, e.Cause)
	switch e.Cleanup {
	case CleanupDeleted:
		b.WriteString("; the new key was deleted")
	case CleanupRevoked:
		fmt.Fprintf(&b, "; deleting the new key failed (%v), so it was revoked instead: it no longer works", e.CleanupErr)
	default:
		fmt.Fprintf(&b, "; removing the new key failed (%v): the key %s is STILL LIVE", e.CleanupErr, e.KeyID)
	}
	if e.Also != "" {
		b.WriteString(". ")
		b.WriteString(e.Also)
	}
	return b.String()
}

// KeyLive reports whether the new key still works.
func (e *UndeliveredError) KeyLive() bool {
	return e.Cleanup != CleanupDeleted && e.Cleanup != CleanupRevoked
}

// HintText is what to do next: revoke the live key, or try again.
func (e *UndeliveredError) HintText() string {
	if e.Hint != "" {
		return e.Hint
	}
	if e.KeyLive() {
		return fmt.Sprintf("revoke it now: `metabind keys revoke %s --yes` (or delete it: `metabind keys delete %s --yes`)", e.KeyID, e.KeyID)
	}
	return "fix the destination and run the command again"
}
