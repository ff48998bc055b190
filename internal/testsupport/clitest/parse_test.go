package clitest_test

import (
	"testing"

	"github.com/spf13/cobra"

	"github.com/metabind/metabind-cli/internal/cmdutil"
	"github.com/metabind/metabind-cli/internal/testsupport/clitest"
)

// Parse classifies as the root does: cobra's argument and flag errors are
// exit 2, and a command line that parses runs the command.
func TestParse(t *testing.T) {
	newCmd := func(ran *[]string) *cobra.Command {
		cmd := &cobra.Command{Use: "x NAME", Args: cobra.ExactArgs(1), RunE: func(_ *cobra.Command, args []string) error {
			*ran = args
			return nil
		}}
		cmd.Flags().Bool("flag", false, "")
		return cmd
	}
	for _, args := range [][]string{{}, {"a", "b"}, {"a", "--bogus"}, {"a", "--flag=maybe"}} {
		var ran []string
		err := clitest.Parse(newCmd(&ran), args...)
		if cmdutil.ExitCode(err) != cmdutil.ExitUsage || ran != nil {
			t.Errorf("%q: err %v (exit %d), ran %v; want a usage error", args, err, cmdutil.ExitCode(err), ran)
		}
	}
	var ran []string
	if err := clitest.Parse(newCmd(&ran), "a", "--flag"); err != nil || len(ran) != 1 || ran[0] != "a" {
		t.Errorf("err %v, ran %v", err, ran)
	}
}
