package decpparse

import (
	"bufio"
	"bytes"
	"testing"
	"time"

	"github.com/vigie-data/vigie/internal/source/decp/decpgen"
)

// The generator's output is DECP this package reads whole, in both formats,
// with the quirks it promises, and the same seed gives the same bytes.
func TestGenerator(t *testing.T) {
	for _, format := range []string{decpgen.Format2022, decpgen.Format2019} {
		var a, b bytes.Buffer
		if err := decpgen.GenerateFormat(&a, 3000, 7, format); err != nil {
			t.Fatal(err)
		}
		decpgen.GenerateFormat(&b, 3000, 7, format)
		if !bytes.Equal(a.Bytes(), b.Bytes()) {
			t.Errorf("%s: same seed, different output", format)
		}
		n, keys, flags := 0, map[uint64]bool{}, map[string]int{}
		err := ScanJSON(bufio.NewReader(&a), func(r Record) error {
			n++
			var dec *Decoder // nil: each record decoded on its own
			it := dec.Parse(&r, time.Now())
			if it.Err != nil {
				t.Fatalf("%s record %d: %v", format, r.Index, it.Err)
			}
			if it.Contract.SchemaVersion != format {
				t.Fatalf("%s record read as %s", format, it.Contract.SchemaVersion)
			}
			keys[it.Key] = true
			for _, f := range it.Contract.QualityFlags {
				flags[f]++
			}
			return nil
		})
		if err != nil || n != 3000 {
			t.Fatalf("%s: %d records, %v", format, n, err)
		}
		if len(keys) >= n || len(keys) < n*97/100 {
			t.Errorf("%s: %d distinct contracts of %d records, want about 1%% repeats", format, len(keys), n)
		}
		for _, f := range []string{FlagMojibake, FlagCPVPadded} {
			if flags[f] == 0 {
				t.Errorf("%s: no record flagged %s", format, f)
			}
		}
	}
}
