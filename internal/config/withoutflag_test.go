package config

import "testing"

// WithoutFlag resolves as if the command line did not give the key's flag:
// environment, else file, else default.
func TestWithoutFlag(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{}
	load := func(args ...string) *Config {
		t.Helper()
		c, err := Load(LoadOptions{Dir: dir, Flags: flagSet(t, args...), Getenv: func(k string) string { return env[k] }})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	check := func(c *Config, key, want string, wantSrc Source) {
		t.Helper()
		if v, src := c.WithoutFlag(key); v != want || src != wantSrc {
			t.Errorf("WithoutFlag(%q) = %q, %q; want %q, %q", key, v, src, want, wantSrc)
		}
	}
	c := load("--org", "flagorg", "--api-url", "https://flag.example")
	if c.Get("org") != "flagorg" {
		t.Fatalf("Get(org) = %q", c.Get("org"))
	}
	check(c, "org", "", SourceDefault)
	check(c, "api-url", Default("api-url"), SourceDefault)

	if err := c.Set("org", "saved"); err != nil {
		t.Fatal(err)
	}
	check(c, "org", "saved", SourceProfile) // what Save would write

	env["MB_ORG"] = "fromenv"
	c = load("--org", "flagorg")
	check(c, "org", "fromenv", SourceEnv)
	check(c, "nope", "", "")
}
