package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"hcs/internal/database"
)

// hcs issuer-key makes a key only its owner can read and never replaces
// one; serve refuses a key file others can read, and with SQLite makes
// one beside the database.
func TestIssuerKeyFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "keys", "issuer.key")
	var out bytes.Buffer
	if err := run(context.Background(), []string{"issuer-key", path}, &out, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "its public key is z6Mk") {
		t.Errorf("issuer-key printed %q", out.String())
	}
	info, err := os.Stat(path)
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("the key file: %v, %v", info, err)
	}
	before, _ := os.ReadFile(path)
	if err := run(context.Background(), []string{"issuer-key", path}, &out, &out); err == nil || !strings.Contains(err.Error(), "exists already") {
		t.Errorf("a second issuer-key on the same file: %v", err)
	}
	if after, _ := os.ReadFile(path); !bytes.Equal(before, after) {
		t.Error("the key was replaced")
	}
	db, err := database.Open(context.Background(), filepath.Join(dir, "data", "hcs.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	key, _, err := loadIssuerKey(path, db)
	if err != nil || key == nil {
		t.Fatalf("loading the key: %v", err)
	}
	os.Chmod(path, 0o644)
	if _, _, err := loadIssuerKey(path, db); err == nil || !strings.Contains(err.Error(), "chmod 600") {
		t.Errorf("a key others can read: %v", err)
	}
	os.WriteFile(filepath.Join(dir, "bad.key"), []byte("not a key\n"), 0o600)
	if _, _, err := loadIssuerKey(filepath.Join(dir, "bad.key"), db); err == nil || !strings.Contains(err.Error(), "Ed25519 private multikey") {
		t.Errorf("a file without a key: %v", err)
	}
	made, where, err := loadIssuerKey("", db)
	if err != nil || made == nil || where != filepath.Join(dir, "data", "issuer.key") {
		t.Fatalf("the key made beside the database: %v at %s", err, where)
	}
	again, _, err := loadIssuerKey("", db)
	if err != nil || !again.Equal(made) {
		t.Errorf("the second start did not read the same key: %v", err)
	}
}
