package credstore

import (
	"errors"
	"fmt"
	"io/fs"
	"os/exec"
	"strings"
	"syscall"
	"time"

	"github.com/zalando/go-keyring"
)

// KeyringService is the service name under which tokens are kept in the
// system keyring; the user name is the profile (Options.Account).
const KeyringService = "metabind"

// DefaultTimeout bounds each keyring call when Options.Timeout is zero.
const DefaultTimeout = 3 * time.Second

// Keyring is a secret store keyed by service and user. Get and Delete return an
// error matching ErrKeyringNotFound when there is no such item.
type Keyring interface {
	Get(service, user string) (string, error)
	Set(service, user, secret string) error
	Delete(service, user string) error
}

// ErrKeyringNotFound is what a Keyring returns for a missing item. It is
// go-keyring's ErrNotFound, so the system keyring and MemoryKeyring agree.
var ErrKeyringNotFound = keyring.ErrNotFound

// ErrKeyringUnavailable matches (with errors.Is) every keyring failure other
// than a missing item: the keyring returned an error (no Secret Service on
// D-Bus, a locked or refused keyring, a token too large for it) or did not
// answer within the timeout.
var ErrKeyringUnavailable = errors.New("system keyring unavailable")

// KeyringError describes a failed keyring call.
type KeyringError struct {
	Op       string        // "read", "write" or "delete"
	Err      error         // the keyring's error; nil when it timed out
	Timeout  time.Duration // the bound that passed, when TimedOut
	TimedOut bool
	// Absent is true when the error shows there is no keyring service at all
	// (no D-Bus session bus, no Secret Service provider), as on a headless
	// Linux host, rather than a keyring that exists and failed.
	Absent bool
}

func (e *KeyringError) Error() string {
	switch {
	case e.TimedOut:
		return fmt.Sprintf("the system keyring did not answer within %s (%s)", e.Timeout, e.Op)
	case e.Absent:
		return "no system keyring is available (" + absentReason(e.Err) + ")"
	}
	return fmt.Sprintf("the system keyring failed (%s): %v", e.Op, e.Err)
}

// keyringAbsent reports whether err, from a keyring call, shows that there is
// no keyring service to talk to: go-keyring on Linux and BSD reaches the Secret
// Service over the D-Bus session bus, and fails this way when there is no bus
// (no DBUS_SESSION_BUS_ADDRESS and no dbus-launch, or a bus socket that is gone)
// or no Secret Service provider on it.
func keyringAbsent(err error) bool {
	if errors.Is(err, exec.ErrNotFound) || errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ECONNREFUSED) {
		return true
	}
	msg := err.Error()
	for _, s := range []string{
		"couldn't determine address of session bus",
		"org.freedesktop.secrets was not provided",
		"org.freedesktop.DBus.Error.ServiceUnknown",
	} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}

// absentReason says briefly why there is no keyring to talk to.
func absentReason(err error) string {
	msg := err.Error()
	switch {
	case errors.Is(err, exec.ErrNotFound), strings.Contains(msg, "couldn't determine address of session bus"),
		errors.Is(err, fs.ErrNotExist), errors.Is(err, syscall.ECONNREFUSED):
		return "no D-Bus session bus"
	case strings.Contains(msg, "org.freedesktop.secrets was not provided"), strings.Contains(msg, "org.freedesktop.DBus.Error.ServiceUnknown"):
		return "no Secret Service provider (org.freedesktop.secrets) on the session bus"
	}
	return msg
}

// Unwrap returns the keyring's own error.
func (e *KeyringError) Unwrap() error { return e.Err }

// Is makes every KeyringError match ErrKeyringUnavailable.
func (e *KeyringError) Is(target error) bool { return target == ErrKeyringUnavailable }

// systemKeyring is the OS keyring through go-keyring: the macOS Keychain, the
// Windows Credential Manager, or the Secret Service over D-Bus elsewhere.
type systemKeyring struct{}

func (systemKeyring) Get(service, user string) (string, error) { return keyring.Get(service, user) }
func (systemKeyring) Set(service, user, secret string) error {
	return keyring.Set(service, user, secret)
}
func (systemKeyring) Delete(service, user string) error { return keyring.Delete(service, user) }

// bounded runs f, a keyring call, and waits at most d for it. A keyring can
// hang (a locked keyring waiting on an unlock prompt that never shows, a stuck
// D-Bus peer) and go-keyring offers no way to cancel a call, so f runs in its
// own goroutine: after the timeout bounded returns a *KeyringError and that
// goroutine is abandoned. It ends when the call returns, or with the process;
// the result channel is buffered so it never blocks on send. A metabind
// process makes at most a couple of keyring calls, so at most that many
// goroutines can leak.
//
// An error from f other than ErrKeyringNotFound is wrapped in a *KeyringError.
func bounded[T any](d time.Duration, op string, f func() (T, error)) (T, error) {
	type result struct {
		v   T
		err error
	}
	ch := make(chan result, 1)
	go func() {
		v, err := f()
		ch <- result{v, err}
	}()
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case r := <-ch:
		if r.err != nil && !errors.Is(r.err, ErrKeyringNotFound) {
			var ke *KeyringError
			if !errors.As(r.err, &ke) {
				r.err = &KeyringError{Op: op, Err: r.err, Absent: keyringAbsent(r.err)}
			}
		}
		return r.v, r.err
	case <-timer.C:
		var zero T
		return zero, &KeyringError{Op: op, Timeout: d, TimedOut: true}
	}
}
