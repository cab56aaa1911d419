package clause

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vigie-data/vigie/internal/samples"
)

// benchNotices groups the corpus texts into notices of 20 sentences: text
// denser in features and near-misses than real notices, so a pessimistic
// measure.
func benchNotices(b *testing.B) []string {
	f, err := os.Open(corpusPath)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	var notices []string
	var cur []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var c Case
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
			b.Fatal(err)
		}
		cur = append(cur, c.Text)
		if len(cur) == 20 {
			notices = append(notices, strings.Join(cur, "\n"))
			cur = nil
		}
	}
	return notices
}

func runBench(b *testing.B, notices []string) {
	n := 0
	for _, t := range notices {
		n += len(t)
	}
	b.SetBytes(int64(n))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, t := range notices {
			DetectText(t)
		}
	}
}

// BenchmarkDetectCorpus: MB/s of notice text on one core.
func BenchmarkDetectCorpus(b *testing.B) { runBench(b, benchNotices(b)) }

// BenchmarkDetectRealNotices runs on the real BOAMP records' text
// (../shared/data beside the repository), when present.
func BenchmarkDetectRealNotices(b *testing.B) {
	dir := samples.Data(b)
	var notices []string
	for _, p := range []string{"boamp/api/records_dateparution-ge-2026-01-01_limit5.json", "boamp/api/record_15-31501_boamp-v230.json"} {
		data, err := os.ReadFile(filepath.Join(dir, p))
		if err != nil {
			b.Skip(err)
		}
		var page struct {
			Results []map[string]any `json:"results"`
		}
		if err := json.Unmarshal(data, &page); err != nil {
			b.Fatal(err)
		}
		for _, r := range page.Results {
			d, _ := r["donnees"].(string)
			notices = append(notices, d)
		}
	}
	runBench(b, notices)
}
