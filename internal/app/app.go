// Package app is the entry point of the metabind binary: it builds the factory and
// the command tree, runs the command under a signal-aware context and turns the
// outcome into an exit code.
package app

import (
	"context"
	"os"

	"github.com/metabind/metabind-cli/internal/iostreams"
)

// Main runs metabind with the process's arguments and streams and returns the exit code.
func Main() int {
	return Run(context.Background(), os.Args[1:], iostreams.System(), os.Getenv)
}
