package build

import (
	"strings"
	"testing"
)

func TestGetDevBuild(t *testing.T) {
	old := Version
	t.Cleanup(func() { Version = old })
	Version = ""
	info := Get()
	if info.Version != "dev" {
		t.Fatalf("dev build version = %q, want dev (the module version goes in moduleVersion)", info.Version)
	}
	if want := "dev"; info.ModuleVersion != "" {
		want = "dev (" + info.ModuleVersion + ")"
		if info.Display() != want {
			t.Fatalf("Display = %q, want %q", info.Display(), want)
		}
	} else if info.Display() != want {
		t.Fatalf("Display = %q, want %q", info.Display(), want)
	}
	if info.Commit == "" || info.Date == "" || !strings.HasPrefix(info.GoVersion, "go") {
		t.Fatalf("incomplete info: %+v", info)
	}
}

func TestGetReleaseBuild(t *testing.T) {
	oldV, oldC, oldD := Version, Commit, Date
	t.Cleanup(func() { Version, Commit, Date = oldV, oldC, oldD })
	Version, Commit, Date = "v1.2.3", "abc123", "2026-11-26T10:00:00Z"
	info := Get()
	if info.Version != "v1.2.3" || info.Commit != "abc123" || info.Date != "2026-11-26T10:00:00Z" {
		t.Fatalf("got %+v", info)
	}
	if ua := UserAgent(); ua != "metabind/1.2.3" {
		t.Fatalf("UserAgent = %q", ua)
	}
}

func TestGetReleaseBuildWithoutGitMetadata(t *testing.T) {
	oldV, oldC, oldD := Version, Commit, Date
	t.Cleanup(func() { Version, Commit, Date = oldV, oldC, oldD })
	Version, Commit, Date = "0.0.1-next", "none", "0001-01-01T00:00:00Z"
	info := Get()
	if info.Commit != "unknown" || info.Date != "unknown" {
		t.Fatalf("got %+v, want unknown commit and date", info)
	}
}

func TestDisplay(t *testing.T) {
	for _, tc := range []struct {
		info Info
		want string
	}{
		{Info{Version: "1.2.3"}, "1.2.3"},
		{Info{Version: "dev"}, "dev"},
		{Info{Version: "dev", ModuleVersion: "v0.0.0-20261126063524-357f01589816"}, "dev (v0.0.0-20261126063524-357f01589816)"},
	} {
		if got := tc.info.Display(); got != tc.want {
			t.Errorf("%+v: %q, want %q", tc.info, got, tc.want)
		}
	}
}
