// Command gen-docs writes the files generated from the metabind command tree and
// committed with the source:
//
//	docs/cli/*.md      the Markdown command reference, one page per command and
//	                   per help topic (`metabind help exit-codes`)
//	docs/man/*.1       the man pages (section 1), one per command and help topic
//	completions/       metabind.bash, metabind.zsh, metabind.fish and metabind.ps1,
//	                   exactly what `metabind completion <shell>` prints
//
// Usage:
//
//	go run ./cmd/gen-docs [-out DIR]
//
// DIR is the repository root to write under (default: the current directory).
// The three directories hold only generated files: a regular file there that the
// generator no longer produces (a renamed or removed command's page) is deleted.
// Files whose content is unchanged are left untouched.
//
// The output depends only on the source: the command tree is built over test
// streams with an empty environment, and the man page date is fixed (the Unix
// epoch, or SOURCE_DATE_EPOCH when set), so repeated runs are byte-identical.
// The committed pages are generated without SOURCE_DATE_EPOCH.
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/cpuguy83/go-md2man/v2/md2man"
	"github.com/spf13/cobra"
	"github.com/spf13/cobra/doc"
	"github.com/spf13/pflag"

	"github.com/metabind/metabind-cli/internal/app"
	"github.com/metabind/metabind-cli/internal/cmdutil"
	"github.com/metabind/metabind-cli/internal/commands/root"
	"github.com/metabind/metabind-cli/internal/iostreams"
)

// The generated directories, relative to the output root (slash-separated).
const (
	cliDir         = "docs/cli"
	manDir         = "docs/man"
	completionsDir = "completions"
)

var generatedDirs = []string{cliDir, manDir, completionsDir}

// completionFiles maps each shell `metabind completion` supports to the file its
// script is committed as.
var completionFiles = map[string]string{
	"bash":       "metabind.bash",
	"zsh":        "metabind.zsh",
	"fish":       "metabind.fish",
	"powershell": "metabind.ps1",
}

func main() {
	os.Exit(run(os.Args[1:], os.Getenv, os.Stdout, os.Stderr))
}

// run is main with its inputs made explicit; it returns the exit code.
// getenv is consulted for SOURCE_DATE_EPOCH only.
func run(args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("gen-docs", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("out", ".", "repository root to write docs/cli, docs/man and completions under")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: go run ./cmd/gen-docs [-out DIR]")
		fmt.Fprintln(stderr, "Regenerates docs/cli, docs/man and completions from the metabind command tree.")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "gen-docs: unexpected argument %q\n", fs.Arg(0))
		fs.Usage()
		return 2
	}

	date, err := manDate(getenv("SOURCE_DATE_EPOCH"))
	if err != nil {
		fmt.Fprintln(stderr, "gen-docs:", err)
		return 1
	}
	files, err := render(date)
	if err != nil {
		fmt.Fprintln(stderr, "gen-docs:", err)
		return 1
	}
	res, err := writeTree(*out, files)
	if err != nil {
		fmt.Fprintln(stderr, "gen-docs:", err)
		return 1
	}
	for _, p := range res.written {
		fmt.Fprintln(stdout, "wrote  ", p)
	}
	for _, p := range res.removed {
		fmt.Fprintln(stdout, "removed", p)
	}
	fmt.Fprintf(stdout, "gen-docs: %d files, %d written, %d removed\n", len(files), len(res.written), len(res.removed))
	return 0
}

// manDate is the date printed in the man pages' footer: SOURCE_DATE_EPOCH
// (seconds since the Unix epoch) when set, else the epoch itself. It is in UTC
// so that the month does not depend on the local time zone.
func manDate(sourceDateEpoch string) (time.Time, error) {
	s := strings.TrimSpace(sourceDateEpoch)
	if s == "" {
		return time.Unix(0, 0).UTC(), nil
	}
	secs, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return time.Time{}, fmt.Errorf("invalid SOURCE_DATE_EPOCH %q: want seconds since the Unix epoch", sourceDateEpoch)
	}
	return time.Unix(secs, 0).UTC(), nil
}

// noEnv is the environment the command tree is built with: empty, so that no
// variable of the machine running the generator leaks into the output.
func noEnv(string) string { return "" }

// newRoot builds the metabind command tree the way the binary does, over test
// streams and an empty environment.
func newRoot() *cobra.Command {
	ios, _, _, _ := iostreams.Test()
	return root.NewCmdRoot(cmdutil.New(ios, noEnv))
}

// render produces every generated file, keyed by its slash-separated path
// relative to the output root.
func render(date time.Time) (map[string][]byte, error) {
	files := make(map[string][]byte)

	staging, err := os.MkdirTemp("", "metabind-gen-docs-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(staging)

	cmd := newRoot()
	prepareForDocs(cmd)
	pages := countPages(cmd)

	mdDir := filepath.Join(staging, "md")
	if err := os.Mkdir(mdDir, 0o755); err != nil {
		return nil, err
	}
	if err := doc.GenMarkdownTreeCustom(cmd, mdDir, func(string) string { return "" }, relativeLink); err != nil {
		return nil, fmt.Errorf("markdown pages: %w", err)
	}
	topics := helpTopics(cmd)
	if err := writeTopicsMarkdown(cmd, topics, mdDir); err != nil {
		return nil, fmt.Errorf("markdown help topics: %w", err)
	}
	if err := collect(files, mdDir, cliDir, pages+len(topics)); err != nil {
		return nil, err
	}

	mDir := filepath.Join(staging, "man")
	if err := os.Mkdir(mDir, 0o755); err != nil {
		return nil, err
	}
	header := &doc.GenManHeader{
		Section: "1",
		Date:    &date,
		Source:  "metabind",
		Manual:  "metabind manual",
	}
	// md2man drops what looks like an HTML tag even in the bold synopsis and the
	// flag descriptions, where cobra/doc's Markdown puts no code fence: escape
	// them there too, on a tree of its own.
	manCmd := newRoot()
	prepareForDocs(manCmd)
	escapeForMan(manCmd)
	if err := doc.GenManTree(manCmd, header, mDir); err != nil {
		return nil, fmt.Errorf("man pages: %w", err)
	}
	if err := writeTopicsMan(manCmd, helpTopics(manCmd), date, mDir); err != nil {
		return nil, fmt.Errorf("man help topics: %w", err)
	}
	if err := collect(files, mDir, manDir, pages+len(topics)); err != nil {
		return nil, err
	}

	for shell, name := range completionFiles {
		script, err := completionScript(shell)
		if err != nil {
			return nil, err
		}
		files[path.Join(completionsDir, name)] = script
	}
	return files, nil
}

// prepareForDocs adds to the tree what cobra adds only when the binary runs
// (the help and completion commands), so that the pages
// describe the commands a user really has; turns off the dated
// "Auto generated by spf13/cobra" footer on every command; and turns the help
// texts, written for a terminal, into Markdown (see markdownText).
func prepareForDocs(cmd *cobra.Command) {
	cmd.InitDefaultHelpCmd()
	cmd.InitDefaultCompletionCmd()
	walk(cmd, func(c *cobra.Command) {
		c.DisableAutoGenTag = true
		c.Short = escapeAngles(c.Short)
		c.Long = markdownText(c.Long)
	})
}

// escapeForMan escapes '<' and '>' in the usage lines and flag descriptions,
// which cobra/doc's man page source has outside code fences.
func escapeForMan(cmd *cobra.Command) {
	seen := make(map[*pflag.Flag]bool)
	walk(cmd, func(c *cobra.Command) {
		if name, args, ok := strings.Cut(c.Use, " "); ok {
			c.Use = name + " " + escapeAngles(args)
		}
		for _, fs := range []*pflag.FlagSet{c.LocalFlags(), c.InheritedFlags()} {
			fs.VisitAll(func(f *pflag.Flag) {
				if !seen[f] {
					seen[f] = true
					f.Usage = escapeAngles(f.Usage)
				}
			})
		}
	})
}

// walk calls fn on cmd and every command below it.
func walk(cmd *cobra.Command, fn func(*cobra.Command)) {
	fn(cmd)
	for _, c := range cmd.Commands() {
		walk(c, fn)
	}
}

// markdownText turns help text written for a terminal into Markdown that reads
// the same on GitHub and in a man page. A run of indented lines (a table, a
// numbered list, a command to type) becomes a fenced block, so its line breaks
// and alignment survive; elsewhere '<' and '>' are escaped, so that a
// placeholder such as <name> is not taken for an HTML tag and dropped.
func markdownText(s string) string {
	if s == "" {
		return s
	}
	lines := strings.Split(s, "\n")
	out := make([]string, 0, len(lines)+8)
	for i := 0; i < len(lines); {
		if !indented(lines[i]) {
			out = append(out, escapeAngles(lines[i]))
			i++
			continue
		}
		j := i + 1
		for j < len(lines) && (indented(lines[j]) || blank(lines[j]) && j+1 < len(lines) && indented(lines[j+1])) {
			j++
		}
		if len(out) > 0 && !blank(out[len(out)-1]) {
			out = append(out, "")
		}
		out = append(out, "```")
		out = append(out, lines[i:j]...)
		out = append(out, "```")
		if j < len(lines) && !blank(lines[j]) {
			out = append(out, "")
		}
		i = j
	}
	return strings.Join(out, "\n")
}

func blank(line string) bool { return strings.TrimSpace(line) == "" }

func indented(line string) bool {
	return !blank(line) && (line[0] == ' ' || line[0] == '\t')
}

var angleEscaper = strings.NewReplacer("<", `\<`, ">", `\>`)

// escapeAngles backslash-escapes '<' and '>' for Markdown.
func escapeAngles(s string) string { return angleEscaper.Replace(s) }

// countPages is the number of pages cobra/doc writes for the tree: one per
// command that is neither hidden, deprecated, the help command nor a help topic.
func countPages(cmd *cobra.Command) int {
	n := 1
	for _, c := range cmd.Commands() {
		if c.IsAvailableCommand() && !c.IsAdditionalHelpTopicCommand() {
			n += countPages(c)
		}
	}
	return n
}

// helpTopics are the root's help topics (`metabind help NAME`), which
// cobra/doc leaves out: commands that only carry text.
func helpTopics(root *cobra.Command) []*cobra.Command {
	var topics []*cobra.Command
	for _, c := range root.Commands() {
		if c.IsAdditionalHelpTopicCommand() {
			topics = append(topics, c)
		}
	}
	return topics
}

// topicName is how a user reads a topic: "metabind help exit-codes".
func topicName(root, topic *cobra.Command) string {
	return root.Name() + " help " + topic.Name()
}

// writeTopicsMarkdown writes a page for each help topic, named as a command
// page would be (metabind_exit-codes.md), and links them from the root's page.
func writeTopicsMarkdown(root *cobra.Command, topics []*cobra.Command, dir string) error {
	var links strings.Builder
	for _, t := range topics {
		name := root.Name() + "_" + t.Name() + ".md"
		var b strings.Builder
		fmt.Fprintf(&b, "## %s\n\n%s\n\n### Synopsis\n\n%s\n\n### SEE ALSO\n\n* [%s](%s)\t - %s\n\n",
			topicName(root, t), t.Short, strings.TrimRight(t.Long, "\n"), root.Name(), relativeLink(root.Name()+".md"), root.Short)
		if err := os.WriteFile(filepath.Join(dir, name), []byte(b.String()), 0o644); err != nil {
			return err
		}
		fmt.Fprintf(&links, "* [%s](%s)\t - %s\n", topicName(root, t), relativeLink(name), t.Short)
	}
	if len(topics) == 0 {
		return nil
	}
	rootPage := filepath.Join(dir, root.Name()+".md")
	page, err := os.ReadFile(rootPage)
	if err != nil {
		return err
	}
	page = append(bytes.TrimRight(page, "\n"), []byte("\n\n### Help topics\n\n"+links.String()+"\n")...)
	return os.WriteFile(rootPage, page, 0o644)
}

// writeTopicsMan writes a man page for each help topic (metabind-exit-codes.1)
// in the layout cobra/doc gives a command's, and names them in the root's SEE
// ALSO.
func writeTopicsMan(root *cobra.Command, topics []*cobra.Command, date time.Time, dir string) error {
	var refs []string
	for _, t := range topics {
		dashed := root.Name() + "-" + t.Name()
		src := fmt.Sprintf("%% \"%s\" \"1\" \"%s\" \"metabind\" \"metabind manual\"\n# NAME\n%s \\- %s\n\n# SYNOPSIS\n**%s**\n\n# DESCRIPTION\n%s\n\n# SEE ALSO\n**%s(1)**\n",
			strings.ToUpper(dashed), date.Format("Jan 2006"), dashed, t.Short, topicName(root, t), strings.TrimRight(t.Long, "\n"), root.Name())
		if err := os.WriteFile(filepath.Join(dir, dashed+".1"), md2man.Render([]byte(src)), 0o644); err != nil {
			return err
		}
		refs = append(refs, `\fB`+dashed+`(1)\fP`)
	}
	if len(refs) == 0 {
		return nil
	}
	rootPage := filepath.Join(dir, root.Name()+".1")
	page, err := os.ReadFile(rootPage)
	if err != nil {
		return err
	}
	before, after, ok := bytes.Cut(page, []byte(".SH SEE ALSO\n"))
	if !ok {
		return fmt.Errorf("%s has no SEE ALSO section", rootPage)
	}
	line, rest, _ := bytes.Cut(after, []byte("\n"))
	var out bytes.Buffer
	out.Write(before)
	out.WriteString(".SH SEE ALSO\n")
	out.Write(line)
	out.WriteString(", " + strings.Join(refs, ", ") + "\n")
	out.Write(rest)
	return os.WriteFile(rootPage, out.Bytes(), 0o644)
}

// relativeLink is the link handler of the Markdown pages. cobra passes the file
// name of the linked page; the pages sit side by side in one directory, so that
// name is the relative link (it works on GitHub and in a local checkout).
func relativeLink(name string) string {
	return name
}

// collect reads the pages written to dir into files under prefix. Page file
// names derive from command paths, so two commands could map to one file
// (`a b-c` and `a b c`); want, the number of commands, catches that.
func collect(files map[string][]byte, dir, prefix string, want int) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	if len(entries) != want {
		return fmt.Errorf("%s: %d commands produced %d pages: two command paths map to the same file name", prefix, want, len(entries))
	}
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			return err
		}
		files[path.Join(prefix, e.Name())] = data
	}
	return nil
}

// completionScript runs `metabind completion <shell>` in-process, through the
// same entry point as the binary, and returns what it prints.
func completionScript(shell string) ([]byte, error) {
	ios, _, stdout, stderr := iostreams.Test()
	code := app.RunFactory(context.Background(), []string{"completion", shell}, cmdutil.New(ios, noEnv))
	if code != 0 || stderr.Len() > 0 {
		return nil, fmt.Errorf("metabind completion %s: exit %d: %s", shell, code, strings.TrimSpace(stderr.String()))
	}
	if stdout.Len() == 0 {
		return nil, fmt.Errorf("metabind completion %s printed nothing", shell)
	}
	return bytes.Clone(stdout.Bytes()), nil
}

type writeResult struct {
	written []string // created or changed, slash-separated paths relative to the root
	removed []string // stale files deleted
}

// writeTree makes the generated directories under outRoot hold exactly files:
// it writes new and changed files and deletes stale regular files.
// Subdirectories are left alone.
func writeTree(outRoot string, files map[string][]byte) (writeResult, error) {
	var res writeResult
	for _, dir := range generatedDirs {
		abs := filepath.Join(outRoot, filepath.FromSlash(dir))
		if err := os.MkdirAll(abs, 0o755); err != nil {
			return res, err
		}
		entries, err := os.ReadDir(abs)
		if err != nil {
			return res, err
		}
		for _, e := range entries {
			rel := path.Join(dir, e.Name())
			if !e.Type().IsRegular() {
				continue
			}
			if _, ok := files[rel]; ok {
				continue
			}
			if err := os.Remove(filepath.Join(abs, e.Name())); err != nil {
				return res, err
			}
			res.removed = append(res.removed, rel)
		}
	}

	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		p := filepath.Join(outRoot, filepath.FromSlash(name))
		old, err := os.ReadFile(p)
		if err == nil && bytes.Equal(old, files[name]) {
			continue
		}
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			return res, err
		}
		if err := os.WriteFile(p, files[name], 0o644); err != nil {
			return res, err
		}
		res.written = append(res.written, name)
	}
	return res, nil
}
