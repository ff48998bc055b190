// Package root assembles the command tree and owns the global flags.
package root

import (
	"errors"
	"io"
	"regexp"
	"strconv"
	"sync"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/metabind/metabind-cli/internal/cmdutil"
	apiCmd "github.com/metabind/metabind-cli/internal/commands/api"
	authCmd "github.com/metabind/metabind-cli/internal/commands/auth"
	configCmd "github.com/metabind/metabind-cli/internal/commands/config"
	emulatorCmd "github.com/metabind/metabind-cli/internal/commands/emulator"
	keysCmd "github.com/metabind/metabind-cli/internal/commands/keys"
	statusCmd "github.com/metabind/metabind-cli/internal/commands/status"
	useCmd "github.com/metabind/metabind-cli/internal/commands/use"
	versionCmd "github.com/metabind/metabind-cli/internal/commands/version"
	"github.com/metabind/metabind-cli/internal/config"
)

var longFlagValue = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`invalid argument "[^"]{16,}"`) })

// flagError rewrites pflag's parse errors for people: the flag, what was
// expected, never Go's parser text ("strconv.ParseInt: parsing ...") and never a
// long value, which may be a pasted secret.
func flagError(c *cobra.Command, err error) error {
	hint := "run `" + c.CommandPath() + " --help` for usage"
	var ive *pflag.InvalidValueError
	if errors.As(err, &ive) && ive.GetFlag() != nil {
		fl, v := ive.GetFlag(), ive.GetValue()
		shown := strconv.Quote(v)
		if len(v) >= 16 {
			shown = "(value not shown)"
		}
		return cmdutil.FlagErrorf("invalid value %s for --%s: %s", shown, fl.Name, expectedValue(fl, ive.Unwrap())).WithHint(hint)
	}
	msg := longFlagValue().ReplaceAllString(err.Error(), "invalid argument (value not shown)")
	return cmdutil.FlagErrorf("%s", msg).WithHint(hint)
}

// expectedValue says what a flag of fl's type takes; for the project's own
// value types their message already does.
func expectedValue(fl *pflag.Flag, cause error) string {
	switch fl.Value.Type() {
	case "int", "int8", "int16", "int32", "int64", "uint", "uint8", "uint16", "uint32", "uint64", "count":
		return "expected a whole number"
	case "float32", "float64":
		return "expected a number"
	case "duration":
		return "expected a duration such as 30s, 5m or 1h30m"
	case "bool":
		return "expected true or false"
	}
	if cause == nil {
		return "not a valid value"
	}
	return cause.Error()
}

// NewCmdRoot returns the root command with every subcommand attached.
func NewCmdRoot(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "metabind <command> <subcommand> [flags]",
		Short: "Manage Metabind API keys from the terminal",
		Long: `metabind creates, lists, inspects, tests, rotates and revokes Metabind API keys
through the Metabind admin API, and runs a local emulator of that API.`,
		Example: `  metabind auth login
  metabind use --org acme --project web
  metabind keys create --name "iOS Production App"
  metabind keys list
  metabind keys revoke "iOS Production App"`,
		SilenceErrors: true,
		SilenceUsage:  true,
		Args:          cobra.ArbitraryArgs,
		PersistentPreRunE: func(cmd *cobra.Command, args []string) error {
			if f.Global.Timeout <= 0 {
				return cmdutil.FlagErrorf("--timeout must be positive, got %s", f.Global.Timeout)
			}
			return nil
		},
	}
	var showVersion bool
	cmd.Flags().BoolVar(&showVersion, "version", false, "show the version, commit, build date and Go version")
	cmd.RunE = func(c *cobra.Command, args []string) error {
		switch {
		case showVersion:
			return versionCmd.Show(f, c)
		case len(args) > 0:
			return unknownCommand(c, args[0])
		}
		return c.Help()
	}
	cmd.SetOut(f.IOStreams.Out)
	cmd.SetErr(f.IOStreams.ErrOut)
	cmd.SetIn(f.IOStreams.In)
	cmd.SetFlagErrorFunc(flagError)

	pf := cmd.PersistentFlags()
	pf.String("api-url", config.DefaultAPIURL, "Metabind API base URL (env MB_API_URL)")
	pf.String("org", "", "organization id (env MB_ORG)")
	pf.String("project", "", "project id (env MB_PROJECT)")
	pf.String("profile", "", "configuration profile to use (env MB_PROFILE)")
	pf.BoolVar(&f.Global.Debug, "debug", false, "log HTTP requests and responses to stderr, secrets masked")
	pf.DurationVar(&f.Global.Timeout, "timeout", 30*time.Second, "time limit for all of the command's API requests together, retries and rate-limit waits included (not counting time at a prompt); when not given, each request has its own 30s limit and waiting for the rate limit is not an error")
	noColor := pf.VarPF(noColorFlag{f}, "no-color", "", "no colour (also NO_COLOR; colour is only ever on a terminal, or with CLICOLOR_FORCE)")
	noColor.NoOptDefVal = "true"
	pf.BoolVar(&f.Global.AllowHTTP, "allow-http", false, "allow plain http:// to a non-loopback host (env MB_ALLOW_HTTP=1)")
	// The settings' flags; -o joins them when a command's own -o is given.
	f.Flags = pflag.NewFlagSet("metabind", pflag.ContinueOnError)
	f.Flags.AddFlagSet(pf)
	// Output flags are each command's own (cmdutil.AddOutputFlags); the root
	// takes them only for `metabind --version -o json`.
	cmdutil.AddOutputFlags(cmd, f, cmdutil.OutputData)
	for _, name := range cmdutil.OutputFlagsOf(cmd) {
		_ = cmd.Flags().MarkHidden(name)
	}

	_ = cmd.RegisterFlagCompletionFunc("org", useCmd.CompleteContext(f, "org", completeSaved(f, "org")))
	_ = cmd.RegisterFlagCompletionFunc("project", useCmd.CompleteContext(f, "project", completeSaved(f, "project")))
	_ = cmd.RegisterFlagCompletionFunc("profile", func(*cobra.Command, []string, string) ([]cobra.Completion, cobra.ShellCompDirective) {
		f.IOStreams.ErrOut = io.Discard
		cfg, err := f.Config()
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		return cfg.Profiles(), cobra.ShellCompDirectiveNoFileComp
	})

	cmd.AddCommand(
		authCmd.NewCmdAuth(f),
		useCmd.NewCmdUse(f, nil),
		configCmd.NewCmdConfig(f),
		statusCmd.NewCmdStatus(f, nil),
		keysCmd.NewCmdKeys(f),
		emulatorCmd.NewCmdEmulator(f),
		apiCmd.NewCmdAPI(f, nil),
		versionCmd.NewCmdVersion(f, nil),
	)
	// cobra adds `completion` only when it executes; add it now so that it is
	// guarded like every other group (`completion bogus` is exit 2).
	cmd.InitDefaultCompletionCmd()
	setUpHelp(cmd)
	guardGroups(cmd)
	return cmd
}

// completeSaved offers the value saved for key in each profile of the
// configuration file (the saved context); it reads only that file.
func completeSaved(f *cmdutil.Factory, key string) cobra.CompletionFunc {
	return func(*cobra.Command, []string, string) ([]cobra.Completion, cobra.ShellCompDirective) {
		f.IOStreams.ErrOut = io.Discard
		cfg, err := f.Config()
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		var out []cobra.Completion
		seen := map[string]bool{}
		for _, p := range cfg.Profiles() {
			v := cfg.ProfileValue(p, key)
			if v != "" && !seen[v] {
				seen[v] = true
				out = append(out, cobra.CompletionWithDesc(v, "saved in profile "+p))
			}
		}
		return out, cobra.ShellCompDirectiveNoFileComp
	}
}

// guardGroups makes every command group reject an unknown subcommand (exit 2)
// instead of printing its help and succeeding; without arguments it shows help.
func guardGroups(cmd *cobra.Command) {
	for _, c := range cmd.Commands() {
		if c.HasSubCommands() && c.Run == nil && c.RunE == nil {
			c.Args = cobra.ArbitraryArgs
			c.RunE = func(c *cobra.Command, args []string) error {
				if len(args) > 0 {
					return unknownCommand(c, args[0])
				}
				return c.Help()
			}
		}
		guardGroups(c)
	}
}

// noColorFlag is --no-color: it turns colour off as soon as it is parsed, so
// that even an error about a later flag is printed without colour.
type noColorFlag struct{ f *cmdutil.Factory }

func (v noColorFlag) String() string   { return strconv.FormatBool(v.f.Global.NoColor) }
func (v noColorFlag) Type() string     { return "bool" }
func (v noColorFlag) IsBoolFlag() bool { return true }

func (v noColorFlag) Set(s string) error {
	b, err := strconv.ParseBool(s)
	if err != nil {
		return err
	}
	v.f.Global.NoColor = b
	if b {
		v.f.IOStreams.SetColorEnabled(false)
	}
	return nil
}
