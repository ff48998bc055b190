package cmdutil

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/metabind/metabind-cli/internal/api"
	"github.com/metabind/metabind-cli/internal/output"
)

func TestAfterChange(t *testing.T) {
	jqErr := fmt.Errorf("%w: cannot iterate over string", output.ErrJQ)
	change := []api.Change{{Method: "PUT", Path: "/app/v1/organizations/acme/projects/web/api-keys/k1", StatusCode: 200, RequestID: "r1"}}

	if got := AfterChange(jqErr, nil); ExitCode(got) != ExitUsage {
		t.Errorf("no change: exit %d, want 2", ExitCode(got))
	}
	got := AfterChange(jqErr, change)
	if ExitCode(got) != ExitError || !errors.Is(got, output.ErrJQ) {
		t.Fatalf("after a change: exit %d (%v), want 1 wrapping the output error", ExitCode(got), got)
	}
	if !strings.Contains(got.Error(), "PUT /app/v1/organizations/acme/projects/web/api-keys/k1 succeeded (HTTP 200, request id r1)") {
		t.Errorf("message does not say what changed: %v", got)
	}
	two := append(change, api.Change{Method: "PUT", Path: "/x", StatusCode: 200})
	if got := AfterChange(jqErr, two); !strings.Contains(got.Error(), "2 changes were made") {
		t.Errorf("two changes: %v", got)
	}
	// Other errors, and usage errors that are not output failures, are left alone.
	usage := FlagErrorf("bad flag")
	if got := AfterChange(usage, change); got != usage {
		t.Errorf("a usage error was rewritten: %v", got)
	}
	notFound := &api.Error{StatusCode: 404}
	if got := AfterChange(notFound, change); got != error(notFound) {
		t.Errorf("an API error was rewritten: %v", got)
	}
	if AfterChange(nil, change) != nil {
		t.Error("nil became an error")
	}
}
