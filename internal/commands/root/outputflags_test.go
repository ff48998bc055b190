package root_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"sort"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/metabind/metabind-cli/internal/api"
	"github.com/metabind/metabind-cli/internal/cmdutil"
	"github.com/metabind/metabind-cli/internal/commands/root"
	"github.com/metabind/metabind-cli/internal/prompt"
	"github.com/metabind/metabind-cli/internal/testsupport/clitest"
)

// walkEnv is the shared emulator harness (its database in a file, for
// emulator audit --db) with a logged-in context.
type walkEnv struct {
	*clitest.Server
	t *testing.T
	n int
}

func newWalkEnv(t *testing.T) *walkEnv {
	t.Helper()
	return &walkEnv{Server: clitest.Emulator(t, clitest.DBFile()), t: t}
}

// key creates a fresh key and returns its name and secret.
func (e *walkEnv) key() (string, string) {
	e.t.Helper()
	e.n++
	name := fmt.Sprintf("walk-%d", e.n)
	k, err := e.Client().CreateKey(context.Background(), "acme", "web", api.CreateKeyRequest{Name: name})
	if err != nil {
		e.t.Fatal(err)
	}
	return name, k.Key
}

// run runs a command line with env added to the harness's environment.
func (e *walkEnv) run(args []string, env map[string]string) (stdout, stderr string, code int) {
	vars := maps.Clone(e.Env)
	maps.Copy(vars, env)
	r := clitest.CLI{Env: vars, Prompter: &prompt.Fake{}}.Run(args...)
	return r.Stdout, r.Stderr, r.Code
}

// Every command that accepts -o json prints valid JSON with it and applies
// --jq to that JSON. A command that gains -o must be added here.
func TestEveryJSONCommandHonoursJQ(t *testing.T) {
	e := newWalkEnv(t)
	// args builds a command line for each command with -o (without the output
	// flags); env adds variables.
	type invocation struct {
		args []string
		env  map[string]string
	}
	cases := map[string]func() invocation{
		"metabind":             func() invocation { return invocation{args: []string{"--version"}} },
		"metabind version":     func() invocation { return invocation{} },
		"metabind status":      func() invocation { return invocation{} },
		"metabind auth status": func() invocation { return invocation{} },
		"metabind use":         func() invocation { return invocation{} },
		"metabind config list": func() invocation { return invocation{} },
		"metabind config view": func() invocation { return invocation{args: []string{"--show-origin"}} },
		"metabind keys create": func() invocation {
			e.n++
			return invocation{args: []string{"--name", fmt.Sprintf("walk-new-%d", e.n)}}
		},
		"metabind keys list": func() invocation { e.key(); return invocation{args: []string{"--all"}} },
		"metabind keys show": func() invocation { n, _ := e.key(); return invocation{args: []string{n}} },
		"metabind keys rename": func() invocation {
			n, _ := e.key()
			return invocation{args: []string{n, n + "-renamed"}}
		},
		"metabind keys revoke": func() invocation { n, _ := e.key(); return invocation{args: []string{n, "--yes"}} },
		"metabind keys rotate": func() invocation { n, _ := e.key(); return invocation{args: []string{n, "--yes"}} },
		"metabind keys delete": func() invocation { n, _ := e.key(); return invocation{args: []string{n, "--yes"}} },
		"metabind keys test": func() invocation {
			_, secret := e.key()
			return invocation{env: map[string]string{"MB_API_KEY": secret}}
		},
		"metabind emulator audit": func() invocation { return invocation{args: []string{"--db", e.DBPath}} },
		"metabind api": func() invocation {
			e.key()
			return invocation{args: []string{"/app/v1/organizations/{org}/projects/{project}/api-keys"}}
		},
	}

	var withJSON []*cobra.Command
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		if c.Flags().Lookup("output") != nil {
			withJSON = append(withJSON, c)
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	f, _, _ := clitest.Factory(nil)
	walk(root.NewCmdRoot(f))
	if len(withJSON) < 10 {
		t.Fatalf("only %d commands take -o; the tree was not built", len(withJSON))
	}
	tested := map[string]bool{}
	for _, c := range withJSON {
		path := c.CommandPath()
		mk, ok := cases[path]
		if !ok {
			t.Errorf("%s accepts -o json but has no case in this test", path)
			continue
		}
		tested[path] = true
		names := cmdutil.OutputFlagsOf(c)
		if c.Flags().Lookup("jq") == nil || !contains(names, "jq") {
			t.Errorf("%s accepts -o json but not --jq", path)
			continue
		}
		t.Run(path, func(t *testing.T) {
			inv := mk()
			words := strings.Fields(path)[1:]
			args := append(append(append([]string{}, words...), inv.args...), "-o", "json")
			out, stderr, code := e.run(args, inv.env)
			if code != 0 {
				t.Fatalf("%v: exit %d\n%s", args, code, stderr)
			}
			var doc any
			if err := json.Unmarshal([]byte(out), &doc); err != nil {
				t.Fatalf("%v: not JSON (%v):\n%s", args, err, out)
			}
			want := "object"
			if _, isList := doc.([]any); isList {
				want = "array"
			}
			inv = mk()
			// The expression keeps every string, so a new key's secret
			// is in it (create and rotate refuse a filter that drops it).
			args = append(append(append([]string{}, words...), inv.args...), "--jq", `type + "!" + ([.. | strings] | join(","))`)
			out, stderr, code = e.run(args, inv.env)
			if code != 0 || !strings.HasPrefix(out, want+"!") || strings.Count(out, "\n") != 1 {
				t.Fatalf("%v: exit %d, stdout %q, want %q...\n%s", args, code, out, want+"!", stderr)
			}
		})
	}
	var missing []string
	for path := range cases {
		if !tested[path] {
			missing = append(missing, path)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("commands expected to take -o json do not: %v", missing)
	}
}

// A command takes only the output flags it honours: any other is "unknown
// flag", exit 2, and nothing runs.
func TestUnsupportedOutputFlagIsUnknown(t *testing.T) {
	e := newWalkEnv(t)
	for _, args := range [][]string{
		{"emulator", "seed", "--org", "acme", "--project", "web", "--jq", ".x"},
		{"emulator", "seed", "--org", "acme", "--project", "web", "--template", "{{.y}}"},
		{"emulator", "token", "--org", "acme", "-o", "json"},
		{"auth", "login", "--with-token", "--columns", "id"},
		{"config", "set", "org", "x", "-o", "json"},
		{"config", "get", "org", "--jq", "."},
		{"keys", "delete", "x", "--yes", "--columns", "id"},
		{"keys", "test", "--no-headers"},
		{"status", "--columns", "org"},
		{"completion", "bash", "-o", "json"},
	} {
		out, stderr, code := e.run(args, nil)
		if code != cmdutil.ExitUsage || !strings.Contains(stderr, "unknown") || out != "" {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want exit 2 and unknown flag", args, code, out, stderr)
		}
	}
	// Nothing was saved by the refused `config set`.
	if out, _, _ := e.run([]string{"config", "list"}, nil); out != "" {
		t.Errorf("config list after a refused set: %q", out)
	}
}

// config view honours -o csv and --no-headers (it printed an aligned table).
func TestConfigViewCSV(t *testing.T) {
	e := newWalkEnv(t)
	out, stderr, code := e.run([]string{"config", "view", "-o", "csv", "--no-headers", "--columns", "key,origin"}, nil)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) < 4 || lines[0] == "key,origin" || !contains(lines, "org,environment") || !contains(lines, "output,flag") {
		t.Fatalf("config view -o csv --no-headers:\n%s", out)
	}
	// -o from the command line outranks MB_OUTPUT, which outranks the default.
	out, _, _ = e.run([]string{"config", "view"}, map[string]string{"MB_OUTPUT": "json"})
	if !json.Valid([]byte(out)) {
		t.Fatalf("MB_OUTPUT=json config view: %q", out)
	}
	out, _, _ = e.run([]string{"config", "view", "-o", "tsv"}, map[string]string{"MB_OUTPUT": "json"})
	if !strings.HasPrefix(out, "key\tvalue\n") {
		t.Fatalf("-o tsv with MB_OUTPUT=json: %q", out)
	}
	var buf bytes.Buffer
	buf.WriteString(out)
	if !strings.Contains(buf.String(), "output\ttsv") {
		t.Fatalf("config view does not show -o tsv as the output setting: %q", out)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
