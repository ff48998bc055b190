package names

import (
	"strings"
	"testing"

	"github.com/metabind/metabind-cli/internal/testsupport"
)

// The package is a leaf: the CLI and the emulator both import it, so it may
// depend on nothing but the standard library and golang.org/x/text.
func TestLeafImports(t *testing.T) {
	for f, paths := range testsupport.Imports(t) {
		for _, path := range paths {
			first, _, _ := strings.Cut(path, "/")
			if strings.Contains(first, ".") && !strings.HasPrefix(path, "golang.org/x/text/") {
				t.Errorf("%s imports %s; only the standard library and golang.org/x/text", f, path)
			}
		}
	}
}
