package keys

import (
	"bytes"
	"context"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"

	"github.com/metabind/metabind-cli/internal/cmdutil"
)

func TestDeliveryFlags(t *testing.T) {
	var gotCreate *CreateOptions
	var gotRotate *RotateOptions
	create := func(f *cmdutil.Factory) *cobra.Command {
		return NewCmdCreate(f, func(_ context.Context, o *CreateOptions) error { gotCreate = o; return nil })
	}
	rotate := func(f *cmdutil.Factory) *cobra.Command {
		return NewCmdRotate(f, func(_ context.Context, o *RotateOptions) error { gotRotate = o; return nil })
	}
	if err := parse(t, create, false, "--name", "ci", "--deliver-timeout", "5s", "--", "sh", "-c", "cat", "--name"); err != nil {
		t.Fatal(err)
	}
	if want := []string{"sh", "-c", "cat", "--name"}; !reflect.DeepEqual(gotCreate.Delivery.Argv, want) || gotCreate.Delivery.Timeout != 5*time.Second || gotCreate.Name != "ci" {
		t.Fatalf("create: argv %q, timeout %s, name %q", gotCreate.Delivery.Argv, gotCreate.Delivery.Timeout, gotCreate.Name)
	}
	if err := parse(t, create, false, "--name", "ci"); err != nil || gotCreate.Delivery.Enabled() || gotCreate.Delivery.Timeout != defaultDeliverTimeout {
		t.Fatalf("create without --: err %v, delivery %+v", err, gotCreate.Delivery)
	}
	if err := parse(t, rotate, false, "ci", "--yes", "--", "sh", "-q"); err != nil {
		t.Fatal(err)
	}
	if gotRotate.Arg != "ci" || !reflect.DeepEqual(gotRotate.Delivery.Argv, []string{"sh", "-q"}) || gotRotate.Quiet {
		t.Fatalf("rotate: arg %q, argv %q, quiet %v", gotRotate.Arg, gotRotate.Delivery.Argv, gotRotate.Quiet)
	}

	usage := []struct {
		build func(*cmdutil.Factory) *cobra.Command
		args  []string
		want  string
	}{
		{create, []string{"--name", "ci", "-q", "--", "sh"}, "-q/--quiet prints the secret"},
		{create, []string{"--name", "ci", "--output-file", "x.key", "--", "sh"}, "--output-file writes the secret"},
		{create, []string{"--name", "ci", "--"}, "-- must be followed by the delivery command"},
		{create, []string{"--name", "ci", "--", ""}, "is empty"},
		{create, []string{"--name", "ci", "--deliver-timeout", "1s"}, "needs a delivery command"},
		{create, []string{"--name", "ci", "--deliver-timeout", "-1s", "--", "sh"}, "must be positive"},
		{create, []string{"--name", "ci", "--", "no-such-command-for-metabind"}, "was not found"},
		{create, []string{"--name", "ci", "--key-stdin", "--", "sh"}, "delivery command is for a new secret"},
		{create, []string{"--name", "ci", "stray", "--", "sh"}, "takes no arguments"},
		{rotate, []string{"ci", "--yes", "-q", "--", "sh"}, "-q/--quiet"},
		{rotate, []string{"ci", "--yes", "--output-file", "x.key", "--", "sh"}, "--output-file"},
		{rotate, []string{"--yes", "--", "sh"}, "accepts 1 arg"},
		{rotate, []string{"ci", "other", "--yes", "--", "sh"}, "accepts 1 arg"},
	}
	for _, c := range usage {
		gotCreate, gotRotate = nil, nil
		err := parse(t, c.build, false, c.args...)
		if err == nil || cmdutil.ExitCode(err) != cmdutil.ExitUsage || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: err %v (exit %d), want a usage error containing %q", c.args, err, cmdutil.ExitCode(err), c.want)
		}
		if gotCreate != nil || gotRotate != nil {
			t.Errorf("%q: run function called despite invalid input", c.args)
		}
	}
	if _, err := os.Stat("x.key"); err == nil {
		t.Fatal("a refused --output-file was created")
	}
}

func TestMasker(t *testing.T) {
	regular, err := os.CreateTemp(t.TempDir(), "stderr")
	if err != nil {
		t.Fatal(err)
	}
	defer regular.Close()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	cases := []struct {
		name    string
		env     map[string]string
		regular bool
		want    string // the prefix, "" for none
		warn    bool
		usage   bool
	}{
		{name: "outside CI", env: map[string]string{}},
		{name: "github pipe", env: map[string]string{"GITHUB_ACTIONS": "true"}, want: "::add-mask::"},
		{name: "github file", env: map[string]string{"GITHUB_ACTIONS": "true"}, regular: true},
		{name: "github forced into a file", env: map[string]string{"GITHUB_ACTIONS": "true", "MB_MASK_SECRETS": "1"}, regular: true, want: "::add-mask::"},
		{name: "github off", env: map[string]string{"GITHUB_ACTIONS": "true", "MB_MASK_SECRETS": "0"}},
		{name: "azure pipe", env: map[string]string{"TF_BUILD": "True"}, want: "##vso[task.setsecret]"},
		{name: "azure file", env: map[string]string{"TF_BUILD": "True"}, regular: true},
		{name: "both: github", env: map[string]string{"TF_BUILD": "True", "GITHUB_ACTIONS": "true"}, want: "::add-mask::"},
		{name: "github=false", env: map[string]string{"GITHUB_ACTIONS": "false"}},
		{name: "forced outside CI", env: map[string]string{"MB_MASK_SECRETS": "1"}, warn: true},
		{name: "bad value", env: map[string]string{"MB_MASK_SECRETS": "maybe", "GITHUB_ACTIONS": "true"}, usage: true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			getenv := func(k string) string { return c.env[k] }
			var warnings bytes.Buffer
			errOut := any(w)
			if c.regular {
				errOut = regular
			}
			m, err := newMasker(getenv, writerPair{errOut.(*os.File), &warnings})
			if c.usage {
				if cmdutil.ExitCode(err) != cmdutil.ExitUsage {
					t.Fatalf("err %v, want a usage error", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if m.prefix != c.want {
				t.Fatalf("prefix %q, want %q", m.prefix, c.want)
			}
			if got := strings.Contains(warnings.String(), "no CI runner"); got != c.warn {
				t.Fatalf("warning %q, want one: %v", warnings.String(), c.warn)
			}
		})
	}
	// The line is the prefix, the secret and a newline, once per secret.
	var buf bytes.Buffer
	m := &masker{w: &buf, prefix: "::add-mask::"}
	m.mask("abc")
	m.mask("")
	if buf.String() != "::add-mask::abc\n" {
		t.Fatalf("mask wrote %q", buf.String())
	}
}

// writerPair is an *os.File for the regular-file check whose writes go to a
// buffer, so a test can see warnings without reading the pipe.
type writerPair struct {
	*os.File
	buf *bytes.Buffer
}

func (p writerPair) Write(b []byte) (int, error) { return p.buf.Write(b) }

func TestWithoutMetabindVars(t *testing.T) {
	got := withoutMetabindVars([]string{"PATH=/bin", "METABIND_KEY_ID=stale", "metabind_org=x", "METABIND_OTHER=kept", "HOME=/h"})
	want := []string{"PATH=/bin", "METABIND_OTHER=kept", "HOME=/h"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %q, want %q", got, want)
	}
}
