package keys

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/spf13/cobra"

	"github.com/metabind/metabind-cli/internal/api"
	"github.com/metabind/metabind-cli/internal/cmdutil"
	"github.com/metabind/metabind-cli/internal/output"
	"github.com/metabind/metabind-cli/internal/prompt"
)

// RotateOptions holds the inputs of `keys rotate`.
type RotateOptions struct {
	Deps
	Prompter   func() prompt.Prompter
	Arg        string
	NewName    string
	KeepOld    bool
	Yes        bool
	Quiet      bool
	OutputFile string
	Delivery   Delivery
}

// NewCmdRotate returns `keys rotate`.
func NewCmdRotate(f *cmdutil.Factory, runF func(context.Context, *RotateOptions) error) *cobra.Command {
	opts := &RotateOptions{Deps: newDeps(f), Prompter: f.Prompter, Delivery: newDelivery(f)}
	cmd := &cobra.Command{
		Use:   "rotate ID|NAME [-- CMD [ARGS...]]",
		Short: "Replace a key with a new one under the same name, then revoke the old one",
		Long: `Rotate a key in one step:

  1. a new key is created, under a temporary name "<name> (new <time>)" (or
     directly under --new-name), so that until its secret has arrived the
     name still finds the old key;
  2. its secret is printed once, as ` + "`keys create`" + ` does (-q, --output-file,
     -o json, which shows the name the key ends up with), or given to a
     delivery command after --, as ` + "`keys create -- CMD`" + ` does;
  3. only once the secret is out, the old key is renamed "<name> (rotated <time>)"
     and the new key takes its name (not with --new-name: the old key keeps
     its name), then the old key is revoked; with --keep-old it stays active
     for a grace period, to be revoked later with ` + "`keys revoke`" + `.

If the new secret does not arrive (the delivery command fails, times out or is
interrupted; stdout or --output-file cannot be written), the new key is deleted,
the old key is not touched at all (same name, still active, still working), and
the exit code is 8.

-q prints only the new secret and a newline; with -o, --jq, --template,
--columns or --no-headers it is refused (exit 2, nothing changed).

Like revoke, it asks on a terminal and needs --yes without one (not with
--keep-old, which revokes nothing). If a step fails the old key keeps working
and the message says what state things are in and how to finish by hand.

-o json prints {"old": {key}, "new": {key with "key"}}: "new" under its final
name, "old" as it was when the new secret was written, before it was renamed
and revoked. With a delivery command it prints {"old", "new" (without "key"),
"delivered": true}.`,
		Example: `  metabind keys rotate "iOS Production App"
  KEY=$(metabind keys rotate ci --yes -q)
  metabind keys rotate web --keep-old -o json
  metabind keys rotate ci --yes -- gh secret set METABIND_API_KEY`,
		Args: func(cmd *cobra.Command, args []string) error {
			before, argv, err := splitDeliveryArgs(cmd, args)
			if err != nil {
				return err
			}
			opts.Delivery.Argv = argv
			return cobra.ExactArgs(1)(cmd, before)
		},
		ValidArgsFunction: completeKeyIDs(f, 1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Arg = args[0]
			if opts.NewName != "" || cmd.Flags().Changed("new-name") {
				name, err := checkName("--new-name", opts.NewName)
				if err != nil {
					return err
				}
				opts.NewName = name
			}
			if err := checkSecretDestination(cmd, opts.Quiet, opts.OutputFile, &opts.Delivery, ".new.key", "new secret"); err != nil {
				return err
			}
			if !opts.Yes && !opts.KeepOld && !opts.IO.CanPrompt() {
				return cmdutil.FlagErrorf("refusing to rotate without confirmation: standard input is not a terminal and rotation revokes the old key").
					WithHint("pass --yes, or --keep-old to keep the old key active")
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return rotateRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().BoolVar(&opts.KeepOld, "keep-old", false, "leave the old key active (revoke it later)")
	cmd.Flags().StringVar(&opts.NewName, "new-name", "", "name for the new key (default: the old key's name)")
	cmd.Flags().BoolVarP(&opts.Yes, "yes", "y", false, "rotate without asking for confirmation")
	cmd.Flags().BoolVarP(&opts.Quiet, "quiet", "q", false, "print only the new secret and a newline")
	cmd.Flags().StringVar(&opts.OutputFile, "output-file", "", "write the new secret to this new file (mode 0600)")
	addDeliverFlag(cmd, &opts.Delivery)
	cmdutil.AddOutputFlags(cmd, f, cmdutil.OutputRows)
	return cmd
}

// rotatedSuffixTime is the time format in the old key's new name.
const rotatedSuffixTime = "2006-01-02T15:04:05Z"

// rotatedName is the old key's name after rotation, shortened to fit the limit.
// attempt > 1 adds a counter, for rotations within the same second.
func rotatedName(name string, now time.Time, attempt int) string {
	return parkedName(name, "rotated", now, attempt)
}

// parkedName is name with " (LABEL <time>)" appended, shortened to fit.
func parkedName(name, label string, now time.Time, attempt int) string {
	stamp := now.UTC().Format(rotatedSuffixTime)
	if attempt > 1 {
		stamp += fmt.Sprintf(" #%d", attempt)
	}
	suffix := " (" + label + " " + stamp + ")"
	room := maxNameLen - utf8.RuneCountInString(suffix)
	if utf8.RuneCountInString(name) > room {
		r := []rune(name)
		name = strings.TrimSpace(string(r[:room-1])) + "…"
	}
	return name + suffix
}

func rotateRun(ctx context.Context, opts *RotateOptions) error {
	sampleOld := sampleKey(opts.Arg, "", opts.Now())
	masker, p, scope, client, err := opts.prepareNewSecret(newSecretOutput{
		delivery:  &opts.Delivery,
		elsewhere: opts.Quiet || opts.OutputFile != "",
		name:      opts.Arg,
		shown: func(w io.Writer, p *output.Printer, fresh api.Key) error {
			return renderRotation(w, p, sampleOld, fresh, opts.Now())
		},
		delivered: func(w io.Writer, p *output.Printer, fresh api.Key) error {
			return writeDeliveredRotation(w, p, sampleOld, fresh, opts.Now())
		},
	})
	if err != nil {
		return err
	}
	old, err := newResolver(client, scope).resolve(ctx, opts.Arg)
	if err != nil {
		return err
	}
	if old.Status != api.StatusActive {
		return cmdutil.FlagErrorf("key %q (%s) is %s; only an active key can be rotated", old.Name, old.ID, old.Status).
			WithHint("create a new key with `metabind keys create --name NAME`")
	}
	newName := opts.NewName
	if newName == "" {
		newName = old.Name
	}
	if !equalFoldTrim(newName, old.Name) {
		// A taken --new-name would only fail after the old key was renamed:
		// check first, so a conflict changes nothing.
		all, err := client.ListAllKeys(ctx, scope.Org, scope.Project, api.ListOptions{Limit: maxPageSize}, nil)
		if err != nil {
			return err
		}
		for _, k := range all {
			if equalFoldTrim(k.Name, newName) {
				return cmdutil.NewError(cmdutil.ExitConflict, fmt.Errorf("a key named %q already exists (%s); nothing was changed", k.Name, k.ID)).
					WithHint("choose another --new-name, or rename or delete that key first")
			}
		}
	}
	if !opts.Yes && !opts.KeepOld {
		q := fmt.Sprintf("Rotate %q (%s)? A new key replaces it and the old one is revoked: apps using it lose access immediately.", old.Name, shortID(old.ID))
		ok, err := opts.Prompter().Confirm(ctx, q, false)
		if err != nil {
			return err
		}
		if !ok {
			return cmdutil.ErrCancelled
		}
	}
	secretFile, err := claimSecretFile(opts.OutputFile)
	if err != nil {
		return err
	}

	// 1. Create the replacement. When it is to take the old key's name, it is
	// created under a parked name, so that until its secret has arrived the
	// name still finds the old key. The create is never retried blindly (only
	// after a definite conflict on the parked name).
	takeName := opts.NewName == "" || equalFoldTrim(newName, old.Name)
	createName := newName
	var fresh *api.Key
	for attempt := 1; ; attempt++ {
		if takeName {
			createName = parkedName(old.Name, "new", opts.Now(), attempt)
		}
		fresh, err = client.CreateKey(ctx, scope.Org, scope.Project, api.CreateKeyRequest{Name: createName})
		if err == nil || !takeName || !api.IsConflict(err) || attempt == 5 {
			break
		}
	}
	if err != nil {
		abandonSecretFile(secretFile)
		return rotateCreateFailed(ctx, client, scope, old, createName, err)
	}

	// 2. Deliver the new secret: to the delivery command, or print it. It is
	// shown under the name it ends up with. Until it has arrived, the old key
	// is not touched; if it never does, the new key is removed.
	masker.mask(fresh.Key)
	shown := *fresh
	shown.Name = newName
	if opts.Delivery.Enabled() {
		if err := opts.Delivery.run(ctx, opts.IO.ErrOut, shown, scope, fresh.Key); err != nil {
			return undeliveredRotation(ctx, client, scope, old, *fresh, takeName, err.Error(), opts.Now())
		}
		fmt.Fprintf(opts.IO.ErrOut, "Created the new key %s and delivered its secret to %s.\n", fresh.ID, opts.Delivery.describe())
	} else if err := printRotation(opts, p, old, shown, secretFile); err != nil {
		var lost *secretLost
		if errors.As(err, &lost) {
			return undeliveredRotation(ctx, client, scope, old, *fresh, takeName, lost.Error(), opts.Now())
		}
		return err
	}
	where := "secret above"
	if opts.Delivery.Enabled() {
		where = "secret delivered"
	} else if secretFile != nil {
		where = "secret in " + opts.OutputFile
	}
	// finishFailed reports a step after delivery that failed: the new key
	// works, and the message says what is left to do by hand.
	oldNow, freshNow := old, *fresh
	finishFailed := func(msg string, steps ...string) error {
		if opts.Delivery.Enabled() {
			_ = writeDeliveredRotation(opts.IO.Out, p, oldNow, freshNow, opts.Now())
		}
		return cmdutil.NewError(cmdutil.ExitError, fmt.Errorf("the new key %s was created (%s), but %s", fresh.ID, where, msg)).
			WithHint("finish by hand: " + strings.Join(steps, ", then "))
	}
	revokeStep := fmt.Sprintf("`metabind keys revoke %s --yes`", old.ID)
	var revokeSteps []string
	if !opts.KeepOld {
		revokeSteps = []string{revokeStep}
	}

	// 3. Move the name: the old key aside, the new key under it.
	if takeName {
		var parked string
		var renamed *api.Key
		for attempt := 1; ; attempt++ {
			parked = rotatedName(old.Name, opts.Now(), attempt)
			renamed, err = client.UpdateKey(ctx, scope.Org, scope.Project, old.ID, api.UpdateKeyRequest{Name: &parked})
			if err == nil || !api.IsConflict(err) || attempt == 5 {
				break
			}
		}
		if err != nil {
			steps := append([]string{
				fmt.Sprintf("`metabind keys rename %s %q`", old.ID, parked),
				fmt.Sprintf("`metabind keys rename %s %q`", fresh.ID, newName),
			}, revokeSteps...)
			return finishFailed(fmt.Sprintf("renaming the old key %s aside failed (%v); the old key was not revoked and still works, and the new key is named %q", old.ID, err, fresh.Name), steps...)
		}
		oldNow = *renamed
		fmt.Fprintf(opts.IO.ErrOut, "Renamed the old key %s to %q.\n", old.ID, parked)
		name := newName
		moved, err := client.UpdateKey(ctx, scope.Org, scope.Project, fresh.ID, api.UpdateKeyRequest{Name: &name})
		if err != nil {
			steps := append([]string{fmt.Sprintf("`metabind keys rename %s %q`", fresh.ID, newName)}, revokeSteps...)
			return finishFailed(fmt.Sprintf("renaming it from %q to %q failed (%v); the old key %s, now named %q, was not revoked and still works", fresh.Name, newName, err, old.ID, parked), steps...)
		}
		freshNow = *moved
		freshNow.Key = fresh.Key
		fmt.Fprintf(opts.IO.ErrOut, "Named the new key %s %q.\n", fresh.ID, newName)
	}

	// 4. Revoke the old key, unless asked to keep it.
	if !opts.KeepOld {
		revoked := api.StatusRevoked
		k, err := client.UpdateKey(ctx, scope.Org, scope.Project, old.ID, api.UpdateKeyRequest{Status: &revoked})
		if err != nil {
			return finishFailed(fmt.Sprintf("revoking the old key %s failed: %v; the old key still works", old.ID, err), revokeStep)
		}
		oldNow = *k
		fmt.Fprintf(opts.IO.ErrOut, "Revoked the old key %s.\n", old.ID)
	} else {
		fmt.Fprintf(opts.IO.ErrOut, "The old key %s stays active; revoke it when its users have moved: %s\n", old.ID, revokeStep)
	}
	if opts.Delivery.Enabled() {
		if err := writeDeliveredRotation(opts.IO.Out, p, oldNow, freshNow, opts.Now()); err != nil {
			return fmt.Errorf("the rotation is complete (the new key %s was delivered), but printing the result failed: %w", fresh.ID, err)
		}
	}
	return nil
}

// undeliveredRotation undoes a rotation whose new secret did not arrive: the
// new key is deleted (or revoked). The old key was never touched.
func undeliveredRotation(ctx context.Context, client *api.Client, scope cmdutil.Scope, old, fresh api.Key, parkedNew bool, cause string, now time.Time) error {
	ue := removeUndelivered(ctx, client, scope, fresh, cause)
	if ue.Cleanup == cmdutil.CleanupRevoked && !parkedNew {
		// A revoked key keeps its name: move it aside, so that --new-name is
		// free for the next try. (A parked name is in nobody's way.)
		rctx := api.Recovery(context.WithoutCancel(ctx))
		for attempt := 1; attempt <= 5; attempt++ {
			aside := parkedName(fresh.Name, "undelivered", now, attempt)
			_, err := client.UpdateKey(rctx, scope.Org, scope.Project, fresh.ID, api.UpdateKeyRequest{Name: &aside})
			if err == nil || !api.IsConflict(err) {
				break
			}
		}
	}
	if ue.KeyLive() {
		// Deleting (not revoking) also frees the name the key holds.
		ue.Hint = fmt.Sprintf("delete it now: `metabind keys delete %s --yes`", fresh.ID)
	}
	ue.Also = fmt.Sprintf("The old key %s was not changed: it keeps its name %q and still works", old.ID, old.Name)
	return ue
}

func printRotation(opts *RotateOptions, p *output.Printer, old, fresh api.Key, secretFile *os.File) error {
	if !p.Structured() || opts.Quiet || secretFile != nil {
		return printNewKey(opts.IO, p, fresh, opts.Quiet, secretFile, opts.OutputFile, opts.Now())
	}
	fmt.Fprintln(opts.IO.ErrOut, secretNotice)
	render := func(w io.Writer) error { return renderRotation(w, p, old, fresh, opts.Now()) }
	return writeShowingSecret(opts.IO.Out, opts.IO.ErrOut, render, fresh.Key, rotation{old, fresh})
}

// rotation is the data form of a rotation: -o json prints {"old": …, "new": …}.
type rotation struct {
	Old api.Key `json:"old"`
	New api.Key `json:"new"`
}

// writeDeliveredRotation prints a rotation whose secret went to a delivery
// command: data as {"old", "new" (without "key"), "delivered": true}, else the
// new key.
func writeDeliveredRotation(w io.Writer, p *output.Printer, old, fresh api.Key, now time.Time) error {
	fresh.Key = ""
	if p.Structured() {
		return p.Data(w, deliveredRotation{Old: old, New: fresh, Delivered: true})
	}
	return writeKey(w, p, fresh, now)
}

// renderRotation prints a rotation's result as printRotation does when the
// secret goes to stdout: data as {"old", "new"}, else the new key.
func renderRotation(w io.Writer, p *output.Printer, old, fresh api.Key, now time.Time) error {
	if p.Structured() {
		return p.Data(w, rotation{old, fresh})
	}
	return writeKey(w, p, fresh, now)
}

// rotateCreateFailed explains a create of the new key that failed, or may or
// may not have happened. The old key was not touched.
func rotateCreateFailed(ctx context.Context, client *api.Client, scope cmdutil.Scope, old api.Key, createName string, cerr error) error {
	var unknown *api.OutcomeUnknownError
	if errors.As(cerr, &unknown) {
		cause, _ := createFailureCause(unknown)
		all, lerr := client.ListAllKeys(api.Check(ctx), scope.Org, scope.Project, api.ListOptions{Limit: maxPageSize}, nil)
		if lerr != nil {
			return cmdutil.NewError(cmdutil.ExitError, fmt.Errorf("rotation incomplete: the create request failed (%s), so its outcome is unknown; %s. The old key %s still works and was not changed", cause, checkFailed(lerr), old.ID)).
				WithHint(fmt.Sprintf("check with `metabind keys list`; if a key named %q exists, delete it (`metabind keys delete ID --yes`), then rotate again", createName))
		}
		for _, k := range all {
			if equalFoldTrim(k.Name, createName) {
				return cmdutil.NewError(cmdutil.ExitError, fmt.Errorf("rotation incomplete: the create request failed (%s) but the new key %s (%q) exists; its secret was never received. The old key %s still works and was not changed", cause, k.ID, k.Name, old.ID)).
					WithHint(fmt.Sprintf("finish by hand: `metabind keys delete %s --yes`, then rotate again", k.ID))
			}
		}
	}
	return cmdutil.NewError(cmdutil.ExitCode(cerr), fmt.Errorf("rotation failed: creating the new key failed (%w); the old key %s still works and was not changed", cerr, old.ID))
}
