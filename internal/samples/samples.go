// Package samples locates, for tests and benchmarks, the repository root
// and the real public sample files (DECP, BOAMP, eForms) kept in
// shared/data beside the repository. Those files are never copied into the
// repository; tests that read them skip, saying why, when they are absent.
package samples

import (
	"os"
	"path/filepath"
	"testing"
)

// Root returns the repository root (the directory holding go.mod) above the
// working directory.
func Root() (string, bool) {
	dir, err := os.Getwd()
	if err != nil {
		return "", false
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, true
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", false
		}
		dir = parent
	}
}

// RepoRoot is Root for a test, failing it when there is no go.mod above.
func RepoRoot(t testing.TB) string {
	t.Helper()
	root, ok := Root()
	if !ok {
		t.Fatal("go.mod not found above the working directory")
	}
	return root
}

// DataDir returns shared/data/<sub...> beside the repository, if present
// (VIGIE_SHARED_DATA names another place for shared/data, e.g. for a
// git worktree).
func DataDir(sub ...string) (string, bool) {
	base := os.Getenv("VIGIE_SHARED_DATA")
	if base == "" {
		root, ok := Root()
		if !ok {
			return "", false
		}
		base = filepath.Join(root, "..", "shared", "data")
	}
	p := filepath.Join(append([]string{base}, sub...)...)
	if _, err := os.Stat(p); err != nil {
		return "", false
	}
	return p, true
}

// Data returns shared/data/<sub...>, skipping the test when it is missing.
func Data(t testing.TB, sub ...string) string {
	t.Helper()
	p, ok := DataDir(sub...)
	if !ok {
		t.Skipf("real sample data not available: %s beside the repository (see its SOURCES.md files)",
			filepath.Join(append([]string{"shared", "data"}, sub...)...))
	}
	return p
}
