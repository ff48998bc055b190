package keys

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/metabind/metabind-cli/internal/cmdutil"
)

// -q prints only the secret: an output option given with it is a usage error
// that names both and what to do, and the run function never starts.
func TestQuietConflictsWithOutputOptions(t *testing.T) {
	ran := false
	create := func(f *cmdutil.Factory) *cobra.Command {
		return NewCmdCreate(f, func(context.Context, *CreateOptions) error { ran = true; return nil })
	}
	rotate := func(f *cmdutil.Factory) *cobra.Command {
		return NewCmdRotate(f, func(context.Context, *RotateOptions) error { ran = true; return nil })
	}
	cases := []struct {
		build func(*cmdutil.Factory) *cobra.Command
		args  []string
		flag  string // named in the message
		jq    string // the hint's way out
	}{
		{create, []string{"--name", "ci", "-q", "-o", "json"}, "-o json", "-o json --jq .key"},
		{create, []string{"--name", "ci", "-q", "-o", "table"}, "-o table", ".key"},
		{create, []string{"--name", "ci", "--quiet", "--output=yaml"}, "-o yaml", ".key"},
		{create, []string{"--name", "ci", "-q", "--jq", ".key"}, "--jq", ".key"},
		{create, []string{"--name", "ci", "-q", "--template", "{{.key}}"}, "--template", ".key"},
		{create, []string{"--name", "ci", "-q", "--columns", "key"}, "--columns", ".key"},
		{create, []string{"--name", "ci", "-q", "--no-headers"}, "--no-headers", ".key"},
		{rotate, []string{"ci", "--yes", "-q", "-o", "json"}, "-o json", "-o json --jq .new.key"},
		{rotate, []string{"ci", "--yes", "-q", "--jq", ".new.key"}, "--jq", ".new.key"},
	}
	for _, c := range cases {
		ran = false
		err := parse(t, c.build, false, c.args...)
		if err == nil {
			t.Errorf("%q: no error", c.args)
			continue
		}
		if code := cmdutil.ExitCode(err); code != cmdutil.ExitUsage {
			t.Errorf("%q: exit %d, want %d", c.args, code, cmdutil.ExitUsage)
		}
		msg := err.Error()
		var ce *cmdutil.Error
		if errors.As(err, &ce) {
			msg += " " + ce.Hint
		}
		for _, want := range []string{"-q/--quiet and " + c.flag + " cannot be used together", "nothing was changed", "drop " + c.flag, c.jq} {
			if !strings.Contains(msg, want) {
				t.Errorf("%q: message %q lacks %q", c.args, msg, want)
			}
		}
		if ran {
			t.Errorf("%q: the command ran", c.args)
		}
	}
	// Without -q, or with -q alone, nothing conflicts.
	for _, args := range [][]string{{"--name", "ci", "-q"}, {"--name", "ci", "-o", "json", "--jq", ".key"}} {
		ran = false
		if err := parse(t, create, false, args...); err != nil || !ran {
			t.Errorf("%q: err %v, ran %v; want it to run", args, err, ran)
		}
	}
}
