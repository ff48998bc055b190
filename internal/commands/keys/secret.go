package keys

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/metabind/metabind-cli/internal/api"
	"github.com/metabind/metabind-cli/internal/cmdutil"
	"github.com/metabind/metabind-cli/internal/output"
)

// A new key's secret is shown once. --jq, --template and --columns can shape
// the output so that it leaves the secret out; create and rotate check that
// before changing anything, and check again when printing.

// secretSentinel stands in for a new key's secret in that first check.
const secretSentinel = "mbSecretCheck7zvFJw9L0qEoYdKx2mB"

// sampleKey is a key as the API returns it, with secret as its secret.
func sampleKey(name, secret string, now time.Time) api.Key {
	return api.Key{
		ID: "00000000-0000-4000-8000-000000000000", ProjectID: "project", Name: name, Key: secret,
		Status: "active", CreatedBy: "user", CreatedAt: now, UpdatedAt: now,
	}
}

// checkShowsSecret renders a sample new key with render and refuses (a usage
// error, before anything is created) output options that would not show its
// secret, or that fail on it.
func checkShowsSecret(render func(w io.Writer, k api.Key) error, name string, now time.Time) error {
	var buf bytes.Buffer
	if err := render(&buf, sampleKey(name, secretSentinel, now)); err != nil {
		return cmdutil.FlagErrorf("the output options fail on a new key (%v); nothing was changed", err).
			WithHint("fix --jq, --template or --columns, or use -q to print only the secret")
	}
	if !bytes.Contains(buf.Bytes(), []byte(secretSentinel)) {
		return cmdutil.FlagErrorf("the output options (--jq, --template or --columns) would leave out the new key's secret, which is shown only once; nothing was changed").
			WithHint("include the key (--jq .key, --columns id,name,key), or use -q to print only the secret, or --output-file PATH")
	}
	return nil
}

// checkQuietConflicts refuses (a usage error, before anything is changed) -q
// together with an output option given on the command line: -q prints only
// the secret, so -o, --jq, --template, --columns or --no-headers would be
// silently dropped. The output setting from MB_OUTPUT or the profile is not a
// conflict: -q outranks it. jqKey is where -o json holds the secret (.key for
// create, .new.key for rotate), for the hint.
func checkQuietConflicts(cmd *cobra.Command, quiet bool, jqKey string) error {
	if !quiet {
		return nil
	}
	fs := cmd.Flags()
	var given string
	switch {
	case fs.Changed("output"):
		given = "-o " + fs.Lookup("output").Value.String()
	case fs.Changed("jq"):
		given = "--jq"
	case fs.Changed("template"):
		given = "--template"
	case fs.Changed("columns"):
		given = "--columns"
	case fs.Changed("no-headers"):
		given = "--no-headers"
	default:
		return nil
	}
	return cmdutil.FlagErrorf("-q/--quiet and %s cannot be used together: -q prints only the secret and a newline; nothing was changed", given).
		WithHint(fmt.Sprintf("drop %s to print only the secret, or drop -q and pick the secret out with -o json --jq %s", given, jqKey))
}

// checkSecretDestination validates where a new secret goes: -q (stdout),
// --output-file, or a delivery command; jqKey names the secret's field in -o
// json for the hint. what is "secret" or "new secret".
func checkSecretDestination(cmd *cobra.Command, quiet bool, outputFile string, d *Delivery, jqKey, what string) error {
	if cmd.Flags().Changed("output-file") && strings.TrimSpace(outputFile) == "" {
		// An unset $VAR must not send the secret to stdout (and a CI log) instead.
		return cmdutil.FlagErrorf("--output-file was given an empty path").WithHint("give the file to write the " + what + " to, e.g. --output-file ci.key")
	}
	if quiet && outputFile != "" {
		return cmdutil.FlagErrorf("-q/--quiet and --output-file cannot be used together: -q prints the %s, --output-file keeps it off the terminal", what)
	}
	if err := checkQuietConflicts(cmd, quiet, jqKey); err != nil {
		return err
	}
	return d.validate(cmd, quiet, outputFile)
}

// writeShowingSecret writes what render produces when it holds the secret; if
// it does not (a filter that depends on the values), or fails, the whole of
// fallback goes out as JSON instead, so the only copy of the secret is not lost.
func writeShowingSecret(out, errOut io.Writer, render func(io.Writer) error, secret string, fallback any) error {
	var buf bytes.Buffer
	err := render(&buf)
	if err != nil || !bytes.Contains(buf.Bytes(), []byte(secret)) {
		fmt.Fprintln(errOut, "warning: the output options would not show the new secret; printing the whole key as JSON instead")
		buf.Reset()
		if err := output.WriteJSON(&buf, fallback); err != nil {
			return err
		}
	}
	if _, err := out.Write(buf.Bytes()); err != nil {
		return &secretLost{"standard output", err}
	}
	if err := syncIfFile(out); err != nil {
		return &secretLost{"standard output", err}
	}
	return nil
}

// CI log masking. A CI runner shows a job's output in its log; told a value is
// secret (GitHub Actions: "::add-mask::VALUE", Azure Pipelines:
// "##vso[task.setsecret]VALUE", each on a line of its own), it replaces the
// value with *** wherever it later appears. The line is written to stderr
// before the secret is written anywhere (stdout, a file, a delivery command).
// It holds the secret itself, so it is written only when stderr is not a
// regular file: redirecting stderr to a file never puts the secret there.
// MB_MASK_SECRETS=0 turns masking off; =1 writes the line even when stderr is
// a regular file (for a runner that reads its log from one).

// masker writes the runner's masking line for each new secret.
type masker struct {
	w      io.Writer
	prefix string // "" when masking is off
}

// maskSetting reads MB_MASK_SECRETS: -1 off, 0 automatic, 1 forced on.
func maskSetting(getenv func(string) string) (int, error) {
	switch v := strings.ToLower(strings.TrimSpace(getenv("MB_MASK_SECRETS"))); v {
	case "":
		return 0, nil
	case "0", "false", "off", "no":
		return -1, nil
	case "1", "true", "on", "yes":
		return 1, nil
	default:
		return 0, cmdutil.FlagErrorf("MB_MASK_SECRETS must be 0 (no masking) or 1 (always mask), got %q; nothing was changed", v)
	}
}

// newMasker decides, from the environment and what stderr is, whether and how
// secrets are masked. errOut is the command's stderr.
func newMasker(getenv func(string) string, errOut io.Writer) (*masker, error) {
	setting, err := maskSetting(getenv)
	if err != nil {
		return nil, err
	}
	m := &masker{w: errOut}
	if setting < 0 {
		return m, nil
	}
	var prefix string
	switch {
	case strings.EqualFold(strings.TrimSpace(getenv("GITHUB_ACTIONS")), "true"):
		prefix = "::add-mask::"
	case strings.EqualFold(strings.TrimSpace(getenv("TF_BUILD")), "true"):
		prefix = "##vso[task.setsecret]"
	default:
		if setting > 0 {
			fmt.Fprintln(errOut, "warning: MB_MASK_SECRETS=1, but no CI runner was detected (GITHUB_ACTIONS=true or TF_BUILD=True); the secret is not masked")
		}
		return m, nil
	}
	if setting == 0 && isRegularFile(errOut) {
		return m, nil
	}
	m.prefix = prefix
	return m, nil
}

// isRegularFile reports whether w is a regular file (or cannot be told apart
// from one): then the masking line, which holds the secret, stays out of it.
func isRegularFile(w io.Writer) bool {
	f, ok := w.(interface{ Stat() (fs.FileInfo, error) })
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err != nil || fi.Mode().IsRegular()
}

// mask writes the masking line for secret, if masking is on.
func (m *masker) mask(secret string) {
	if m == nil || m.prefix == "" || secret == "" {
		return
	}
	fmt.Fprintf(m.w, "%s%s\n", m.prefix, secret)
}

// secretLost is a failed write of a new secret to its destination (stdout or
// --output-file): the caller removes the key it belongs to.
type secretLost struct {
	where string
	err   error
}

func (e *secretLost) Error() string {
	return fmt.Sprintf("writing it to %s failed: %s", e.where, describeWriteError(e.err))
}

func (e *secretLost) Unwrap() error { return e.err }

// describeWriteError names the usual reasons a write fails.
func describeWriteError(err error) string {
	switch {
	case errors.Is(err, syscall.EPIPE):
		return "broken pipe (the program reading the output has exited)"
	case errors.Is(err, syscall.ENOSPC):
		return "no space left on device"
	case errors.Is(err, os.ErrClosed):
		return "the output is closed"
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// syncIfFile flushes w to disk when it is a regular file, so that a write
// error the kernel reports late (a full disk, a network file system) is seen
// while the key can still be removed. Pipes and terminals have nothing to flush.
func syncIfFile(w io.Writer) error {
	f, ok := w.(*os.File)
	if !ok {
		return nil
	}
	if fi, err := f.Stat(); err != nil || !fi.Mode().IsRegular() {
		return nil
	}
	return f.Sync()
}

// removeUndelivered deletes a new key whose secret was lost, or revokes it if
// the delete fails, and returns the exit-8 error that says what became of it.
// It runs even after an interrupt, with time of its own.
func removeUndelivered(ctx context.Context, client *api.Client, scope cmdutil.Scope, key api.Key, cause string) *cmdutil.UndeliveredError {
	rctx := api.Recovery(context.WithoutCancel(ctx))
	ue := &cmdutil.UndeliveredError{KeyID: key.ID, KeyName: key.Name, Cause: cause}
	derr := client.DeleteKey(rctx, scope.Org, scope.Project, key.ID)
	if derr == nil || api.IsNotFound(derr) {
		ue.Cleanup = cmdutil.CleanupDeleted
		return ue
	}
	revoked := "revoked"
	if _, rerr := client.UpdateKey(rctx, scope.Org, scope.Project, key.ID, api.UpdateKeyRequest{Status: &revoked}); rerr != nil {
		ue.Cleanup, ue.CleanupErr = cmdutil.CleanupFailed, fmt.Errorf("delete: %v; revoke: %v", derr, rerr)
		return ue
	}
	ue.Cleanup, ue.CleanupErr = cmdutil.CleanupRevoked, derr
	return ue
}

// newSecretOutput says how create and rotate print a new key, for the check
// of the output options before anything is created. Shown and delivered print
// the sample key (sampleKey, named name) as the command will print the new one:
// shown with its secret, delivered without it (the delivery command has it).
type newSecretOutput struct {
	delivery  *Delivery
	elsewhere bool // the secret is not printed (-q, --output-file, an imported value): nothing to check
	name      string
	shown     func(w io.Writer, p *output.Printer, fresh api.Key) error
	delivered func(w io.Writer, p *output.Printer, fresh api.Key) error
}

// prepareNewSecret is the preflight of a command that makes a new secret,
// before any request: whether and how to mask it in CI logs, then prepare,
// then the output options tried on a sample new key, so options that fail on
// it, or that would leave out a secret shown only once, change nothing.
func (d Deps) prepareNewSecret(out newSecretOutput) (*masker, *output.Printer, cmdutil.Scope, *api.Client, error) {
	masker, err := newMasker(out.delivery.Getenv, d.IO.ErrOut)
	if err != nil {
		return nil, nil, cmdutil.Scope{}, nil, err
	}
	p, scope, client, err := d.prepare()
	if err != nil {
		return nil, nil, cmdutil.Scope{}, nil, err
	}
	now := d.Now()
	switch {
	case out.delivery.Enabled():
		sample := sampleKey(out.name, secretSentinel, now)
		err = checkDeliveredOutput(func(w io.Writer) error { return out.delivered(w, p, sample) })
	case !out.elsewhere:
		err = checkShowsSecret(func(w io.Writer, k api.Key) error { return out.shown(w, p, k) }, out.name, now)
	}
	if err != nil {
		return nil, nil, cmdutil.Scope{}, nil, err
	}
	return masker, p, scope, client, nil
}
