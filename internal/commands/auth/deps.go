package auth

import (
	"context"
	"strings"
	"time"

	"github.com/metabind/metabind-cli/internal/cmdutil"
	"github.com/metabind/metabind-cli/internal/credstore"
	"github.com/metabind/metabind-cli/internal/iostreams"
)

// Deps are what every auth verb takes from the factory.
type Deps struct {
	IO *iostreams.IOStreams
	// Store returns the credential store of the active profile.
	Store  func() (*credstore.Store, error)
	Getenv func(string) string
	Now    func() time.Time
}

func newDeps(f *cmdutil.Factory) Deps {
	return Deps{IO: f.IOStreams, Store: f.CredStore, Getenv: f.Getenv, Now: f.Now}
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
