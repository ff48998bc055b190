package auth

import (
	"context"
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

// withContext runs f, a call that may block (the keyring: each call bounded
// by its own timeout), and returns ctx's error as soon as ctx ends, leaving f
// to finish on its own. It does not start f once ctx has ended.
func withContext[T any](ctx context.Context, f func() (T, error)) (T, error) {
	var zero T
	if err := ctx.Err(); err != nil {
		return zero, err
	}
	type result struct {
		v   T
		err error
	}
	ch := make(chan result, 1) // buffered: an abandoned f never blocks
	go func() {
		v, err := f()
		ch <- result{v, err}
	}()
	select {
	case r := <-ch:
		return r.v, r.err
	case <-ctx.Done():
		return zero, ctx.Err()
	}
}
