package main

import (
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/metabind/metabind-cli/internal/testsupport/clitest"
)

var shFence = regexp.MustCompile("(?s)```sh\n(.*?)```")

// portLine is the Quickstart's "PORT=8787" line, which the test points at a
// free port.
var portLine = regexp.MustCompile(`(?m)^(PORT=)8787\b`)

func readmeBlocks(t *testing.T) []string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	var blocks []string
	for _, m := range shFence.FindAllStringSubmatch(string(b), -1) {
		blocks = append(blocks, m[1])
	}
	return blocks
}

// TestREADMECommands runs every sh block of README.md. The set-up block
// (make demo, make test), the package block and the release-archive block run
// in CI instead: this test checks that .ci/run, .ci/release-check.sh and
// .ci/package-check.sh do run them.
func TestREADMECommands(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the README's commands")
	}
	bin, err := exec.LookPath("metabind")
	if err != nil {
		t.Skip("metabind is not on PATH (run through go test)")
	}
	blocks := readmeBlocks(t)
	if len(blocks) < 6 {
		t.Fatalf("README.md has %d sh blocks; expected the set-up, install, completion, quickstart and real-API blocks", len(blocks))
	}
	ran := 0
	for i, block := range blocks {
		switch {
		case i == 0:
			checkSetupBlock(t, block)
		case strings.Contains(block, "tar -xzf"):
			checkRunBy(t, ".ci/release-check.sh", "README.md")
		case strings.Contains(block, "dpkg -i"):
			// The package block: installing needs root, so CI does it.
			checkRunBy(t, ".ci/release-check.sh", ".ci/package-check.sh")
			checkRunBy(t, ".ci/package-check.sh", `dpkg -i "$deb"`)
			checkRunBy(t, ".ci/package-check.sh", `rpm -qlvp "$rpm"`)
			checkRunBy(t, ".ci/package-check.sh", "dist/homebrew/Casks/metabind.rb")
		default:
			runREADMEBlock(t, bin, i, block)
			ran++
		}
	}
	if ran < 4 {
		t.Fatalf("ran %d README blocks, want at least 4", ran)
	}
}

func checkSetupBlock(t *testing.T, block string) {
	t.Helper()
	lines := strings.Split(strings.TrimSpace(block), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "make demo") || !strings.HasPrefix(lines[1], "make test") {
		t.Fatalf("the README must start with `make demo` and `make test`, got:\n%s", block)
	}
	checkRunBy(t, ".ci/run", "make demo")
	checkRunBy(t, ".ci/run", "make test")
}

func checkRunBy(t *testing.T, script, want string) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", script))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), want) {
		t.Fatalf("%s does not run %q, so a README command goes untested", script, want)
	}
}

func runREADMEBlock(t *testing.T, bin string, i int, block string) {
	t.Run(firstCommand(block), func(t *testing.T) {
		home := t.TempDir()
		env := []string{
			"PATH=" + filepath.Dir(bin) + string(os.PathListSeparator) + os.Getenv("PATH"),
			"HOME=" + home,
			"XDG_CONFIG_HOME=" + filepath.Join(home, ".config"),
			"XDG_DATA_HOME=" + filepath.Join(home, ".local", "share"),
			"MB_CONFIG_DIR=" + filepath.Join(home, "metabind"),
			"MB_NO_KEYRING=1",
			"NO_COLOR=1",
			"GOBIN=" + filepath.Join(home, "gobin"),
			"GOFLAGS=" + os.Getenv("GOFLAGS"),
			"GOCACHE=" + goEnv(t, "GOCACHE"),
			"GOMODCACHE=" + goEnv(t, "GOMODCACHE"),
			"GOPROXY=" + goEnv(t, "GOPROXY"),
		}
		var stdin string
		script := block
		if strings.Contains(block, "metabind auth login ") && !strings.Contains(block, "--with-token") {
			// The real-API block: the emulator stands in for api.metabind.ai, the
			// JWT is pasted on stdin, and the placeholders get real ids.
			url, token := readmeEmulator(t)
			env = append(env, "MB_API_URL="+url)
			stdin = token + "\n"
			script = strings.NewReplacer("--org ORG", "--org acme", "--project PROJECT", "--project web").Replace(script)
		}
		if strings.Contains(block, "emulator start") && !portLine.MatchString(block) {
			t.Fatalf("README block %d starts an emulator without a PORT=8787 line for its port:\n%s", i, block)
		}
		if portLine.MatchString(script) {
			// The Quickstart's own emulator: give it a free port, so the test
			// passes while something else (another emulator) holds 8787.
			script = portLine.ReplaceAllString(script, "${1}"+freePort(t))
		}
		cmd := exec.Command("bash", "-c", "set -euo pipefail\n"+script)
		// A block that builds from the clone runs there; the others in a scratch
		// directory, so files they write stay out of the repository.
		cmd.Dir = t.TempDir()
		if strings.Contains(block, "./cmd/") {
			cmd.Dir = filepath.Join("..", "..")
		}
		cmd.Env = env
		cmd.Stdin = strings.NewReader(stdin)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("README block %d failed: %v\n--- block ---\n%s\n--- output ---\n%s", i, err, block, out)
		}
		t.Logf("README block %d:\n%s", i, out)
	})
}

// freePort returns a loopback port that was free a moment ago: the kernel
// picks it, and it is released for the README's emulator to take.
func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
}

func firstCommand(block string) string {
	line := strings.TrimSpace(strings.SplitN(strings.TrimSpace(block), "\n", 2)[0])
	if i := strings.Index(line, "#"); i > 0 {
		line = strings.TrimSpace(line[:i])
	}
	return line
}

func goEnv(t *testing.T, name string) string {
	out, err := exec.Command("go", "env", name).Output()
	if err != nil {
		t.Fatalf("go env %s: %v", name, err)
	}
	return strings.TrimSpace(string(out))
}

func readmeEmulator(t *testing.T) (url, token string) {
	t.Helper()
	s := clitest.Emulator(t, clitest.DefaultRateLimit(), clitest.AdminToken("admin", "readme", time.Hour))
	return s.URL, s.Token
}
