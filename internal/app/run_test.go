package app

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/metabind/metabind-cli/internal/api"
	"github.com/metabind/metabind-cli/internal/cmdutil"
	"github.com/metabind/metabind-cli/internal/iostreams"
	"github.com/metabind/metabind-cli/internal/testsupport"
)

// A JWT for org acme that expires in 2100 (never verified by the CLI).
var runTestJWT = testsupport.JWT(map[string]any{"sub": "ci", "org": "acme", "exp": 4102444800})

const runTestKeyID = "3f0c8a4e-5d1b-4c2a-9e7f-1a2b3c4d5e6f"

// Errors keep the class they were given where they arose: an API or network
// error whose text happens to read like one of cobra's usage errors is not
// turned into a usage error (exit 2, "run --help"), and cobra's own usage
// errors are exit 2.
func TestErrorsKeepTheirClass(t *testing.T) {
	apiError := func(status int, message string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("X-Request-ID", "req-from-server-42")
			w.WriteHeader(status)
			_, _ = w.Write([]byte(`{"error":{"code":"X","message":"` + message + `"}}`))
		}
	}
	tests := []struct {
		name      string
		args      []string
		handler   http.HandlerFunc // nil: the network fails
		dialErr   error
		wantCode  int
		wantErr   []string // in stderr
		wantNoErr []string // not in stderr
	}{
		{
			name:     "dial error reading invalid argument",
			args:     []string{"keys", "show", runTestKeyID},
			dialErr:  &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connect: invalid argument")},
			wantCode: cmdutil.ExitError, wantErr: []string{"invalid argument"}, wantNoErr: []string{"--help"},
		},
		{
			name:     "API 422 whose message reads accepts",
			args:     []string{"keys", "create", "--name", "web"},
			handler:  apiError(422, "accepts 1 arg(s), received 2"),
			wantCode: cmdutil.ExitCode(&api.Error{StatusCode: 422}),
			wantErr:  []string{"accepts 1 arg(s)", "422"}, wantNoErr: []string{"--help"},
		},
		{
			name:     "API 404 whose message reads unknown command",
			args:     []string{"keys", "list"},
			handler:  apiError(404, "unknown command for this route"),
			wantCode: cmdutil.ExitNotFound,
			wantErr:  []string{"HTTP 404", "req-from-server-42"}, wantNoErr: []string{"--help"},
		},
		{
			name:     "cobra: too many arguments",
			args:     []string{"keys", "show", "a", "b"},
			wantCode: cmdutil.ExitUsage, wantErr: []string{"accepts 1 arg(s), received 2", "metabind keys show --help"},
		},
		{
			name:     "cobra: required flag",
			args:     []string{"keys", "create"},
			wantCode: cmdutil.ExitUsage, wantErr: []string{`required flag(s) "name" not set`, "metabind keys create --help"},
		},
		{
			name:     "cobra: unknown flag",
			args:     []string{"keys", "list", "--bogus"},
			wantCode: cmdutil.ExitUsage, wantErr: []string{"unknown flag: --bogus"},
		},
		{
			name:     "cobra: unknown command",
			args:     []string{"bogus"},
			wantCode: cmdutil.ExitUsage, wantErr: []string{`unknown command "bogus"`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			url := "http://127.0.0.1:1"
			if tt.handler != nil {
				srv := httptest.NewServer(tt.handler)
				defer srv.Close()
				url = srv.URL
			}
			env := map[string]string{
				"MB_API_URL": url, "MB_TOKEN": runTestJWT, "MB_ORG": "acme", "MB_PROJECT": "web",
				"MB_CONFIG_DIR": t.TempDir(), "MB_NO_KEYRING": "1",
			}
			ios, _, _, errOut := iostreams.Test()
			f := cmdutil.New(ios, func(k string) string { return env[k] })
			f.HTTPOptions = func(o *api.Options) {
				o.Sleep = func(context.Context, time.Duration) error { return nil }
				if tt.dialErr != nil {
					o.HTTPClient = &http.Client{Transport: &http.Transport{
						DialContext: func(context.Context, string, string) (net.Conn, error) { return nil, tt.dialErr },
					}}
				}
			}
			code := RunFactory(context.Background(), tt.args, f)
			stderr := errOut.String()
			if code != tt.wantCode {
				t.Errorf("exit %d, want %d; stderr %q", code, tt.wantCode, stderr)
			}
			for _, s := range tt.wantErr {
				if !strings.Contains(stderr, s) {
					t.Errorf("stderr %q does not contain %q", stderr, s)
				}
			}
			for _, s := range tt.wantNoErr {
				if strings.Contains(stderr, s) {
					t.Errorf("stderr %q contains %q", stderr, s)
				}
			}
		})
	}
}

type brokenPipe struct{}

func (brokenPipe) Write([]byte) (int, error) { return 0, syscall.EPIPE }

// Help and help topics written to a closed pipe fail like any command's
// output: exit 1 and one "error:" line, not cobra's raw error and exit 0.
func TestHelpToAClosedPipe(t *testing.T) {
	for _, args := range [][]string{{"help", "environment"}, {"keys", "--help"}, {"--help"}} {
		ios, _, _, errOut := iostreams.Test()
		ios.Out = brokenPipe{}
		f := cmdutil.New(ios, func(string) string { return "" })
		code := RunFactory(context.Background(), args, f)
		if code != cmdutil.ExitError {
			t.Errorf("%v: exit %d, want %d", args, code, cmdutil.ExitError)
		}
		if got := errOut.String(); !strings.HasPrefix(got, "error: ") || strings.Count(got, "broken pipe") != 1 {
			t.Errorf("%v: stderr %q, want one error line naming the broken pipe", args, got)
		}
	}
}
