//go:build unix

package securefile

import (
	"io/fs"
	"syscall"
)

// fileOwner returns the numeric owner of the file described by fi.
func fileOwner(fi fs.FileInfo) (int, bool) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return 0, false
	}
	return int(st.Uid), true
}
