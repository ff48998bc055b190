package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"

	"github.com/metabind/metabind-cli/internal/app"
	"github.com/metabind/metabind-cli/internal/cmdutil"
	"github.com/metabind/metabind-cli/internal/iostreams"
)

// repoRoot is the repository root seen from this package's directory, where
// `go test` runs.
const repoRoot = "../.."

const regenerate = "run `go run ./cmd/gen-docs` from the repository root and commit the result"

// generateInto runs the generator with the given SOURCE_DATE_EPOCH into dir.
func generateInto(t *testing.T, dir, sourceDateEpoch string) string {
	t.Helper()
	var stdout, stderr bytes.Buffer
	getenv := func(k string) string {
		if k == "SOURCE_DATE_EPOCH" {
			return sourceDateEpoch
		}
		return ""
	}
	if code := run([]string{"-out", dir}, getenv, &stdout, &stderr); code != 0 {
		t.Fatalf("gen-docs exited %d: %s", code, stderr.String())
	}
	return stdout.String()
}

// readGenerated reads the regular files of the generated directories under root,
// keyed by slash-separated path relative to root.
func readGenerated(t *testing.T, root string) map[string][]byte {
	t.Helper()
	files := make(map[string][]byte)
	for _, dir := range generatedDirs {
		entries, err := os.ReadDir(filepath.Join(root, filepath.FromSlash(dir)))
		if os.IsNotExist(err) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			if !e.Type().IsRegular() {
				continue
			}
			data, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(dir), e.Name()))
			if err != nil {
				t.Fatal(err)
			}
			files[path.Join(dir, e.Name())] = data
		}
	}
	return files
}

// diffTrees describes how got differs from want: missing, extra and different files.
func diffTrees(want, got map[string][]byte) []string {
	var problems []string
	for name, w := range want {
		g, ok := got[name]
		switch {
		case !ok:
			problems = append(problems, "missing: "+name)
		case !bytes.Equal(g, w):
			problems = append(problems, "out of date: "+name+firstDifference(w, g))
		}
	}
	for name := range got {
		if _, ok := want[name]; !ok {
			problems = append(problems, "stale (no longer generated): "+name)
		}
	}
	sort.Strings(problems)
	return problems
}

// firstDifference names the first line where the committed file (got) departs
// from the generated one (want).
func firstDifference(want, got []byte) string {
	wl := strings.Split(string(want), "\n")
	gl := strings.Split(string(got), "\n")
	for i := 0; i < len(wl) || i < len(gl); i++ {
		var w, g string
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if w != g {
			return fmt.Sprintf(" (line %d: generated %q, committed %q)", i+1, w, g)
		}
	}
	return ""
}

// The committed docs/cli, docs/man and completions must be exactly what the
// generator writes now: nothing missing, nothing extra, nothing different.
// Variables that the CLI reads are set to odd values to prove that the output
// does not depend on the environment of the machine that generates it.
func TestCommittedFilesAreFresh(t *testing.T) {
	for k, v := range map[string]string{
		"MB_API_URL":      "https://env.invalid",
		"MB_ORG":          "env-org",
		"MB_PROJECT":      "env-project",
		"MB_OUTPUT":       "json",
		"MB_PROFILE":      "env-profile",
		"MB_CONFIG_DIR":   t.TempDir(),
		"HOME":            t.TempDir(),
		"XDG_CONFIG_HOME": t.TempDir(),
		"NO_COLOR":        "1",
	} {
		t.Setenv(k, v)
	}
	out := t.TempDir()
	generateInto(t, out, "")
	want := readGenerated(t, out)
	if len(want) == 0 {
		t.Fatal("the generator produced no files")
	}
	got := readGenerated(t, repoRoot)
	if problems := diffTrees(want, got); len(problems) > 0 {
		t.Fatalf("generated files are stale; %s:\n  %s", regenerate, strings.Join(problems, "\n  "))
	}
}

// Each committed completion script is what `metabind completion <shell>` prints.
func TestCompletionFilesMatchCompletionCommand(t *testing.T) {
	for shell, name := range completionFiles {
		t.Run(shell, func(t *testing.T) {
			ios, _, stdout, stderr := iostreams.Test()
			code := app.RunFactory(context.Background(), []string{"completion", shell}, cmdutil.New(ios, noEnv))
			if code != 0 {
				t.Fatalf("metabind completion %s: exit %d, stderr %q", shell, code, stderr.String())
			}
			committed, err := os.ReadFile(filepath.Join(repoRoot, completionsDir, name))
			if err != nil {
				t.Fatalf("%v; %s", err, regenerate)
			}
			if !bytes.Equal(committed, stdout.Bytes()) {
				t.Fatalf("%s differs from `metabind completion %s`%s; %s",
					path.Join(completionsDir, name), shell, firstDifference(stdout.Bytes(), committed), regenerate)
			}
			if !bytes.Contains(committed, []byte("metabind")) {
				t.Fatalf("%s does not mention metabind", name)
			}
		})
	}
}

// Every command a user can run has a Markdown page and a man page; hidden
// commands and cobra's help command have none.
func TestOnePagePerVisibleCommand(t *testing.T) {
	out := t.TempDir()
	generateInto(t, out, "")
	files := readGenerated(t, out)

	cmd := newRoot()
	prepareForDocs(cmd)
	var paths []string
	walk(cmd, func(c *cobra.Command) {
		for p := c; p != nil; p = p.Parent() {
			if !p.IsAvailableCommand() && p.HasParent() {
				return
			}
		}
		paths = append(paths, c.CommandPath())
	})
	for _, want := range []string{"metabind", "metabind keys create", "metabind version", "metabind completion bash"} {
		if !contains(paths, want) {
			t.Fatalf("command tree lacks %q: %v", want, paths)
		}
	}
	for _, p := range paths {
		md := path.Join(cliDir, strings.ReplaceAll(p, " ", "_")+".md")
		man := path.Join(manDir, strings.ReplaceAll(p, " ", "-")+".1")
		for _, f := range []string{md, man} {
			if _, ok := files[f]; !ok {
				t.Errorf("no page %s for %q", f, p)
			}
		}
	}
	// Each help topic has a page of each kind too, linked from the root's.
	topics := helpTopics(cmd)
	if len(topics) < 2 {
		t.Fatalf("help topics: %d", len(topics))
	}
	for _, topic := range topics {
		md := path.Join(cliDir, "metabind_"+topic.Name()+".md")
		man := path.Join(manDir, "metabind-"+topic.Name()+".1")
		if !strings.Contains(string(files[md]), "## metabind help "+topic.Name()) || !strings.Contains(string(files[man]), "metabind help "+topic.Name()) {
			t.Errorf("help topic %s: no page %s or %s", topic.Name(), md, man)
		}
		if !strings.Contains(string(files[path.Join(cliDir, "metabind.md")]), "(metabind_"+topic.Name()+".md)") ||
			!strings.Contains(string(files[path.Join(manDir, "metabind.1")]), `\fBmetabind-`+topic.Name()+`(1)\fP`) {
			t.Errorf("the root pages do not link help topic %s", topic.Name())
		}
	}
	if n := len(files) - len(completionFiles); n != 2*(len(paths)+len(topics)) {
		t.Errorf("%d pages for %d commands and %d topics, want %d", n, len(paths), len(topics), 2*(len(paths)+len(topics)))
	}
	if !strings.Contains(string(files[path.Join(cliDir, "metabind_exit-codes.md")]), "8    a new secret did not reach its destination") {
		t.Errorf("the exit-codes topic lacks exit code 8")
	}
	for name := range files {
		if strings.Contains(name, "__complete") || strings.Contains(name, "_help.") || strings.Contains(name, "-help.") {
			t.Errorf("page for a hidden or help command: %s", name)
		}
	}
}

var mdLink = regexp.MustCompile(`\]\(([^)]+)\)`)

// Links between the Markdown pages are relative and lead to existing pages.
func TestMarkdownLinksResolve(t *testing.T) {
	out := t.TempDir()
	generateInto(t, out, "")
	files := readGenerated(t, out)
	links := 0
	for name, data := range files {
		if !strings.HasPrefix(name, cliDir+"/") {
			continue
		}
		for _, m := range mdLink.FindAllSubmatch(data, -1) {
			target := string(m[1])
			links++
			if strings.Contains(target, "/") || !strings.HasSuffix(target, ".md") {
				t.Errorf("%s: link %q is not a relative page name", name, target)
				continue
			}
			if _, ok := files[path.Join(cliDir, target)]; !ok {
				t.Errorf("%s: link %q leads nowhere", name, target)
			}
		}
	}
	if links == 0 {
		t.Fatal("no links found in the Markdown pages")
	}
}

// No page carries cobra's dated "Auto generated" footer, the man pages have the
// agreed header, and the date comes from SOURCE_DATE_EPOCH when it is set.
func TestPagesAreUndatedExceptTheFixedManDate(t *testing.T) {
	out := t.TempDir()
	generateInto(t, out, "")
	files := readGenerated(t, out)
	for name, data := range files {
		if bytes.Contains(data, []byte("Auto generated")) {
			t.Errorf("%s has cobra's auto-generated tag", name)
		}
	}
	man := string(files[path.Join(manDir, "metabind-keys.1")])
	if want := `.TH "METABIND-KEYS" "1" "Jan 1970" "metabind" "metabind manual"`; !strings.Contains(man, want) {
		t.Fatalf("man page header: want %q in\n%s", want, firstLines(man, 3))
	}

	dated := t.TempDir()
	generateInto(t, dated, "1700000000") // 2023-11-14T22:13:20Z
	man = string(readGenerated(t, dated)[path.Join(manDir, "metabind-keys.1")])
	if !strings.Contains(man, `"1" "Nov 2023" "metabind"`) {
		t.Fatalf("SOURCE_DATE_EPOCH not used for the man date:\n%s", firstLines(man, 3))
	}
}

// A second run over its own output changes nothing, and stale files in the
// generated directories are removed while other files are kept.
func TestRerunIsStableAndRemovesStaleFiles(t *testing.T) {
	out := t.TempDir()
	generateInto(t, out, "")
	first := readGenerated(t, out)

	stale := []string{
		path.Join(cliDir, "metabind_keys_old.md"),
		path.Join(manDir, "metabind-keys-old.1"),
		path.Join(completionsDir, "metabind.oldshell"),
	}
	for _, s := range stale {
		if err := os.WriteFile(filepath.Join(out, filepath.FromSlash(s)), []byte("old\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	kept := filepath.Join(out, "docs", "architecture.md")
	if err := os.WriteFile(kept, []byte("hand-written\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	changed := filepath.Join(out, cliDir, "metabind_version.md")
	if err := os.WriteFile(changed, []byte("edited by hand\n"), 0o644); err != nil {
		t.Fatal(err)
	}

	report := generateInto(t, out, "")
	for _, s := range stale {
		if _, err := os.Stat(filepath.Join(out, filepath.FromSlash(s))); !os.IsNotExist(err) {
			t.Errorf("stale %s not removed (stat: %v)", s, err)
		}
		if !strings.Contains(report, "removed "+s) {
			t.Errorf("report does not list removed %s:\n%s", s, report)
		}
	}
	if _, err := os.Stat(kept); err != nil {
		t.Errorf("file outside the generated directories was touched: %v", err)
	}
	if !strings.Contains(report, "wrote   "+path.Join(cliDir, "metabind_version.md")) {
		t.Errorf("report does not list the rewritten page:\n%s", report)
	}
	if !strings.HasSuffix(report, fmt.Sprintf("gen-docs: %d files, 1 written, %d removed\n", len(first), len(stale))) {
		t.Errorf("unexpected summary:\n%s", report)
	}
	if problems := diffTrees(first, readGenerated(t, out)); len(problems) > 0 {
		t.Fatalf("second run differs from the first:\n  %s", strings.Join(problems, "\n  "))
	}
}

func TestUsageErrors(t *testing.T) {
	for _, args := range [][]string{{"-nope"}, {"extra"}} {
		var stdout, stderr bytes.Buffer
		if code := run(args, noEnv, &stdout, &stderr); code != 2 {
			t.Errorf("%q: exit %d, want 2", args, code)
		}
		if !strings.Contains(stderr.String(), "Usage: go run ./cmd/gen-docs") {
			t.Errorf("%q: no usage on stderr: %q", args, stderr.String())
		}
		if stdout.Len() != 0 {
			t.Errorf("%q: wrote to stdout: %q", args, stdout.String())
		}
	}
	var stderr bytes.Buffer
	bad := func(k string) string {
		if k == "SOURCE_DATE_EPOCH" {
			return "yesterday"
		}
		return ""
	}
	if code := run([]string{"-out", t.TempDir()}, bad, io.Discard, &stderr); code != 1 || !strings.Contains(stderr.String(), "invalid SOURCE_DATE_EPOCH") {
		t.Errorf("bad SOURCE_DATE_EPOCH: exit %d, stderr %q", code, stderr.String())
	}
}

func TestManDate(t *testing.T) {
	for in, want := range map[string]time.Time{
		"":             time.Unix(0, 0).UTC(),
		"  ":           time.Unix(0, 0).UTC(),
		"1700000000":   time.Date(2023, 11, 14, 22, 13, 20, 0, time.UTC),
		" 1700000000 ": time.Date(2023, 11, 14, 22, 13, 20, 0, time.UTC),
	} {
		got, err := manDate(in)
		if err != nil || !got.Equal(want) || got.Location() != time.UTC {
			t.Errorf("manDate(%q) = %v, %v; want %v UTC", in, got, err, want)
		}
	}
	for _, in := range []string{"abc", "1.5", "1e9"} {
		if _, err := manDate(in); err == nil {
			t.Errorf("manDate(%q): want an error", in)
		}
	}
}

func TestMarkdownText(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"empty", "", ""},
		{"plain", "one line\nand another\n", "one line\nand another\n"},
		{"angles escaped", `renamed "<name> (rotated <time>)" -> x`, `renamed "\<name\> (rotated \<time\>)" -\> x`},
		{
			"indented run fenced",
			"Exit codes:\n  0    ok\n  1    error\nAfter.\n",
			"Exit codes:\n\n```\n  0    ok\n  1    error\n```\n\nAfter.\n",
		},
		{
			"blank line inside an indented run stays in the block; angles kept literally",
			"Run:\n\n\tsource <(x)\n\n\tx > y\n\nDone.",
			"Run:\n\n```\n\tsource <(x)\n\n\tx > y\n```\n\nDone.",
		},
		{"indented text at the very end", "Key:\n  a\n", "Key:\n\n```\n  a\n```\n"},
		{"whitespace-only line is blank, not a block", "a\n   \nb", "a\n   \nb"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := markdownText(tt.in); got != tt.want {
				t.Errorf("markdownText(%q)\n got %q\nwant %q", tt.in, got, tt.want)
			}
		})
	}
}

// Placeholders in angle brackets survive into the rendered man pages, where
// md2man would otherwise drop them as HTML tags.
func TestManPagesKeepPlaceholders(t *testing.T) {
	out := t.TempDir()
	generateInto(t, out, "")
	files := readGenerated(t, out)
	root := string(files[path.Join(manDir, "metabind.1")])
	if !strings.Contains(root, `\fBmetabind <command> <subcommand> [flags]\fP`) {
		t.Errorf("root synopsis lost its placeholders:\n%s", section(root, ".SH SYNOPSIS"))
	}
	keys := string(files[path.Join(manDir, "metabind-keys.1")])
	if !strings.Contains(keys, `\fBmetabind keys <command> [flags]\fP`) {
		t.Errorf("keys synopsis lost its placeholders:\n%s", section(keys, ".SH SYNOPSIS"))
	}
	for name, data := range files {
		if strings.HasPrefix(name, manDir+"/") && bytes.Contains(data, []byte(`\<`)) {
			t.Errorf("%s shows a Markdown escape", name)
		}
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func firstLines(s string, n int) string {
	lines := strings.SplitN(s, "\n", n+1)
	if len(lines) > n {
		lines = lines[:n]
	}
	return strings.Join(lines, "\n")
}

func section(s, heading string) string {
	if i := strings.Index(s, heading); i >= 0 {
		return firstLines(s[i:], 4)
	}
	return s
}
