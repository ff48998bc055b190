package auth

import (
	"strings"

	"github.com/metabind/metabind-cli/internal/cmdutil"
	"github.com/metabind/metabind-cli/internal/credstore"
)

// Deps are what every auth verb takes from the factory: what every command
// takes, and the credential store and the environment.
type Deps struct {
	cmdutil.Deps
	// Store returns the credential store of the active profile.
	Store  func() (*credstore.Store, error)
	Getenv func(string) string
}

func newDeps(f *cmdutil.Factory) Deps {
	return Deps{Deps: f.Deps(), Store: f.CredStore, Getenv: f.Getenv}
}

// envTokenSet reports whether MB_TOKEN holds a token, which wins over any
// stored one.
func (d Deps) envTokenSet() bool { return strings.TrimSpace(d.Getenv(credstore.EnvToken)) != "" }
