// Package build holds the version information injected at link time.
package build

import (
	"runtime"
	"runtime/debug"
	"strings"
)

// Set by the linker: -X github.com/metabind/metabind-cli/internal/build.Version=v1.2.3 (and Commit, Date).
var (
	Version = ""
	Commit  = ""
	Date    = ""
)

// Info describes the running binary.
type Info struct {
	Version   string `json:"version"`
	Commit    string `json:"commit"`
	Date      string `json:"date"`
	GoVersion string `json:"goVersion"`
	// ModuleVersion is, for a development build, the module version from the Go
	// build info (a pseudo-version, or the tag `go install …@v1.2.3` fetched).
	ModuleVersion string `json:"moduleVersion,omitempty"`
}

// Display is the version as people read it: "1.2.3", "dev", or
// "dev (v0.0.0-20261126063524-357f01589816)".
func (i Info) Display() string {
	if i.ModuleVersion != "" {
		return i.Version + " (" + i.ModuleVersion + ")"
	}
	return i.Version
}

// Get returns the build information. A development build (no version set by the
// linker) reports the version "dev", with the module version and the VCS revision
// and time from the Go build info where there are some, and "unknown" for what
// cannot be known.
func Get() Info {
	info := Info{Version: Version, Commit: Commit, Date: Date, GoVersion: runtime.Version()}
	if info.Version != "" {
		// A release tool without git metadata injects "none" and the zero time.
		if info.Commit == "" || info.Commit == "none" {
			info.Commit = "unknown"
		}
		if info.Date == "" || strings.HasPrefix(info.Date, "0001-01-01") {
			info.Date = "unknown"
		}
		return info
	}
	info.Version = "dev"
	bi, ok := debug.ReadBuildInfo()
	if ok {
		if v := bi.Main.Version; v != "" && v != "(devel)" {
			info.ModuleVersion = v
		}
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				if info.Commit == "" {
					info.Commit = s.Value
				}
			case "vcs.time":
				if info.Date == "" {
					info.Date = s.Value
				}
			case "vcs.modified":
				if s.Value == "true" && info.Commit != "" && !strings.HasSuffix(info.Commit, "-dirty") {
					info.Commit += "-dirty"
				}
			}
		}
	}
	if info.Commit == "" {
		info.Commit = "unknown"
	}
	if info.Date == "" {
		info.Date = "unknown"
	}
	return info
}

// UserAgent is the User-Agent the API client sends.
func UserAgent() string {
	v := Version
	if v == "" {
		v = "dev"
	}
	return "metabind/" + strings.TrimPrefix(v, "v")
}
