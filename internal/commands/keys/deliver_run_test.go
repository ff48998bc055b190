package keys_test

import (
	"encoding/json"
	"os/exec"
	"strings"
	"testing"
)

// A delivery command that fails leaves no key behind (exit 8); one that
// succeeds keeps it, and the output carries "delivered" and no secret.
func TestDeliveryRollbackInProcess(t *testing.T) {
	if _, err := exec.LookPath("false"); err != nil {
		t.Skip("no false(1) on PATH")
	}
	e := newEnv(t)
	r := e.run(false, nil, "keys", "create", "--name", "ci", "-o", "json", "--", "false")
	if r.Code != 8 || r.Stdout != "" {
		t.Fatalf("exit %d, stdout %q; stderr %s", r.Code, r.Stdout, r.Stderr)
	}
	var je struct {
		Error struct {
			NewKey struct {
				Cleanup string `json:"cleanup"`
				Live    bool   `json:"live"`
			} `json:"newKey"`
		} `json:"error"`
	}
	if err := json.Unmarshal([]byte(r.Stderr), &je); err != nil || je.Error.NewKey.Cleanup != "deleted" || je.Error.NewKey.Live {
		t.Fatalf("JSON error %q (%v)", r.Stderr, err)
	}
	if ks := e.Keys(); len(ks) != 0 {
		t.Fatalf("%d keys left after a failed delivery", len(ks))
	}

	r = e.run(false, nil, "keys", "create", "--name", "ci", "-o", "json", "--", "true")
	if r.Code != 0 {
		t.Fatalf("exit %d; stderr %s", r.Code, r.Stderr)
	}
	var k map[string]any
	if err := json.Unmarshal([]byte(r.Stdout), &k); err != nil {
		t.Fatal(err)
	}
	if k["delivered"] != true || k["name"] != "ci" || k["key"] != nil {
		t.Fatalf("output %s", r.Stdout)
	}
	if ks := e.Keys(); len(ks) != 1 || ks[0].Status != "active" {
		t.Fatalf("keys after a delivery: %+v", ks)
	}

	// rotate: a failed delivery keeps the old key as it was.
	old := e.Keys()[0]
	r = e.run(false, nil, "keys", "rotate", "ci", "--yes", "--", "false")
	if r.Code != 8 || !strings.Contains(r.Stderr, "was not changed") {
		t.Fatalf("exit %d; stderr %s", r.Code, r.Stderr)
	}
	if ks := e.Keys(); len(ks) != 1 || ks[0].ID != old.ID || ks[0].Name != "ci" || ks[0].Status != "active" {
		t.Fatalf("keys after a failed rotation: %+v", ks)
	}
}
