package config

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/spf13/pflag"
)

// env is an injected environment.
type env map[string]string

func (e env) get(k string) string { return e[k] }

// flagSet returns the root command's persistent flags as the commands define
// them, with deliberately non-empty defaults for org and project so that a test
// fails if a flag's default ever counts. args are parsed.
func flagSet(t *testing.T, args ...string) *pflag.FlagSet {
	t.Helper()
	fs := pflag.NewFlagSet("metabind", pflag.ContinueOnError)
	fs.String("api-url", DefaultAPIURL, "")
	fs.String("org", "flag-default-org", "")
	fs.String("project", "flag-default-project", "")
	fs.StringP("output", "o", "json", "")
	fs.String("profile", "", "")
	if err := fs.Parse(args); err != nil {
		t.Fatal(err)
	}
	return fs
}

func writeConfig(t *testing.T, dir, content string) string {
	t.Helper()
	path := filepath.Join(dir, FileName)
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func load(t *testing.T, o LoadOptions) *Config {
	t.Helper()
	if o.Getenv == nil {
		o.Getenv = env{}.get
	}
	c, err := Load(o)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return c
}

func TestPrecedence(t *testing.T) {
	const file = "api-url: https://file.example.com\norg: file-org\nproject: file-project\noutput: yaml\n"
	type want struct {
		value  string
		source Source
	}
	tests := []struct {
		name  string
		args  []string
		env   env
		file  string
		wants map[string]want
	}{
		{
			name: "defaults only",
			wants: map[string]want{
				"api-url": {DefaultAPIURL, SourceDefault},
				"org":     {"", SourceDefault},
				"project": {"", SourceDefault},
				"output":  {"table", SourceDefault},
			},
		},
		{
			name: "file beats default",
			file: file,
			wants: map[string]want{
				"api-url": {"https://file.example.com", SourceProfile},
				"org":     {"file-org", SourceProfile},
				"project": {"file-project", SourceProfile},
				"output":  {"yaml", SourceProfile},
			},
		},
		{
			name: "env beats file",
			file: file,
			env:  env{"MB_API_URL": "http://127.0.0.1:8787", "MB_ORG": "env-org", "MB_PROJECT": " env-project\n", "MB_OUTPUT": "json"},
			wants: map[string]want{
				"api-url": {"http://127.0.0.1:8787", SourceEnv},
				"org":     {"env-org", SourceEnv},
				"project": {"env-project", SourceEnv},
				"output":  {"json", SourceEnv},
			},
		},
		{
			name: "empty env does not count",
			file: file,
			env:  env{"MB_ORG": "", "MB_PROJECT": "   "},
			wants: map[string]want{
				"org":     {"file-org", SourceProfile},
				"project": {"file-project", SourceProfile},
			},
		},
		{
			name: "flag beats env and file",
			file: file,
			args: []string{"--api-url", "https://flag.example.com", "--org", "flag-org", "--project=flag-project", "-o", "table"},
			env:  env{"MB_API_URL": "http://127.0.0.1:8787", "MB_ORG": "env-org", "MB_PROJECT": "env-project", "MB_OUTPUT": "json"},
			wants: map[string]want{
				"api-url": {"https://flag.example.com", SourceFlag},
				"org":     {"flag-org", SourceFlag},
				"project": {"flag-project", SourceFlag},
				"output":  {"table", SourceFlag},
			},
		},
		{
			name: "per key: flag, env, file, default side by side",
			file: "project: file-project\n",
			args: []string{"--org", "flag-org"},
			env:  env{"MB_OUTPUT": "yaml"},
			wants: map[string]want{
				"org":     {"flag-org", SourceFlag},
				"output":  {"yaml", SourceEnv},
				"project": {"file-project", SourceProfile},
				"api-url": {DefaultAPIURL, SourceDefault},
			},
		},
		{
			name: "flag default never counts",
			env:  env{"MB_OUTPUT": "yaml"},
			wants: map[string]want{
				"org":    {"", SourceDefault},
				"output": {"yaml", SourceEnv},
			},
		},
		{
			name: "empty file value does not count",
			file: "org: \"\"\nproject:\n",
			wants: map[string]want{
				"org":     {"", SourceDefault},
				"project": {"", SourceDefault},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			if tt.file != "" {
				writeConfig(t, dir, tt.file)
			}
			c := load(t, LoadOptions{Dir: dir, Flags: flagSet(t, tt.args...), Getenv: tt.env.get})
			for key, w := range tt.wants {
				if got := c.Get(key); got != w.value {
					t.Errorf("Get(%q) = %q, want %q", key, got, w.value)
				}
				if got := c.Source(key); got != w.source {
					t.Errorf("Source(%q) = %q, want %q", key, got, w.source)
				}
			}
		})
	}
}

func TestNilFlagsAndUnknownKey(t *testing.T) {
	c := load(t, LoadOptions{Dir: t.TempDir(), Getenv: env{"MB_ORG": "acme"}.get})
	if c.Get("org") != "acme" || c.Source("org") != SourceEnv {
		t.Errorf("org = %q (%s)", c.Get("org"), c.Source("org"))
	}
	if c.Get("token") != "" || c.Source("token") != "" {
		t.Errorf("unknown key: %q (%q)", c.Get("token"), c.Source("token"))
	}
	if got := strings.Join(c.Keys(), ","); got != "api-url,org,project,output" {
		t.Errorf("Keys() = %s", got)
	}
}

const profilesFile = `# metabind settings
api-url: https://api.metabind.ai
org: acme
project: web
profiles:
  staging:
    api-url: https://staging.example.com
    org: acme-staging
  empty:
`

func TestProfileSelection(t *testing.T) {
	tests := []struct {
		name    string
		opt     string
		args    []string
		env     env
		profile string
		org     string
	}{
		{name: "default", profile: "default", org: "acme"},
		{name: "option", opt: "staging", profile: "staging", org: "acme-staging"},
		{name: "flag", args: []string{"--profile", "staging"}, profile: "staging", org: "acme-staging"},
		{name: "env", env: env{"MB_PROFILE": "staging"}, profile: "staging", org: "acme-staging"},
		{name: "flag beats env", args: []string{"--profile=default"}, env: env{"MB_PROFILE": "staging"}, profile: "default", org: "acme"},
		{name: "option beats flag", opt: "staging", args: []string{"--profile=default"}, profile: "staging", org: "acme-staging"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			writeConfig(t, dir, profilesFile)
			c := load(t, LoadOptions{Dir: dir, Flags: flagSet(t, tt.args...), Getenv: tt.env.get, Profile: tt.opt})
			if c.Profile() != tt.profile {
				t.Errorf("Profile() = %q, want %q", c.Profile(), tt.profile)
			}
			if c.Get("org") != tt.org || c.Source("org") != SourceProfile {
				t.Errorf("org = %q (%s), want %q (profile)", c.Get("org"), c.Source("org"), tt.org)
			}
		})
	}
}

func TestNamedProfileDoesNotInheritDefault(t *testing.T) {
	dir := t.TempDir()
	writeConfig(t, dir, profilesFile)
	c := load(t, LoadOptions{Dir: dir, Profile: "staging"})
	if c.Get("project") != "" || c.Source("project") != SourceDefault {
		t.Errorf("project = %q (%s): the default profile's value leaked", c.Get("project"), c.Source("project"))
	}
	if !c.ProfileExists() {
		t.Error("staging should exist")
	}
	if got := strings.Join(c.Profiles(), ","); got != "default,empty,staging" {
		t.Errorf("Profiles() = %s", got)
	}
}

func TestEmptyProfileExists(t *testing.T) {
	dir := t.TempDir()
	writeConfig(t, dir, profilesFile)
	c := load(t, LoadOptions{Dir: dir, Profile: "empty"})
	if !c.ProfileExists() {
		t.Fatal(`"empty:" with no settings should exist`)
	}
	if c.Get("org") != "" || c.Get("api-url") != DefaultAPIURL {
		t.Errorf("org %q api-url %q", c.Get("org"), c.Get("api-url"))
	}
	if err := c.Set("org", "filled"); err != nil {
		t.Fatal(err)
	}
	if err := c.Save(); err != nil {
		t.Fatal(err)
	}
	c = load(t, LoadOptions{Dir: dir, Profile: "empty"})
	if c.Get("org") != "filled" {
		t.Errorf("org = %q after save", c.Get("org"))
	}
}

func TestMissingProfileFallsThroughAndSetCreatesIt(t *testing.T) {
	dir := t.TempDir()
	writeConfig(t, dir, profilesFile)
	c := load(t, LoadOptions{Dir: dir, Profile: "production"})
	if c.ProfileExists() {
		t.Fatal("production should not exist yet")
	}
	if c.Get("org") != "" || c.Get("api-url") != DefaultAPIURL || c.Source("api-url") != SourceDefault {
		t.Errorf("missing profile: org %q api-url %q (%s)", c.Get("org"), c.Get("api-url"), c.Source("api-url"))
	}
	if err := c.Set("org", "acme-prod"); err != nil {
		t.Fatal(err)
	}
	if !c.ProfileExists() || c.Get("org") != "acme-prod" || c.Source("org") != SourceProfile {
		t.Errorf("after Set: exists %v org %q (%s)", c.ProfileExists(), c.Get("org"), c.Source("org"))
	}
	if err := c.Save(); err != nil {
		t.Fatal(err)
	}
	again := load(t, LoadOptions{Dir: dir, Profile: "production"})
	if !again.ProfileExists() || again.Get("org") != "acme-prod" {
		t.Errorf("reloaded: exists %v org %q", again.ProfileExists(), again.Get("org"))
	}
	def := load(t, LoadOptions{Dir: dir})
	if def.Get("org") != "acme" {
		t.Errorf("default profile changed: org %q", def.Get("org"))
	}
	stg := load(t, LoadOptions{Dir: dir, Profile: "staging"})
	if stg.Get("api-url") != "https://staging.example.com" {
		t.Errorf("staging changed: api-url %q", stg.Get("api-url"))
	}
}

func TestSetCreatesProfilesInEmptyConfig(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "new", "metabind")
	c := load(t, LoadOptions{Dir: dir, Profile: "staging"})
	if err := c.Set("project", "web"); err != nil {
		t.Fatal(err)
	}
	if err := c.Save(); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(dir, FileName))
	if err != nil {
		t.Fatal(err)
	}
	if want := "profiles:\n  staging:\n    project: web\n"; string(data) != want {
		t.Errorf("file = %q, want %q", data, want)
	}
	if runtime.GOOS != "windows" {
		assertMode(t, dir, 0o700)
		assertMode(t, filepath.Join(dir, FileName), 0o600)
	}
}

func assertMode(t *testing.T, path string, want os.FileMode) {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := fi.Mode().Perm(); got != want {
		t.Errorf("%s mode %04o, want %04o", filepath.Base(path), got, want)
	}
}

func TestInvalidProfileName(t *testing.T) {
	for _, name := range []string{"-x", "a b", "a/b", "../x", strings.Repeat("a", 65), "é"} {
		_, err := Load(LoadOptions{Dir: t.TempDir(), Getenv: env{}.get, Profile: name})
		if !errors.Is(err, ErrUsage) || !strings.Contains(err.Error(), "invalid profile name") {
			t.Errorf("profile %q: err = %v", name, err)
		}
	}
	for _, name := range []string{"staging", "prod-eu.1", "A_b"} {
		if err := ValidateProfileName(name); err != nil {
			t.Errorf("profile %q rejected: %v", name, err)
		}
	}
}

func TestSaveNeverWritesFlagOrEnvValues(t *testing.T) {
	dir := t.TempDir()
	writeConfig(t, dir, "org: file-org\n")
	c := load(t, LoadOptions{
		Dir:    dir,
		Flags:  flagSet(t, "--org", "flag-org", "--api-url", "https://flag.example.com"),
		Getenv: env{"MB_PROJECT": "env-project", "MB_OUTPUT": "yaml"}.get,
	})
	if err := c.Set("project", "file-project"); err != nil {
		t.Fatal(err)
	}
	// The env value still wins for this invocation.
	if c.Get("project") != "env-project" || c.Source("project") != SourceEnv {
		t.Errorf("project = %q (%s)", c.Get("project"), c.Source("project"))
	}
	if c.FileValue("project") != "file-project" || c.FileValue("org") != "file-org" || c.FileValue("output") != "" {
		t.Errorf("FileValue: project %q org %q output %q", c.FileValue("project"), c.FileValue("org"), c.FileValue("output"))
	}
	if err := c.Save(); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(dir, FileName))
	if err != nil {
		t.Fatal(err)
	}
	for _, leaked := range []string{"flag-org", "flag.example.com", "env-project", "yaml", "table", "api-url", "output"} {
		if strings.Contains(string(data), leaked) {
			t.Errorf("saved file contains %q:\n%s", leaked, data)
		}
	}
	if want := "org: file-org\nproject: file-project\n"; string(data) != want {
		t.Errorf("file = %q, want %q", data, want)
	}
}

func TestSavePreservesUnknownKeysAndComments(t *testing.T) {
	dir := t.TempDir()
	writeConfig(t, dir, `# my settings
org: acme # the company
editor: vim
Org: not-the-same-key
profiles:
  staging:
    org: acme-staging
    colour: blue
telemetry:
  enabled: false
`)
	c := load(t, LoadOptions{Dir: dir, Profile: "staging"})
	if err := c.Set("project", "app"); err != nil {
		t.Fatal(err)
	}
	if err := c.Save(); err != nil {
		t.Fatal(err)
	}
	c = load(t, LoadOptions{Dir: dir})
	if err := c.Set("org", "acme2"); err != nil {
		t.Fatal(err)
	}
	if err := c.Save(); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(filepath.Join(dir, FileName))
	want := `# my settings
org: acme2 # the company
editor: vim
Org: not-the-same-key
profiles:
  staging:
    org: acme-staging
    colour: blue
    project: app
telemetry:
  enabled: false
`
	if string(data) != want {
		t.Errorf("file =\n%s\nwant\n%s", data, want)
	}
}

func TestSetQuotesValuesThatLookLikeOtherTypes(t *testing.T) {
	dir := t.TempDir()
	c := load(t, LoadOptions{Dir: dir})
	for _, kv := range [][2]string{{"org", "123"}, {"project", "true"}} {
		if err := c.Set(kv[0], kv[1]); err != nil {
			t.Fatal(err)
		}
	}
	if err := c.Save(); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(filepath.Join(dir, FileName))
	if want := "org: \"123\"\nproject: \"true\"\n"; string(data) != want {
		t.Errorf("file = %q, want %q", data, want)
	}
	c = load(t, LoadOptions{Dir: dir})
	if c.Get("org") != "123" || c.Get("project") != "true" {
		t.Errorf("reloaded org %q project %q", c.Get("org"), c.Get("project"))
	}
}

func TestUnset(t *testing.T) {
	dir := t.TempDir()
	writeConfig(t, dir, "org: acme\noutput: json\nproject: web\n")
	c := load(t, LoadOptions{Dir: dir})
	if err := c.Unset("output"); err != nil {
		t.Fatal(err)
	}
	if err := c.Unset("org"); err != nil {
		t.Fatal(err)
	}
	if c.Get("output") != "table" || c.Source("output") != SourceDefault {
		t.Errorf("output = %q (%s) after Unset", c.Get("output"), c.Source("output"))
	}
	if c.Get("org") != "" || c.Source("org") != SourceDefault {
		t.Errorf("org = %q (%s) after Unset", c.Get("org"), c.Source("org"))
	}
	if err := c.Unset("org"); err != nil {
		t.Errorf("second Unset: %v", err)
	}
	if err := c.Unset("colour"); !errors.Is(err, ErrUsage) {
		t.Errorf("Unset unknown key: %v", err)
	}
	if err := c.Save(); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(filepath.Join(dir, FileName))
	if string(data) != "project: web\n" {
		t.Errorf("file = %q", data)
	}
	// Unset on a profile that does not exist changes nothing.
	p := load(t, LoadOptions{Dir: dir, Profile: "ghost"})
	if err := p.Unset("org"); err != nil || p.ProfileExists() {
		t.Errorf("Unset on missing profile: err %v, exists %v", err, p.ProfileExists())
	}
}

func TestSetValidation(t *testing.T) {
	tests := []struct {
		key, value string
		ok         bool
		msg        string // part of the error
	}{
		{"api-url", "https://api.metabind.ai", true, ""},
		{"api-url", "http://127.0.0.1:8787", true, ""},
		{"api-url", "https://proxy.example.com/metabind/", true, ""},
		{"api-url", "  https://api.metabind.ai\n", true, ""},
		{"api-url", "api.metabind.ai", false, "absolute http(s) URL"},
		{"api-url", "ftp://api.metabind.ai", false, "absolute http(s) URL"},
		{"api-url", "https://", false, "absolute http(s) URL"},
		{"api-url", "/relative", false, "absolute http(s) URL"},
		{"api-url", "", false, "must not be empty"},
		{"api-url", "https://api.metabind.ai/app/v1", false, "without /app/v1"},
		{"api-url", "https://api.metabind.ai?x=1", false, "query"},
		{"api-url", "https://user:hunter2@api.metabind.ai", false, "user name or password"},
		{"api-url", "https://a b", false, "absolute http(s) URL"},
		{"org", "acme", true, ""},
		{"org", "", false, "must not be empty"},
		{"org", "ac me", false, "spaces or control characters"},
		{"project", "we\x1bb", false, "spaces or control characters"},
		{"project", "we\u00a0b", false, "spaces or control characters"},
		{"project", "\xff", false, "UTF-8"},
		{"output", "json", true, ""},
		{"output", "yaml", true, ""},
		{"output", "table", true, ""},
		{"output", "xml", false, "valid values are table, json, yaml"},
		{"output", "JSON", false, "valid values are table, json, yaml"},
		{"colour", "blue", false, "valid keys are api-url, org, project, output"},
	}
	for _, tt := range tests {
		c := load(t, LoadOptions{Dir: t.TempDir()})
		err := c.Set(tt.key, tt.value)
		if tt.ok {
			if err != nil {
				t.Errorf("Set(%q, %q): %v", tt.key, tt.value, err)
			} else if c.Get(tt.key) != strings.TrimSpace(tt.value) {
				t.Errorf("Set(%q, %q): Get = %q", tt.key, tt.value, c.Get(tt.key))
			}
			continue
		}
		if err == nil {
			t.Errorf("Set(%q, %q) succeeded", tt.key, tt.value)
			continue
		}
		if !errors.Is(err, ErrUsage) || !strings.Contains(err.Error(), tt.msg) {
			t.Errorf("Set(%q, %q) = %v, want a usage error containing %q", tt.key, tt.value, err, tt.msg)
		}
		if strings.Contains(err.Error(), "hunter2") {
			t.Errorf("error echoes a password: %v", err)
		}
		if c.Get(tt.key) != Default(tt.key) {
			t.Errorf("failed Set changed %q to %q", tt.key, c.Get(tt.key))
		}
	}
}

func TestBadConfigFiles(t *testing.T) {
	tests := []struct {
		name    string
		content string
		msg     string
	}{
		{"invalid yaml", "org: [unclosed\n", "is not valid YAML"},
		{"tab indentation", "profiles:\n\tstaging: {}\n", "is not valid YAML"},
		{"list at top", "- org\n- project\n", "expected a mapping"},
		{"scalar at top", "just text\n", "expected a mapping"},
		{"profiles not a map", "profiles: [a, b]\n", `"profiles" must be a mapping`},
		{"profile not a map", "profiles:\n  staging: prod\n", `profile "staging" must be a mapping`},
		{"known key not scalar", "org:\n  name: acme\n", `"org" must be a single value`},
		{"known key list in profile", "profiles:\n  s:\n    output: [json]\n", `"output" must be a single value`},
		{"duplicate key", "org: a\norg: b\n", `sets "org" twice (lines 1 and 2)`},
		{"duplicate profile", "profiles:\n  s: {}\n  s: {}\n", `sets "s" twice`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := writeConfig(t, dir, tt.content)
			_, err := Load(LoadOptions{Dir: dir, Getenv: env{}.get})
			if err == nil {
				t.Fatal("Load succeeded")
			}
			for _, part := range []string{path, tt.msg, "fix or remove it"} {
				if !strings.Contains(err.Error(), part) {
					t.Errorf("error %q lacks %q", err, part)
				}
			}
		})
	}
}

func TestEmptyAndCommentOnlyFiles(t *testing.T) {
	for _, content := range []string{"", "\n\n", "# nothing yet\n", "~\n", "---\n"} {
		dir := t.TempDir()
		writeConfig(t, dir, content)
		c := load(t, LoadOptions{Dir: dir})
		if c.Get("api-url") != DefaultAPIURL || c.Get("org") != "" {
			t.Errorf("%q: api-url %q org %q", content, c.Get("api-url"), c.Get("org"))
		}
		if err := c.Set("org", "acme"); err != nil {
			t.Fatal(err)
		}
		if err := c.Save(); err != nil {
			t.Fatalf("%q: Save: %v", content, err)
		}
		if c2 := load(t, LoadOptions{Dir: dir}); c2.Get("org") != "acme" {
			t.Errorf("%q: org after save %q", content, c2.Get("org"))
		}
	}
}

func TestConfigFileIsADirectory(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, FileName)
	if err := os.Mkdir(path, 0o700); err != nil {
		t.Fatal(err)
	}
	_, err := Load(LoadOptions{Dir: dir, Getenv: env{}.get})
	if err == nil || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "is a directory") {
		t.Fatalf("err = %v", err)
	}
}

func TestConfigDirIsAFile(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "metabind")
	if err := os.WriteFile(dir, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := Load(LoadOptions{Dir: dir, Getenv: env{}.get})
	if err == nil || !strings.Contains(err.Error(), dir+" is not a directory: point MB_CONFIG_DIR at a directory") {
		t.Fatalf("err = %v", err)
	}
}

func TestUnreadableConfigFile(t *testing.T) {
	if runtime.GOOS == "windows" || os.Getuid() == 0 {
		t.Skip("needs POSIX permissions and a non-root user")
	}
	dir := t.TempDir()
	path := writeConfig(t, dir, "org: acme\n")
	if err := os.Chmod(path, 0); err != nil {
		t.Fatal(err)
	}
	_, err := Load(LoadOptions{Dir: dir, Getenv: env{}.get})
	if err == nil || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "permission denied") {
		t.Fatalf("err = %v", err)
	}
}

func TestWarnings(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("mode bits do not apply")
	}
	dir := t.TempDir()
	path := writeConfig(t, dir, "org: acme\n")
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	c := load(t, LoadOptions{Dir: dir})
	w := c.Warnings()
	if len(w) != 1 || !strings.Contains(w[0], "chmod 600 "+path) {
		t.Fatalf("Warnings() = %q", w)
	}
	if c.Get("org") != "acme" {
		t.Errorf("a 0644 file must still load; org %q", c.Get("org"))
	}
	if err := c.Save(); err != nil {
		t.Fatal(err)
	}
	assertMode(t, path, 0o600)
	if w := c.Warnings(); len(w) != 0 {
		t.Errorf("Warnings() after Save = %q", w)
	}
	if w := load(t, LoadOptions{Dir: dir}).Warnings(); len(w) != 0 {
		t.Errorf("Warnings() of a 0600 file = %q", w)
	}
}

func TestProfilesDefaultIsIgnoredWithWarning(t *testing.T) {
	dir := t.TempDir()
	writeConfig(t, dir, "org: top\nprofiles:\n  default:\n    org: nested\n")
	c := load(t, LoadOptions{Dir: dir})
	if c.Get("org") != "top" {
		t.Errorf("org = %q", c.Get("org"))
	}
	w := c.Warnings()
	if len(w) != 1 || !strings.Contains(w[0], `"profiles.default" is ignored`) {
		t.Errorf("Warnings() = %q", w)
	}
	if got := strings.Join(c.Profiles(), ","); got != "default" {
		t.Errorf("Profiles() = %s", got)
	}
}

func TestSaveFailureBeforeRenameKeepsOldFile(t *testing.T) {
	dir := t.TempDir()
	path := writeConfig(t, dir, "org: old\n")
	c := load(t, LoadOptions{Dir: dir})
	if err := c.Set("org", "new"); err != nil {
		t.Fatal(err)
	}
	beforeRename = func(string) error { return errors.New("no space left on device") }
	t.Cleanup(func() { beforeRename = nil })
	err := c.Save()
	if err == nil || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "no space left") {
		t.Fatalf("Save err = %v", err)
	}
	if data, _ := os.ReadFile(path); string(data) != "org: old\n" {
		t.Errorf("old file changed: %q", data)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("temporary file left behind: %v", entries)
	}
}

func TestAliasesAreResolved(t *testing.T) {
	dir := t.TempDir()
	writeConfig(t, dir, "org: &o acme\nprofiles:\n  staging:\n    org: *o\n")
	c := load(t, LoadOptions{Dir: dir, Profile: "staging"})
	if c.Get("org") != "acme" {
		t.Errorf("org = %q", c.Get("org"))
	}
}

func TestDir(t *testing.T) {
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	got, err := Dir(env{"MB_CONFIG_DIR": "rel/dir", "XDG_CONFIG_HOME": "/xdg"}.get)
	if err != nil || got != filepath.Join(wd, "rel", "dir") {
		t.Errorf("MB_CONFIG_DIR relative: %q, %v", got, err)
	}
	abs := filepath.Join(t.TempDir(), "cfg")
	if got, err := Dir(env{"MB_CONFIG_DIR": abs}.get); err != nil || got != abs {
		t.Errorf("MB_CONFIG_DIR absolute: %q, %v", got, err)
	}
	if runtime.GOOS == "windows" || runtime.GOOS == "darwin" || runtime.GOOS == "ios" || runtime.GOOS == "plan9" {
		return
	}
	tests := []struct {
		env  env
		want string
	}{
		{env{"XDG_CONFIG_HOME": "/xdg", "HOME": "/home/u"}, "/xdg/metabind"},
		{env{"XDG_CONFIG_HOME": "relative", "HOME": "/home/u"}, "/home/u/.config/metabind"},
		{env{"HOME": "/home/u"}, "/home/u/.config/metabind"},
		{env{"MB_CONFIG_DIR": "  ", "HOME": "/home/u"}, "/home/u/.config/metabind"},
	}
	for _, tt := range tests {
		if got, err := Dir(tt.env.get); err != nil || got != tt.want {
			t.Errorf("Dir(%v) = %q, %v; want %q", tt.env, got, err, tt.want)
		}
	}
	if _, err := Dir(env{}.get); err == nil || !strings.Contains(err.Error(), "MB_CONFIG_DIR") {
		t.Errorf("no HOME: err = %v", err)
	}
}

func TestLoadUsesDirFromEnvironment(t *testing.T) {
	dir := t.TempDir()
	writeConfig(t, dir, "org: from-dir\n")
	c := load(t, LoadOptions{Getenv: env{"MB_CONFIG_DIR": dir}.get})
	if c.Get("org") != "from-dir" || c.Path() != filepath.Join(dir, FileName) || c.Dir() != dir {
		t.Errorf("org %q path %q dir %q", c.Get("org"), c.Path(), c.Dir())
	}
}

func TestHelpers(t *testing.T) {
	if EnvVar("org") != "MB_ORG" || EnvVar("api-url") != "MB_API_URL" || EnvVar("nope") != "" {
		t.Error("EnvVar mapping wrong")
	}
	if Default("output") != "table" || Default("api-url") != DefaultAPIURL || Default("org") != "" {
		t.Error("Default mapping wrong")
	}
	for _, o := range ValidOutputs {
		if err := ValidateValue("output", o); err != nil {
			t.Errorf("ValidOutputs entry %q rejected: %v", o, err)
		}
	}
}
