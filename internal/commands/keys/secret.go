package keys

import (
	"bytes"
	"fmt"
	"io"
	"time"

	"github.com/metabind/metabind-cli/internal/api"
	"github.com/metabind/metabind-cli/internal/cmdutil"
	"github.com/metabind/metabind-cli/internal/output"
)

// A new key's secret is shown once. --jq, --template and --columns can shape
// the output so that it leaves the secret out; create and rotate check that
// before changing anything, and check again when printing.

// secretSentinel stands in for a new key's secret in that first check.
const secretSentinel = "mbSecretCheck7zvFJw9L0qEoYdKx2mB"

// sampleKey is a key as the API returns it, with secret as its secret.
func sampleKey(name, secret string, now time.Time) api.Key {
	return api.Key{
		ID: "00000000-0000-4000-8000-000000000000", ProjectID: "project", Name: name, Key: secret,
		Status: "active", CreatedBy: "user", CreatedAt: now, UpdatedAt: now,
	}
}

// checkShowsSecret renders a sample new key with render and refuses (a usage
// error, before anything is created) output options that would not show its
// secret, or that fail on it.
func checkShowsSecret(render func(w io.Writer, k api.Key) error, name string, now time.Time) error {
	var buf bytes.Buffer
	if err := render(&buf, sampleKey(name, secretSentinel, now)); err != nil {
		return cmdutil.FlagErrorf("the output options fail on a new key (%v); nothing was changed", err).
			WithHint("fix --jq, --template or --columns, or use -q to print only the secret")
	}
	if !bytes.Contains(buf.Bytes(), []byte(secretSentinel)) {
		return cmdutil.FlagErrorf("the output options (--jq, --template or --columns) would leave out the new key's secret, which is shown only once; nothing was changed").
			WithHint("include the key (--jq .key, --columns id,name,key), or use -q to print only the secret, or --output-file PATH")
	}
	return nil
}

// writeShowingSecret writes what render produces when it holds the secret; if
// it does not (a filter that depends on the values), or fails, the whole of
// fallback goes out as JSON instead, so the only copy of the secret is not lost.
func writeShowingSecret(out, errOut io.Writer, render func(io.Writer) error, secret string, fallback any) error {
	var buf bytes.Buffer
	err := render(&buf)
	if err == nil && bytes.Contains(buf.Bytes(), []byte(secret)) {
		_, err = out.Write(buf.Bytes())
		return err
	}
	fmt.Fprintln(errOut, "warning: the output options would not show the new secret; printing the whole key as JSON instead")
	return output.WriteJSON(out, fallback)
}
