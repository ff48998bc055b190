package emulator

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// ErrServing means another emulator process is already serving the database.
var ErrServing = errors.New("another metabind emulator is already serving this database")

// LockForServing takes an exclusive lock on <db>.lock for as long as this process
// serves the database. Each server caches verified keys, so two servers on one
// file would not see each other's revocations at once; the lock prevents that.
// The one-shot commands (seed, token, audit) never revoke and need no lock. The
// kernel releases the lock if the process dies. ":memory:" needs none.
func LockForServing(dbPath string) (unlock func(), err error) {
	if dbPath == ":memory:" {
		return func() {}, nil
	}
	path := dbPath + ".lock"
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("create directory for %s: %w", path, err)
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	if err := lockFile(f); err != nil {
		f.Close()
		if errors.Is(err, errLocked) {
			return nil, fmt.Errorf("%w (%s is held)", ErrServing, path)
		}
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	return func() {
		unlockFile(f)
		f.Close()
	}, nil
}

var errLocked = errors.New("locked")
