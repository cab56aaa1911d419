package decp

import (
	"bufio"
	"bytes"
	"testing"
	"time"

	"github.com/vigie-data/vigie/internal/source/decp/decpgen"
	"github.com/vigie-data/vigie/internal/source/decp/decpparse"
)

// The CPU side of the ingestion, without a server: records cut out of a
// generated 2022-format file, decoded, mapped, detected and made into
// rows, per record (decoding alone: decpparse's BenchmarkDecode). Run
// with -benchmem to see the allocations that the collector pays for.
func BenchmarkParseRecords(b *testing.B) {
	var buf bytes.Buffer
	if err := decpgen.GenerateFormat(&buf, 2000, 1, decpgen.Format2022); err != nil {
		b.Fatal(err)
	}
	var recs []decpparse.Record
	err := decpparse.ScanJSON(bufio.NewReader(&buf), func(r decpparse.Record) error {
		r.Origin, r.Format = "bench.json", decpparse.FormatJSON
		recs = append(recs, r)
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	w := &writer{source: "bench", runID: "bench", now: time.Now().UTC().Truncate(time.Second)}
	b.Run("parse+rows", func(b *testing.B) {
		dec := decpparse.NewDecoder()
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			rec := recs[i%len(recs)] // Parse takes the record's text: parse a copy
			it := newItem(&rec, dec.Parse(&rec, w.now))
			if it.err != nil {
				b.Fatal(it.err)
			}
			w.prepare(&it)
		}
	})
}
