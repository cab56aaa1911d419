package decp

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"strings"
	"testing"

	"github.com/vigie-data/vigie/internal/store/storetest"
)

// The input file is stored whole in raw_documents, in chunks whose bodies
// put together give its bytes back, with the file's digest; ingesting it
// again writes no raw row.
func TestRawDocumentsAreTheFile(t *testing.T) {
	opts := Options{RawChunkSize: 1000}
	st := storetest.New(t)
	ctx := context.Background()
	path := fixture("variants-2022.json")
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	ingestFile(t, st, path, opts)
	docs, err := st.RawDocumentsOf(ctx, QuarantineSource, path)
	if err != nil {
		t.Fatal(err)
	}
	chunks := (len(want) + opts.RawChunkSize - 1) / opts.RawChunkSize
	if chunks < 2 {
		t.Fatalf("fixture of %d bytes gives %d chunk: the test needs several", len(want), chunks)
	}
	if len(docs) != chunks+1 {
		t.Fatalf("%d raw rows, want %d chunks and the file's row", len(docs), chunks)
	}
	var body strings.Builder
	for _, d := range docs[1:] {
		if !strings.HasPrefix(d.DocKey, path+"#") || d.Format != "decp-json" {
			t.Fatalf("chunk row %q format %q", d.DocKey, d.Format)
		}
		body.WriteString(d.Body)
	}
	if body.String() != string(want) {
		t.Fatalf("chunks give %d bytes, not the file's %d", body.Len(), len(want))
	}
	sum := sha256.Sum256(want)
	if docs[0].DocKey != path || docs[0].SHA256 != hex.EncodeToString(sum[:]) {
		t.Fatalf("file row %q sha256 %s, want %s", docs[0].DocKey, docs[0].SHA256, hex.EncodeToString(sum[:]))
	}

	ingestFile(t, st, path, opts)
	again, err := st.RawDocumentsOf(ctx, QuarantineSource, path)
	if err != nil {
		t.Fatal(err)
	}
	if len(again) != len(docs) {
		t.Fatalf("re-ingesting wrote raw rows again: %d, was %d", len(again), len(docs))
	}
}
