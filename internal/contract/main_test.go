package contract

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/metabind/metabind-cli/internal/emulator"
)

// target is the server every test talks to.
var target *Target

// local is the in-process emulator behind target; nil for a remote target.
var local *localEnv

// localEnv holds what only the in-process emulator offers.
type localEnv struct {
	emu    *emulator.Emulator
	dir    string // the directory of the database (and of the emulator's secret)
	seeds  map[string]emulator.SeedResult
	secret []byte // the emulator's JWT secret when it could be identified beside the database, else nil

	otherProject           string // second project of target.Org
	otherOrg, otherOrgProj string // project of another organization

	projects atomic.Int64
}

func TestMain(m *testing.M) {
	os.Exit(runMain(m))
}

func runMain(m *testing.M) int {
	remote, ok, err := RemoteFromEnv(os.Getenv)
	if err != nil {
		fmt.Fprintln(os.Stderr, "contract:", err)
		return 2
	}
	if ok {
		target = remote
		return m.Run()
	}

	dir, err := os.MkdirTemp("", "metabind-contract-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "contract:", err)
		return 1
	}
	defer os.RemoveAll(dir)

	ctx := context.Background()
	cfg := emulator.DefaultConfig()
	cfg.DBPath = filepath.Join(dir, "emulator.db")
	cfg.RateLimit = 0
	emu, err := emulator.Open(ctx, cfg)
	if err != nil {
		fmt.Fprintln(os.Stderr, "contract: opening the emulator:", err)
		return 1
	}
	defer emu.Close()

	env := &localEnv{
		emu: emu, dir: dir, seeds: map[string]emulator.SeedResult{},
		otherProject: "mobile", otherOrg: "globex", otherOrgProj: "site",
	}
	for _, p := range [][2]string{{"acme", "web"}, {"acme", "mobile"}, {"globex", "site"}} {
		res, err := emu.Seed(ctx, p[0], p[1])
		if err != nil {
			fmt.Fprintf(os.Stderr, "contract: seeding %s/%s: %v\n", p[0], p[1], err)
			return 1
		}
		env.seeds[p[0]+"/"+p[1]] = res
	}
	token, err := emu.MintToken(emulator.TokenRequest{Org: "acme", Role: "owner", Subject: "contract-owner", TTL: time.Hour})
	if err != nil {
		fmt.Fprintln(os.Stderr, "contract: minting a token:", err)
		return 1
	}
	env.secret = findSecret(dir, token)

	srv := httptest.NewServer(emu.Handler())
	defer srv.Close()
	transport := &http.Transport{MaxIdleConns: 200, MaxIdleConnsPerHost: 200}
	defer transport.CloseIdleConnections()

	target = &Target{
		BaseURL: srv.URL,
		Org:     "acme",
		Project: "web",
		Token:   token,
		Client:  &http.Client{Transport: transport, Timeout: 30 * time.Second},
	}
	local = env
	return m.Run()
}

// findSecret looks beside the database for the emulator's JWT secret (the
// design keeps it in a file there) and returns it only when it provably is:
// it must reproduce the HS256 signature of token. Encodings tried: raw bytes,
// trimmed text, hex, base64 (standard and URL, padded or not).
func findSecret(dir, token string) []byte {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return nil
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil
	}
	for _, e := range entries {
		switch e.Name() {
		case "emulator.db", "emulator.db-wal", "emulator.db-shm", "emulator.db-journal":
			continue
		}
		if !e.Type().IsRegular() {
			continue
		}
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil || len(data) == 0 || len(data) > 4096 {
			continue
		}
		trimmed := bytes.TrimSpace(data)
		candidates := [][]byte{data, trimmed}
		if b, err := hex.DecodeString(string(trimmed)); err == nil {
			candidates = append(candidates, b)
		}
		for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
			if b, err := enc.DecodeString(string(trimmed)); err == nil {
				candidates = append(candidates, b)
			}
		}
		for _, c := range candidates {
			mac := hmac.New(sha256.New, c)
			mac.Write([]byte(parts[0] + "." + parts[1]))
			if base64.RawURLEncoding.EncodeToString(mac.Sum(nil)) == parts[2] {
				return c
			}
		}
	}
	return nil
}

// needLocal skips t unless the target is the in-process emulator.
func needLocal(t testing.TB, why string) *localEnv {
	t.Helper()
	if local == nil {
		t.Skipf("needs the in-process emulator (%s); skipped against the server at %s", why, EnvURL)
	}
	return local
}

// mintToken mints a token on the shared emulator.
func (l *localEnv) mintToken(t testing.TB, org, role, subject string) string {
	t.Helper()
	tok, err := l.emu.MintToken(emulator.TokenRequest{Org: org, Role: role, Subject: subject, TTL: time.Hour})
	if err != nil {
		t.Fatalf("MintToken(org %q, role %q): %v", org, role, err)
	}
	return tok
}

// scratchProject returns a project no other test writes to: a freshly seeded
// one on the emulator, the configured project on a remote target (which tests
// then share, so their assertions there are about their own keys only).
func scratchProject(t testing.TB) (org, project string) {
	t.Helper()
	if local == nil {
		return target.Org, target.Project
	}
	project = fmt.Sprintf("scratch-%d", local.projects.Add(1))
	if _, err := local.emu.Seed(t.Context(), target.Org, project); err != nil {
		t.Fatalf("Seed(%s, %s): %v", target.Org, project, err)
	}
	return target.Org, project
}

// scratchTarget is target on a scratchProject.
func scratchTarget(t testing.TB) *Target {
	t.Helper()
	_, project := scratchProject(t)
	tg := *target
	tg.Project = project
	return &tg
}

// dedicated is an emulator of one test's own, with its own configuration.
type dedicated struct {
	emu    *emulator.Emulator
	dir    string
	target *Target // owner token of acme, project web
	seed   emulator.SeedResult
	closed bool
}

// close closes the emulator now (the test's cleanup would otherwise).
func (d *dedicated) close(t testing.TB) {
	t.Helper()
	if d.closed {
		return
	}
	d.closed = true
	if err := d.emu.Close(); err != nil {
		t.Errorf("emulator.Close: %v", err)
	}
}

// newDedicated starts an emulator for t alone, seeded with acme/web; adjust
// changes the default configuration (DBPath is set already, RateLimit is 0).
func newDedicated(t *testing.T, adjust func(*emulator.Config)) *dedicated {
	t.Helper()
	dir := t.TempDir()
	cfg := emulator.DefaultConfig()
	cfg.DBPath = filepath.Join(dir, "emulator.db")
	cfg.RateLimit = 0
	if adjust != nil {
		adjust(&cfg)
	}
	emu, err := emulator.Open(t.Context(), cfg)
	if err != nil {
		t.Fatalf("emulator.Open: %v", err)
	}
	d := &dedicated{emu: emu, dir: dir}
	t.Cleanup(func() { d.close(t) })
	seed, err := emu.Seed(t.Context(), "acme", "web")
	if err != nil {
		t.Fatalf("Seed: %v", err)
	}
	srv := httptest.NewServer(emu.Handler())
	t.Cleanup(srv.Close)
	tok, err := emu.MintToken(emulator.TokenRequest{Org: "acme", Role: "owner", Subject: "contract-owner", TTL: time.Hour})
	if err != nil {
		t.Fatalf("MintToken: %v", err)
	}
	d.seed = seed
	d.target = &Target{
		BaseURL: srv.URL, Org: "acme", Project: "web", Token: tok,
		Client: &http.Client{Timeout: 30 * time.Second},
	}
	return d
}

func (d *dedicated) mintToken(t testing.TB, role, subject string, ttl time.Duration) string {
	t.Helper()
	tok, err := d.emu.MintToken(emulator.TokenRequest{Org: "acme", Role: role, Subject: subject, TTL: ttl})
	if err != nil {
		t.Fatalf("MintToken: %v", err)
	}
	return tok
}
