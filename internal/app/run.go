package app

import (
	"context"
	"fmt"
	"time"

	"github.com/metabind/metabind-cli/internal/cmdutil"
	"github.com/metabind/metabind-cli/internal/commands/root"
	"github.com/metabind/metabind-cli/internal/iostreams"
)

// Run executes one command line and returns its exit code.
func Run(ctx context.Context, args []string, ios *iostreams.IOStreams, getenv func(string) string) int {
	f := &cmdutil.Factory{IOStreams: ios, Getenv: getenv, Now: time.Now}
	cmd := root.NewCmdRoot(f)
	cmd.SetArgs(args)
	err := cmd.ExecuteContext(ctx)
	if err != nil {
		fmt.Fprintln(ios.ErrOut, "error:", err)
		return cmdutil.ExitError
	}
	return cmdutil.ExitOK
}
