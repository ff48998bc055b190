// Package emulator is a local, SQLite-backed emulator of the Metabind API: the
// admin API for API keys (/app/v1, bearer JWTs it signs itself) and the
// read-only client API (/api/v1, x-api-key), as the project's API contract
// describes them.
package emulator

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"sync/atomic"
	"time"
)

// Config configures an Emulator. The zero value is valid but has both rate
// limits off; DefaultConfig gives the documented defaults.
type Config struct {
	DBPath             string           // file path, or ":memory:"
	RateLimit          int              // per-credential requests/minute; 0 = both limits off
	FailedAuthLimit    int              // per-address failed authentications/minute; 0 = 100 (when RateLimit > 0)
	LastUsedResolution time.Duration    // lastUsed is written at most once per window; 0 = every call
	Logger             *slog.Logger     // nil = discard
	Now                func() time.Time // nil = time.Now
	// BusyTimeout is how long a write waits for another process's write
	// lock before the request gets 503; 0 = 5 s.
	BusyTimeout time.Duration
	// ReadOnly opens an existing database file for reading only: nothing is
	// made (no directory, database, or signing secret), no migration is
	// applied and every write fails. With no secret, MintToken and the admin
	// API's token checks fail. For commands that only read, such as audit.
	ReadOnly bool
}

// Defaults.
const (
	DefaultRateLimit          = 600
	DefaultFailedAuthLimit    = 100
	DefaultLastUsedResolution = time.Minute
)

// DefaultConfig returns the defaults: 600 requests a minute per credential, 100
// failed authentications a minute per address, lastUsed recorded at most once a
// minute.
func DefaultConfig() Config {
	return Config{
		RateLimit:          DefaultRateLimit,
		FailedAuthLimit:    DefaultFailedAuthLimit,
		LastUsedResolution: DefaultLastUsedResolution,
	}
}

// DefaultDBPath is where the emulator keeps its database unless told otherwise:
// $MB_CONFIG_DIR/emulator.db when MB_CONFIG_DIR is set, else
// $XDG_DATA_HOME/metabind/emulator.db, else ~/.local/share/metabind/emulator.db.
func DefaultDBPath(getenv func(string) string) (string, error) {
	if dir := getenv("MB_CONFIG_DIR"); dir != "" {
		return filepath.Join(dir, "emulator.db"), nil
	}
	if dir := getenv("XDG_DATA_HOME"); dir != "" && filepath.IsAbs(dir) {
		return filepath.Join(dir, "metabind", "emulator.db"), nil
	}
	home := getenv("HOME")
	if home == "" {
		return "", errors.New("cannot find a data directory for the emulator database: set HOME, XDG_DATA_HOME or MB_CONFIG_DIR, or pass --db")
	}
	return filepath.Join(home, ".local", "share", "metabind", "emulator.db"), nil
}

// Emulator is one emulated Metabind API over one database.
type Emulator struct {
	cfg    Config
	log    *slog.Logger
	secret []byte
	dbPath string
	store  *store

	cache     *keyCache
	responses *responseCache
	limiter   *rateLimiter // per credential
	failed    *rateLimiter // failed authentications per address

	// lastUsedWrites counts lastUsed updates that changed a row; keyLookups
	// counts database lookups of a key digest. Tests read both.
	lastUsedWrites atomic.Int64
	keyLookups     atomic.Int64

	lastUsedTimeout time.Duration
	timeouts        serverTimeouts

	handler http.Handler
}

// Open opens or creates the database, applies the embedded migrations, and loads
// or creates the secret (a file beside the database, mode 0600; kept in memory
// only for ":memory:").
func Open(ctx context.Context, cfg Config) (*Emulator, error) {
	if cfg.DBPath == "" {
		return nil, errors.New("emulator: no database path given")
	}
	if cfg.RateLimit < 0 {
		return nil, fmt.Errorf("emulator: rate limit must be 0 or more, got %d", cfg.RateLimit)
	}
	if cfg.FailedAuthLimit < 0 {
		return nil, fmt.Errorf("emulator: failed-authentication limit must be 0 or more, got %d", cfg.FailedAuthLimit)
	}
	if cfg.LastUsedResolution < 0 {
		return nil, fmt.Errorf("emulator: lastUsed resolution must be 0 or more, got %s", cfg.LastUsedResolution)
	}
	if cfg.RateLimit > 0 && cfg.FailedAuthLimit == 0 {
		cfg.FailedAuthLimit = DefaultFailedAuthLimit
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	e := &Emulator{cfg: cfg, log: cfg.Logger, lastUsedTimeout: lastUsedTimeout, timeouts: defaultTimeouts}
	if e.log == nil {
		e.log = slog.New(slog.DiscardHandler)
	}

	path := cfg.DBPath
	if cfg.ReadOnly {
		return openReadOnly(ctx, e, path)
	}
	if path == memoryPath {
		e.secret = make([]byte, secretLen)
		if _, err := rand.Read(e.secret); err != nil {
			return nil, fmt.Errorf("emulator: make secret: %w", err)
		}
	} else {
		// The real path: a database reached through a symbolic link has one
		// secret, beside the file itself.
		real, err := RealDBPath(path)
		if err != nil {
			return nil, err
		}
		path = real
		if err := prepareDBFile(path); err != nil {
			return nil, err
		}
		secret, warning, err := loadOrCreateSecret(SecretPath(path))
		if err != nil {
			return nil, err
		}
		if warning != "" {
			e.log.Warn(warning)
		}
		e.secret = secret
	}
	e.dbPath = path

	st, err := openStore(ctx, path, cfg.BusyTimeout)
	if err != nil {
		return nil, fmt.Errorf("open emulator database %s: %w", path, err)
	}
	e.store = st
	e.cache = newKeyCache(maxCachedKeys)
	e.responses = newResponseCache(maxCachedResponses)
	if cfg.RateLimit > 0 {
		e.limiter = newRateLimiter(cfg.RateLimit)
		e.failed = newRateLimiter(cfg.FailedAuthLimit)
	}
	e.handler = e.routes()
	return e, nil
}

// openReadOnly is Open for cfg.ReadOnly.
func openReadOnly(ctx context.Context, e *Emulator, path string) (*Emulator, error) {
	if path == memoryPath {
		return nil, errors.New("emulator: a read-only database must be a file")
	}
	real, err := RealDBPath(path)
	if err != nil {
		return nil, err
	}
	st, err := os.Stat(real)
	if err != nil {
		return nil, fmt.Errorf("open emulator database: %w", err)
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("open emulator database: %s is not a regular file", real)
	}
	e.dbPath = real
	if e.store, err = openStoreReadOnly(ctx, real, e.cfg.BusyTimeout); err != nil {
		return nil, fmt.Errorf("open emulator database %s: %w", real, err)
	}
	e.cache = newKeyCache(maxCachedKeys)
	e.responses = newResponseCache(maxCachedResponses)
	e.handler = e.routes()
	return e, nil
}

// prepareDBFile makes the database's directory (0700) and the file itself (0600)
// when they do not exist, so SQLite's -wal and -shm files inherit the file's mode.
func prepareDBFile(path string) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("create the emulator database directory: %w", err)
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("open emulator database: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return fmt.Errorf("open emulator database: %w", err)
	}
	if !st.Mode().IsRegular() {
		return fmt.Errorf("emulator database %s is not a regular file", path)
	}
	// An existing file must be an SQLite database: refuse anything else before
	// a secret is made beside it.
	if st.Size() > 0 {
		head := make([]byte, len(sqliteHeader))
		if _, err := io.ReadFull(f, head); err != nil || string(head) != sqliteHeader {
			return fmt.Errorf("%s is not an emulator database (not SQLite): give --db a new path or an existing emulator database", path)
		}
	}
	return nil
}

// sqliteHeader starts every SQLite database file.
const sqliteHeader = "SQLite format 3\x00"

// DBPath is the absolute path of the database, or ":memory:".
func (e *Emulator) DBPath() string { return e.dbPath }

// Handler is the emulator's HTTP handler: both APIs, with request ids, logging,
// rate limits and panic recovery.
func (e *Emulator) Handler() http.Handler { return e.handler }

// Close closes the database. Stop serving first.
func (e *Emulator) Close() error { return e.store.close() }

func (e *Emulator) now() time.Time { return e.cfg.Now() }
