package boamp

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/vigie-data/vigie/internal/samples"
	"github.com/vigie-data/vigie/internal/source"
	"github.com/vigie-data/vigie/internal/store"
	"github.com/vigie-data/vigie/internal/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

func fixture(t testing.TB, name string) string {
	return filepath.Join(samples.RepoRoot(t), "testdata", "boamp", name)
}

// byHand is a run by hand of the days since..until on st, its checkpoint
// kept in memory.
func byHand(st *store.Store, url string, since, until time.Time) *source.Run {
	return &source.Run{ID: "t", Pipeline: "test", URL: url, Now: time.Now(), Store: st, Fetch: testClient(),
		Checkpoint: source.NewCheckpoint(nil, "test", "t", ""), Since: since, Until: until}
}
