package keys

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/metabind/metabind-cli/internal/api"
	"github.com/metabind/metabind-cli/internal/cmdutil"
	"github.com/metabind/metabind-cli/internal/iostreams"
	"github.com/metabind/metabind-cli/internal/output"
)

// secretNotice goes to stderr whenever a secret is printed.
const secretNotice = "! This secret is shown only once; store it now. It cannot be retrieved again."

// CreateOptions holds the inputs of `keys create`.
type CreateOptions struct {
	Deps
	Name       string
	Quiet      bool
	OutputFile string
	KeyStdin   bool
	Delivery   Delivery
	customKey  string
}

// NewCmdCreate returns `keys create`.
func NewCmdCreate(f *cmdutil.Factory, runF func(context.Context, *CreateOptions) error) *cobra.Command {
	opts := &CreateOptions{Deps: newDeps(f), Delivery: newDelivery(f)}
	cmd := &cobra.Command{
		Use:   "create --name NAME [-- CMD [ARGS...]]",
		Short: "Create an API key and print its secret once",
		Long: `Create an API key for the project. The new key's secret is printed once, on
standard output, and can never be retrieved again; the notice saying so goes to
standard error, so -o json stays valid JSON.

With -q only the secret and a newline are printed, for capture in a script; -q
with -o, --jq, --template, --columns or --no-headers is refused (exit 2, nothing
created), while the output setting from MB_OUTPUT or the profile yields to it.

With --output-file the secret is written to a new file (mode 0600) instead of
the terminal; an existing file is never overwritten.

--key-stdin imports an existing key value (20 to 128 characters of A-Z, a-z,
0-9, _ and -) read from standard input, never from an argument; only -o json or
yaml print it back, in the key object.

With a delivery command after --, the secret goes to that command instead, and
never to standard output, a file or a log: CMD runs directly (no shell) with the
secret on its standard input, without a newline after it, and with
METABIND_KEY_ID, METABIND_KEY_NAME, METABIND_ORG and METABIND_PROJECT added to
its environment. Its output goes to standard error. The key stays only if CMD
exits 0: if it fails, is not found, is killed, runs longer than
--deliver-timeout (default 2m; its whole process group is killed) or is
interrupted, the new key is deleted and metabind exits 8. -q and --output-file
are refused with it; -o json prints the key without "key", plus
"delivered": true.

A secret that cannot be written (stdout a closed pipe or a full disk, an
--output-file write error) is lost: the new key is deleted (revoked if the
delete fails) and the exit code is 8.

In GitHub Actions (GITHUB_ACTIONS=true) or Azure Pipelines (TF_BUILD=True), a
line that tells the runner to mask the secret in its log goes to standard error
first, unless standard error is a regular file; MB_MASK_SECRETS=0 turns this
off, MB_MASK_SECRETS=1 writes it even to a file.

A create that gets no usable answer (a timeout, a dropped connection, a 5xx) is
never resent: the key is looked up by name, and the message says whether it
exists. --timeout bounds that look-up too: it gets what is left, or a short
grace (a sixth of the timeout, at most 2s).`,
		Example: `  metabind keys create --name "iOS Production App"
  KEY=$(metabind keys create --name ci -q)
  metabind keys create --name web --output-file web.key
  metabind keys create --name android -o json
  metabind keys create --name legacy --key-stdin < legacy.key
  metabind keys create --name ci -- gh secret set METABIND_API_KEY`,
		Args: func(cmd *cobra.Command, args []string) error {
			before, argv, err := splitDeliveryArgs(cmd, args)
			if err != nil {
				return err
			}
			opts.Delivery.Argv = argv
			return cmdutil.NoSecretArgs(`name the key with --name, e.g. --name "iOS Production App"; a delivery command goes after --`)(cmd, before)
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			name, err := checkName("--name", opts.Name)
			if err != nil {
				return err
			}
			opts.Name = name
			if err := checkSecretDestination(cmd, opts.Quiet, opts.OutputFile, &opts.Delivery, ".key", "secret"); err != nil {
				return err
			}
			if opts.KeyStdin {
				if opts.Delivery.Enabled() {
					return cmdutil.FlagErrorf("--key-stdin imports a key you already hold; a delivery command is for a new secret")
				}
				if opts.Quiet || opts.OutputFile != "" {
					return cmdutil.FlagErrorf("--key-stdin imports a key you already hold; -q and --output-file do not apply")
				}
				v, err := readCustomKey(cmd.Context(), opts.IO.In)
				if err != nil {
					return err
				}
				opts.customKey = v
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return createRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.Name, "name", "", "descriptive name, unique in the project (required)")
	cmd.Flags().BoolVarP(&opts.Quiet, "quiet", "q", false, "print only the secret and a newline")
	cmd.Flags().StringVar(&opts.OutputFile, "output-file", "", "write the secret to this new file (mode 0600) instead of printing it")
	cmd.Flags().BoolVar(&opts.KeyStdin, "key-stdin", false, "import an existing key value read from standard input")
	addDeliverFlag(cmd, &opts.Delivery)
	_ = cmd.MarkFlagRequired("name")
	cmdutil.AddOutputFlags(cmd, f, cmdutil.OutputRows)
	return cmd
}

func createRun(ctx context.Context, opts *CreateOptions) error {
	masker, p, scope, client, err := opts.prepareNewSecret(newSecretOutput{
		delivery:  &opts.Delivery,
		elsewhere: opts.customKey != "" || opts.Quiet || opts.OutputFile != "",
		name:      opts.Name,
		shown: func(w io.Writer, p *output.Printer, k api.Key) error {
			return writeKey(w, p, k, opts.Now())
		},
		delivered: func(w io.Writer, p *output.Printer, k api.Key) error {
			return writeDelivered(w, p, k, opts.Now())
		},
	})
	if err != nil {
		return err
	}
	secretFile, err := claimSecretFile(opts.OutputFile)
	if err != nil {
		return err
	}
	key, err := client.CreateKey(ctx, scope.Org, scope.Project, api.CreateKeyRequest{Name: opts.Name, APIKey: opts.customKey})
	if err != nil {
		abandonSecretFile(secretFile)
		return explainCreateFailure(ctx, client, scope, opts.Name, err)
	}
	if opts.customKey != "" {
		// The value is the caller's own: -o json/yaml return the object the API
		// sent, key included; the table leaves it out.
		fmt.Fprintln(opts.IO.ErrOut, "Imported the key value read from standard input.")
		if !p.Structured() {
			key.Key = ""
		}
		masker.mask(key.Key)
		return writeKey(opts.IO.Out, p, *key, opts.Now())
	}
	masker.mask(key.Key)
	if opts.Delivery.Enabled() {
		if err := opts.Delivery.run(ctx, opts.IO.ErrOut, *key, scope, key.Key); err != nil {
			return removeUndelivered(ctx, client, scope, *key, err.Error())
		}
		fmt.Fprintf(opts.IO.ErrOut, "Created the key %s (%q) and delivered its secret to %s.\n", key.ID, key.Name, opts.Delivery.describe())
		if err := writeDelivered(opts.IO.Out, p, *key, opts.Now()); err != nil {
			return fmt.Errorf("the key %s was created and its secret delivered, but printing the result failed: %w", key.ID, err)
		}
		return nil
	}
	err = printNewKey(opts.IO, p, *key, opts.Quiet, secretFile, opts.OutputFile, opts.Now())
	var lost *secretLost
	if errors.As(err, &lost) {
		return removeUndelivered(ctx, client, scope, *key, lost.Error())
	}
	return err
}

// claimSecretFile creates the --output-file (mode 0600) before the key exists,
// so a bad or existing path changes nothing. No path, no file.
func claimSecretFile(path string) (*os.File, error) {
	if path == "" {
		return nil, nil
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		if errors.Is(err, os.ErrExist) {
			return nil, cmdutil.FlagErrorf("%s already exists; refusing to overwrite it", path).WithHint("choose a new path, or remove the file first")
		}
		if errors.Is(err, os.ErrNotExist) {
			return nil, cmdutil.FlagErrorf("cannot create %s: its directory does not exist", path).WithHint("create the directory first, or choose another path")
		}
		if errors.Is(err, os.ErrPermission) {
			return nil, cmdutil.FlagErrorf("cannot create %s: permission denied", path).WithHint("choose a path in a directory you can write to")
		}
		return nil, cmdutil.FlagErrorf("cannot create %s: %v", path, errors.Unwrap(err)).WithHint("choose another path")
	}
	return f, nil
}

// abandonSecretFile removes a claimed --output-file when no secret will come.
func abandonSecretFile(f *os.File) {
	if f != nil {
		f.Close()
		os.Remove(f.Name())
	}
}

// printNewKey shows a newly created key and its secret exactly once: on stdout, or
// only in secretFile when one is given. A secret that cannot be written is
// reported as *secretLost, and the caller removes the key.
func printNewKey(ios *iostreams.IOStreams, p *output.Printer, key api.Key, quiet bool, secretFile *os.File, path string, now time.Time) error {
	if secretFile != nil {
		_, werr := fmt.Fprintln(secretFile, key.Key)
		if serr := secretFile.Sync(); werr == nil {
			werr = serr
		}
		if cerr := secretFile.Close(); werr == nil {
			werr = cerr
		}
		if werr != nil {
			// What reached the file is the secret of a key about to be removed.
			os.Remove(secretFile.Name())
			return &secretLost{path, werr}
		}
		fmt.Fprintf(ios.ErrOut, "Secret written to %s (mode 0600); it is not shown anywhere else.\n", path)
		key.Key = ""
		if err := writeKey(ios.Out, p, key, now); err != nil {
			return fmt.Errorf("the key %s was created and its secret written to %s, but printing the key failed: %w", key.ID, path, err)
		}
		return nil
	}
	if quiet {
		if _, err := fmt.Fprintln(ios.Out, key.Key); err != nil {
			return &secretLost{"standard output", err}
		}
		if err := syncIfFile(ios.Out); err != nil {
			return &secretLost{"standard output", err}
		}
		return nil
	}
	fmt.Fprintln(ios.ErrOut, secretNotice)
	return writeShowingSecret(ios.Out, ios.ErrOut, func(w io.Writer) error { return writeKey(w, p, key, now) }, key.Key, key)
}

// explainCreateFailure turns an unknown outcome into a definite answer: the create
// request is never resent; instead the key is looked up by name, within what is
// left of --timeout (or a short grace, see api.Check). The message says once
// that the outcome is unknown, with the cause.
func explainCreateFailure(ctx context.Context, client *api.Client, scope cmdutil.Scope, name string, err error) error {
	var unknown *api.OutcomeUnknownError
	if !errors.As(err, &unknown) {
		return err
	}
	cause, more := createFailureCause(unknown)
	all, lerr := client.ListAllKeys(api.Check(ctx), scope.Org, scope.Project, api.ListOptions{Limit: 100}, nil)
	if lerr != nil {
		return cmdutil.NewError(cmdutil.ExitError, fmt.Errorf("the create request failed (%s), so its outcome is unknown: the key may have been created; %s", cause, checkFailed(lerr))).
			WithHint(fmt.Sprintf("once the API answers, run `metabind keys show %q`: if the key exists, its secret cannot be recovered; delete it (`metabind keys delete ID --yes`) and create it again", name))
	}
	for _, k := range all {
		if equalFoldTrim(k.Name, name) {
			return cmdutil.NewError(cmdutil.ExitError, fmt.Errorf("the create request failed (%s), but the key %q now exists (id %s); its secret was never received and cannot be recovered", cause, k.Name, k.ID)).
				WithHint(fmt.Sprintf("delete it with `metabind keys delete %s --yes` (a revoked key would keep the name), then create it again", k.ID))
		}
	}
	return cmdutil.NewError(cmdutil.ExitError, fmt.Errorf("the create request failed (%s); no key named %q exists, so nothing was created", cause, name)).
		WithHint("it is safe to run the command again" + more)
}

// createFailureCause says briefly why a create's outcome is unknown, and, for
// a timeout, how to give the next attempt more time.
func createFailureCause(unknown *api.OutcomeUnknownError) (cause, more string) {
	var te *api.TimeoutError
	if errors.As(unknown.Err, &te) {
		return fmt.Sprintf("timed out after %s waiting for the API", te.Timeout), " (allow more time with --timeout)"
	}
	return unknown.Err.Error(), ""
}

// checkFailed says that the look-up by name after a failed create failed too.
func checkFailed(lerr error) string {
	var te *api.TimeoutError
	if errors.As(lerr, &te) {
		return "checking for it by name got no answer either"
	}
	return fmt.Sprintf("checking for it by name failed too (%v)", lerr)
}

// customKeyRE is the contract's rule for imported key values.
var customKeyRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z0-9_-]{20,128}$`) })

func readCustomKey(ctx context.Context, r io.Reader) (string, error) {
	b, err := iostreams.ReadAll(ctx, r, 4096)
	if err != nil {
		if ctx.Err() != nil {
			return "", ctx.Err()
		}
		return "", fmt.Errorf("reading the key value from standard input: %w", err)
	}
	v := strings.TrimSpace(string(b))
	if v == "" {
		return "", cmdutil.FlagErrorf("--key-stdin: standard input is empty").WithHint("pipe the key value in: `metabind keys create --name NAME --key-stdin < key.txt`")
	}
	if !customKeyRE().MatchString(v) {
		return "", cmdutil.FlagErrorf("--key-stdin: the value must be 20 to 128 characters of A-Z, a-z, 0-9, _ and - (got %d characters)", len(v))
	}
	return v, nil
}
