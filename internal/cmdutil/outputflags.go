package cmdutil

import (
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/metabind/metabind-cli/internal/config"
	"github.com/metabind/metabind-cli/internal/output"
)

// OutputFlags selects the output flags a command honours. Each command adds
// exactly those with AddOutputFlags; any other is cobra's "unknown flag"
// (exit 2), so no command accepts an output flag and ignores it.
type OutputFlags uint

// The output flags, one bit each.
const (
	// FormatFlag is -o/--output; its default is the `output` setting
	// (MB_OUTPUT, the profile), else table.
	FormatFlag OutputFlags = 1 << iota
	// JQFlag is --jq.
	JQFlag
	// TemplateFlag is --template.
	TemplateFlag
	// ColumnsFlag is --columns, for commands that print rows.
	ColumnsFlag
	// NoHeadersFlag is --no-headers, for commands that print rows.
	NoHeadersFlag
)

// The usual sets.
const (
	// OutputData: a command that prints data (an object, a report): -o, --jq
	// and --template.
	OutputData = FormatFlag | JQFlag | TemplateFlag
	// OutputRows: a command that prints rows of a table, CSV or TSV as well:
	// OutputData, --columns and --no-headers.
	OutputRows = OutputData | ColumnsFlag | NoHeadersFlag
)

// outputAnnotation records on a command which output flags it added.
const outputAnnotation = "metabind:output-flags"

// OutputOptions are the values of the output flags of the command being run.
// Factory.Printer reads them; -o itself reaches the configuration's `output`
// setting through the factory's flag set, so flag > env > profile > default
// holds for it as for every setting.
type OutputOptions struct {
	JQ        string
	Template  string
	Columns   []string
	NoHeaders bool
}

// AddOutputFlags adds the output flags in which to cmd, bound to the factory's
// OutputOptions, with their completions.
func AddOutputFlags(cmd *cobra.Command, f *Factory, which OutputFlags) {
	fs := cmd.Flags()
	o := &f.Output
	if which&FormatFlag != 0 {
		v := &formatValue{f: f, valid: config.ValidOutputs}
		if which&ColumnsFlag == 0 {
			// CSV and TSV are rows; a command that prints one object or a
			// report has no rows to give them.
			v.valid = dataOutputs()
		}
		v.flag = fs.VarPF(v, "output", "o", "output format: "+strings.Join(v.valid, ", ")+` (default: the "output" setting, else table)`)
		_ = cmd.RegisterFlagCompletionFunc("output", cobra.FixedCompletions(v.valid, cobra.ShellCompDirectiveNoFileComp))
	}
	if which&JQFlag != 0 {
		fs.StringVar(&o.JQ, "jq", "", "filter the JSON output with a jq expression (built in; no jq needed)")
		_ = cmd.RegisterFlagCompletionFunc("jq", cobra.NoFileCompletions)
	}
	if which&TemplateFlag != 0 {
		fs.StringVar(&o.Template, "template", "", "format the JSON output with a Go template, e.g. '{{.name}}'")
		_ = cmd.RegisterFlagCompletionFunc("template", cobra.NoFileCompletions)
	}
	if which&ColumnsFlag != 0 {
		fs.StringSliceVar(&o.Columns, "columns", nil, "table/CSV/TSV columns to show, by JSON field name, e.g. id,name,lastUsed")
		// Field names, never file names: no shell fallback to files.
		_ = cmd.RegisterFlagCompletionFunc("columns", cobra.NoFileCompletions)
	}
	if which&NoHeadersFlag != 0 {
		fs.BoolVar(&o.NoHeaders, "no-headers", false, "omit the header row of tables, CSV and TSV")
	}
	if cmd.Annotations == nil {
		cmd.Annotations = map[string]string{}
	}
	cmd.Annotations[outputAnnotation] = strings.TrimSpace(strings.Join(flagNames(which), " "))
}

// OutputFlagsOf reports which output flags cmd added (by name, e.g. "output",
// "jq"); none for a command that prints no data.
func OutputFlagsOf(cmd *cobra.Command) []string {
	return strings.Fields(cmd.Annotations[outputAnnotation])
}

func flagNames(which OutputFlags) []string {
	var names []string
	for _, n := range []struct {
		bit  OutputFlags
		name string
	}{{FormatFlag, "output"}, {JQFlag, "jq"}, {TemplateFlag, "template"}, {ColumnsFlag, "columns"}, {NoHeadersFlag, "no-headers"}} {
		if which&n.bit != 0 {
			names = append(names, n.name)
		}
	}
	return names
}

// formatValue is -o/--output. When the command line sets it, the flag joins
// the factory's flag set, where the configuration finds it (it outranks
// MB_OUTPUT and the profile) and where error reporting looks for -o json.
type formatValue struct {
	f     *Factory
	flag  *pflag.Flag
	valid []string // the formats this command prints
	value string
}

// dataOutputs are the formats of a command that prints no rows: the output
// formats other than CSV and TSV.
func dataOutputs() []string {
	var names []string
	for _, n := range config.ValidOutputs {
		if n != string(output.CSV) && n != string(output.TSV) {
			names = append(names, n)
		}
	}
	return names
}

func (v *formatValue) String() string { return v.value }
func (v *formatValue) Type() string   { return "string" }

func (v *formatValue) Set(s string) error {
	format, err := output.ParseFormat(s)
	if err != nil {
		return err
	}
	if !slices.Contains(v.valid, string(format)) {
		return fmt.Errorf("this command prints no rows, so not %s: valid formats are %s", format, strings.Join(v.valid, ", "))
	}
	v.value = s
	if v.f.Flags == nil {
		v.f.Flags = pflag.NewFlagSet("metabind", pflag.ContinueOnError)
	}
	if v.flag != nil && v.f.Flags.Lookup("output") == nil {
		v.f.Flags.AddFlag(v.flag)
	}
	return nil
}

// FormatFlagValue is the -o given on the command line, "" when none was.
func (f *Factory) FormatFlagValue() string {
	if f.Flags == nil {
		return ""
	}
	if fl := f.Flags.Lookup("output"); fl != nil && fl.Changed {
		return fl.Value.String()
	}
	return ""
}

// WithOutputFlags is AddOutputFlags for a command built in a return
// statement; it returns cmd.
func WithOutputFlags(f *Factory, which OutputFlags, cmd *cobra.Command) *cobra.Command {
	AddOutputFlags(cmd, f, which)
	return cmd
}
