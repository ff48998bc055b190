package api

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/metabind/metabind-cli/internal/cmdutil"
	"github.com/metabind/metabind-cli/internal/iostreams"
)

func TestBuildFieldsAndMethod(t *testing.T) {
	ios, in, _, _ := iostreams.Test()
	in.WriteString("from stdin\n")
	opts := &Options{
		Deps:        cmdutil.Deps{IO: ios},
		ReadFile:    func(p string) ([]byte, error) { return []byte("file:" + p + "\n"), nil },
		RawFields:   []string{"name=web", "n=1"},
		TypedFields: []string{"on=true", "off=false", "none=null", "count=42", "f=@x.txt", "s=@-", "text=hello"},
		Headers:     []string{"X-Trace: abc", "Accept: text/plain"},
	}
	req, err := build(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	if req.raw.Method != "POST" {
		t.Errorf("method %q, want POST with fields", req.raw.Method)
	}
	want := `{"count":42,"f":"file:x.txt","n":"1","name":"web","none":null,"off":false,"on":true,"s":"from stdin","text":"hello"}`
	if string(req.raw.Body) != want {
		t.Errorf("body %s\nwant %s", req.raw.Body, want)
	}
	if req.raw.Header.Get("X-Trace") != "abc" || req.raw.Header.Get("Accept") != "text/plain" {
		t.Errorf("headers %v", req.raw.Header)
	}

	opts = &Options{Deps: cmdutil.Deps{IO: ios}, Method: "get", RawFields: []string{"status=active", "limit=5"}}
	req, err = build(context.Background(), opts)
	if err != nil || req.raw.Method != "GET" || req.raw.Body != nil || req.raw.Query.Encode() != "limit=5&status=active" {
		t.Errorf("GET fields: %+v, %v", req.raw, err)
	}
}

func TestBuildRefusesBadInput(t *testing.T) {
	ios, _, _, _ := iostreams.Test()
	for name, opts := range map[string]*Options{
		"no equals":           {RawFields: []string{"name"}},
		"empty name":          {RawFields: []string{"=x"}},
		"unknown method":      {Method: "BREW"},
		"bad header":          {Headers: []string{"no colon"}},
		"authorization":       {Headers: []string{"Authorization: Bearer x"}},
		"api key header":      {Headers: []string{"x-api-key: abc"}},
		"secret field":        {RawFields: []string{"apiKey=abcdefGHIJKLmnopqrstuvwxyz012345"}},
		"secret header value": {Headers: []string{"X-Thing: abcdefGHIJKLmnopqrstuvwxyz012345"}},
		"missing file":        {TypedFields: []string{"f=@nope"}, ReadFile: os.ReadFile},
		"stdin twice":         {TypedFields: []string{"f=@-"}, KeyStdin: true},
	} {
		opts.IO = ios
		_, err := build(context.Background(), opts)
		if !cmdutil.IsUsage(err) {
			t.Errorf("%s: %v, want a usage error", name, err)
		}
		if err != nil && strings.Contains(err.Error(), "abcdefGHIJKLmnopqrstuvwxyz012345") {
			t.Errorf("%s: the error shows the secret: %v", name, err)
		}
	}
}

func TestFillPlaceholders(t *testing.T) {
	scope := func() (cmdutil.Scope, error) { return cmdutil.Scope{Org: "ac me", Project: "w/eb"}, nil }
	got, err := fillPlaceholders("/app/v1/organizations/{org}/projects/{project}/x", scope)
	if err != nil || got != "/app/v1/organizations/ac%20me/projects/w%2Feb/x" {
		t.Errorf("got %q, %v", got, err)
	}
	called := false
	got, err = fillPlaceholders("/app/v1/x", func() (cmdutil.Scope, error) { called = true; return cmdutil.Scope{}, nil })
	if err != nil || got != "/app/v1/x" || called {
		t.Errorf("no placeholders: %q, %v, scope read %v", got, err, called)
	}
	missing := cmdutil.FlagErrorf("no project set")
	partial := func() (cmdutil.Scope, error) { return cmdutil.Scope{Org: "acme"}, missing }
	if got, err := fillPlaceholders("/app/v1/organizations/{org}", partial); err != nil || got != "/app/v1/organizations/acme" {
		t.Errorf("{org} only: %q, %v", got, err)
	}
	if _, err := fillPlaceholders("/x/{org}/{project}", partial); !errors.Is(err, missing) {
		t.Errorf("{project} missing: %v", err)
	}
}
