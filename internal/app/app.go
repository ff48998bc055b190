// Package app is the entry point of the metabind binary: it builds the factory and
// the command tree, runs the command under a signal-aware context and turns the
// outcome into an exit code.
package app
