package keys

import (
	"github.com/metabind/metabind-cli/internal/api"
	"github.com/metabind/metabind-cli/internal/cmdutil"
	"github.com/metabind/metabind-cli/internal/output"
)

// Deps is what every keys verb that calls the admin API takes from the factory:
// the factory's providers (cmdutil.Deps), unbuilt. Each verb's options struct
// embeds it.
type Deps struct {
	cmdutil.Deps
}

func newDeps(f *cmdutil.Factory) Deps { return Deps{Deps: f.Deps()} }

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
