package decp

import (
	"bufio"
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"github.com/vigie-data/vigie/internal/source/decp/decpgen"
)

// The CPU side of the ingestion, without a server: records cut out of a
// generated 2022-format file, decoded, mapped, detected and made into
// rows, per record. Run with -benchmem to see the allocations that the
// collector pays for.
func BenchmarkParseRecords(b *testing.B) {
	recs := benchRecords(b, 2000)
	w := &writer{source: "bench", runID: "bench", now: time.Now().UTC().Truncate(time.Second)}
	b.Run("decode", func(b *testing.B) {
		dec := newTreeDecoder()
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			if _, err := dec.decode(recs[i%len(recs)].text); err != nil {
				b.Fatal(err)
			}
			dec.release()
		}
	})
	b.Run("decode-encoding-json", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			var tree any
			if err := json.Unmarshal([]byte(recs[i%len(recs)].text), &tree); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("parse+rows", func(b *testing.B) {
		dec := newTreeDecoder()
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			it := parseOne(recs[i%len(recs)], w.now, dec)
			if it.err != nil {
				b.Fatal(it.err)
			}
			w.prepare(&it)
		}
	})
}

func benchRecords(b *testing.B, n int) []rawRecord {
	var buf bytes.Buffer
	if err := decpgen.GenerateFormat(&buf, n, 1, decpgen.Format2022); err != nil {
		b.Fatal(err)
	}
	var recs []rawRecord
	err := scanJSON(bufio.NewReader(&buf), func(r rawRecord) error {
		r.origin, r.format = "bench.json", formatJSON
		recs = append(recs, r)
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	return recs
}

// Cutting records out of a generated 2022-format document (the scanner
// alone: no decoding), in bytes of input per second.
func BenchmarkScanJSON(b *testing.B) {
	var buf bytes.Buffer
	if err := decpgen.GenerateFormat(&buf, 5000, 1, decpgen.Format2022); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(buf.Len()))
	for b.Loop() {
		n := 0
		if err := scanJSON(bytes.NewReader(buf.Bytes()), func(rawRecord) error { n++; return nil }); err != nil {
			b.Fatal(err)
		}
		if n != 5000 {
			b.Fatalf("%d records, want 5000", n)
		}
	}
}
