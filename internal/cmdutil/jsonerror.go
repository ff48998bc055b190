package cmdutil

import (
	"encoding/json"
	"errors"
	"io"
	"strings"
	"time"

	"github.com/metabind/metabind-cli/internal/api"
	"github.com/metabind/metabind-cli/internal/output"
)

// JSONErrors reports whether errors should be written as one line of JSON: the
// output format is json. It never loads the configuration just to decide: when
// the command failed before loading it, the flag and MB_OUTPUT decide.
func (f *Factory) JSONErrors() bool {
	if f.config != nil {
		return f.config.Get("output") == string(output.JSON)
	}
	if f.Flags != nil {
		if fl := f.Flags.Lookup("output"); fl != nil && fl.Changed {
			return strings.EqualFold(strings.TrimSpace(fl.Value.String()), string(output.JSON))
		}
	}
	return f.Getenv != nil && strings.EqualFold(strings.TrimSpace(f.Getenv("MB_OUTPUT")), string(output.JSON))
}

// jsonError is the machine-readable error printed on stderr in -o json mode.
type jsonError struct {
	Error jsonErrorBody `json:"error"`
}

type jsonErrorBody struct {
	Code      string `json:"code"`
	Message   string `json:"message"`
	Hint      string `json:"hint,omitempty"`
	Status    int    `json:"status,omitempty"`
	RequestID string `json:"requestId,omitempty"`
	ExitCode  int    `json:"exitCode"`
	// NewKey is set for exit 8: the key whose secret did not arrive, and
	// whether it still works.
	NewKey *undeliveredKey `json:"newKey,omitempty"`
}

// undeliveredKey is what became of a new key whose secret was lost.
type undeliveredKey struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	Cleanup string `json:"cleanup"` // deleted, revoked or failed
	Live    bool   `json:"live"`
}

// WriteJSONError writes err as a single JSON line to w.
func WriteJSONError(w io.Writer, err error, code int, now time.Time, tok *TokenState) {
	body := jsonErrorBody{ExitCode: code, Code: errorCode(code)}
	body.Message, body.Hint = describeError(err, now, tok)
	var ue *UndeliveredError
	if errors.As(err, &ue) {
		body.NewKey = &undeliveredKey{ID: ue.KeyID, Name: ue.KeyName, Cleanup: ue.Cleanup, Live: ue.KeyLive()}
		if ue.KeyLive() && code == ExitUndelivered {
			body.Code = "NOT_DELIVERED_KEY_LIVE"
		}
	}
	var ae *api.Error
	if errors.As(err, &ae) {
		body.Status = ae.StatusCode
		body.RequestID = ae.RequestID
		if ae.Code != "" {
			body.Code = ae.Code
		}
	}
	// One line, with <, > and & as themselves (hints quote shell syntax).
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(jsonError{Error: body})
}

func errorCode(code int) string {
	switch code {
	case ExitUsage:
		return "USAGE"
	case ExitKeyRejected:
		return "KEY_REJECTED"
	case ExitAuth:
		return "UNAUTHORIZED"
	case ExitNotFound:
		return "NOT_FOUND"
	case ExitConflict:
		return "CONFLICT"
	case ExitPartial:
		return "PARTIAL_FAILURE"
	case ExitUndelivered:
		return "NOT_DELIVERED"
	case ExitInterrupted, ExitTerminated:
		return "INTERRUPTED"
	}
	return "ERROR"
}
