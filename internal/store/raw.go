package store

import (
	"context"
	"fmt"
	"time"
)

// RawDocument is a document (or one record of a large file) as fetched,
// kept so that everything downstream can be rebuilt without refetching.
type RawDocument struct {
	Source    string
	DocKey    string // identity of the document within its source
	Format    string // e.g. "decp-json", "decp-xml"
	Origin    string // file or URL
	Position  string // where in origin, when a document is one record of a file
	SHA256    string // hex of Body
	FetchedAt time.Time
	Body      string
}

var rawColumns = []string{"source", "doc_key", "format", "origin", "position", "sha256", "fetched_at", "body"}

// WriteRawDocuments stores raw documents; writing one again is harmless
// (same source, key and digest replace each other).
func (s *Store) WriteRawDocuments(ctx context.Context, docs []RawDocument) error {
	if len(docs) == 0 {
		return nil
	}
	n := len(docs)
	src, key, format, origin, pos, sum, body := make([]string, n), make([]string, n), make([]string, n),
		make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	at := make([]time.Time, n)
	for i, d := range docs {
		src[i], key[i], format[i], origin[i], pos[i], sum[i], body[i] = d.Source, d.DocKey, d.Format, d.Origin, d.Position, d.SHA256, d.Body
		t := d.FetchedAt
		if t.IsZero() {
			t = time.Now()
		}
		at[i] = t.UTC().Truncate(time.Second)
	}
	if err := s.insertColumns(ctx, "raw_documents", rawColumns, []any{src, key, format, origin, pos, sum, at, body}); err != nil {
		return fmt.Errorf("write %d raw documents: %w", n, err)
	}
	return nil
}
