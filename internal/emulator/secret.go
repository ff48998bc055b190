package emulator

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"

	"github.com/metabind/metabind-cli/internal/config/securefile"
)

// secretLen is the size of the emulator's signing and digest secret.
const secretLen = 32

// SecretPath is where the emulator keeps the secret for the database at dbPath:
// beside it, with mode 0600.
func SecretPath(dbPath string) string { return dbPath + ".secret" }

// loadOrCreateSecret reads the secret at path, or makes one when there is none.
// Creation is safe against a concurrent creator: the new file is written under a
// temporary name and linked into place, so whoever links first wins and the other
// reads the winner's secret. It returns a warning when an existing file had
// group or other permission bits (they are removed).
func loadOrCreateSecret(path string) (secret []byte, warning string, err error) {
	for attempt := 0; attempt < 2; attempt++ {
		secret, warning, err = readSecret(path)
		if err == nil || !errors.Is(err, fs.ErrNotExist) {
			return secret, warning, err
		}
		created, err := createSecret(path)
		if err != nil {
			return nil, "", err
		}
		if created != nil {
			return created, "", nil
		}
		// Someone else created it first: read theirs.
	}
	return nil, "", fmt.Errorf("emulator secret %s: could not be created or read", path)
}

func readSecret(path string) ([]byte, string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, "", err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, "", err
	}
	if !st.Mode().IsRegular() {
		return nil, "", fmt.Errorf("emulator secret %s is not a regular file", path)
	}
	buf := make([]byte, 4*secretLen)
	n, _ := f.Read(buf)
	raw := strings.TrimSpace(string(buf[:n]))
	secret, err := hex.DecodeString(raw)
	if err != nil || len(secret) != secretLen {
		return nil, "", fmt.Errorf("emulator secret %s is corrupt (want %d hex-encoded bytes); delete it to make a new one (tokens minted with the old one stop working)", path, secretLen)
	}
	var warning string
	if st.Mode().Perm()&0o077 != 0 {
		warning = fmt.Sprintf("emulator secret %s had mode %04o; it is now 0600", path, st.Mode().Perm())
		if err := f.Chmod(0o600); err != nil {
			warning = fmt.Sprintf("emulator secret %s has mode %04o and could not be made 0600: %v", path, st.Mode().Perm(), err)
		}
	}
	return secret, warning, nil
}

// createSecret writes a new secret to path. It returns nil, nil when path
// appeared in the meantime.
func createSecret(path string) ([]byte, error) {
	secret := make([]byte, secretLen)
	if _, err := rand.Read(secret); err != nil {
		return nil, fmt.Errorf("make emulator secret: %w", err)
	}
	if err := securefile.CreateNew(path, []byte(hex.EncodeToString(secret)+"\n")); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return nil, nil
		}
		return nil, fmt.Errorf("write emulator secret: %w", err)
	}
	return secret, nil
}
