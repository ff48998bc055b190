// Package credstore keeps the admin JWT that metabind sends to the Metabind
// admin API, and reads its claims.
//
// # Where the token comes from
//
// Token looks in this order and returns the first token it finds:
//
//  1. MB_TOKEN (surrounding whitespace trimmed), which cannot be removed by
//     logout; FromEnv reports it;
//  2. the system keyring (service "metabind", user = the profile name), unless
//     MB_NO_KEYRING=1;
//  3. the credentials file <config dir>/credentials.yaml, a YAML mapping of
//     profile names to tokens, mode 0600 in a 0700 directory.
//
// # The keyring rule
//
// Every keyring call is bounded by Options.Timeout (3 s by default). The rule
// is: keyring first; any keyring error or timeout means "no keyring", and the
// file is used instead.
//
//   - Token: a keyring that fails or does not answer is skipped and the file is
//     read. If the file has no token either, the error still matches
//     ErrNotLoggedIn and says what went wrong with the keyring.
//   - Save: the token goes to the keyring; if MB_NO_KEYRING is set or the
//     keyring fails or times out, it goes to the file. The returned Token says
//     which (Source, Path) and why the keyring was not used (FallbackReason),
//     so the command can tell the user, naming the file. After a successful
//     keyring write, a copy of the token left in the file is removed, so one
//     store holds it. After a fallback the keyring is otherwise left alone,
//     except that when the keyring answered with an error (rather than timing
//     out), an older token stored there for the profile is deleted, because it
//     would otherwise shadow the new one.
//   - Delete: the token is removed from the keyring and from the file. When
//     there is no keyring service at all (KeyringError.Absent: no D-Bus session
//     bus or Secret Service, as on a headless Linux host), there is nothing to
//     remove there. A keyring that exists but fails, or does not answer, is
//     reported as an error matching ErrKeyringUnavailable, since a copy may
//     remain there; the file is cleaned up regardless.
//
// A keyring call that times out keeps running in an abandoned goroutine until
// it returns or the process exits (go-keyring calls cannot be cancelled).
//
// Tokens never appear in errors or warnings from this package.
package credstore

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/metabind/metabind-cli/internal/config"
	"github.com/metabind/metabind-cli/internal/config/securefile"
)

// Environment variables read by the store.
const (
	EnvToken     = "MB_TOKEN"
	EnvNoKeyring = "MB_NO_KEYRING"
)

// FileName is the credentials file's name inside the configuration directory.
const FileName = "credentials.yaml"

// DefaultAccount is the account (profile) used when Options.Account is empty.
const DefaultAccount = "default"

// maxFileSize bounds the credentials file: a few tokens of a few KiB each.
const maxFileSize = 1 << 20

// Source says where a token came from or went to: one of config's sources.
type Source = config.Source

// The token sources.
const (
	SourceEnv     = config.SourceEnv
	SourceKeyring = config.SourceKeyring
	SourceFile    = config.SourceFile
)

// Token is a stored admin JWT and where it is kept.
type Token struct {
	Value  string
	Source Source
	// Path is the credentials file when Source is SourceFile.
	Path string
	// FallbackReason says, when Source is SourceFile, why the keyring was not
	// used: "MB_NO_KEYRING is set" or the keyring's failure. It is empty
	// otherwise, and also when Token found the keyring working but empty.
	FallbackReason string
}

// ErrNotLoggedIn means no token was found anywhere.
var ErrNotLoggedIn = errors.New("not logged in: run `metabind auth login`")

// notLoggedIn is ErrNotLoggedIn with the reason the keyring could not be read.
type notLoggedIn struct{ keyring error }

func (e *notLoggedIn) Error() string {
	return fmt.Sprintf("%v (%v)", ErrNotLoggedIn, e.keyring)
}
func (e *notLoggedIn) Is(target error) bool { return target == ErrNotLoggedIn }
func (e *notLoggedIn) Unwrap() error        { return e.keyring }

// Options configures a Store.
type Options struct {
	// ConfigDir holds the credentials file; "" means config.Dir(Getenv).
	ConfigDir string
	// Getenv reads the environment; nil means os.Getenv.
	Getenv func(string) string
	// Account is the profile name, the keyring user and the key in the
	// credentials file; "" means "default".
	Account string
	// Keyring is the secret store; nil means the system keyring.
	Keyring Keyring
	// Timeout bounds each keyring call; zero (or negative) means 3 s.
	Timeout time.Duration
}

// Store reads, writes and removes the token of one account.
type Store struct {
	getenv  func(string) string
	account string
	keyring Keyring
	timeout time.Duration
	path    string
	pathErr error
}

// beforeRename is the test hook passed to securefile.Write.
var beforeRename func(tmpPath string) error

// New returns a Store. It touches neither the keyring nor the disk.
func New(o Options) *Store {
	s := &Store{getenv: o.Getenv, account: o.Account, keyring: o.Keyring, timeout: o.Timeout}
	if s.getenv == nil {
		s.getenv = os.Getenv
	}
	if s.account == "" {
		s.account = DefaultAccount
	}
	if s.keyring == nil {
		s.keyring = systemKeyring{}
	}
	if s.timeout <= 0 {
		s.timeout = DefaultTimeout
	}
	dir := o.ConfigDir
	if dir == "" {
		dir, s.pathErr = config.Dir(s.getenv)
	}
	if s.pathErr == nil {
		s.path = filepath.Join(dir, FileName)
	}
	return s
}

// Path returns the credentials file's path ("" when the configuration
// directory could not be determined).
func (s *Store) Path() string { return s.path }

// FromEnv reports whether MB_TOKEN is set, in which case Token returns it and
// no stored token is used.
func (s *Store) FromEnv() bool { return strings.TrimSpace(s.getenv(EnvToken)) != "" }

// KeyringDisabled reports whether MB_NO_KEYRING turns the keyring off: any
// value strconv.ParseBool reads as true ("1", "true").
func (s *Store) KeyringDisabled() bool {
	off, err := strconv.ParseBool(strings.TrimSpace(s.getenv(EnvNoKeyring)))
	return err == nil && off
}

// Token returns the token to use: MB_TOKEN, else the keyring, else the file.
// With none, the error matches ErrNotLoggedIn. A credentials file that cannot
// be read or parsed gives an error naming it.
func (s *Store) Token() (Token, error) {
	if v := strings.TrimSpace(s.getenv(EnvToken)); v != "" {
		return Token{Value: v, Source: SourceEnv}, nil
	}
	var keyringErr error
	reason := EnvNoKeyring + " is set"
	if !s.KeyringDisabled() {
		reason = ""
		v, err := s.keyringGet()
		switch {
		case err == nil && v != "":
			return Token{Value: v, Source: SourceKeyring}, nil
		case err == nil || errors.Is(err, ErrKeyringNotFound):
		default:
			keyringErr = err
		}
	}
	v, err := s.fileToken()
	if err != nil {
		return Token{}, err
	}
	if v != "" {
		if keyringErr != nil {
			reason = keyringErr.Error()
		}
		return Token{Value: v, Source: SourceFile, Path: s.path, FallbackReason: reason}, nil
	}
	if keyringErr != nil && !isAbsent(keyringErr) {
		return Token{}, &notLoggedIn{keyring: keyringErr}
	}
	return Token{}, ErrNotLoggedIn
}

// isAbsent reports whether err is a KeyringError saying there is no keyring.
func isAbsent(err error) bool {
	var ke *KeyringError
	return errors.As(err, &ke) && ke.Absent
}

// HasStored reports whether a token is stored for the account in the keyring
// or the file, whatever MB_TOKEN says. A keyring or file that cannot be read
// counts as holding nothing.
func (s *Store) HasStored() bool {
	if !s.KeyringDisabled() {
		if v, err := s.keyringGet(); err == nil && v != "" {
			return true
		}
	}
	v, err := s.fileToken()
	return err == nil && v != ""
}

// Save stores token (surrounding whitespace and newlines trimmed) for the
// account: in the keyring, or in the credentials file when MB_NO_KEYRING is set
// or the keyring fails or times out. The token must have the shape of a JWT
// (CheckShape). The returned Token says where it went and why the keyring was
// not used.
//
// If the token was stored in the keyring but an old copy in the credentials
// file could not be removed, Save returns the Token together with an error
// saying so.
func (s *Store) Save(token string) (Token, error) {
	return s.SaveNotify(token, nil)
}

// SaveNotify is Save, and calls beforeFile with the credentials file's path and
// the reason the keyring was not used before that file is written, so the user
// learns where the token is going before it gets there.
func (s *Store) SaveNotify(token string, beforeFile func(path, reason string)) (Token, error) {
	token = strings.TrimSpace(token)
	if err := CheckShape(token); err != nil {
		return Token{}, err
	}
	var reason string
	if s.KeyringDisabled() {
		reason = EnvNoKeyring + " is set"
	} else {
		err := s.keyringSet(token)
		if err == nil {
			saved := Token{Value: token, Source: SourceKeyring}
			if _, err := s.removeFromFile(); err != nil {
				return saved, fmt.Errorf("the token was saved in the system keyring, but an old copy could not be removed: %w", err)
			}
			return saved, nil
		}
		reason = err.Error()
		var ke *KeyringError
		if errors.As(err, &ke) && !ke.TimedOut && !ke.Absent {
			// The keyring answers but would not take the token (too large, a
			// refused write): make sure an older token there does not shadow
			// the new one. Best effort: the fallback below is what matters.
			_, _ = bounded(s.timeout, "delete", func() (struct{}, error) {
				return struct{}{}, s.keyring.Delete(KeyringService, s.account)
			})
		}
	}
	if beforeFile != nil && s.pathErr == nil {
		beforeFile(s.path, reason)
	}
	if err := s.writeFileToken(token); err != nil {
		return Token{}, fmt.Errorf("could not store the token (%s): %w", reason, err)
	}
	return Token{Value: token, Source: SourceFile, Path: s.path, FallbackReason: reason}, nil
}

// Delete removes the account's token from the keyring and from the credentials
// file (deleting the file when no token is left in it) and returns the stores
// that held it. MB_TOKEN is not touched: see FromEnv. A keyring that exists but
// fails or does not answer gives an error matching ErrKeyringUnavailable — a
// copy may remain there — but the file is cleaned up all the same; a system
// with no keyring service at all has nothing to remove there.
func (s *Store) Delete() ([]Source, error) {
	var removed []Source
	var errs []error
	if !s.KeyringDisabled() {
		_, err := bounded(s.timeout, "delete", func() (struct{}, error) {
			return struct{}{}, s.keyring.Delete(KeyringService, s.account)
		})
		switch {
		case err == nil:
			removed = append(removed, SourceKeyring)
		case errors.Is(err, ErrKeyringNotFound), isAbsent(err):
		default:
			errs = append(errs, fmt.Errorf("could not remove the token from the system keyring, so a copy may remain there: %w "+
				"(if this system has no keyring, set %s=1)", err, EnvNoKeyring))
		}
	}
	inFile, err := s.removeFromFile()
	if err != nil {
		errs = append(errs, err)
	} else if inFile {
		removed = append(removed, SourceFile)
	}
	return removed, errors.Join(errs...)
}

// Warnings describes problems with the credentials file that do not stop the
// command: other users can read it, or it belongs to another user.
func (s *Store) Warnings() []string {
	if s.path == "" {
		return nil
	}
	fi, err := os.Stat(s.path)
	if err != nil || !fi.Mode().IsRegular() {
		return nil
	}
	return securefile.PermissionWarnings("credentials file", s.path, fi)
}

func (s *Store) keyringGet() (string, error) {
	v, err := bounded(s.timeout, "read", func() (string, error) {
		return s.keyring.Get(KeyringService, s.account)
	})
	return strings.TrimSpace(v), err
}

func (s *Store) keyringSet(token string) error {
	_, err := bounded(s.timeout, "write", func() (struct{}, error) {
		return struct{}{}, s.keyring.Set(KeyringService, s.account, token)
	})
	return err
}

// fileToken returns the account's token from the credentials file, "" when
// there is none.
func (s *Store) fileToken() (string, error) {
	tokens, err := s.readFile()
	if err != nil {
		return "", err
	}
	return strings.TrimSpace(tokens[s.account]), nil
}

// readFile parses the credentials file; a missing file is an empty map.
func (s *Store) readFile() (map[string]string, error) {
	if s.pathErr != nil {
		return nil, fmt.Errorf("cannot find the credentials file: %w", s.pathErr)
	}
	data, _, err := securefile.Read(s.path, maxFileSize)
	var notRegular *securefile.NotRegularError
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return map[string]string{}, nil
	case errors.Is(err, securefile.ErrIsDir):
		return nil, fmt.Errorf("credentials file %s is a directory, not a file: remove it, then run `metabind auth login`", s.path)
	case errors.As(err, &notRegular):
		return nil, fmt.Errorf("credentials file %s is %s, not a regular file: remove it, then run `metabind auth login`", s.path, notRegular.Kind)
	case errors.Is(err, securefile.ErrTooLarge):
		return nil, fmt.Errorf("credentials file %s is too large to be a metabind credentials file: fix or remove it, then run `metabind auth login`", s.path)
	case err != nil:
		return nil, fmt.Errorf("could not read credentials file %s: %v: fix its permissions or remove it", s.path, pathErrorCause(err))
	}
	tokens := map[string]string{}
	// The parser's message is not shown: it could quote part of a token.
	if err := yaml.Unmarshal(data, &tokens); err != nil {
		return nil, fmt.Errorf("credentials file %s is not valid (expected a YAML mapping of profile names to tokens): fix or remove it, then run `metabind auth login`", s.path)
	}
	if tokens == nil {
		tokens = map[string]string{}
	}
	return tokens, nil
}

// writeFileToken stores token for the account in the credentials file,
// keeping the other accounts' tokens.
func (s *Store) writeFileToken(token string) error {
	tokens, err := s.readFile()
	if err != nil {
		return err
	}
	tokens[s.account] = token
	return s.writeFile(tokens)
}

// removeFromFile deletes the account's entry from the credentials file and
// the file itself when it becomes empty. It reports whether there was an entry.
func (s *Store) removeFromFile() (bool, error) {
	tokens, err := s.readFile()
	if err != nil {
		return false, err
	}
	if _, ok := tokens[s.account]; !ok {
		return false, nil
	}
	delete(tokens, s.account)
	if len(tokens) == 0 {
		if err := securefile.Remove(s.path); err != nil {
			return false, fmt.Errorf("could not remove credentials file %s: %v", s.path, pathErrorCause(err))
		}
		return true, nil
	}
	return true, s.writeFile(tokens)
}

const fileHeader = "# metabind credentials: admin tokens by profile, written by `metabind auth login`.\n" +
	"# Keep this file private (mode 0600).\n"

func (s *Store) writeFile(tokens map[string]string) error {
	// Encode as a mapping of quoted strings in a stable order.
	root := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
	accounts := make([]string, 0, len(tokens))
	for a := range tokens {
		accounts = append(accounts, a)
	}
	sort.Strings(accounts)
	for _, a := range accounts {
		root.Content = append(root.Content,
			&yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: a},
			&yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: tokens[a], Style: yaml.DoubleQuotedStyle})
	}
	data, err := yaml.Marshal(root)
	if err != nil {
		return fmt.Errorf("could not encode the credentials file: %w", err)
	}
	data = append([]byte(fileHeader), data...)
	if err := securefile.Write(s.path, data, securefile.WriteOptions{BeforeRename: beforeRename, PrivateDir: true}); err != nil {
		return fmt.Errorf("could not write credentials file %s: %v", s.path, pathErrorCause(err))
	}
	return nil
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
