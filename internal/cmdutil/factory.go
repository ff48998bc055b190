// Package cmdutil holds what every command shares: the factory of lazily built
// dependencies, typed errors and the one mapping from errors to exit codes.
package cmdutil

import (
	"time"

	"github.com/metabind/metabind-cli/internal/iostreams"
)

// Factory hands commands their dependencies. Everything expensive (configuration,
// credentials, the API client) is built on first use, so a command that makes no
// request never reads a file or touches the keyring.
type Factory struct {
	IOStreams *iostreams.IOStreams
	// Getenv reads the environment; tests replace it.
	Getenv func(string) string
	// Now is the clock; tests replace it.
	Now func() time.Time
}
