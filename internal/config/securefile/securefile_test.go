package securefile

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

func mode(t *testing.T, path string) fs.FileMode {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Mode().Perm()
}

func TestWriteCreatesPrivateDirAndFile(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a", "metabind")
	path := filepath.Join(dir, "f.yaml")
	if err := Write(path, []byte("x: 1\n"), WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(path)
	if err != nil || string(got) != "x: 1\n" {
		t.Fatalf("content %q, err %v", got, err)
	}
	if runtime.GOOS == "windows" {
		return
	}
	if m := mode(t, dir); m != DirMode {
		t.Errorf("dir mode %04o, want 0700", m)
	}
	if m := mode(t, path); m != FileMode {
		t.Errorf("file mode %04o, want 0600", m)
	}
}

func TestWriteTightensExistingFileMode(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("mode bits do not apply")
	}
	path := filepath.Join(t.TempDir(), "f.yaml")
	if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := Write(path, []byte("new"), WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	if m := mode(t, path); m != FileMode {
		t.Errorf("mode %04o, want 0600", m)
	}
}

func TestWriteFailureBeforeRenameKeepsOldFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "f.yaml")
	if err := os.WriteFile(path, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("disk on fire")
	var sawTemp string
	err := Write(path, []byte("new"), WriteOptions{BeforeRename: func(tmp string) error {
		sawTemp = tmp
		data, err := os.ReadFile(tmp)
		if err != nil || string(data) != "new" {
			t.Errorf("temp file content %q, err %v", data, err)
		}
		return boom
	}})
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v, want the hook's error", err)
	}
	if got, _ := os.ReadFile(path); string(got) != "old" {
		t.Errorf("old file changed to %q", got)
	}
	if filepath.Dir(sawTemp) != dir {
		t.Errorf("temp file %s not in the destination directory", sawTemp)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("temp file left behind: %v", entries)
	}
}

func TestWriteThroughSymlinkKeepsLink(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("symlinks need privileges")
	}
	dir := t.TempDir()
	real := filepath.Join(dir, "dotfiles", "config.yaml")
	if err := os.MkdirAll(filepath.Dir(real), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(real, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "config.yaml")
	if err := os.Symlink(real, link); err != nil {
		t.Fatal(err)
	}
	if err := Write(link, []byte("new"), WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Lstat(link)
	if err != nil || fi.Mode()&fs.ModeSymlink == 0 {
		t.Fatalf("link replaced: %v %v", fi, err)
	}
	if got, _ := os.ReadFile(real); string(got) != "new" {
		t.Errorf("target content %q", got)
	}
	if err := Remove(link); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{link, real} {
		if _, err := os.Lstat(p); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("%s still exists after Remove", p)
		}
	}
}

func TestWriteOntoDirectoryFails(t *testing.T) {
	path := filepath.Join(t.TempDir(), "f.yaml")
	if err := os.Mkdir(path, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := Write(path, []byte("x"), WriteOptions{}); !errors.Is(err, ErrIsDir) {
		t.Fatalf("err = %v, want ErrIsDir", err)
	}
}

func TestRead(t *testing.T) {
	dir := t.TempDir()
	if _, _, err := Read(filepath.Join(dir, "missing"), 10); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing: %v", err)
	}
	if _, _, err := Read(dir, 10); !errors.Is(err, ErrIsDir) {
		t.Errorf("dir: %v", err)
	}
	big := filepath.Join(dir, "big")
	if err := os.WriteFile(big, []byte(strings.Repeat("x", 11)), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, _, err := Read(big, 10); !errors.Is(err, ErrTooLarge) {
		t.Errorf("big: %v", err)
	}
	data, fi, err := Read(big, 11)
	if err != nil || len(data) != 11 || fi.Size() != 11 {
		t.Errorf("read: %q %v %v", data, fi, err)
	}
}

func TestEnsureDirRejectsFile(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := EnsureDir(file); err == nil {
		t.Fatal("EnsureDir on a file succeeded")
	}
}

func TestPermissionWarnings(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("mode bits do not apply")
	}
	path := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(path, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	fi, _ := os.Stat(path)
	if w := PermissionWarnings("config file", path, fi); len(w) != 0 {
		t.Errorf("0600 file warned: %v", w)
	}
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	fi, _ = os.Stat(path)
	w := PermissionWarnings("config file", path, fi)
	if len(w) != 1 || !strings.Contains(w[0], "chmod 600 "+path) || !strings.Contains(w[0], "0644") {
		t.Errorf("0644 warnings = %q", w)
	}
	if os.Getuid() == 0 {
		if err := os.Chown(path, 4242, -1); err != nil {
			t.Fatal(err)
		}
		fi, _ = os.Stat(path)
		w = PermissionWarnings("config file", path, fi)
		if len(w) != 2 || !strings.Contains(w[1], "another user (uid 4242)") {
			t.Errorf("foreign owner warnings = %q", w)
		}
	}
}

// SECURITY C3: a credentials file's directory ends up 0700 even when it
// existed before with wider permissions; other files leave it alone.
func TestWritePrivateDirTightensAnExistingDirectory(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("mode bits do not apply")
	}
	dir := filepath.Join(t.TempDir(), "shared")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := Write(filepath.Join(dir, "config.yaml"), []byte("a: 1\n"), WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	if m := mode(t, dir); m != 0o755 {
		t.Fatalf("a plain write changed the directory to %04o", m)
	}
	if err := Write(filepath.Join(dir, "credentials.yaml"), []byte("t: x\n"), WriteOptions{PrivateDir: true}); err != nil {
		t.Fatal(err)
	}
	if m := mode(t, dir); m != DirMode {
		t.Errorf("directory mode %04o after a credentials write, want 0700", m)
	}

	// A symbolic link into another directory does not change that directory.
	other := filepath.Join(t.TempDir(), "dotfiles")
	if err := os.Mkdir(other, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(other, 0o755); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "linked.yaml")
	if err := os.Symlink(filepath.Join(other, "real.yaml"), link); err != nil {
		t.Fatal(err)
	}
	if err := Write(link, []byte("t: y\n"), WriteOptions{PrivateDir: true}); err != nil {
		t.Fatal(err)
	}
	if m := mode(t, other); m != 0o755 {
		t.Errorf("the link's target directory became %04o", m)
	}
}

func TestCreateNew(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "sub", "secret")
	if err := CreateNew(path, []byte("one\n")); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if runtime.GOOS != "windows" && fi.Mode().Perm() != FileMode {
		t.Errorf("mode %v, want %v", fi.Mode().Perm(), FileMode)
	}
	if err := CreateNew(path, []byte("two\n")); !errors.Is(err, fs.ErrExist) || !strings.Contains(err.Error(), path) {
		t.Errorf("second CreateNew = %v, want fs.ErrExist naming the path", err)
	}
	if b, _ := os.ReadFile(path); string(b) != "one\n" {
		t.Errorf("the existing file was replaced: %q", b)
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Errorf("temporary files left behind: %v", entries)
	}
}

func TestWriteMode(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("mode bits")
	}
	path := filepath.Join(t.TempDir(), "ready")
	if err := Write(path, []byte("x"), WriteOptions{Mode: 0o644}); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o644 {
		t.Errorf("mode %v, want 0644", fi.Mode().Perm())
	}
}
