package cmdutil

import (
	"time"

	"github.com/metabind/metabind-cli/internal/api"
	"github.com/metabind/metabind-cli/internal/config"
	"github.com/metabind/metabind-cli/internal/credstore"
	"github.com/metabind/metabind-cli/internal/iostreams"
	"github.com/metabind/metabind-cli/internal/output"
)

// Deps is what a command's options struct takes from the factory: the streams,
// the clock and the lazily built providers. Copying them builds nothing; each
// is built when the run function first calls it, so a command that makes no
// request loads no credential. Every command's options struct embeds it.
type Deps struct {
	IO        *iostreams.IOStreams
	Config    func() (*config.Config, error)
	Printer   func() (*output.Printer, error)
	Token     func() (credstore.Token, *credstore.Claims, error)
	Scope     func() (Scope, error)
	APIClient func() (*api.Client, error)
	// UnknownProfile is Factory.UnknownProfile: a usage error for a named
	// profile with no settings, for commands that only read settings.
	UnknownProfile func() error
	Now            func() time.Time
}

// Deps returns the factory's providers, unbuilt.
func (f *Factory) Deps() Deps {
	return Deps{
		IO:             f.IOStreams,
		Config:         f.Config,
		Printer:        f.Printer,
		Token:          f.Token,
		Scope:          f.Scope,
		APIClient:      f.APIClient,
		UnknownProfile: f.UnknownProfile,
		// Read at each call: a test may set the factory's clock later.
		Now: func() time.Time { return f.Now() },
	}
}
