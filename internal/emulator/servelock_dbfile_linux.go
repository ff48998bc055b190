//go:build linux

package emulator

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// lockDBFile takes an exclusive flock on the database file. On Linux flock
// locks and the POSIX record locks SQLite uses do not interact, so this blocks
// only a second server (which takes the same flock), whatever name it opened
// the file by.
func lockDBFile(f *os.File) error {
	err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB)
	if errors.Is(err, unix.EWOULDBLOCK) {
		return errLocked
	}
	return err
}

func unlockDBFile(f *os.File) { _ = unix.Flock(int(f.Fd()), unix.LOCK_UN) }

// dbLockHolder finds the process holding the flock on f in /proc/locks:
// ", served by pid N", or "" when it cannot tell.
func dbLockHolder(f *os.File) string {
	var st unix.Stat_t
	if err := unix.Fstat(int(f.Fd()), &st); err != nil {
		return ""
	}
	want := fmt.Sprintf("%02x:%02x:%d", unix.Major(st.Dev), unix.Minor(st.Dev), st.Ino)
	locks, err := os.Open("/proc/locks")
	if err != nil {
		return ""
	}
	defer locks.Close()
	sc := bufio.NewScanner(locks)
	for sc.Scan() {
		// "1: FLOCK  ADVISORY  WRITE 1234 08:02:131 0 EOF"; waiters have "->".
		fields := strings.Fields(sc.Text())
		if len(fields) < 6 || fields[1] != "FLOCK" || fields[3] != "WRITE" || fields[5] != want {
			continue
		}
		if pid, err := strconv.Atoi(fields[4]); err == nil && pid != os.Getpid() {
			return ", served by pid " + fields[4]
		}
	}
	return ""
}
