package boamp

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/vigie-data/vigie/internal/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// repoRoot is the directory holding go.mod.
func repoRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("go.mod not found above the test directory")
		}
		dir = parent
	}
}

// sharedData is ../shared/data beside the repository, or a skip.
func sharedData(t testing.TB, sub string) string {
	t.Helper()
	p := filepath.Join(repoRoot(t), "..", "shared", "data", sub)
	if _, err := os.Stat(p); err != nil {
		t.Skipf("real samples not available (%s): %v", p, err)
	}
	return p
}

func fixture(t testing.TB, name string) string {
	return filepath.Join(repoRoot(t), "testdata", "boamp", name)
}
