package config

import (
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/metabind/metabind-cli/internal/output"
	"github.com/metabind/metabind-cli/internal/redact"
)

// ValidOutputs lists the values the output key accepts, in the order shown to
// users: the output package's formats, so the two never disagree.
var ValidOutputs = func() []string {
	var names []string
	for _, f := range output.Formats() {
		names = append(names, string(f))
	}
	return names
}()

// keySpec describes one setting.
type keySpec struct {
	name     string
	env      string
	def      string
	validate func(name, value string) error
}

// keySpecs are the known keys, in the order Keys returns them.
var keySpecs = []keySpec{
	{name: "api-url", env: "MB_API_URL", def: DefaultAPIURL, validate: validateAPIURL},
	{name: "org", env: "MB_ORG", validate: validateName},
	{name: "project", env: "MB_PROJECT", validate: validateName},
	{name: "output", env: "MB_OUTPUT", def: DefaultOutput, validate: validateOutput},
}

func lookupKey(name string) *keySpec {
	for i := range keySpecs {
		if keySpecs[i].name == name {
			return &keySpecs[i]
		}
	}
	return nil
}

// Keys returns the known keys in a stable order: api-url, org, project, output.
func Keys() []string {
	names := make([]string, len(keySpecs))
	for i, k := range keySpecs {
		names[i] = k.name
	}
	return names
}

// EnvVar returns the environment variable for key (for example "MB_ORG" for
// "org"), or "" for an unknown key.
func EnvVar(key string) string {
	if k := lookupKey(key); k != nil {
		return k.env
	}
	return ""
}

// Default returns the built-in default of key; org and project have none.
func Default(key string) string {
	if k := lookupKey(key); k != nil {
		return k.def
	}
	return ""
}

// ValidateValue checks value for key the way Set does. The error, which matches
// ErrUsage, says what is valid.
func ValidateValue(key, value string) error {
	k := lookupKey(key)
	if k == nil {
		return unknownKeyError(key)
	}
	return k.validate(key, value)
}

func unknownKeyError(key string) error {
	return usageErrorf("unknown config key %q: valid keys are %s", key, strings.Join(Keys(), ", "))
}

func validateAPIURL(name, value string) error {
	const example = "an absolute http(s) URL such as " + DefaultAPIURL
	if value == "" {
		return usageErrorf("%s must not be empty: expected %s", name, example)
	}
	u, err := url.Parse(value)
	if err != nil {
		return usageErrorf("invalid %s: expected %s", name, example)
	}
	if u.User != nil {
		// Do not echo the value: it holds a password or a token.
		return usageErrorf("invalid %s: it must not contain a user name or password", name)
	}
	if s := strings.ToLower(u.Scheme); (s != "http" && s != "https") || u.Hostname() == "" {
		return usageErrorf("invalid %s %q: expected %s", name, redact.URL(value), example)
	}
	if u.RawQuery != "" || u.Fragment != "" || u.ForceQuery {
		return usageErrorf("invalid %s %q: it must not have a query or fragment", name, redact.URL(value))
	}
	for _, suffix := range []string{"/app/v1", "/api/v1"} {
		if strings.HasSuffix(strings.TrimRight(u.Path, "/"), suffix) {
			return usageErrorf("invalid %s %q: give the base URL without %s (for example %s)", name, redact.URL(value), suffix, DefaultAPIURL)
		}
	}
	return nil
}

func validateOutput(name, value string) error {
	for _, o := range ValidOutputs {
		if value == o {
			return nil
		}
	}
	return usageErrorf("invalid %s %q: valid values are %s", name, value, strings.Join(ValidOutputs, ", "))
}

// validateName checks an org or project identifier.
func validateName(name, value string) error {
	if value == "" {
		return usageErrorf("%s must not be empty", name)
	}
	if redact.LooksLikeJWT(value) || redact.LooksLikeAPIKey(value) {
		// Not echoed and not saved: a secret pasted where an id belongs.
		return usageErrorf("the %s value looks like a secret (a token or an API key's value), not an id; it was not saved", name)
	}
	if !utf8.ValidString(value) {
		return usageErrorf("invalid %s %q: it must be valid UTF-8", name, value)
	}
	for _, r := range value {
		if unicode.IsSpace(r) || unicode.IsControl(r) {
			return usageErrorf("invalid %s %q: it must not contain spaces or control characters", name, value)
		}
	}
	return nil
}

// maxProfileName bounds profile names, which also name keyring entries.
const maxProfileName = 64

// ValidateProfileName checks a profile name: 1 to 64 letters, digits, '-', '_'
// or '.', starting with a letter or digit. The error matches ErrUsage.
func ValidateProfileName(name string) error {
	const rule = "use letters, digits, '-', '_' and '.', starting with a letter or digit, at most 64 characters"
	if name == "" || len(name) > maxProfileName {
		return usageErrorf("invalid profile name %q: %s", name, rule)
	}
	for i, r := range name {
		ok := r < utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r) ||
			(i > 0 && (r == '-' || r == '_' || r == '.')))
		if !ok {
			return usageErrorf("invalid profile name %q: %s", name, rule)
		}
	}
	return nil
}
