package cmdutil

import (
	"errors"
	"strings"

	"github.com/spf13/cobra"
)

// NoSecretArgs rejects positional arguments without echoing them, for commands
// where a user might paste a secret on the command line. why says where the
// secret should come from instead.
func NoSecretArgs(why string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) == 0 {
			return nil
		}
		return FlagErrorf("%s takes no arguments (the %d given were not echoed, in case they hold a secret)", cmd.CommandPath(), len(args)).
			WithHint(why)
	}
}

// cobraUsage are the fragments of cobra's own argument and flag errors.
var cobraUsage = []string{"unknown command", "unknown flag", "unknown shorthand flag", "invalid argument",
	"flag needs an argument", "accepts ", "requires at least", "requires at most", "required flag",
	"if any flags in the group", "none of the others"}

// CobraError turns cobra's own argument and flag errors, which are plain errors,
// into usage errors (exit 2) with a pointer to the command's help.
func CobraError(cmd *cobra.Command, err error) error {
	var ce *Error
	if err == nil || errors.As(err, &ce) || cmd == nil {
		return err
	}
	msg := err.Error()
	for _, p := range cobraUsage {
		if strings.Contains(msg, p) {
			return FlagErrorf("%s", msg).WithHint("run `" + cmd.CommandPath() + " --help` for usage")
		}
	}
	return err
}
