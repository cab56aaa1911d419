package decpparse

import (
	"bufio"
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vigie-data/vigie/internal/samples"
)

// The scanners and the tree, fuzzed: whatever the bytes, a scan ends
// (with the records it found, or an error), never panics, never holds a
// record over MaxRecordBytes, gives each record once and in order, and
// every record it gives parses or is quarantined (Decoder.Parse never
// panics). Seeded with the real samples (when shared/data is there; a
// document's head, as the fuzzer's inputs stay small) and with the
// shapes of the scanner tests. CI runs each for a few seconds (.ci/run);
// inputs that found bugs are kept in testdata/fuzz.

func FuzzScanJSON(f *testing.F) {
	seedSamples(f, ".json")
	for _, s := range []string{`{"marches":[` + jsonRecord("A") + `,` + jsonRecord("B") + `]}`,
		`{"marches":{"marche":[` + jsonRecord("A") + `],"contrat-concession":[{"id":"C","concessionnaires":NaN}]}}`,
		`[` + jsonRecord("A") + `,{"id":"B","montant":1e400,"objet":"a` + "\x00" + `b"}`, `{"marches":[{"a":[[[[`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, doc []byte) {
		checkScan(t, ScanJSON, doc)
	})
}

func FuzzScanXML(f *testing.F) {
	seedSamples(f, ".xml")
	for _, s := range []string{"<marches>" + xmlRecord("A", "x") + xmlRecord("B", "a\xffb") + "</marches>",
		`<?xml version="1.0" encoding="ISO-8859-1"?><marches>` + xmlRecord("A", "caf\xe9") + "<!-- </marche> -->",
		"<marche><id>1</id><acheteur><id>2</id></acheteur><a><b><c>", "<marches><marche x='>'><id>1</id></marche>"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, doc []byte) {
		checkScan(t, ScanXML, doc)
	})
}

func checkScan(t *testing.T, scan func(r io.Reader, emit func(Record) error) error, doc []byte) {
	var last int64 = -1
	n := 0
	dec := NewDecoder()
	err := scan(bufio.NewReaderSize(bytes.NewReader(doc), 512), func(r Record) error {
		if r.Index != int64(n) {
			t.Fatalf("record %d given as %d", n, r.Index)
		}
		n++
		if r.Offset < last || r.Offset > int64(len(doc)) {
			t.Fatalf("record %d at byte %d, after %d (document of %d bytes)", r.Index, r.Offset, last, len(doc))
		}
		last = r.Offset
		if len(r.Text) > MaxRecordBytes || len(r.Body) > MaxRecordBytes {
			t.Fatalf("record %d holds %d+%d bytes", r.Index, len(r.Text), len(r.Body))
		}
		p := dec.Parse(&r, time.Time{})
		if (p.Err == nil) == (p.Contract == nil) {
			t.Fatalf("record %d: contract %v, error %v", r.Index, p.Contract, p.Err)
		}
		return nil
	})
	_ = err // any error is an answer: the property is that the scan ends
}

// seedSamples adds the heads of the real samples of one extension.
func seedSamples(f *testing.F, ext string) {
	dir, ok := samples.DataDir("decp")
	if !ok {
		return // the built-in seeds only
	}
	filepath.Walk(dir, func(path string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() || !strings.HasSuffix(path, ext) || strings.Contains(path, "schemas") {
			return nil
		}
		if b, err := os.ReadFile(path); err == nil {
			f.Add(b[:min(len(b), 4<<10)])
		}
		return nil
	})
}
