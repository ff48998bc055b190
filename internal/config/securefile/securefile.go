// Package securefile reads and writes the small private files metabind keeps in
// its configuration directory (config.yaml, credentials.yaml).
//
// Writes are atomic and private: the data goes to a temporary file in the same
// directory, which is written, synced to disk, given mode 0600 and then renamed
// over the destination, so a crash or a full disk leaves either the old file or
// the new one, never a torn mix, and a pre-existing file with looser permissions
// ends up 0600. A directory that has to be created is created with mode 0700.
//
// Reads refuse anything but a regular file (a FIFO, a device, a directory)
// without blocking on it, and report an oversized file and unreadable files as
// errors, and PermissionWarnings describes a file that other users can
// read or that belongs to someone else.
package securefile

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
)

// FileMode and DirMode are the permissions of the files and directories written here.
const (
	FileMode fs.FileMode = 0o600
	DirMode  fs.FileMode = 0o700
)

// ErrIsDir is returned by Read when the path names a directory.
var ErrIsDir = errors.New("is a directory, not a file")

// ErrTooLarge is returned by Read when the file is larger than the limit given.
var ErrTooLarge = errors.New("is too large")

// WriteOptions adjusts Write. The zero value is what production code uses.
type WriteOptions struct {
	// BeforeRename, when set, runs once the temporary file is complete and synced,
	// just before it replaces the destination. An error aborts the write: the
	// temporary file is removed and the destination is left as it was. Tests use
	// it to simulate a crash or a failing disk at the last moment.
	BeforeRename func(tmpPath string) error
	// PrivateDir makes an existing parent directory that others can reach
	// (group or other permission bits) mode 0700 too, when the current user owns
	// it and path is not a symbolic link into somewhere else. For files that
	// hold credentials.
	PrivateDir bool
	// Mode is the new file's permission bits; 0 means FileMode (0600). A file
	// meant for other users to read (an emulator's ready file) may be 0644.
	Mode fs.FileMode
}

// ErrNotRegular is matched (errors.Is) by the error Read gives for anything
// other than a regular file: a FIFO, a device, a socket, a directory.
var ErrNotRegular = errors.New("not a regular file")

// NotRegularError is the cause of Read's error for a path that is not a
// regular file. Kind says what it is instead, e.g. "a FIFO (named pipe)".
type NotRegularError struct{ Kind string }

func (e *NotRegularError) Error() string { return "is " + e.Kind + ", not a regular file" }

// Is matches ErrNotRegular, and ErrIsDir for a directory.
func (e *NotRegularError) Is(target error) bool {
	return target == ErrNotRegular || target == ErrIsDir && e.Kind == kindDir
}

const kindDir = "a directory"

// Kind describes the type of file mode m for a message: "a directory",
// "a FIFO (named pipe)", "a character device", and so on.
func Kind(m fs.FileMode) string {
	switch {
	case m.IsRegular():
		return "a regular file"
	case m.IsDir():
		return kindDir
	case m&fs.ModeNamedPipe != 0:
		return "a FIFO (named pipe)"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a block device"
	case m&fs.ModeSymlink != 0:
		return "a symbolic link"
	default:
		return "a special file"
	}
}

// Read returns the contents of the file at path and its FileInfo. A missing file
// gives an error matching fs.ErrNotExist; anything but a regular file (after
// symbolic links) gives a *NotRegularError matching ErrNotRegular (and ErrIsDir
// for a directory); a file larger than limit bytes gives ErrTooLarge. Errors
// are *fs.PathError values naming the path.
//
// Read never blocks on what it finds: the file is opened non-blocking (a FIFO
// with no writer would otherwise hang the open, and a device the read) and
// checked with fstat before a byte is read, so nothing swapped in between the
// check and the open is read either.
func Read(path string, limit int64) ([]byte, fs.FileInfo, error) {
	if fi, err := os.Stat(path); err == nil && !fi.Mode().IsRegular() {
		// Refused without opening it: opening a device can have effects.
		return nil, fi, &fs.PathError{Op: "read", Path: path, Err: &NotRegularError{Kind: Kind(fi.Mode())}}
	}
	f, err := os.OpenFile(path, os.O_RDONLY|openNonblock, 0)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, fi, &fs.PathError{Op: "read", Path: path, Err: &NotRegularError{Kind: Kind(fi.Mode())}}
	}
	if fi.Size() > limit {
		return nil, fi, &fs.PathError{Op: "read", Path: path, Err: ErrTooLarge}
	}
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, fi, err
	}
	if int64(len(data)) > limit {
		return nil, fi, &fs.PathError{Op: "read", Path: path, Err: ErrTooLarge}
	}
	return data, fi, nil
}

// Write atomically replaces the file at path with data, leaving it with mode
// 0600 (or o.Mode). The parent directory is created with mode 0700 when it does not exist.
// When path is a symbolic link, the file it points to is replaced and the link is
// kept. On failure the original file, if any, is unchanged.
func Write(path string, data []byte, o WriteOptions) error {
	target, err := resolveLink(path)
	if err != nil {
		return err
	}
	dir := filepath.Dir(target)
	if err := EnsureDir(dir); err != nil {
		return err
	}
	if o.PrivateDir && target == path {
		if err := tightenDir(dir); err != nil {
			return err
		}
	}
	if fi, err := os.Stat(target); err == nil && fi.IsDir() {
		return &fs.PathError{Op: "write", Path: target, Err: ErrIsDir}
	}

	tmp, err := os.CreateTemp(dir, "."+filepath.Base(target)+".tmp-*")
	if err != nil {
		return err
	}
	tmpPath := tmp.Name()
	renamed := false
	defer func() {
		if !renamed {
			tmp.Close()
			os.Remove(tmpPath)
		}
	}()

	if _, err := tmp.Write(data); err != nil {
		return err
	}
	if err := tmp.Sync(); err != nil {
		return err
	}
	// CreateTemp already uses 0600; set it explicitly so the guarantee does not
	// rest on an implementation detail.
	mode := o.Mode
	if mode == 0 {
		mode = FileMode
	}
	if err := tmp.Chmod(mode); err != nil {
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if o.BeforeRename != nil {
		if err := o.BeforeRename(tmpPath); err != nil {
			return err
		}
	}
	if err := os.Rename(tmpPath, target); err != nil {
		return err
	}
	renamed = true
	syncDir(dir)
	return nil
}

// CreateNew atomically creates the file at path holding data, with mode 0600,
// and never replaces one: when path exists (even as a dangling link), it is
// left as it is and the error matches fs.ErrExist. A reader sees no file or
// the whole of it, synced to disk; of several processes racing to create it,
// exactly one succeeds. The parent directory is created with mode 0700 when
// it does not exist.
func CreateNew(path string, data []byte) error {
	dir := filepath.Dir(path)
	if err := EnsureDir(dir); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	tmpPath := tmp.Name()
	defer os.Remove(tmpPath)
	if err := writeSynced(tmp, data); err != nil {
		return err
	}
	// link(2) fails when the name exists, and publishes the complete file at
	// once: a no-replace rename.
	if err := os.Link(tmpPath, path); err != nil {
		var le *os.LinkError
		if errors.As(err, &le) {
			return &fs.PathError{Op: "create", Path: path, Err: le.Err}
		}
		return err
	}
	syncDir(dir)
	return nil
}

// writeSynced writes data to f, syncs it, makes it FileMode and closes it.
func writeSynced(f *os.File, data []byte) error {
	_, err := f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if err == nil {
		err = f.Chmod(FileMode)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// Remove deletes the file at path. When path is a symbolic link, the file it
// points to is removed as well as the link, so no copy of the contents remains.
// A missing file is not an error.
func Remove(path string) error {
	target, err := resolveLink(path)
	if err != nil {
		return err
	}
	if target != path {
		if err := os.Remove(target); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}

// EnsureDir makes sure dir exists as a directory. When it has to be created, it
// (and any missing parent) gets mode 0700 regardless of the umask. An existing
// directory's permissions are left as they are (see WriteOptions.PrivateDir).
func EnsureDir(dir string) error {
	fi, err := os.Stat(dir)
	if err == nil {
		if !fi.IsDir() {
			return &fs.PathError{Op: "mkdir", Path: dir, Err: errors.New("exists and is not a directory")}
		}
		return nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	if err := os.MkdirAll(dir, DirMode); err != nil {
		return err
	}
	// MkdirAll applies the umask; a umask of 0 must not leave the directory open.
	if runtime.GOOS != "windows" {
		if err := os.Chmod(dir, DirMode); err != nil {
			return err
		}
	}
	return nil
}

// tightenDir sets dir to DirMode when it has group or other permission bits and
// belongs to the current user. Not on Windows, where mode bits do not describe
// access.
func tightenDir(dir string) error {
	if runtime.GOOS == "windows" {
		return nil
	}
	fi, err := os.Stat(dir)
	if err != nil {
		return err
	}
	if fi.Mode().Perm()&0o077 == 0 {
		return nil
	}
	if uid, ok := fileOwner(fi); ok && uid != os.Getuid() {
		return nil // not ours to change; PermissionWarnings speaks of the file
	}
	return os.Chmod(dir, DirMode)
}

// PermissionWarnings describes what is wrong with the permissions of the file at
// path, whose FileInfo is fi: group or other permission bits set, or an owner
// other than the current user. what names the file for the user, for example
// "credentials file". On Windows, where mode bits do not describe access, it
// returns nothing.
func PermissionWarnings(what, path string, fi fs.FileInfo) []string {
	if fi == nil || runtime.GOOS == "windows" {
		return nil
	}
	var warnings []string
	if perm := fi.Mode().Perm(); perm&0o077 != 0 {
		warnings = append(warnings, fmt.Sprintf(
			"%s %s is accessible by other users (mode %04o): run `chmod 600 %s`",
			what, path, perm, path))
	}
	if uid, ok := fileOwner(fi); ok && uid != os.Getuid() {
		warnings = append(warnings, fmt.Sprintf(
			"%s %s belongs to another user (uid %d): check who created it, or remove it",
			what, path, uid))
	}
	return warnings
}

// resolveLink returns the file a symbolic link at path points to, or path itself
// when it is not a link or does not exist yet.
func resolveLink(path string) (string, error) {
	fi, err := os.Lstat(path)
	if err != nil || fi.Mode()&fs.ModeSymlink == 0 {
		return path, nil
	}
	target, err := filepath.EvalSymlinks(path)
	if err != nil {
		// A dangling link: write where it points, so the link becomes valid.
		dest, rerr := os.Readlink(path)
		if rerr != nil {
			return "", err
		}
		if !filepath.IsAbs(dest) {
			dest = filepath.Join(filepath.Dir(path), dest)
		}
		return dest, nil
	}
	return target, nil
}

// syncDir flushes the directory entry of a rename to disk where the platform
// supports it. It is best effort: the rename itself has already succeeded.
func syncDir(dir string) {
	if runtime.GOOS == "windows" {
		return
	}
	d, err := os.Open(dir)
	if err != nil {
		return
	}
	_ = d.Sync()
	d.Close()
}
