package keys

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/metabind/metabind-cli/internal/api"
	"github.com/metabind/metabind-cli/internal/cmdutil"
	"github.com/metabind/metabind-cli/internal/output"
)

// A delivery command (`keys create --name N -- CMD ARGS...`) takes a new key's
// secret straight to where it is used: CMD runs without a shell, reads the
// secret on its standard input, and the key stays live only if CMD succeeds.

// defaultDeliverTimeout bounds a delivery command.
const defaultDeliverTimeout = 2 * time.Minute

// deliverWaitDelay is how long, after CMD is killed or exits, metabind waits
// for the processes it left holding metabind's stderr before giving up on them.
const deliverWaitDelay = 5 * time.Second

// Delivery holds a delivery command and what it runs with.
type Delivery struct {
	// Argv is CMD and its arguments (everything after --); empty: no delivery.
	Argv    []string
	Timeout time.Duration
	// Getenv reads metabind's environment (masking settings); Environ is the
	// whole of it, for CMD.
	Getenv  func(string) string
	Environ func() []string
	// LookPath finds CMD on PATH.
	LookPath func(string) (string, error)
}

func newDelivery(f *cmdutil.Factory) Delivery {
	return Delivery{Timeout: defaultDeliverTimeout, Getenv: f.Getenv, Environ: os.Environ, LookPath: exec.LookPath}
}

// addDeliverFlag registers --deliver-timeout.
func addDeliverFlag(cmd *cobra.Command, d *Delivery) {
	cmd.Flags().DurationVar(&d.Timeout, "deliver-timeout", defaultDeliverTimeout, "time limit for the delivery command after --; its process group is killed at the limit")
}

// Enabled reports whether a delivery command was given.
func (d *Delivery) Enabled() bool { return len(d.Argv) > 0 }

// splitDeliveryArgs splits cobra's args at "--": what comes before (the
// command's own arguments) and the delivery command after it.
func splitDeliveryArgs(cmd *cobra.Command, args []string) (before, argv []string, err error) {
	at := cmd.ArgsLenAtDash()
	if at < 0 {
		return args, nil, nil
	}
	before, argv = args[:at], args[at:]
	if len(argv) == 0 {
		return nil, nil, cmdutil.FlagErrorf("-- must be followed by the delivery command, e.g. -- gh secret set METABIND_API_KEY")
	}
	if strings.TrimSpace(argv[0]) == "" {
		return nil, nil, cmdutil.FlagErrorf("the delivery command after -- is empty")
	}
	return before, argv, nil
}

// validate checks the delivery command against the other flags, before
// anything is created: with CMD the secret never reaches stdout or a file.
func (d *Delivery) validate(cmd *cobra.Command, quiet bool, outputFile string) error {
	if !d.Enabled() {
		if cmd.Flags().Changed("deliver-timeout") {
			return cmdutil.FlagErrorf("--deliver-timeout needs a delivery command after --").
				WithHint("e.g. " + cmd.CommandPath() + " ... --deliver-timeout 30s -- gh secret set METABIND_API_KEY")
		}
		return nil
	}
	if quiet {
		return cmdutil.FlagErrorf("-q/--quiet prints the secret, and a delivery command (after --) receives it instead; nothing was changed").
			WithHint("drop -q: the delivery command gets the secret on its standard input")
	}
	if cmd.Flags().Changed("output-file") || outputFile != "" {
		return cmdutil.FlagErrorf("--output-file writes the secret to a file, and a delivery command (after --) receives it instead; nothing was changed").
			WithHint("use one or the other")
	}
	if d.Timeout <= 0 {
		return cmdutil.FlagErrorf("--deliver-timeout must be positive (got %s)", d.Timeout)
	}
	// A command that cannot be found is a usage error: nothing is created.
	if _, err := d.LookPath(d.Argv[0]); err != nil {
		return cmdutil.FlagErrorf("the delivery command %q was not found or is not executable: %v; nothing was changed", d.Argv[0], unwrapAll(err)).
			WithHint("check the name and PATH; the command runs directly, without a shell")
	}
	return nil
}

func unwrapAll(err error) error {
	for {
		u := errors.Unwrap(err)
		if u == nil {
			return err
		}
		err = u
	}
}

// describe is CMD for messages: its name only, since arguments could hold
// anything.
func (d *Delivery) describe() string { return fmt.Sprintf("the delivery command %q", d.Argv[0]) }

// deliveryFailure says why CMD did not take the secret.
type deliveryFailure struct{ msg string }

func (e *deliveryFailure) Error() string { return e.msg }

// run runs CMD with secret on its standard input (no newline after it), its
// stdout and stderr on errOut, and METABIND_* naming the key in its
// environment. It returns nil only when CMD exited 0.
func (d *Delivery) run(ctx context.Context, errOut io.Writer, key api.Key, scope cmdutil.Scope, secret string) error {
	ctx, cancel := context.WithTimeoutCause(ctx, d.Timeout, errDeliverTimeout)
	defer cancel()
	c := exec.CommandContext(ctx, d.Argv[0], d.Argv[1:]...)
	c.Stdin = strings.NewReader(secret)
	c.Stdout, c.Stderr = errOut, errOut
	c.Env = append(withoutMetabindVars(d.Environ()),
		"METABIND_KEY_ID="+key.ID,
		"METABIND_KEY_NAME="+key.Name,
		"METABIND_ORG="+scope.Org,
		"METABIND_PROJECT="+scope.Project,
	)
	setProcessGroup(c)
	c.Cancel = func() error { return killProcessGroup(c.Process) }
	c.WaitDelay = deliverWaitDelay
	err := c.Run()
	if err == nil {
		return nil
	}
	switch {
	case errors.Is(context.Cause(ctx), errDeliverTimeout):
		return &deliveryFailure{fmt.Sprintf("%s did not finish within --deliver-timeout %s, and its process group was killed", d.describe(), d.Timeout)}
	case ctx.Err() != nil:
		return &deliveryFailure{fmt.Sprintf("%s was stopped by an interrupt", d.describe())}
	}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		if sig, ok := exitSignal(ee); ok {
			return &deliveryFailure{fmt.Sprintf("%s was killed by signal %s", d.describe(), sig)}
		}
		return &deliveryFailure{fmt.Sprintf("%s exited with status %d", d.describe(), ee.ExitCode())}
	}
	if errors.Is(err, exec.ErrWaitDelay) {
		return nil // CMD exited 0; only a process it left behind still held stderr
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return &deliveryFailure{fmt.Sprintf("%s could not be started: %v", d.describe(), pe.Err)}
	}
	return &deliveryFailure{fmt.Sprintf("%s failed: %v", d.describe(), err)}
}

var errDeliverTimeout = errors.New("delivery timeout")

// withoutMetabindVars drops METABIND_* variables metabind sets itself, so CMD
// never sees a stale value from the caller's environment.
func withoutMetabindVars(env []string) []string {
	out := make([]string, 0, len(env))
	for _, kv := range env {
		name, _, _ := strings.Cut(kv, "=")
		switch strings.ToUpper(name) {
		case "METABIND_KEY_ID", "METABIND_KEY_NAME", "METABIND_ORG", "METABIND_PROJECT":
			continue
		}
		out = append(out, kv)
	}
	return out
}

// delivered is what -o json|yaml prints for a key delivered by a command: the
// key object without its secret, and "delivered": true.
type delivered struct {
	api.Key
	Delivered bool `json:"delivered" yaml:"delivered"`
}

// deliveredRotation is the rotation's data form when the secret was delivered.
type deliveredRotation struct {
	Old       api.Key `json:"old"`
	New       api.Key `json:"new"`
	Delivered bool    `json:"delivered"`
}

// checkDeliveredOutput refuses, before anything is created, output options that
// fail on what a delivered key prints.
func checkDeliveredOutput(render func(io.Writer) error) error {
	if err := render(io.Discard); err != nil {
		return cmdutil.FlagErrorf("the output options fail on the new key (%v); nothing was changed", err).
			WithHint("fix --jq, --template or --columns")
	}
	return nil
}

// writeDelivered prints a delivered key (never its secret).
func writeDelivered(w io.Writer, p *output.Printer, k api.Key, now time.Time) error {
	k.Key = ""
	if p.Structured() {
		return p.Data(w, delivered{Key: k, Delivered: true})
	}
	return writeKey(w, p, k, now)
}
