package emulator

import (
	"strings"
	"testing"

	"github.com/metabind/metabind-cli/internal/testsupport"
)

// SECURITY X2: the emulator makes keys, token secrets and ids; none of its code
// may import math/rand, whose output can be predicted. crypto/rand only.
func TestNoPredictableRandomness(t *testing.T) {
	imports := testsupport.Imports(t)
	for f, paths := range imports {
		for _, path := range paths {
			if path == "math/rand" || strings.HasPrefix(path, "math/rand/") {
				t.Errorf("%s imports %s; use crypto/rand", f, path)
			}
		}
	}
	if len(imports) < 10 {
		t.Fatalf("checked %d files; run from the package directory", len(imports))
	}
}
