package cmdutil

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/metabind/metabind-cli/internal/api"
	"github.com/metabind/metabind-cli/internal/credstore"
)

func TestExitCode(t *testing.T) {
	cases := []struct {
		name string
		err  error
		want int
	}{
		{"nil", nil, ExitOK},
		{"plain", errors.New("boom"), ExitError},
		{"usage", FlagErrorf("bad flag"), ExitUsage},
		{"silent", &SilentError{Code: ExitKeyRejected}, ExitKeyRejected},
		{"wrapped usage", fmt.Errorf("outer: %w", FlagErrorf("x")), ExitUsage},
		{"canceled", fmt.Errorf("request: %w", context.Canceled), ExitInterrupted},
		{"401", &api.Error{StatusCode: 401, Code: "UNAUTHORIZED"}, ExitAuth},
		{"403", &api.Error{StatusCode: 403, Code: "FORBIDDEN"}, ExitAuth},
		{"404", &api.Error{StatusCode: 404, Code: "NOT_FOUND"}, ExitNotFound},
		{"404 key", &api.Error{StatusCode: 404, Code: "APIKEY_NOT_FOUND"}, ExitNotFound},
		{"409", &api.Error{StatusCode: 409, Code: "APIKEY_NAME_ALREADY_EXISTS"}, ExitConflict},
		{"409 old code", &api.Error{StatusCode: 409, Code: "NAME_ALREADY_EXISTS"}, ExitConflict},
		{"409 value", &api.Error{StatusCode: 409, Code: "ALREADY_EXISTS"}, ExitConflict},
		{"422", &api.Error{StatusCode: 422, Code: "VALIDATION_FAILED"}, ExitError},
		{"500", &api.Error{StatusCode: 500}, ExitError},
		{"not logged in", NotLoggedIn(credstore.ErrNotLoggedIn), ExitAuth},
		{"partial", Errorf(ExitPartial, "2 of 3"), ExitPartial},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := ExitCode(c.err); got != c.want {
				t.Fatalf("ExitCode(%v) = %d, want %d", c.err, got, c.want)
			}
		})
	}
}

func TestFormatErrorExplains401WithExpiry(t *testing.T) {
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	exp := now.Add(-2 * time.Hour)
	err := &api.Error{StatusCode: 401, Code: "UNAUTHORIZED", Message: "token expired", RequestID: "req-1"}
	got := FormatError(err, now, &TokenState{ExpiresAt: &exp})
	if !strings.Contains(got, "your token expired 2 hours ago: run `metabind auth login`") {
		t.Fatalf("missing expiry hint: %q", got)
	}
	if !strings.Contains(got, "401") || !strings.Contains(got, "req-1") {
		t.Fatalf("missing status or request id: %q", got)
	}
}

func TestFormatErrorEscapesControlCharacters(t *testing.T) {
	got := FormatError(errors.New("bad \x1b[2J name"), time.Time{}, nil)
	if strings.ContainsRune(got, 0x1b) {
		t.Fatalf("ESC leaked: %q", got)
	}
}

func TestWriteJSONError(t *testing.T) {
	var buf bytes.Buffer
	err := &api.Error{StatusCode: 409, Code: "APIKEY_NAME_ALREADY_EXISTS", Message: "taken", RequestID: "r-9"}
	WriteJSONError(&buf, err, ExitCode(err), time.Time{}, nil)
	line := buf.String()
	if strings.Count(line, "\n") != 1 || !strings.HasSuffix(line, "\n") {
		t.Fatalf("want exactly one line, got %q", line)
	}
	var got struct {
		Error struct {
			Code      string `json:"code"`
			Message   string `json:"message"`
			Status    int    `json:"status"`
			RequestID string `json:"requestId"`
			ExitCode  int    `json:"exitCode"`
		} `json:"error"`
	}
	if err := json.Unmarshal(buf.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if got.Error.Code != "APIKEY_NAME_ALREADY_EXISTS" || got.Error.Status != 409 || got.Error.RequestID != "r-9" || got.Error.ExitCode != ExitConflict {
		t.Fatalf("unexpected JSON error %+v", got.Error)
	}
}

func TestFormatErrorExplainsUnreachableAPI(t *testing.T) {
	refused := &net.OpError{Op: "dial", Net: "tcp", Err: &os.SyscallError{Syscall: "connect", Err: syscall.ECONNREFUSED}}
	got := FormatError(fmt.Errorf("GET http://127.0.0.1:1/app/v1: %w", refused), time.Time{}, nil)
	if !strings.Contains(got, "check --api-url") || !strings.Contains(got, "metabind emulator start") {
		t.Fatalf("refused: %q", got)
	}
	dns := &net.DNSError{Err: "no such host", Name: "api.example.invalid", IsNotFound: true}
	if got := FormatError(fmt.Errorf("GET: %w", dns), time.Time{}, nil); !strings.Contains(got, "does not resolve") {
		t.Fatalf("dns: %q", got)
	}
	if got := FormatError(errors.New("plain"), time.Time{}, nil); strings.Contains(got, "\n") {
		t.Fatalf("a plain error got a network hint: %q", got)
	}
}

func TestFormatErrorNamesMBTokenOn401(t *testing.T) {
	err := &api.Error{StatusCode: 401, Code: "UNAUTHORIZED", Message: "invalid token"}
	if got := FormatError(err, time.Now(), &TokenState{FromEnv: true}); !strings.Contains(got, "MB_TOKEN") {
		t.Fatalf("want the MB_TOKEN hint, got %q", got)
	}
}

func TestFormatErrorRateLimitWaits(t *testing.T) {
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		wait time.Duration
		want string
	}{
		{0, "rate limited: wait a minute and try again"},
		{90 * time.Second, "rate limited: try again in 1m"},
		{3 * time.Hour, "rate limited: try again in 3h"},
		{time.Duration(1<<63 - 1), "the server asks to wait over a year: ask the API's operators"},
	} {
		err := &api.Error{StatusCode: 429, Code: "RATE_LIMITED", Message: "slow down", RetryAfter: tc.wait}
		if got := FormatError(err, now, nil); !strings.Contains(got, tc.want) || strings.Contains(got, "106751991167") {
			t.Errorf("wait %s: %q, want %q", tc.wait, got, tc.want)
		}
	}
}

func TestWriteJSONErrorKeepsShellSyntax(t *testing.T) {
	var buf bytes.Buffer
	err := FlagErrorf("no key given").WithHint("pipe it in: metabind keys test < file && echo ok")
	WriteJSONError(&buf, err, ExitCode(err), time.Time{}, nil)
	if !strings.Contains(buf.String(), `< file && echo ok`) || strings.Contains(buf.String(), `\u003c`) {
		t.Errorf("hint escaped: %s", buf.String())
	}
	if strings.Count(buf.String(), "\n") != 1 {
		t.Errorf("want one line: %q", buf.String())
	}
}

// A secret given by mistake as an argument is never echoed by the error.
func TestErrorsRedactSecrets(t *testing.T) {
	jwt := "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4IiwiZXhwIjo0MTAyNDQ0ODAwfQ.c2lnbmF0dXJlLXZhbHVl"
	key := "mbTESTKEYdistinctive7zvFJw9L0qEo"
	for _, err := range []error{
		fmt.Errorf("unknown command %q for \"metabind\"", jwt),
		FlagErrorf("no API key matches %q", key).WithHint("check " + key),
	} {
		got := FormatError(err, time.Time{}, nil)
		var buf bytes.Buffer
		WriteJSONError(&buf, err, ExitCode(err), time.Time{}, nil)
		for _, out := range []string{got, buf.String()} {
			if strings.Contains(out, jwt) || strings.Contains(out, key) || !strings.Contains(out, "hidden]") {
				t.Errorf("secret not hidden: %s", out)
			}
		}
	}
	// Ordinary ids, request ids and names are left alone.
	plain := FormatError(FlagErrorf("no API key matches %q (request id 3f0c9a52-6d1e-4c8e-9a47-1b2f3c4d5e6f)", "iOS Production App"), time.Time{}, nil)
	if strings.Contains(plain, "hidden]") {
		t.Errorf("redacted an ordinary message: %s", plain)
	}
}

func TestUndeliveredExitCodeAndJSON(t *testing.T) {
	deleted := &UndeliveredError{KeyID: "k-1", KeyName: "ci", Cause: "the delivery command \"gh\" exited with status 1", Cleanup: CleanupDeleted}
	live := &UndeliveredError{KeyID: "k-2", KeyName: "ci", Cause: "x", Cleanup: CleanupFailed, CleanupErr: errors.New("HTTP 500")}
	for _, e := range []error{deleted, live, fmt.Errorf("wrapped: %w", live)} {
		if got := ExitCode(e); got != ExitUndelivered {
			t.Fatalf("ExitCode(%v) = %d, want %d", e, got, ExitUndelivered)
		}
	}
	if msg := FormatError(deleted, time.Time{}, nil); !strings.Contains(msg, "the new key was deleted") || !strings.Contains(msg, "run the command again") {
		t.Fatalf("FormatError = %q", msg)
	}
	msg := FormatError(live, time.Time{}, nil)
	if !strings.Contains(msg, "the key k-2 is STILL LIVE") || !strings.Contains(msg, "metabind keys revoke k-2 --yes") {
		t.Fatalf("a failed clean-up must name the live key and how to revoke it: %q", msg)
	}
	var buf bytes.Buffer
	WriteJSONError(&buf, live, ExitUndelivered, time.Time{}, nil)
	var got struct {
		Error struct {
			Code     string `json:"code"`
			ExitCode int    `json:"exitCode"`
			Hint     string `json:"hint"`
			NewKey   struct {
				ID      string `json:"id"`
				Cleanup string `json:"cleanup"`
				Live    bool   `json:"live"`
			} `json:"newKey"`
		} `json:"error"`
	}
	if err := json.Unmarshal(buf.Bytes(), &got); err != nil {
		t.Fatalf("%v: %s", err, buf.String())
	}
	e := got.Error
	if e.Code != "NOT_DELIVERED_KEY_LIVE" || e.ExitCode != 8 || e.NewKey.ID != "k-2" || e.NewKey.Cleanup != "failed" || !e.NewKey.Live || !strings.Contains(e.Hint, "revoke k-2") {
		t.Fatalf("JSON error = %s", buf.String())
	}
	buf.Reset()
	WriteJSONError(&buf, deleted, ExitUndelivered, time.Time{}, nil)
	if !strings.Contains(buf.String(), `"code":"NOT_DELIVERED"`) || !strings.Contains(buf.String(), `"newKey":{"id":"k-1","name":"ci","cleanup":"deleted","live":false}`) {
		t.Fatalf("JSON error = %s", buf.String())
	}
}

// A 409 for a custom key value speaks of the value, a 409 for a name of the
// name; neither claims anything about other projects, where values are free.
func TestConflictHintsNameWhatIsTaken(t *testing.T) {
	value := FormatError(&api.Error{StatusCode: 409, Code: "ALREADY_EXISTS", Message: "This key value cannot be used; choose another"}, time.Time{}, nil)
	if !strings.Contains(value, "--key-stdin") || strings.Contains(value, "name") {
		t.Errorf("value conflict: %q; want a hint about the key value, not the name", value)
	}
	name := FormatError(&api.Error{StatusCode: 409, Code: "APIKEY_NAME_ALREADY_EXISTS", Message: "taken"}, time.Time{}, nil)
	if !strings.Contains(name, "already has that name") || strings.Contains(name, "key value") {
		t.Errorf("name conflict: %q; want a hint about the name only", name)
	}
}
