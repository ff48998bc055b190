// Package app is the entry point of the metabind binary: it builds the factory and
// the command tree, runs the command under a signal-aware context and turns the
// outcome into an exit code.
package app

import (
	"os"
	"os/signal"
	"syscall"
)

// catchSIGPIPE makes a write to a pipe whose reader has gone fail with EPIPE
// instead of killing the process. By default a Go program that writes to a
// broken pipe on stdout or stderr dies of SIGPIPE (exit 141) without a word;
// metabind must instead see the failed write, because a new key whose secret
// could not be written is removed (exit 8).
//
// The signal is caught, not ignored: an ignored SIGPIPE would be inherited by a
// delivery command (`keys create -- CMD`), whose own pipelines expect the
// default. Signals that arrive while the channel is full are dropped, so the
// channel is never read. The returned function stops catching.
func catchSIGPIPE() (stop func()) {
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, syscall.SIGPIPE)
	return func() { signal.Stop(ch) }
}
