//go:build !windows

package keys

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/metabind/metabind-cli/internal/api"
	"github.com/metabind/metabind-cli/internal/cmdutil"
)

func testDelivery(t *testing.T, timeout time.Duration, script string) (Delivery, string) {
	t.Helper()
	dir := t.TempDir()
	return Delivery{
		Argv:    []string{"sh", "-c", script, "stand-in"},
		Timeout: timeout,
		Environ: func() []string {
			return []string{"PATH=" + os.Getenv("PATH"), "DIR=" + dir, "METABIND_KEY_ID=stale", "KEEP=1"}
		},
		LookPath: exec.LookPath,
	}, dir
}

func TestDeliveryRunGivesSecretOnStdinOnly(t *testing.T) {
	d, dir := testDelivery(t, 10*time.Second, `cat > "$DIR/in"; env > "$DIR/env"; echo out; echo err >&2`)
	var errOut bytes.Buffer
	key := api.Key{ID: "k-1", Name: "ci key"}
	if err := d.run(context.Background(), &errOut, key, cmdutil.Scope{Org: "acme", Project: "web"}, "s3cretValue"); err != nil {
		t.Fatal(err)
	}
	in, _ := os.ReadFile(filepath.Join(dir, "in"))
	if string(in) != "s3cretValue" {
		t.Fatalf("stdin %q, want the secret with no newline", in)
	}
	env, _ := os.ReadFile(filepath.Join(dir, "env"))
	for _, want := range []string{"METABIND_KEY_ID=k-1\n", "METABIND_KEY_NAME=ci key\n", "METABIND_ORG=acme\n", "METABIND_PROJECT=web\n", "KEEP=1\n"} {
		if !strings.Contains(string(env), want) {
			t.Errorf("environment lacks %q:\n%s", want, env)
		}
	}
	if strings.Contains(string(env), "stale") || strings.Contains(string(env), "s3cretValue") {
		t.Fatalf("environment holds a stale METABIND_ value or the secret:\n%s", env)
	}
	if errOut.String() != "out\nerr\n" {
		t.Fatalf("CMD's stdout and stderr should both reach errOut, got %q", errOut.String())
	}
}

func TestDeliveryRunFailures(t *testing.T) {
	cases := []struct{ script, want string }{
		{"exit 4", `exited with status 4`},
		{"kill -TERM $$", `was killed by signal terminated`},
	}
	for _, c := range cases {
		d, _ := testDelivery(t, 10*time.Second, c.script)
		err := d.run(context.Background(), &bytes.Buffer{}, api.Key{}, cmdutil.Scope{}, "x")
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), `the delivery command "sh"`) {
			t.Errorf("%s: err %v, want %q", c.script, err, c.want)
		}
	}
}

// At the time limit the whole process group goes, not only CMD.
func TestDeliveryTimeoutKillsTheProcessGroup(t *testing.T) {
	d, dir := testDelivery(t, time.Second, `sleep 60 & echo $! > "$DIR/child"; wait`)
	start := time.Now()
	err := d.run(context.Background(), &bytes.Buffer{}, api.Key{}, cmdutil.Scope{}, "x")
	if err == nil || !strings.Contains(err.Error(), "did not finish within --deliver-timeout 1s") {
		t.Fatalf("err %v", err)
	}
	if time.Since(start) > 30*time.Second {
		t.Fatal("run did not return after the timeout")
	}
	b, rerr := os.ReadFile(filepath.Join(dir, "child"))
	if os.IsNotExist(rerr) {
		t.Skip("the machine is too slow: sh was killed before it started its child")
	}
	if rerr != nil {
		t.Fatal(rerr)
	}
	pid, _ := strconv.Atoi(strings.TrimSpace(string(b)))
	for i := 0; ; i++ {
		if err := syscall.Kill(pid, 0); err != nil || isZombie(pid) {
			break
		}
		if i == 100 {
			t.Fatalf("the child %d of the delivery command survived the timeout", pid)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func isZombie(pid int) bool {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	return err == nil && strings.Contains(string(b), ") Z ")
}

func TestDeliveryInterrupted(t *testing.T) {
	d, _ := testDelivery(t, time.Minute, `sleep 60`)
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	err := d.run(ctx, &bytes.Buffer{}, api.Key{}, cmdutil.Scope{}, "x")
	if err == nil || !strings.Contains(err.Error(), "stopped by an interrupt") {
		t.Fatalf("err %v", err)
	}
}
