package clitest

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/spf13/cobra"

	"github.com/metabind/metabind-cli/internal/cmdutil"
)

// Parse runs cmd (a verb built with a recording runF, or a group of them) on
// args as the root runs a command line: cobra's own errors are usage errors
// where they arise (cmdutil.TagUsageErrors) and a flag error is exit 2. What
// cobra prints (help, usage) is discarded. It is for flag-parsing tests: the
// runF records the options and runs nothing.
func Parse(cmd *cobra.Command, args ...string) error {
	cmdutil.TagUsageErrors(cmd)
	cmd.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return cmdutil.NewError(cmdutil.ExitUsage, err) })
	cmd.SilenceErrors, cmd.SilenceUsage = true, true
	cmd.SetArgs(args)
	cmd.SetOut(io.Discard)
	cmd.SetErr(io.Discard)
	return cmd.ExecuteContext(context.Background())
}

// ConfigFile is the content of config.yaml in the configuration directory
// dir, "" when there is none.
func ConfigFile(t testing.TB, dir string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "config.yaml"))
	if errors.Is(err, fs.ErrNotExist) {
		return ""
	}
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
