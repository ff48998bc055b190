package status_test

import (
	"context"
	"errors"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/metabind/metabind-cli/internal/api"
	"github.com/metabind/metabind-cli/internal/cmdutil"
	"github.com/metabind/metabind-cli/internal/commands/status"
	"github.com/metabind/metabind-cli/internal/iostreams"
	"github.com/metabind/metabind-cli/internal/testsupport"
)

// status against the emulator: what it prints, its exit code, and that it
// writes nothing.
func TestStatusReports(t *testing.T) {
	expired := testsupport.JWT(map[string]any{"sub": "bob", "org": "acme", "exp": time.Now().Add(-2 * time.Hour).Unix()})
	tests := []struct {
		name     string
		env      map[string]string // changes to emulatorEnv's; "" removes
		args     []string
		wantCode int
		wantOut  []string
		notOut   []string
	}{
		{name: "all well", wantOut: []string{"alice, token from environment, expires in", "Organization", "(acme, from environment)", "(web, from environment)", "answers (HTTP 200 in"}},
		{name: "org from the token", env: map[string]string{"MB_ORG": ""}, wantOut: []string{"(acme, from the token's org claim)", "answers (HTTP 200"}},
		{name: "unknown project", env: map[string]string{"MB_PROJECT": "nope"}, wantCode: cmdutil.ExitNotFound,
			wantOut: []string{"nope (from environment)", "API keys endpoint", "fails: "}, notOut: []string{"answers"}},
		{name: "not logged in", env: map[string]string{"MB_TOKEN": ""}, wantCode: cmdutil.ExitAuth,
			wantOut: []string{"Logged in", "no (run `metabind auth login`)", "not checked"}},
		{name: "expired token", env: map[string]string{"MB_TOKEN": expired}, wantCode: cmdutil.ExitAuth,
			wantOut: []string{"no (token expired 2 hours ago)", "not checked"}, notOut: []string{"bob, token from"}},
		{name: "expired token, json", env: map[string]string{"MB_TOKEN": expired}, args: []string{"-o", "json"}, wantCode: cmdutil.ExitAuth,
			wantOut: []string{`"loggedIn": false`, `"user": "bob"`, `"tokenSource": "environment"`, `"reachable": false`}},
		{name: "no project", env: map[string]string{"MB_PROJECT": ""}, wantCode: cmdutil.ExitUsage,
			wantOut: []string{"Project", "(not set)", "not checked"}},
		{name: "--template", args: []string{"--template", "{{.user}} {{.orgSource}} {{.httpStatus}}"}, wantOut: []string{"alice environment 200"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := emulatorEnv(t)
			for k, v := range tt.env {
				if v == "" {
					delete(env, k)
				} else {
					env[k] = v
				}
			}
			out, stderr, code := run(env, append([]string{"status"}, tt.args...)...)
			if code != tt.wantCode {
				t.Fatalf("exit %d, want %d\n%s%s", code, tt.wantCode, out, stderr)
			}
			for _, w := range tt.wantOut {
				if !strings.Contains(out, w) {
					t.Errorf("stdout lacks %q:\n%s", w, out)
				}
			}
			for _, w := range tt.notOut {
				if strings.Contains(out, w) {
					t.Errorf("stdout has %q:\n%s", w, out)
				}
			}
			if tt.wantCode == 0 && stderr != "" {
				t.Errorf("stderr %q", stderr)
			}
			if tt.wantCode != 0 && !strings.Contains(stderr, "error") && !strings.Contains(stderr, "{") {
				t.Errorf("the problem is not reported on stderr: %q", stderr)
			}
			if entries, err := os.ReadDir(env["MB_CONFIG_DIR"]); err != nil || len(entries) != 0 {
				t.Errorf("status wrote to the configuration directory: %v %v", entries, err)
			}
		})
	}
}

// A named profile is shown; the default one is not.
func TestStatusShowsProfile(t *testing.T) {
	env := emulatorEnv(t)
	if _, stderr, code := run(env, "config", "set", "api-url", env["MB_API_URL"], "--profile", "staging"); code != 0 {
		t.Fatalf("config set: %d %s", code, stderr)
	}
	out, _, code := run(env, "status", "--profile", "staging")
	if code != 0 || !strings.Contains(out, "Profile") || !strings.Contains(out, "staging") {
		t.Errorf("--profile staging: exit %d\n%s", code, out)
	}
	if out, _, _ := run(env, "status"); strings.Contains(out, "Profile") {
		t.Errorf("default profile shown:\n%s", out)
	}
}

// The run function uses its context: interrupted before it starts (a
// request would fail) or while it looks up the names (a failure there only
// leaves a name out), it makes no report and returns the cancellation, so it
// cannot end with exit 0.
func TestStatusInterrupted(t *testing.T) {
	tests := []struct {
		name string
		// cancelOn reports whether the request interrupts the command.
		cancelOn func(*http.Request) bool
	}{
		{name: "before", cancelOn: nil},
		{name: "during the names", cancelOn: func(r *http.Request) bool { return !strings.Contains(r.URL.Path, "/api-keys") }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := emulatorEnv(t)
			ios, _, out, _ := iostreams.Test()
			f := cmdutil.New(ios, func(k string) string { return env[k] })
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			if tt.cancelOn == nil {
				cancel()
			} else {
				f.HTTPOptions = func(o *api.Options) {
					o.HTTPClient = &http.Client{Transport: roundTripper(func(r *http.Request) (*http.Response, error) {
						if tt.cancelOn(r) {
							cancel() // the signal arrives as this request goes out
						}
						return http.DefaultTransport.RoundTrip(r)
					})}
				}
			}
			cmd := status.NewCmdStatus(f, nil)
			cmd.SilenceErrors, cmd.SilenceUsage = true, true
			cmd.SetArgs(nil)
			if err := cmd.ExecuteContext(ctx); !errors.Is(err, context.Canceled) {
				t.Fatalf("err = %v, want context.Canceled", err)
			}
			if out.Len() != 0 {
				t.Errorf("an interrupted status printed %q", out)
			}
		})
	}
}

type roundTripper func(*http.Request) (*http.Response, error)

func (f roundTripper) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
