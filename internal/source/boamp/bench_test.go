package boamp

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/vigie-data/vigie/internal/store/storetest"
)

// BenchmarkIngestDay parses and stores a day-sized batch: 2 000 API
// records (FNSimple and eForms-as-JSON in turn, new idwebs each round),
// read from an exports-style JSON file.
func BenchmarkIngestDay(b *testing.B) {
	const perDay = 2000
	st := storetest.New(b)
	ctx := context.Background()
	dir := b.TempDir()
	round := 0
	b.ResetTimer()
	for b.Loop() {
		b.StopTimer()
		round++
		recs := genRecords(b, fmt.Sprintf("B%d", round), perDay, "2026-02-02")
		body, _ := json.Marshal(recs)
		path := filepath.Join(dir, fmt.Sprintf("day-%d.json", round))
		if err := os.WriteFile(path, body, 0o644); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		sum, err := IngestFiles(ctx, st, []string{path}, Options{})
		if err != nil {
			b.Fatal(err)
		}
		if sum.New != perDay {
			b.Fatalf("round %d: %+v", round, sum)
		}
	}
	b.ReportMetric(float64(perDay*b.N)/b.Elapsed().Seconds(), "notices/s")
}

// BenchmarkParseRecord is the parsing and detection alone.
func BenchmarkParseRecord(b *testing.B) {
	recs := genRecords(b, "P", 2, "2026-02-02")
	i := 0
	for b.Loop() {
		n, err := ParseRecord(recs[i%2])
		if err != nil {
			b.Fatal(err)
		}
		i++
		_ = n
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "records/s")
}
