//go:build unix

package securefile

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// A FIFO with no writer, a device and a link to either are refused at once,
// naming what they are; before, opening the FIFO waited for a writer forever.
func TestReadRefusesNonRegularFiles(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "config.yaml")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	link := filepath.Join(dir, "link.yaml")
	if err := os.Symlink(fifo, link); err != nil {
		t.Fatal(err)
	}
	devLink := filepath.Join(dir, "dev.yaml")
	if err := os.Symlink(os.DevNull, devLink); err != nil {
		t.Fatal(err)
	}
	for path, kind := range map[string]string{
		fifo:    "a FIFO (named pipe)",
		link:    "a FIFO (named pipe)",
		devLink: "a character device",
		dir:     "a directory",
	} {
		done := make(chan error, 1)
		go func() { _, _, err := Read(path, 1<<20); done <- err }()
		var err error
		select {
		case err = <-done:
		case <-time.After(10 * time.Second):
			t.Fatalf("Read(%s) blocked", path)
		}
		var nr *NotRegularError
		if !errors.Is(err, ErrNotRegular) || !errors.As(err, &nr) || nr.Kind != kind {
			t.Errorf("Read(%s) = %v, want a NotRegularError for %s", path, err, kind)
			continue
		}
		if !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), kind) {
			t.Errorf("Read(%s) error %q does not name the path and %s", path, err, kind)
		}
		if errors.Is(err, ErrIsDir) != (kind == "a directory") {
			t.Errorf("Read(%s): errors.Is(ErrIsDir) = %v", path, errors.Is(err, ErrIsDir))
		}
	}
}
