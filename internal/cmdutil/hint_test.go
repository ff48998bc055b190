package cmdutil

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/metabind/metabind-cli/internal/api"
)

// The text and the JSON form of an error give the same message and hint: one
// chain finds both.
func TestTextAndJSONErrorsAgree(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	expired := now.Add(-2 * time.Hour)
	for _, tc := range []struct {
		err  error
		tok  *TokenState
		hint string
	}{
		{FlagErrorf("bad flag").WithHint("do this"), nil, "do this"},
		{&api.Error{StatusCode: 401, Message: "no"}, &TokenState{ExpiresAt: &expired, FromEnv: true}, "the token in MB_TOKEN expired"},
		{&api.Error{StatusCode: 404, Message: "gone"}, nil, "check the id"},
		{fmt.Errorf("GET x: %w", &net.OpError{Op: "dial", Err: syscall.ECONNREFUSED}), nil, "nothing is listening"},
		{fmt.Errorf("GET x: %w", context.Canceled), nil, ""},
		{errors.New("plain"), nil, ""},
	} {
		text := FormatError(tc.err, now, tc.tok)
		var buf bytes.Buffer
		WriteJSONError(&buf, tc.err, ExitCode(tc.err), now, tc.tok)
		var got jsonError
		if err := json.Unmarshal(buf.Bytes(), &got); err != nil {
			t.Fatalf("%v: not JSON: %q", tc.err, buf.String())
		}
		msg, hint, _ := strings.Cut(strings.TrimPrefix(text, "error: "), "\n")
		if got.Error.Message != msg || got.Error.Hint != hint {
			t.Errorf("%v: text %q/%q, JSON %q/%q", tc.err, msg, hint, got.Error.Message, got.Error.Hint)
		}
		if !strings.HasPrefix(hint, tc.hint) {
			t.Errorf("%v: hint %q, want it to start with %q", tc.err, hint, tc.hint)
		}
	}
}
