package emulator

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// SECURITY X2: the emulator makes keys, token secrets and ids; none of its code
// may import math/rand, whose output can be predicted. crypto/rand only.
func TestNoPredictableRandomness(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		af, err := parser.ParseFile(token.NewFileSet(), f, src, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		checked++
		for _, imp := range af.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			if path == "math/rand" || strings.HasPrefix(path, "math/rand/") {
				t.Errorf("%s imports %s; use crypto/rand", f, path)
			}
		}
	}
	if checked < 10 {
		t.Fatalf("checked %d files; run from the package directory", checked)
	}
}
