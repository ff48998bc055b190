package cmdutil

import (
	"errors"

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

// TagUsageErrors makes the errors cobra itself produces for every command under
// root usage errors (exit 2, with a pointer to the command's help) where they
// arise: each command's positional-argument validator (cobra.ExactArgs and the
// like) is wrapped, and the wrapper also runs cobra's required-flag and
// flag-group checks, whose errors are otherwise plain. An error a validator
// already classified keeps its class. Flag parse errors are the root's
// FlagErrorFunc's, unknown commands the root's and the groups' own.
//
// Nothing is classified by its text: an error from the API or the network
// keeps its own class whatever its message says.
func TagUsageErrors(root *cobra.Command) {
	root.InitDefaultHelpCmd()
	root.InitDefaultCompletionCmd()
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		c.Args = usageArgs(c.Args)
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
}

func usageArgs(validate cobra.PositionalArgs) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if validate != nil {
			if err := validate(cmd, args); err != nil {
				return usageError(cmd, err)
			}
		}
		if err := cmd.ValidateRequiredFlags(); err != nil {
			return usageError(cmd, err)
		}
		if err := cmd.ValidateFlagGroups(); err != nil {
			return usageError(cmd, err)
		}
		return nil
	}
}

func usageError(cmd *cobra.Command, err error) error {
	var ce *Error
	if errors.As(err, &ce) {
		return err
	}
	return &Error{Code: ExitUsage, Err: err, Hint: "run `" + cmd.CommandPath() + " --help` for usage"}
}
