package root

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/metabind/metabind-cli/internal/cmdutil"
)

// Help reads like gh's: a command group (and the root) leads with its usage,
// its commands and its flags; reference material that is not about one
// command lives in help topics (`metabind help exit-codes`).

// usageTemplate is every command's usage, in the order gh prints it: USAGE,
// ALIASES, COMMANDS, FLAGS, INHERITED FLAGS, EXAMPLES, HELP TOPICS, LEARN MORE.
const usageTemplate = `USAGE{{if .Runnable}}
  {{.UseLine}}{{end}}{{if and .HasAvailableSubCommands (not .Runnable)}}
  {{.CommandPath}} <command> [flags]{{end}}{{if gt (len .Aliases) 0}}

ALIASES
  {{.NameAndAliases}}{{end}}{{if .HasAvailableSubCommands}}

COMMANDS{{range .Commands}}{{if .IsAvailableCommand}}
  {{rpad (print .Name ":") (add .NamePadding 1)}} {{.Short}}{{end}}{{end}}{{end}}{{if .HasAvailableLocalFlags}}

FLAGS
{{.LocalFlags.FlagUsages | trimTrailingWhitespaces}}{{end}}{{if .HasAvailableInheritedFlags}}

INHERITED FLAGS
{{.InheritedFlags.FlagUsages | trimTrailingWhitespaces}}{{end}}{{if .HasExample}}

EXAMPLES
{{.Example}}{{end}}{{if .HasHelpSubCommands}}

HELP TOPICS{{range .Commands}}{{if .IsAdditionalHelpTopicCommand}}
  {{rpad (print .Name ":") (add .NamePadding 1)}} {{.Short}}{{end}}{{end}}{{end}}{{if .HasAvailableSubCommands}}

LEARN MORE
  Use ` + "`{{.CommandPath}} <command> --help`" + ` for more about a command.{{if not .HasParent}}
  Read ` + "`metabind help exit-codes`" + ` and ` + "`metabind help environment`" + `, or ` + "`man metabind`" + `.{{end}}{{end}}
`

// helpTemplate prints a command's description, then its usage (for a
// group: its commands and flags). A help topic is its text alone.
const helpTemplate = `{{if isTopic .}}{{.Long | trimTrailingWhitespaces}}
{{else}}{{with (or .Long .Short)}}{{. | trimTrailingWhitespaces}}

{{end}}{{.UsageString}}{{end}}`

var templateFuncs = map[string]any{
	"add":     func(a, b int) int { return a + b },
	"isTopic": func(c *cobra.Command) bool { return c.IsAdditionalHelpTopicCommand() },
}

// topicAnnotation marks a help topic command.
const topicAnnotation = "metabind:help-topic"

// exitCodesTopic is `metabind help exit-codes`.
const exitCodesTopic = `Exit codes

metabind exits with one of these codes; scripts can branch on them.

  0    success
  1    error (network, server, declined confirmation)
  2    usage: bad flag or argument, missing --yes without a terminal, missing
       org/project; nothing was changed
  3    keys test: the key was rejected
  4    not logged in, token expired or invalid (401), or not permitted (403)
  5    not found (404, or no key matches the id or name)
  6    conflict (409, e.g. the name is taken)
  7    a bulk operation failed for some keys (the others succeeded)
  8    a new secret did not reach its destination; the new key was removed
  130  interrupted (Ctrl-C)
  143  terminated (SIGTERM)

With -o json, a failure also writes one line of JSON to stderr:
{"error":{"code","message","hint","status","requestId","exitCode"}}.
`

// environmentTopic is `metabind help environment`.
const environmentTopic = `Environment variables

Settings (a flag of the same name wins; each outranks the saved profile):

  MB_API_URL      Metabind API base URL (--api-url)
  MB_ORG          organization id (--org)
  MB_PROJECT      project id (--project)
  MB_OUTPUT       default output format: table, json, yaml, csv or tsv (-o)
  MB_PROFILE      configuration profile to use (--profile)

Credentials:

  MB_TOKEN        admin JWT; wins over the token stored by ` + "`metabind auth login`" + `
  MB_API_KEY      the API key ` + "`metabind keys test`" + ` checks
  MB_NO_KEYRING   1: store the token in a file, not the OS keyring
  MB_MASK_SECRETS 0: never write CI log-masking lines for a new secret; 1: write
                  them even when the secret goes to a file

Files and network:

  MB_CONFIG_DIR   configuration and credential directory (default: the platform's
                  user configuration directory + metabind); also holds the
                  emulator database when set
  XDG_CONFIG_HOME, XDG_DATA_HOME
                  the configuration and emulator data directories when
                  MB_CONFIG_DIR is not set
  MB_ALLOW_HTTP   1: allow plain http:// to a non-loopback host (--allow-http)

Terminal:

  NO_COLOR        set (to anything): no colour
  CLICOLOR_FORCE  set to a value other than 0: colour even when stdout is not a
                  terminal (NO_COLOR and --no-color still win)
  CLICOLOR=0      no colour on a terminal either (CLICOLOR_FORCE still wins)
  TERM=dumb       no colour
`

// newHelpTopic returns a help topic: a command that only prints its text,
// listed under HELP TOPICS and shown by `metabind help NAME`.
func newHelpTopic(name, short, long string) *cobra.Command {
	return &cobra.Command{
		Use:         name,
		Short:       short,
		Long:        long,
		Annotations: map[string]string{topicAnnotation: "true"},
	}
}

// setUpHelp installs the help layout, the help topics and command suggestions.
func setUpHelp(cmd *cobra.Command) {
	cobra.AddTemplateFuncs(templateFuncs)
	cmd.SetUsageTemplate(usageTemplate)
	cmd.SetHelpTemplate(helpTemplate)
	cmd.SuggestionsMinimumDistance = 2
	cmd.SetHelpCommand(newHelpCommand())
	cmd.AddCommand(
		newHelpTopic("exit-codes", "What each exit code means", exitCodesTopic),
		newHelpTopic("environment", "Environment variables that metabind reads", environmentTopic),
	)
}

// unknownCommand is the usage error for an unknown subcommand of c, with the
// commands whose names are close ("keys lst" → list; "key" → keys).
func unknownCommand(c *cobra.Command, name string) error {
	err := cmdutil.FlagErrorf("unknown command %q for %q", name, c.CommandPath())
	if c.SuggestionsMinimumDistance <= 0 {
		c.SuggestionsMinimumDistance = 2
	}
	if s := c.SuggestionsFor(name); len(s) > 0 {
		paths := make([]string, len(s))
		for i, n := range s {
			paths[i] = "`" + c.CommandPath() + " " + n + "`"
		}
		return err.WithHint(fmt.Sprintf("did you mean %s? Run `%s --help` for the available commands", strings.Join(paths, " or "), c.CommandPath()))
	}
	return err.WithHint("run `" + c.CommandPath() + " --help` for the available commands")
}

// newHelpCommand is `metabind help [command | topic]`: cobra's, except that
// an unknown name is a usage error (exit 2) with suggestions, not the root's
// help and success.
func newHelpCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "help [command | topic]",
		Short: "Help about any command or topic",
		Long:  "Help for any command (metabind help keys list) or help topic (metabind help exit-codes).",
		ValidArgsFunction: func(c *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
			parent, _, err := c.Root().Find(args)
			if err != nil {
				return nil, cobra.ShellCompDirectiveNoFileComp
			}
			var out []cobra.Completion
			for _, sub := range parent.Commands() {
				if (sub.IsAvailableCommand() || sub.IsAdditionalHelpTopicCommand()) && strings.HasPrefix(sub.Name(), toComplete) {
					out = append(out, cobra.CompletionWithDesc(sub.Name(), sub.Short))
				}
			}
			return out, cobra.ShellCompDirectiveNoFileComp
		},
		RunE: func(c *cobra.Command, args []string) error {
			target, rest, err := c.Root().Find(args)
			if err != nil {
				return err
			}
			if len(rest) > 0 {
				return unknownCommand(target, rest[0])
			}
			target.InitDefaultHelpFlag()
			return target.Help()
		},
	}
}
