package cmdutil

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"strings"
	"syscall"
	"time"

	"github.com/metabind/metabind-cli/internal/api"
	"github.com/metabind/metabind-cli/internal/config"
	"github.com/metabind/metabind-cli/internal/credstore"
	"github.com/metabind/metabind-cli/internal/output"
)

// ExitCode maps an error to the process exit code. It is the only place that does.
func ExitCode(err error) int {
	if err == nil {
		return ExitOK
	}
	var silent *SilentError
	if errors.As(err, &silent) {
		return silent.Code
	}
	var ce *Error
	if errors.As(err, &ce) {
		return ce.Code
	}
	var ue *UndeliveredError
	if errors.As(err, &ue) {
		return ExitUndelivered
	}
	if errors.Is(err, context.Canceled) {
		return ExitInterrupted
	}
	if errors.Is(err, config.ErrUsage) {
		return ExitUsage
	}
	if errors.Is(err, output.ErrColumns) || errors.Is(err, output.ErrTemplate) || errors.Is(err, output.ErrJQ) {
		return ExitUsage
	}
	var ae *api.Error
	if errors.As(err, &ae) {
		switch {
		case ae.StatusCode == 401 || ae.StatusCode == 403:
			return ExitAuth
		case api.IsNotFound(ae):
			return ExitNotFound
		case api.IsConflict(ae):
			return ExitConflict
		}
		return ExitError
	}
	if errors.Is(err, credstore.ErrNotLoggedIn) {
		return ExitAuth
	}
	return ExitError
}

// NotLoggedIn wraps a credential lookup failure as an exit-4 error.
func NotLoggedIn(err error) error {
	if errors.Is(err, credstore.ErrNotLoggedIn) {
		return Errorf(ExitAuth, "not logged in").WithHint("run `metabind auth login` (or set MB_TOKEN)")
	}
	return err
}

// TokenState is what the error printer knows about the credential in use, to
// explain a 401.
type TokenState struct {
	ExpiresAt *time.Time
	FromEnv   bool
}

// FormatError renders err for a human: what happened, and what to do next.
// now and tok may be zero.
func FormatError(err error, now time.Time, tok *TokenState) string {
	var b strings.Builder
	msg, hint := describeError(err, now, tok)
	b.WriteString("error: ")
	// Lines are kept (a message may list things); everything else is escaped.
	lines := strings.Split(msg, "\n")
	for i, l := range lines {
		lines[i] = output.Sanitize(l)
	}
	b.WriteString(strings.Join(lines, "\n"))
	if hint != "" {
		b.WriteString("\n")
		b.WriteString(hint)
	}
	return b.String()
}

func apiHint(ae *api.Error, now time.Time, tok *TokenState) string {
	switch {
	case ae.StatusCode == 401:
		if tok != nil && tok.ExpiresAt != nil && !now.IsZero() && !tok.ExpiresAt.After(now) {
			if tok.FromEnv {
				return fmt.Sprintf("the token in MB_TOKEN expired %s: set a fresh one (MB_TOKEN wins over `metabind auth login`)", output.RelativeTime(now, *tok.ExpiresAt))
			}
			return fmt.Sprintf("your token expired %s: run `metabind auth login`", output.RelativeTime(now, *tok.ExpiresAt))
		}
		if tok != nil && tok.FromEnv {
			return "the token in MB_TOKEN was rejected (expired or invalid): set a fresh one"
		}
		return "your session expired or the token is invalid: run `metabind auth login`"
	case ae.StatusCode == 403:
		return "the token is valid but not permitted here: API keys need the owner, admin or developer role, and the token's organization must match --org"
	case api.IsConflict(ae) && ae.Code == "ALREADY_EXISTS":
		// A custom key value already held by a key of this project. (A value
		// held in another project is accepted, so nothing here speaks of them.)
		return "that key value cannot be used: pipe in another with --key-stdin, or leave it out and let the API generate one"
	case api.IsConflict(ae):
		return "a key of this project already has that name: choose another, or see the existing key with `metabind keys list`"
	case ae.StatusCode == 404:
		return "check the id, or --org and --project (`metabind status` shows what is in use; `metabind keys list` lists the keys)"
	case ae.StatusCode == 422:
		return "the API refused the values sent; the message above says which"
	case ae.StatusCode == 429:
		if ae.RetryAfter > 366*24*time.Hour {
			return "rate limited, and the server asks to wait over a year: ask the API's operators"
		}
		if ae.RetryAfter > 0 {
			return fmt.Sprintf("rate limited: try again in %s", output.Duration(ae.RetryAfter))
		}
		return "rate limited: wait a minute and try again"
	case ae.StatusCode >= 500:
		return "the server failed; try again shortly"
	}
	return ""
}

// networkHint explains a failure to reach the API at all.
func networkHint(err error) string {
	var dnsErr *net.DNSError
	var opErr *net.OpError
	var certErr *tls.CertificateVerificationError
	switch {
	case errors.As(err, &dnsErr):
		return "the API's host name does not resolve: check --api-url (or MB_API_URL) and your network"
	case errors.As(err, &certErr):
		return "the API's TLS certificate is not trusted: check --api-url, or the proxy between you and the API"
	case errors.Is(err, syscall.ECONNREFUSED):
		return "nothing is listening at the API address: check --api-url (or MB_API_URL); for the local emulator, start it with `metabind emulator start`"
	case errors.As(err, &opErr):
		return "the API could not be reached: check --api-url (or MB_API_URL), your network and any proxy settings (HTTPS_PROXY)"
	}
	return ""
}

// outputHint explains a --jq, --template or --columns that failed on the data.
func outputHint(err error) string {
	switch {
	case errors.Is(err, output.ErrTemplate), errors.Is(err, output.ErrJQ):
		return "the expression runs over the command's JSON output, with the API's field names (see `-o json`)"
	case errors.Is(err, output.ErrColumns):
		return "name columns by their JSON field names, comma-separated"
	}
	return ""
}
