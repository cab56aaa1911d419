package cli

import (
	"path/filepath"
	"testing"

	"github.com/vigie-data/vigie/internal/schedule"
)

// Every source a shipped definition names is registered, and the shipped
// definitions load with the registry.
func TestShippedPipelinesHaveSources(t *testing.T) {
	ps, err := schedule.Load(filepath.Join("..", "..", "pipelines"), sources)
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) == 0 {
		t.Fatal("no shipped pipeline")
	}
	for _, name := range []string{"decp", "boamp", "boamp-archive"} {
		if sources[name] == nil {
			t.Errorf("no source %s", name)
		}
	}
}
