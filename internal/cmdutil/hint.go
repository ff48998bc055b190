package cmdutil

import (
	"context"
	"errors"
	"time"

	"github.com/metabind/metabind-cli/internal/api"
	"github.com/metabind/metabind-cli/internal/redact"
)

// describeError is what FormatError and WriteJSONError print for err: the
// message and the hint (what to do next), both with secrets hidden.
func describeError(err error, now time.Time, tok *TokenState) (msg, hint string) {
	msg = err.Error()
	if errors.Is(err, context.Canceled) {
		msg = "interrupted"
	}
	return redact.Secrets(msg), redact.Secrets(errorHint(err, now, tok))
}

// errorHint is the one chain that finds what to tell the user to do next: the
// error's own hint, then what an undelivered secret, an API status, a network
// failure or an output option explains. "" when none applies.
func errorHint(err error, now time.Time, tok *TokenState) string {
	var ce *Error
	if errors.As(err, &ce) && ce.Hint != "" {
		return ce.Hint
	}
	var ue *UndeliveredError
	if errors.As(err, &ue) {
		if h := ue.HintText(); h != "" {
			return h
		}
	}
	var ae *api.Error
	if errors.As(err, &ae) {
		if h := apiHint(ae, now, tok); h != "" {
			return h
		}
	}
	if h := networkHint(err); h != "" {
		return h
	}
	return outputHint(err)
}
