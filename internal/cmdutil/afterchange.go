package cmdutil

import (
	"errors"
	"fmt"

	"github.com/metabind/metabind-cli/internal/api"
	"github.com/metabind/metabind-cli/internal/output"
)

// Changes returns the requests of this command that succeeded and may have
// changed something (creates, updates, deletes), across every client the
// factory built.
func (f *Factory) Changes() []api.Change {
	f.clientsMu.Lock()
	defer f.clientsMu.Unlock()
	var all []api.Change
	for _, c := range f.clients {
		all = append(all, c.Changes()...)
	}
	return all
}

// AfterChange turns an output failure (--jq, --template or --columns that
// failed on the data) that came after a change into exit 1, saying what was
// changed: exit 2 promises that nothing changed. Output expressions that do
// not compile are refused before any request, so they never get here with a
// change behind them. Any other error is returned as it is.
func AfterChange(err error, changes []api.Change) error {
	if err == nil || len(changes) == 0 || ExitCode(err) != ExitUsage {
		return err
	}
	if !errors.Is(err, output.ErrJQ) && !errors.Is(err, output.ErrTemplate) && !errors.Is(err, output.ErrColumns) {
		return err
	}
	first := changes[0]
	what := fmt.Sprintf("%s %s succeeded (HTTP %d, request id %s)", first.Method, first.Path, first.StatusCode, first.RequestID)
	if n := len(changes); n > 1 {
		what = fmt.Sprintf("%d changes were made, the first %s", n, what)
	}
	return NewError(ExitError, fmt.Errorf("%s, but the output could not be printed: %w", what, err)).
		WithHint("the change stands; print it again without the failing option (e.g. -o json) to see it")
}
