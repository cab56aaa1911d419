package decpparse

import (
	"bufio"
	"bytes"
	"encoding/json"
	"testing"

	"github.com/vigie-data/vigie/internal/source/decp/decpgen"
)

// Decoding a record's tree, against encoding/json, per record. Run with
// -benchmem to see the allocations that the collector pays for.
func BenchmarkDecode(b *testing.B) {
	recs := benchRecords(b, 2000)
	b.Run("decode", func(b *testing.B) {
		dec := newTreeDecoder()
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			if _, err := dec.decode(recs[i%len(recs)].Text); err != nil {
				b.Fatal(err)
			}
			dec.release()
		}
	})
	b.Run("decode-encoding-json", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			var tree any
			if err := json.Unmarshal([]byte(recs[i%len(recs)].Text), &tree); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// benchRecords cuts n generated 2022-format records out of their file.
func benchRecords(b *testing.B, n int) []Record {
	var buf bytes.Buffer
	if err := decpgen.GenerateFormat(&buf, n, 1, decpgen.Format2022); err != nil {
		b.Fatal(err)
	}
	var recs []Record
	err := ScanJSON(bufio.NewReader(&buf), func(r Record) error {
		r.Origin, r.Format = "bench.json", FormatJSON
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
		if err := ScanJSON(bytes.NewReader(buf.Bytes()), func(Record) error { n++; return nil }); err != nil {
			b.Fatal(err)
		}
		if n != 5000 {
			b.Fatalf("%d records, want 5000", n)
		}
	}
}
