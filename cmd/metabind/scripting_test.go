package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
	"go.yaml.in/yaml/v3"
)

// TestScriptingRecipes runs every run: and script: block of docs/scripting.md, in
// order, as recipe-N.sh against a real emulator (testdata/recipes/*.txtar say
// what each must achieve), so the documented recipes cannot rot. A YAML block
// whose first line is "# recipe: NAME" is also written as recipe-NAME.sh (its
// second run as recipe-NAME-2.sh, and so on), so that a script can name it
// whatever is added to the page before it.
func TestScriptingRecipes(t *testing.T) {
	recipes, err := extractRecipes(filepath.Join("..", "..", "docs", "scripting.md"))
	if err != nil {
		t.Fatal(err)
	}
	if len(recipes) < 6 {
		t.Fatalf("found %d recipes in docs/scripting.md, want at least 6", len(recipes))
	}
	testscript.Run(t, testscript.Params{
		Dir:                 filepath.Join("testdata", "recipes"),
		RequireExplicitExec: true,
		Setup: func(env *testscript.Env) error {
			if err := setupEmulator(env); err != nil {
				return err
			}
			for i, r := range recipes {
				script := []byte("set -euo pipefail\n" + r.script)
				if err := os.WriteFile(filepath.Join(env.WorkDir, fmt.Sprintf("recipe-%d.sh", i+1)), script, 0o600); err != nil {
					return err
				}
				if r.name == "" {
					continue
				}
				if err := os.WriteFile(filepath.Join(env.WorkDir, "recipe-"+r.name+".sh"), script, 0o600); err != nil {
					return err
				}
			}
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"exits":    cmdExits,
			"mint":     cmdMint,
			"nosecret": cmdNoSecret,
		},
	})
}

var (
	yamlFence  = regexp.MustCompile("(?s)```yaml\n(.*?)```")
	recipeName = regexp.MustCompile(`^# recipe: ([a-z0-9-]+)\n`)
)

// recipe is the shell of one run: or script: block, and the name of its YAML
// block ("" when it has none; "NAME-2" and on for its later runs).
type recipe struct {
	name   string
	script string
}

// extractRecipes returns the shell of every run: (a string) and script: (a list
// of lines) in the YAML blocks of a Markdown file, in document order.
func extractRecipes(path string) ([]recipe, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var out []recipe
	seen := map[string]bool{}
	for _, m := range yamlFence.FindAllStringSubmatch(string(b), -1) {
		var doc yaml.Node
		if err := yaml.Unmarshal([]byte(m[1]), &doc); err != nil {
			return nil, fmt.Errorf("%s: a yaml block does not parse: %v", path, err)
		}
		var runs []string
		collectRuns(&doc, &runs)
		name := ""
		if n := recipeName.FindStringSubmatch(m[1]); n != nil {
			name = n[1]
			if seen[name] {
				return nil, fmt.Errorf("%s: two yaml blocks are named %q", path, name)
			}
			seen[name] = true
		}
		for i, r := range runs {
			rn := name
			if name != "" && i > 0 {
				rn = fmt.Sprintf("%s-%d", name, i+1)
			}
			out = append(out, recipe{name: rn, script: r})
		}
	}
	return out, nil
}

func collectRuns(n *yaml.Node, out *[]string) {
	if n.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			switch {
			case k.Value == "run" && v.Kind == yaml.ScalarNode:
				*out = append(*out, v.Value)
				continue
			case k.Value == "script" && v.Kind == yaml.SequenceNode:
				lines := make([]string, 0, len(v.Content))
				for _, l := range v.Content {
					lines = append(lines, l.Value)
				}
				*out = append(*out, strings.Join(lines, "\n")+"\n")
				continue
			}
			collectRuns(v, out)
		}
		return
	}
	for _, c := range n.Content {
		collectRuns(c, out)
	}
}
