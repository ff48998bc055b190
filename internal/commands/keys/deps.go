package keys

import (
	"time"

	"github.com/metabind/metabind-cli/internal/api"
	"github.com/metabind/metabind-cli/internal/cmdutil"
	"github.com/metabind/metabind-cli/internal/iostreams"
	"github.com/metabind/metabind-cli/internal/output"
)

// Deps is what every keys verb that calls the admin API takes from the factory;
// each verb's options struct embeds it.
type Deps struct {
	IO        *iostreams.IOStreams
	APIClient func() (*api.Client, error)
	Scope     func() (cmdutil.Scope, error)
	Printer   func() (*output.Printer, error)
	Now       func() time.Time
}

func newDeps(f *cmdutil.Factory) Deps {
	return Deps{IO: f.IOStreams, APIClient: f.APIClient, Scope: f.Scope, Printer: f.Printer, Now: f.Now}
}

// prepare resolves the output options, then org and project, then the client,
// in that order, so usage errors come before any credential is read.
func (d Deps) prepare() (*output.Printer, cmdutil.Scope, *api.Client, error) {
	p, err := d.Printer()
	if err != nil {
		return nil, cmdutil.Scope{}, nil, err
	}
	scope, err := d.Scope()
	if err != nil {
		return nil, cmdutil.Scope{}, nil, err
	}
	client, err := d.APIClient()
	if err != nil {
		return nil, cmdutil.Scope{}, nil, err
	}
	return p, scope, client, nil
}
