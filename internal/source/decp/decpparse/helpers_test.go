package decpparse

import (
	"path/filepath"
	"testing"

	"github.com/vigie-data/vigie/internal/samples"
)

// sharedData is the real DECP samples' folder; the test skips without it.
func sharedData(t testing.TB) string { return samples.Data(t, "decp") }

// fixture is a file of testdata/decp.
func fixture(name string) string {
	return filepath.Join("..", "..", "..", "..", "testdata", "decp", name)
}
