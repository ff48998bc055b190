package output

import (
	"path/filepath"
	"testing"

	"github.com/metabind/metabind-cli/internal/testsupport"
)

// assertGolden compares got with testdata/<name>.golden, or rewrites the file
// when the test runs with -update (testsupport.Golden owns the flag).
func assertGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	testsupport.Golden(t, filepath.Join("testdata", name+".golden"), got)
}
