// Package config resolves metabind's settings — api-url, org, project and
// output — from command-line flags, the environment, the config file and
// built-in defaults, and edits the config file for `metabind config set` and
// `metabind use`.
//
// # Precedence
//
// For each key, the first of these that has a value wins:
//
//  1. the flag (--api-url, --org, --project, --output), only when given on the
//     command line; a flag's default value never counts;
//  2. the environment variable (MB_API_URL, MB_ORG, MB_PROJECT, MB_OUTPUT),
//     when not empty;
//  3. the active profile in <dir>/config.yaml;
//  4. the built-in default (DefaultAPIURL, DefaultOutput; none for org and
//     project).
//
// Source reports which one it was.
//
// # The config file and profiles
//
// The file is YAML. Its top-level keys are the "default" profile; named
// profiles live under "profiles":
//
//	api-url: https://api.metabind.ai
//	org: acme
//	project: web
//	profiles:
//	  staging:
//	    api-url: https://staging.example.com
//	    org: acme
//
// The active profile is LoadOptions.Profile, else the --profile flag, else
// MB_PROFILE, else "default". A named profile does not inherit the default
// profile's values. Selecting a profile that does not exist is allowed: its keys
// fall through to the defaults, and Set creates it.
//
// Save rewrites the file from the document that was read, so keys metabind does
// not know, other profiles, comments and key order survive. Only values that
// came from the file or from Set are written; flag and environment values never
// are.
//
// # Viper
//
// Each Load creates exactly one viper instance and reads the file exactly once.
// The file is parsed into a YAML node tree, the file layer's source of truth
// (it is what keeps unknown keys and comments for Save); the active profile's
// values form viper's config layer, next to the defaults and the bound flags.
// Viper's own environment lookup reads the process environment, while Load must
// honour the injected Getenv, so environment values are read through Getenv and
// placed in viper's override layer — only for keys whose flag was not given,
// which yields exactly flag > environment > file > default.
//
// A Config is not safe for concurrent use.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"syscall"

	"github.com/spf13/pflag"
	"github.com/spf13/viper"
	"go.yaml.in/yaml/v3"

	"github.com/metabind/metabind-cli/internal/config/securefile"
)

// Defaults and names.
const (
	DefaultAPIURL  = "https://api.metabind.ai"
	DefaultOutput  = "table"
	DefaultProfile = "default"
	FileName       = "config.yaml"

	// ProfileFlag and ProfileEnv select the active profile.
	ProfileFlag = "profile"
	ProfileEnv  = "MB_PROFILE"
	// DirEnv overrides the configuration directory.
	DirEnv = "MB_CONFIG_DIR"
)

// maxFileSize bounds the config file; a real one is a few hundred bytes.
const maxFileSize = 1 << 20

// Source says where a setting's value came from.
type Source string

// The sources of a value: the one set for settings and for the admin token
// (credstore uses SourceEnv, SourceKeyring and SourceFile), so that `status`,
// `auth status` and `config view --show-origin` spell them alike. SourceToken
// is never returned by Config: callers use it when they fall back to the org
// claim of the stored token.
const (
	SourceFlag    Source = "flag"
	SourceEnv     Source = "environment"
	SourceProfile Source = "profile"
	SourceDefault Source = "default"
	SourceToken   Source = "token"
	SourceKeyring Source = "keyring"
	SourceFile    Source = "file"
)

// ErrUsage matches (with errors.Is) every error caused by what the user asked
// for rather than by the system: an unknown key, an invalid value, an invalid
// profile name. Commands report these as usage errors.
var ErrUsage = errors.New("invalid configuration request")

type usageError struct{ msg string }

func (e *usageError) Error() string        { return e.msg }
func (e *usageError) Is(target error) bool { return target == ErrUsage }

func usageErrorf(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...)}
}

// LoadOptions says where to find the settings.
type LoadOptions struct {
	// Dir is the configuration directory; "" means Dir(Getenv).
	Dir string
	// Flags holds the api-url, org, project, output (and optionally profile)
	// flags; nil means no flags. A flag counts only when it was set on the
	// command line.
	Flags *pflag.FlagSet
	// Getenv reads the environment; nil means os.Getenv.
	Getenv func(string) string
	// Profile is the active profile; "" means the --profile flag, else
	// MB_PROFILE, else "default".
	Profile string
}

// Config holds the resolved settings of one invocation and the config file's
// document, which Set and Unset edit and Save writes back.
type Config struct {
	v        *viper.Viper
	dir      string
	path     string
	profile  string
	flags    *pflag.FlagSet
	getenv   func(string) string
	doc      *yaml.Node        // the file's document node; nil when the file is missing or empty
	file     map[string]string // the active profile's values in the file (non-empty only)
	fileInfo fs.FileInfo       // of the file as read, for Warnings
	notes    []string          // warnings about the file's content
	bound    map[string]Source // keys Load bound to a flag or the environment, and which
}

// Load resolves the settings. A missing or empty config file is an empty
// config; a file that cannot be read or parsed gives an error naming it and
// saying how to fix it. Load reads one small file and touches nothing else.
func Load(o LoadOptions) (*Config, error) {
	getenv := o.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	dir := o.Dir
	if dir == "" {
		d, err := Dir(getenv)
		if err != nil {
			return nil, err
		}
		dir = d
	}
	c := &Config{
		v:      viper.New(),
		dir:    dir,
		path:   filepath.Join(dir, FileName),
		flags:  o.Flags,
		getenv: getenv,
		file:   map[string]string{},
		bound:  map[string]Source{},
	}
	profile, err := c.selectProfile(o.Profile)
	if err != nil {
		return nil, err
	}
	c.profile = profile
	if err := c.read(); err != nil {
		return nil, err
	}

	c.v.SetConfigType("yaml")
	for _, k := range keySpecs {
		if k.def != "" {
			c.v.SetDefault(k.name, k.def)
		}
		if c.flagChanged(k.name) {
			// Only a flag given on the command line is bound: viper would
			// otherwise fall back to the flag's default after its own
			// defaults, and a flag's default must never count.
			if err := c.v.BindPFlag(k.name, c.lookupFlag(k.name)); err != nil {
				return nil, err
			}
			c.bound[k.name] = SourceFlag
		} else if val := c.envValue(k); val != "" {
			c.v.Set(k.name, val)
			c.bound[k.name] = SourceEnv
		}
	}
	if err := c.syncFileLayer(); err != nil {
		return nil, err
	}
	return c, nil
}

// Get returns the value of key ("api-url", "org", "project" or "output"), or ""
// when it has none or the key is unknown.
func (c *Config) Get(key string) string {
	if lookupKey(key) == nil {
		return ""
	}
	return c.v.GetString(key)
}

// Source returns where Get's value for key came from, read from the same
// layers viper resolves Get from: a flag or environment value Load bound,
// else viper's file layer, else the default. A key with no value anywhere
// (org or project) reports SourceDefault, its default being empty. An unknown
// key reports "".
func (c *Config) Source(key string) Source {
	k := lookupKey(key)
	if k == nil {
		return ""
	}
	if src, ok := c.bound[key]; ok {
		return src // the layer Load gave viper above the file
	}
	if c.v.InConfig(key) {
		return SourceProfile
	}
	return SourceDefault
}

// WithoutFlag returns what key resolves to, and from where, for a command
// line that does not give its flag: the environment, else the file, else the
// default. A command that saves a flag's value uses it to tell what later
// commands will see. An unknown key returns "", "".
func (c *Config) WithoutFlag(key string) (string, Source) {
	k := lookupKey(key)
	if k == nil {
		return "", ""
	}
	if v := c.envValue(*k); v != "" {
		return v, SourceEnv
	}
	if v := c.FileValue(key); v != "" {
		return v, SourceProfile
	}
	return Default(key), SourceDefault
}

// FileValue returns the value of key in the active profile of the file layer —
// what Save would write — or "" when the file does not set it. Unlike Get, it
// ignores flags, the environment and defaults.
func (c *Config) FileValue(key string) string { return c.file[key] }

// ProfileValue returns the value of key saved in the named profile of the
// file ("" when unset), whichever profile is active.
func (c *Config) ProfileValue(profile, key string) string {
	var m *yaml.Node
	if profile == DefaultProfile {
		if c.doc == nil {
			return ""
		}
		m = c.root()
	} else if profiles := c.profilesNode(); profiles != nil {
		if k, p := findKey(profiles, profile); k != nil {
			m = resolveAlias(p)
		}
	}
	if m == nil || m.Kind != yaml.MappingNode {
		return ""
	}
	if k, v := findKey(m, key); k != nil {
		if v = resolveAlias(v); v != nil && v.Kind == yaml.ScalarNode && !isNull(v) {
			return v.Value
		}
	}
	return ""
}

// Profile returns the name of the active profile.
func (c *Config) Profile() string { return c.profile }

// ProfileExists reports whether the active profile exists in the config file.
// The default profile always exists.
func (c *Config) ProfileExists() bool {
	_, exists := c.profileNode()
	return exists
}

// Path returns the config file's path, <dir>/config.yaml.
func (c *Config) Path() string { return c.path }

// Dir returns the configuration directory.
func (c *Config) Dir() string { return c.dir }

// Keys returns the known keys in a stable order.
func (c *Config) Keys() []string { return Keys() }

// Profiles returns the profiles in the config file: "default" first, then the
// named profiles sorted by name.
func (c *Config) Profiles() []string {
	names := []string{DefaultProfile}
	if profiles := c.profilesNode(); profiles != nil {
		var named []string
		for i := 0; i+1 < len(profiles.Content); i += 2 {
			if name := profiles.Content[i].Value; name != DefaultProfile {
				named = append(named, name)
			}
		}
		sort.Strings(named)
		names = append(names, named...)
	}
	return names
}

// Set stores value for key in the active profile of the file layer (creating the
// profile when needed) after trimming and validating it. It does not write the
// file: call Save. A flag or environment value for the same key still wins over
// it for this invocation.
func (c *Config) Set(key, value string) error {
	if lookupKey(key) == nil {
		return unknownKeyError(key)
	}
	value = strings.TrimSpace(value)
	if err := ValidateValue(key, value); err != nil {
		return err
	}
	m := c.ensureProfileNode()
	setScalar(m, key, value)
	c.file[key] = value
	return c.syncFileLayer()
}

// Unset removes key from the active profile of the file layer. Removing a key
// that is not set is not an error. It does not write the file: call Save.
func (c *Config) Unset(key string) error {
	if lookupKey(key) == nil {
		return unknownKeyError(key)
	}
	if m, _ := c.profileNode(); m != nil {
		deleteKey(m, key)
	}
	delete(c.file, key)
	return c.syncFileLayer()
}

// Save writes the file layer to Path atomically (temporary file, fsync, chmod
// 0600, rename), creating the directory with mode 0700 when it is missing.
// Flag and environment values are never written.
func (c *Config) Save() error {
	if c.doc == nil {
		c.doc = newDocument()
	}
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(c.doc); err != nil {
		return fmt.Errorf("could not encode the config for %s: %w", c.path, err)
	}
	if err := enc.Close(); err != nil {
		return fmt.Errorf("could not encode the config for %s: %w", c.path, err)
	}
	if err := securefile.Write(c.path, buf.Bytes(), securefile.WriteOptions{BeforeRename: beforeRename}); err != nil {
		return fmt.Errorf("could not save the config to %s: %v", c.path, pathErrorCause(err))
	}
	if fi, err := os.Stat(c.path); err == nil {
		c.fileInfo = fi
	}
	return nil
}

// Warnings returns problems worth telling the user about that do not stop the
// command: a config file that other users can read or that belongs to another
// user, and settings in it that are ignored.
func (c *Config) Warnings() []string {
	w := securefile.PermissionWarnings("config file", c.path, c.fileInfo)
	return append(w, c.notes...)
}

// beforeRename is the test hook passed to securefile.Write.
var beforeRename func(tmpPath string) error

// selectProfile picks and validates the active profile name.
func (c *Config) selectProfile(explicit string) (string, error) {
	name := strings.TrimSpace(explicit)
	if name == "" && c.flagChanged(ProfileFlag) {
		name = strings.TrimSpace(c.lookupFlag(ProfileFlag).Value.String())
	}
	if name == "" {
		name = strings.TrimSpace(c.getenv(ProfileEnv))
	}
	if name == "" {
		return DefaultProfile, nil
	}
	if err := ValidateProfileName(name); err != nil {
		return "", err
	}
	return name, nil
}

func (c *Config) lookupFlag(name string) *pflag.Flag {
	if c.flags == nil {
		return nil
	}
	return c.flags.Lookup(name)
}

func (c *Config) flagChanged(name string) bool {
	f := c.lookupFlag(name)
	return f != nil && f.Changed
}

func (c *Config) envValue(k keySpec) string {
	return strings.TrimSpace(c.getenv(k.env))
}

// syncFileLayer makes viper's config layer hold exactly the active profile's
// file values. ReadConfig replaces the layer as a whole, so a key removed by
// Unset disappears from it too.
func (c *Config) syncFileLayer() error {
	if err := c.v.ReadConfig(strings.NewReader("{}")); err != nil {
		return err
	}
	m := make(map[string]any, len(c.file))
	for k, val := range c.file {
		if val != "" { // an empty value in the file does not count
			m[k] = val
		}
	}
	return c.v.MergeConfigMap(m)
}

// read loads and checks the config file.
func (c *Config) read() error {
	data, fi, err := securefile.Read(c.path, maxFileSize)
	var notRegular *securefile.NotRegularError
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case errors.Is(err, securefile.ErrIsDir):
		return fmt.Errorf("config file %s is a directory, not a file: remove it, or set %s to another directory", c.path, DirEnv)
	case errors.As(err, &notRegular):
		return fmt.Errorf("config file %s is %s, not a regular file: remove it, or set %s to another directory", c.path, notRegular.Kind, DirEnv)
	case errors.Is(err, securefile.ErrTooLarge):
		return fmt.Errorf("config file %s is larger than %d bytes, which is not a metabind config: fix or remove it", c.path, maxFileSize)
	case errors.Is(err, syscall.ENOTDIR):
		return fmt.Errorf("the configuration directory %s is not a directory: point MB_CONFIG_DIR at a directory (or unset it)", c.dir)
	case err != nil:
		return fmt.Errorf("could not read config file %s: %v: fix its permissions or remove it", c.path, pathErrorCause(err))
	}
	c.fileInfo = fi

	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return fmt.Errorf("config file %s is not valid YAML (%s): fix or remove it", c.path, strings.TrimPrefix(err.Error(), "yaml: "))
	}
	if doc.Kind == yaml.DocumentNode && len(doc.Content) == 1 && !isNull(doc.Content[0]) {
		c.doc = &doc
	} else if doc.Kind == yaml.DocumentNode && len(doc.Content) == 1 {
		// A document holding only null ("~", or comments): keep its comments.
		doc.Content[0] = &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
		c.doc = &doc
	}
	if c.doc != nil {
		if err := c.checkDocument(); err != nil {
			return fmt.Errorf("config file %s: %v: fix or remove it", c.path, err)
		}
	}

	if m, _ := c.profileNode(); m != nil {
		for _, k := range keySpecs {
			if _, v := findKey(m, k.name); v != nil {
				if val := resolveAlias(v); !isNull(val) {
					c.file[k.name] = val.Value
				}
			}
		}
	}
	return nil
}

// checkDocument verifies the structure the rest of the package relies on: a
// mapping at the top, a mapping of mappings under "profiles", scalar values for
// the known keys, and no key given twice.
func (c *Config) checkDocument() error {
	root := c.root()
	if root.Kind != yaml.MappingNode {
		return fmt.Errorf("expected a mapping of settings at the top level (line %d)", root.Line)
	}
	if err := checkMapping(root, "the top level"); err != nil {
		return err
	}
	_, profiles := findKey(root, "profiles")
	if profiles == nil {
		return nil
	}
	profiles = resolveAlias(profiles)
	if isNull(profiles) {
		return nil
	}
	if profiles.Kind != yaml.MappingNode {
		return fmt.Errorf(`"profiles" must be a mapping of profile names to settings (line %d)`, profiles.Line)
	}
	if err := checkMapping(profiles, `"profiles"`); err != nil {
		return err
	}
	for i := 0; i+1 < len(profiles.Content); i += 2 {
		name, p := profiles.Content[i].Value, resolveAlias(profiles.Content[i+1])
		if name == DefaultProfile {
			c.notes = append(c.notes, fmt.Sprintf(
				`config file %s: "profiles.default" is ignored: the default profile's settings are the top-level keys`, c.path))
		}
		if isNull(p) {
			continue
		}
		if p.Kind != yaml.MappingNode {
			return fmt.Errorf("profile %q must be a mapping of settings (line %d)", name, p.Line)
		}
		if err := checkMapping(p, fmt.Sprintf("profile %q", name)); err != nil {
			return err
		}
	}
	return nil
}

// checkMapping rejects duplicate keys and non-scalar values of known keys in m.
func checkMapping(m *yaml.Node, where string) error {
	seen := make(map[string]int, len(m.Content)/2)
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := m.Content[i], resolveAlias(m.Content[i+1])
		if line, dup := seen[k.Value]; dup {
			return fmt.Errorf("%s sets %q twice (lines %d and %d)", where, k.Value, line, k.Line)
		}
		seen[k.Value] = k.Line
		if lookupKey(k.Value) != nil && v.Kind != yaml.ScalarNode {
			return fmt.Errorf("%s: %q must be a single value (line %d)", where, k.Value, v.Line)
		}
	}
	return nil
}

// root returns the top-level mapping; c.doc must not be nil.
func (c *Config) root() *yaml.Node { return c.doc.Content[0] }

// profilesNode returns the mapping under "profiles", or nil.
func (c *Config) profilesNode() *yaml.Node {
	if c.doc == nil {
		return nil
	}
	_, p := findKey(c.root(), "profiles")
	if p == nil {
		return nil
	}
	p = resolveAlias(p)
	if p.Kind != yaml.MappingNode {
		return nil
	}
	return p
}

// profileNode returns the active profile's mapping and whether the profile
// exists in the document. The default profile always exists; its mapping is the
// top level. A named profile written as "name:" with no settings exists but has
// no mapping.
func (c *Config) profileNode() (m *yaml.Node, exists bool) {
	if c.profile == DefaultProfile {
		if c.doc == nil {
			return nil, true
		}
		return c.root(), true
	}
	profiles := c.profilesNode()
	if profiles == nil {
		return nil, false
	}
	k, p := findKey(profiles, c.profile)
	if k == nil {
		return nil, false
	}
	if p = resolveAlias(p); isNull(p) {
		return nil, true
	}
	return p, true
}

// ensureProfileNode returns the active profile's mapping, creating the
// document, "profiles" and the profile as needed.
func (c *Config) ensureProfileNode() *yaml.Node {
	if c.doc == nil {
		c.doc = newDocument()
	}
	root := c.root()
	if c.profile == DefaultProfile {
		return root
	}
	_, profiles := findKey(root, "profiles")
	if profiles == nil {
		profiles = &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
		root.Content = append(root.Content, strNode("profiles"), profiles)
	}
	profiles = resolveAlias(profiles)
	if isNull(profiles) {
		*profiles = yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", HeadComment: profiles.HeadComment, LineComment: profiles.LineComment}
	}
	_, p := findKey(profiles, c.profile)
	if p == nil {
		p = &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
		profiles.Content = append(profiles.Content, strNode(c.profile), p)
	}
	p = resolveAlias(p)
	if isNull(p) {
		*p = yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", HeadComment: p.HeadComment, LineComment: p.LineComment}
	}
	return p
}

func newDocument() *yaml.Node {
	return &yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{{Kind: yaml.MappingNode, Tag: "!!map"}}}
}

func strNode(s string) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s}
}

// findKey returns the key and value nodes of key in mapping m.
func findKey(m *yaml.Node, key string) (k, v *yaml.Node) {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil, nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i], m.Content[i+1]
		}
	}
	return nil, nil
}

// setScalar sets key to the string value in mapping m, keeping the comments of
// an existing entry.
func setScalar(m *yaml.Node, key, value string) {
	if _, v := findKey(m, key); v != nil {
		*v = yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: value,
			HeadComment: v.HeadComment, LineComment: v.LineComment, FootComment: v.FootComment}
		return
	}
	m.Content = append(m.Content, strNode(key), strNode(value))
}

// deleteKey removes key from mapping m.
func deleteKey(m *yaml.Node, key string) {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			m.Content = append(m.Content[:i], m.Content[i+2:]...)
			return
		}
	}
}

func resolveAlias(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	return n
}

func isNull(n *yaml.Node) bool {
	return n == nil || n.Kind == 0 || (n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null")
}

// pathErrorCause strips the path from an *fs.PathError, whose path the caller's
// message already names.
func pathErrorCause(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// Dir returns the configuration directory: $MB_CONFIG_DIR made absolute when
// set, else the user's configuration directory plus "metabind" — on Linux and
// other Unix systems $XDG_CONFIG_HOME/metabind, or $HOME/.config/metabind when
// XDG_CONFIG_HOME is unset or not absolute; on macOS and Windows the platform's
// directory (os.UserConfigDir). getenv nil means os.Getenv. Dir creates nothing.
func Dir(getenv func(string) string) (string, error) {
	if getenv == nil {
		getenv = os.Getenv
	}
	if d := getenv(DirEnv); strings.TrimSpace(d) != "" {
		abs, err := filepath.Abs(d)
		if err != nil {
			return "", fmt.Errorf("cannot resolve %s=%q: %v", DirEnv, d, err)
		}
		return abs, nil
	}
	base, err := userConfigDir(getenv)
	if err != nil {
		return "", err
	}
	return filepath.Join(base, "metabind"), nil
}

// userConfigDir applies the XDG base directory rule with the injected
// environment where the XDG rule is the platform's convention, and defers to
// os.UserConfigDir elsewhere.
func userConfigDir(getenv func(string) string) (string, error) {
	switch runtime.GOOS {
	case "windows", "darwin", "ios", "plan9":
		d, err := os.UserConfigDir()
		if err != nil {
			return "", fmt.Errorf("cannot find the user configuration directory (%v): set %s", err, DirEnv)
		}
		return d, nil
	}
	if x := getenv("XDG_CONFIG_HOME"); x != "" && filepath.IsAbs(x) {
		return x, nil
	}
	if home := getenv("HOME"); home != "" {
		return filepath.Join(home, ".config"), nil
	}
	return "", fmt.Errorf("cannot find the user configuration directory: neither $XDG_CONFIG_HOME nor $HOME is set; set %s", DirEnv)
}
