//go:build unix

package securefile

import "syscall"

// openNonblock keeps an open from waiting on a FIFO's writer or a device.
const openNonblock = syscall.O_NONBLOCK
