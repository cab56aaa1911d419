package boamp

import (
	"path/filepath"
	"testing"

	"github.com/vigie-data/vigie/internal/samples"

	"github.com/vigie-data/vigie/internal/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

func fixture(t testing.TB, name string) string {
	return filepath.Join(samples.RepoRoot(t), "testdata", "boamp", name)
}
