package main

import (
	"crypto/ed25519"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"hcs/internal/credential"
	"hcs/internal/database"
)

// issuerKeyFile is the issuer key's file name beside a SQLite database.
const issuerKeyFile = "issuer.key"

// runIssuerKey is `hcs issuer-key FILE`: it makes a new key for signing
// completion certificates, in a file only its owner can read, and prints
// the public key that the issuer's DID document will list.
func runIssuerKey(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("issuer-key", stderr)
	rest, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(rest) != 1 {
		return usageError{"issuer-key needs the file to write the new key to"}
	}
	key, err := newIssuerKey(rest[0])
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote a new issuer key to %s; its public key is %s\n", rest[0], credential.PublicMultikey(key.Public().(ed25519.PublicKey)))
	return nil
}

// newIssuerKey writes a new private key to path, which must not exist.
// The key is written to a file of its own first and then linked into
// place, so that another process never reads half a key, and a key that
// is there already is never replaced.
func newIssuerKey(path string) (ed25519.PrivateKey, error) {
	_, key, err := ed25519.GenerateKey(nil)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return nil, err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".issuer-key-*")
	if err != nil {
		return nil, err
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return nil, err
	}
	if _, err := fmt.Fprintln(tmp, credential.PrivateMultikey(key)); err != nil {
		tmp.Close()
		return nil, err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return nil, err
	}
	if err := tmp.Close(); err != nil {
		return nil, err
	}
	if err := os.Link(tmp.Name(), path); errors.Is(err, fs.ErrExist) {
		return nil, fmt.Errorf("%s exists already: %w (a key is never overwritten: certificates signed with it would stop verifying if it were lost)", path, fs.ErrExist)
	} else if err != nil {
		return nil, err
	}
	return key, nil
}

// loadIssuerKey reads the key certificates are signed with. With no file
// named, a SQLite database keeps one beside it (made on first start);
// PostgreSQL servers, which may be many, need the same file named on each.
// It returns nil, without an error, when there is none to use.
func loadIssuerKey(path string, db *database.DB) (ed25519.PrivateKey, string, error) {
	if path == "" {
		if db.Dialect != database.SQLite || db.Source() == ":memory:" {
			return nil, "", nil
		}
		path = filepath.Join(filepath.Dir(strings.TrimPrefix(db.Source(), "sqlite:")), issuerKeyFile)
		if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
			key, err := newIssuerKey(path)
			if !errors.Is(err, fs.ErrExist) { // another process may have made it just now
				return key, path, err
			}
		}
	}
	info, err := os.Stat(path)
	if err != nil {
		return nil, path, fmt.Errorf("--issuer-key: %w (make one with: hcs issuer-key FILE)", err)
	}
	if info.Mode().Perm()&0o077 != 0 {
		return nil, path, fmt.Errorf("--issuer-key: %s can be read by others (mode %v): allow only its owner (chmod 600)", path, info.Mode().Perm())
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, path, fmt.Errorf("--issuer-key: %w", err)
	}
	key, err := credential.ParsePrivateMultikey(strings.TrimSpace(string(b)))
	if err != nil {
		return nil, path, fmt.Errorf("--issuer-key: %s does not hold an Ed25519 private multikey: %w", path, err)
	}
	return key, path, nil
}
