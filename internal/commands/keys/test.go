package keys

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"strings"
	"unicode"

	"github.com/spf13/cobra"

	"github.com/metabind/metabind-cli/internal/api"
	"github.com/metabind/metabind-cli/internal/cmdutil"
	"github.com/metabind/metabind-cli/internal/iostreams"
	"github.com/metabind/metabind-cli/internal/output"
	"github.com/metabind/metabind-cli/internal/prompt"
)

// TestOptions holds the inputs of `keys test`.
type TestOptions struct {
	cmdutil.Deps
	// AnonymousClient is the client without the stored token: a key is
	// checked on its own, as a client app uses it.
	AnonymousClient func() (*api.Client, error)
	Prompter        func() prompt.Prompter
	Getenv          func(string) string

	Stdin bool
}

// NewCmdTest returns `keys test`.
func NewCmdTest(f *cmdutil.Factory, runF func(context.Context, *TestOptions) error) *cobra.Command {
	opts := &TestOptions{Deps: f.Deps(), AnonymousClient: f.AnonymousClient, Prompter: f.Prompter, Getenv: f.Getenv}
	cmd := &cobra.Command{
		Use:   "test",
		Short: "Check whether an API key works for the project",
		Long: `Check a key the way a client app uses it: one GET of the project's tags through
the client API, with the key in the x-api-key header and no admin token.

The key is read from standard input with --stdin; else from MB_API_KEY; else from
standard input when it is not a terminal; else from a hidden prompt. It is never
taken as an argument. A key piped in while MB_API_KEY is set is two keys: exit 2,
nothing tested, unless --stdin says to test the piped one.

Exit codes: 0 the key works for the project; 3 it was rejected (invalid, revoked,
or valid for another project); 5 the organization or project does not exist; 1 the
API could not be reached or rate limited the check; 2 no key, or two keys, given.

-o json prints {"valid", "status", "organizationId", "projectId", "requestId",
"reason"}.`,
		Example: `  MB_API_KEY=... metabind keys test
  metabind keys test --stdin < web.key
  echo "$KEY" | metabind keys test -o json`,
		Args: cmdutil.NoSecretArgs("give the key on standard input (--stdin), in MB_API_KEY, or at the prompt"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return testRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().BoolVar(&opts.Stdin, "stdin", false, "read the key from standard input")
	cmdutil.AddOutputFlags(cmd, f, cmdutil.OutputData)
	return cmd
}

// TestReport is the machine-readable result of `keys test`.
type TestReport struct {
	Valid          bool   `json:"valid"`
	Status         int    `json:"status"`
	OrganizationID string `json:"organizationId"`
	ProjectID      string `json:"projectId"`
	RequestID      string `json:"requestId"`
	Reason         string `json:"reason"`
}

func readKey(ctx context.Context, opts *TestOptions) (string, error) {
	readStdin := func() (string, error) {
		b, err := iostreams.ReadAll(ctx, opts.IO.In, 64<<10)
		if err != nil {
			if ctx.Err() != nil {
				return "", ctx.Err()
			}
			return "", fmt.Errorf("reading the key from standard input: %w", err)
		}
		return strings.TrimSpace(string(b)), nil
	}
	if opts.Stdin {
		return readStdin()
	}
	if v := strings.TrimSpace(opts.Getenv("MB_API_KEY")); v != "" {
		// A key piped in as well is a second key: which one was meant?
		if !opts.IO.IsStdinTTY() && mayHoldData(opts.IO.In) {
			piped, err := readStdin()
			if err != nil {
				return "", err
			}
			if piped != "" {
				return "", cmdutil.FlagErrorf("two keys given: one on standard input and one in MB_API_KEY; nothing was tested").
					WithHint("pass --stdin to test the piped key, or stop piping to test the one in MB_API_KEY")
			}
		}
		return v, nil
	}
	if !opts.IO.IsStdinTTY() {
		return readStdin()
	}
	return opts.Prompter().Password(ctx, "API key: ")
}

// mayHoldData reports whether standard input can carry a piped key: a pipe, a
// non-empty file, or (in tests) any reader that is not a file. A device such
// as /dev/null, what CI runners usually give, cannot.
func mayHoldData(in io.Reader) bool {
	f, ok := in.(interface{ Stat() (fs.FileInfo, error) })
	if !ok {
		return true
	}
	fi, err := f.Stat()
	if err != nil {
		return false
	}
	switch m := fi.Mode(); {
	case m&fs.ModeNamedPipe != 0:
		return true
	case m.IsRegular():
		return fi.Size() > 0
	}
	return false
}

func testRun(ctx context.Context, opts *TestOptions) error {
	p, err := opts.Printer()
	if err != nil {
		return err
	}
	scope, err := opts.Scope()
	if err != nil {
		return err
	}
	key, err := readKey(ctx, opts)
	if err != nil {
		return err
	}
	key = strings.TrimSpace(key)
	if key == "" {
		return cmdutil.FlagErrorf("no API key given").
			WithHint("pipe it in (`metabind keys test --stdin < file`), set MB_API_KEY, or run on a terminal to be asked")
	}
	if strings.IndexFunc(key, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0 {
		return cmdutil.FlagErrorf("the API key given holds spaces or more than one line; give exactly one key").
			WithHint("a key is one line of letters, digits, '_' and '-'")
	}
	client, err := opts.AnonymousClient()
	if err != nil {
		return err
	}
	res, err := client.CheckKey(ctx, scope.Org, scope.Project, key)
	if err != nil {
		if p.Structured() && ctx.Err() == nil {
			// Scripts still get a result on stdout: the key could not be checked.
			rep := TestReport{OrganizationID: scope.Org, ProjectID: scope.Project, Reason: "the API could not be reached: " + err.Error()}
			if werr := p.Data(opts.IO.Out, rep); werr != nil {
				return werr
			}
		}
		return err
	}
	rep := TestReport{Status: res.StatusCode, OrganizationID: scope.Org, ProjectID: scope.Project, RequestID: res.RequestID}
	var outcome error
	where := fmt.Sprintf("organization %s, project %s", scope.Org, scope.Project)
	switch {
	case res.StatusCode >= 200 && res.StatusCode < 300:
		rep.Valid, rep.Reason = true, "the key works for "+where
	case res.StatusCode == 401:
		rep.Reason = "the key was rejected: it is invalid or has been revoked"
		outcome = &cmdutil.SilentError{Code: cmdutil.ExitKeyRejected}
	case res.StatusCode == 403:
		rep.Reason = "the key is valid but not for " + where + " (it belongs to another project)"
		outcome = &cmdutil.SilentError{Code: cmdutil.ExitKeyRejected}
	case res.StatusCode == 404:
		rep.Reason = "the organization or project was not found: check --org and --project"
		outcome = &cmdutil.SilentError{Code: cmdutil.ExitNotFound}
	case res.StatusCode == 429:
		rep.Reason = "the API rate limited the check; try again shortly"
		outcome = &cmdutil.SilentError{Code: cmdutil.ExitError}
	default:
		rep.Reason = fmt.Sprintf("the API answered HTTP %d; the key could not be checked", res.StatusCode)
		outcome = &cmdutil.SilentError{Code: cmdutil.ExitError}
	}
	if p.Structured() {
		if err := p.Data(opts.IO.Out, rep); err != nil {
			return err
		}
		// Scripts reading -o json also get the one-line JSON error on stderr.
		if s, ok := outcome.(*cmdutil.SilentError); ok {
			hint := "the key does not work for this project: check it, or create one with `metabind keys create --name NAME`"
			switch s.Code {
			case cmdutil.ExitNotFound:
				hint = "check --org and --project (`metabind status` shows what is in use)"
			case cmdutil.ExitError:
				hint = "the key could not be checked; try again shortly"
			}
			return cmdutil.NewError(s.Code, &api.Error{StatusCode: res.StatusCode, Code: res.Code, Message: rep.Reason, RequestID: res.RequestID}).
				WithHint(hint)
		}
		return outcome
	}
	mark := opts.IO.ColorScheme().SuccessIcon()
	if !rep.Valid {
		mark = opts.IO.ColorScheme().FailureIcon()
	}
	fmt.Fprintf(opts.IO.Out, "%s %s (HTTP %d, request id %s)\n", mark, output.Sanitize(rep.Reason), rep.Status, output.Sanitize(rep.RequestID))
	return outcome
}
