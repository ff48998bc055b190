package main

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

// The real-shell suite: the completion scripts that `metabind completion`
// prints, loaded into bash (with bash-completion), zsh and fish, asked to
// complete commands, flags, flag values and key names and ids against a
// running emulator. Reproduce with:
//
//	apt-get install bash-completion zsh fish
//	MB_REQUIRE_REAL_ENV=1 go test ./cmd/metabind -run 'TestRealShellCompletion' -v

const bashCompletionFile = "/usr/share/bash-completion/bash_completion"

// shellCompleter asks a shell to complete words (the last one being the
// word under the cursor, "" for a new word) and returns the candidates.
type shellCompleter func(t *testing.T, words []string) []string

var zshEscapedColon = regexp.MustCompile(`\\:`)

func bashCompleter(script string, env []string) shellCompleter {
	// COMP_WORDS and friends as bash sets them for a TAB at the end of the line;
	// __start_metabind is the function `complete -F` names in the script.
	const driver = `source ` + bashCompletionFile + ` || exit 1
source "$1" || exit 1
shift
COMP_WORDS=("$@"); COMP_CWORD=$(( $# - 1 )); COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}; COMP_TYPE=9; COMPREPLY=()
__start_metabind metabind "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
printf '%s\n' "${COMPREPLY[@]}"`
	return func(t *testing.T, words []string) []string {
		t.Helper()
		r := runBounded(t, 20*time.Second, env, "", "bash", append([]string{"--norc", "--noprofile", "-c", driver, "bash", script}, words...)...)
		if r.code != 0 {
			t.Fatalf("bash completion of %q: exit %d\n%s", words, r.code, r.stderr)
		}
		return candidates(r.stdout, func(l string) string { return strings.TrimSpace(strings.SplitN(l, "\t", 2)[0]) })
	}
}

func zshCompleter(script string, env []string) shellCompleter {
	// The script's _metabind runs as zsh's completion system would call it,
	// with $words and $CURRENT set; the completion system's own builtins
	// (compdef, _describe, compadd, _arguments) are replaced by functions that
	// print what they were given.
	const driver = `compdef() { : }
source "$1" || exit 1
shift
words=("$@"); CURRENT=$#
_describe() { print -rl -- "${completions[@]}" }
compadd() { local a; for a in "$@"; do [[ $a == -* ]] || print -r -- "$a"; done }
_arguments() { print -r -- "files requested: $*" }
_metabind`
	return func(t *testing.T, words []string) []string {
		t.Helper()
		r := runBounded(t, 20*time.Second, env, "", "zsh", append([]string{"-f", "-c", driver, "zsh", script}, words...)...)
		if r.code != 0 {
			t.Fatalf("zsh completion of %q: exit %d\n%s", words, r.code, r.stderr)
		}
		return candidates(r.stdout, func(l string) string {
			// _describe's "value:description", with ':' in the value escaped.
			l = zshEscapedColon.ReplaceAllString(l, "\x00")
			l = strings.SplitN(l, ":", 2)[0]
			return strings.ReplaceAll(l, "\x00", ":")
		})
	}
}

func fishCompleter(script string, env []string) shellCompleter {
	return func(t *testing.T, words []string) []string {
		t.Helper()
		line := strings.Join(words, " ")
		r := runBounded(t, 20*time.Second, env, "", "fish", "--no-config", "-c",
			`source $argv[1]; or exit 1; complete -C $argv[2]`, script, line)
		if r.code != 0 {
			t.Fatalf("fish completion of %q: exit %d\n%s", line, r.code, r.stderr)
		}
		return candidates(r.stdout, func(l string) string { return strings.SplitN(l, "\t", 2)[0] })
	}
}

func candidates(out string, value func(string) string) []string {
	var c []string
	for _, l := range strings.Split(out, "\n") {
		if strings.TrimSpace(l) == "" {
			continue
		}
		c = append(c, value(l))
	}
	return c
}

func TestRealShellCompletion(t *testing.T) {
	bin := metabindBin(t)
	needPrograms(t, "bash-completion zsh fish", "bash", "zsh", "fish")
	if _, err := os.Stat(bashCompletionFile); err != nil {
		needPrograms(t, "bash-completion", "bash-completion-is-missing")
	}
	url, mint := keyringEmulator(t)
	home := t.TempDir()
	env := append(baseEnv(bin, home), "MB_API_URL="+url, "MB_NO_KEYRING=1", "MB_TOKEN="+mint("shell-user"),
		"MB_ORG=acme", "MB_PROJECT=web")
	mb := func(args ...string) runResult {
		t.Helper()
		r := runBounded(t, 20*time.Second, env, "", bin, args...)
		mustExit(t, r, 0, "metabind "+strings.Join(args, " "))
		return r
	}
	mb("keys", "create", "--name", "ios-production", "-q")
	mb("keys", "create", "--name", "old-ios", "-q")
	mb("keys", "revoke", "old-ios", "--yes")
	iosID := strings.TrimSpace(mb("keys", "show", "ios-production", "-o", "json", "--jq", ".id").stdout)
	oldID := strings.TrimSpace(mb("keys", "show", "old-ios", "-o", "json", "--jq", ".id").stdout)
	if len(iosID) < 8 || len(oldID) < 8 {
		t.Fatalf("key ids %q, %q", iosID, oldID)
	}

	scripts := t.TempDir()
	write := func(shell, name string) string {
		p := filepath.Join(scripts, name)
		if err := os.WriteFile(p, []byte(mb("completion", shell).stdout), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	shells := map[string]shellCompleter{
		"bash": bashCompleter(write("bash", "metabind.bash"), env),
		"zsh":  zshCompleter(write("zsh", "_metabind"), env),
		"fish": fishCompleter(write("fish", "metabind.fish"), env),
	}

	type check struct {
		words       string // the line, the last word being completed ("" after a trailing space)
		want, never []string
	}
	checks := []check{
		{words: "metabind ke", want: []string{"keys"}},
		{words: "metabind keys ", want: []string{"create", "list", "show", "revoke", "rotate", "delete", "rename"}},
		{words: "metabind keys list --so", want: []string{"--sort"}},
		{words: "metabind keys create --na", want: []string{"--name"}},
		{words: "metabind keys list --sort ", want: []string{"name", "createdAt", "lastUsed"}},
		{words: "metabind keys list -o ", want: []string{"table", "json", "yaml", "csv", "tsv"}},
		{words: "metabind keys show ios", want: []string{"ios-production"}, never: []string{"old-ios"}},
		{words: "metabind keys show " + iosID[:6], want: []string{iosID}},
	}
	for _, verb := range []string{"show", "delete", "rename"} {
		checks = append(checks, check{words: "metabind keys " + verb + " ", want: []string{"ios-production", iosID, "old-ios", oldID}})
	}
	for _, verb := range []string{"revoke", "rotate"} {
		checks = append(checks, check{words: "metabind keys " + verb + " ", want: []string{"ios-production", iosID}, never: []string{"old-ios", oldID}})
	}

	for _, name := range []string{"bash", "zsh", "fish"} {
		complete := shells[name]
		t.Run(name, func(t *testing.T) {
			for _, c := range checks {
				words := strings.Split(c.words, " ")
				got := complete(t, words)
				for _, w := range c.want {
					if !slices.Contains(got, w) {
						t.Errorf("%s: %q<TAB> does not offer %q; got %q", name, c.words, w, got)
					}
				}
				for _, w := range c.never {
					if slices.Contains(got, w) {
						t.Errorf("%s: %q<TAB> offers %q; got %q", name, c.words, w, got)
					}
				}
			}
		})
	}
}
