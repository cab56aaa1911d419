package decp

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/vigie-data/vigie/internal/ingest"
	"github.com/vigie-data/vigie/internal/store"
	"github.com/vigie-data/vigie/internal/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// sharedData finds ../shared/data/decp beside the repository root.
func sharedData(t *testing.T) string {
	t.Helper()
	dir, _ := os.Getwd()
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			p := filepath.Join(dir, "..", "shared", "data", "decp")
			if _, err := os.Stat(p); err != nil {
				t.Skipf("real DECP samples not found at %s", p)
			}
			return p
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Skip("repository root not found")
		}
		dir = parent
	}
}

func ingestFile(t *testing.T, st *store.Store, path string, opts Options) ingest.Summary {
	t.Helper()
	sum, err := IngestFile(context.Background(), st, path, opts)
	if err != nil {
		t.Fatalf("ingest %s: %v", path, err)
	}
	return sum
}

func stats(t *testing.T, st *store.Store) store.ContractStats {
	t.Helper()
	s, err := st.ContractStats(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return s
}
