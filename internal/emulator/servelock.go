package emulator

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// ErrServing means another emulator process is already serving the database.
var ErrServing = errors.New("another metabind emulator is already serving this database")

// LockForServing takes the locks a serving process holds for as long as it
// serves the database, so that two servers never share one (each caches
// verified keys):
//
//   - an exclusive lock on <real path>.lock, where the real path has every
//     symbolic link resolved, so a second server through a symlink meets it;
//     the file records this process's pid and url for the message a second
//     server prints;
//   - on Linux, an exclusive flock(2) on the database file itself, so a second
//     server through a hard link meets it too. flock and SQLite's POSIX
//     (fcntl) record locks are independent on Linux, so SQLite is unaffected.
//
// The database file is created (mode 0600, as Open would) when it does not
// exist, so that it can be locked. The one-shot commands (seed, token, audit)
// take no lock. The kernel releases the locks if the process dies. ":memory:"
// needs none.
func LockForServing(dbPath, url string) (unlock func(), err error) {
	if dbPath == memoryPath {
		return func() {}, nil
	}
	real, err := RealDBPath(dbPath)
	if err != nil {
		return nil, err
	}
	path := real + ".lock"
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("create directory for %s: %w", path, err)
	}
	lf, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	if err := lockFile(lf); err != nil {
		defer lf.Close()
		if errors.Is(err, errLocked) {
			return nil, fmt.Errorf("%w (%s%s; lock %s)", ErrServing, real, describeHolder(lf), path)
		}
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	release := func() {
		_ = lf.Truncate(0)
		unlockFile(lf)
		lf.Close()
	}
	if err := lf.Truncate(0); err == nil {
		_, _ = lf.WriteAt([]byte(fmt.Sprintf("pid %d\nurl %s\n", os.Getpid(), url)), 0)
	}

	if err := prepareDBFile(real); err != nil {
		release()
		return nil, err
	}
	df, err := os.Open(real)
	if err != nil {
		release()
		return nil, fmt.Errorf("lock %s: %w", real, err)
	}
	if err := lockDBFile(df); err != nil {
		holder := dbLockHolder(df)
		df.Close()
		release()
		if errors.Is(err, errLocked) {
			return nil, fmt.Errorf("%w (%s, through another name for the same file%s)", ErrServing, real, holder)
		}
		return nil, fmt.Errorf("lock %s: %w", real, err)
	}
	return func() {
		unlockDBFile(df)
		df.Close()
		release()
	}, nil
}

// describeHolder reads what the lock holder recorded: ", pid N at URL".
func describeHolder(lf *os.File) string {
	b, err := io.ReadAll(io.LimitReader(lf, 4096))
	if err != nil {
		return ""
	}
	var pid, url string
	for _, line := range strings.Split(string(b), "\n") {
		k, v, _ := strings.Cut(line, " ")
		switch k {
		case "pid":
			if _, err := strconv.Atoi(v); err == nil {
				pid = v
			}
		case "url":
			if strings.HasPrefix(v, "http://") && len(v) < 200 && !strings.ContainsAny(v, " \t\x1b") {
				url = v
			}
		}
	}
	switch {
	case pid != "" && url != "":
		return ", served by pid " + pid + " at " + url
	case pid != "":
		return ", served by pid " + pid
	}
	return ""
}

// RealDBPath is the absolute path of the database with every symbolic link
// resolved, as far as the path exists: a database that does not exist yet is
// its resolved directory plus its name, and a dangling symbolic link is
// followed to where its target would be.
func RealDBPath(dbPath string) (string, error) {
	if dbPath == memoryPath {
		return dbPath, nil
	}
	abs, err := filepath.Abs(dbPath)
	if err != nil {
		return "", fmt.Errorf("emulator database %s: %w", dbPath, err)
	}
	p := abs
	for range 40 { // the kernel's own limit on links in a path
		real, err := filepath.EvalSymlinks(p)
		if err == nil {
			return real, nil
		}
		if !errors.Is(err, os.ErrNotExist) {
			return "", fmt.Errorf("emulator database %s: %w", dbPath, err)
		}
		if fi, lerr := os.Lstat(p); lerr == nil && fi.Mode()&os.ModeSymlink != 0 {
			target, err := os.Readlink(p)
			if err != nil {
				return "", fmt.Errorf("emulator database %s: %w", dbPath, err)
			}
			if !filepath.IsAbs(target) {
				target = filepath.Join(filepath.Dir(p), target)
			}
			p = target
			continue
		}
		// p does not exist: resolve what does of its directory.
		dir, err := RealDBPath(filepath.Dir(p))
		if err != nil {
			return "", err
		}
		return filepath.Join(dir, filepath.Base(p)), nil
	}
	return "", fmt.Errorf("emulator database %s: too many levels of symbolic links", dbPath)
}

var errLocked = errors.New("locked")
