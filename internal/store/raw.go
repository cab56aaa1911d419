package store

import (
	"context"
	"fmt"
	"time"
)

// RawDocument is a document (or one record, or one chunk, of a large
// file) as fetched, kept so that everything downstream can be rebuilt
// without refetching. The DECP ingestion stores its input files in chunks
// of a few MiB (doc_key "<origin>#<chunk>", position a byte range) and one
// row per file (doc_key the origin, sha256 of the whole file); see
// internal/source/decp/rawfile.go.
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
	if err := s.insertColumns(ctx, "raw_documents", rawColumns, rawData(docs)); err != nil {
		return fmt.Errorf("write %d raw documents: %w", len(docs), err)
	}
	return nil
}

// RawStream sends raw documents through one INSERT kept open until
// Commit (see stream): the chunks of a large file make one part, not one
// each. Each document goes to the server as it comes (its own block).
type RawStream struct{ st *stream }

// NewRawStream starts a stream; Commit or Abort it.
func (s *Store) NewRawStream() *RawStream {
	st := s.newStream("raw_documents", rawColumns)
	st.block = 1
	return &RawStream{st: st}
}

// Write sends raw documents.
func (r *RawStream) Write(ctx context.Context, docs ...RawDocument) error {
	if err := r.st.append(ctx, rawData(docs)); err != nil {
		return fmt.Errorf("write %d raw documents: %w", len(docs), err)
	}
	return nil
}

// Commit makes what was sent visible.
func (r *RawStream) Commit() error { return r.st.commit() }

// Abort drops what was sent since the last commit.
func (r *RawStream) Abort() { r.st.abort() }

func rawData(docs []RawDocument) []any {
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
	return []any{src, key, format, origin, pos, sum, at, body}
}

// RawDocumentStored tells whether a raw document with this source, key and
// digest is stored: a writer of large documents skips writing it again.
func (s *Store) RawDocumentStored(ctx context.Context, source, docKey, sha256 string) (bool, error) {
	rows, err := s.conn.Query(withTimeout(ctx, 60), `SELECT count() FROM raw_documents
		WHERE source = ? AND doc_key = ? AND sha256 = ?`, source, docKey, sha256)
	if err != nil {
		return false, fmt.Errorf("look up raw document %s: %w", docKey, err)
	}
	defer rows.Close()
	var n uint64
	for rows.Next() {
		if err := rows.Scan(&n); err != nil {
			return false, fmt.Errorf("look up raw document %s: %w", docKey, err)
		}
	}
	return n > 0, rows.Err()
}

// RawDocumentsOf returns the raw documents of one origin (a file's chunks
// and its own row, see the DECP ingestion), in doc_key order, as stored
// (a row written twice is returned twice).
func (s *Store) RawDocumentsOf(ctx context.Context, source, origin string) ([]RawDocument, error) {
	rows, err := s.conn.Query(withTimeout(ctx, 120), `SELECT source, doc_key, format, origin, position, sha256, fetched_at, body
		FROM raw_documents WHERE source = ? AND origin = ? ORDER BY doc_key`, source, origin)
	if err != nil {
		return nil, fmt.Errorf("raw documents of %s: %w", origin, err)
	}
	defer rows.Close()
	var out []RawDocument
	for rows.Next() {
		var d RawDocument
		if err := rows.Scan(&d.Source, &d.DocKey, &d.Format, &d.Origin, &d.Position, &d.SHA256, &d.FetchedAt, &d.Body); err != nil {
			return nil, fmt.Errorf("raw documents of %s: %w", origin, err)
		}
		out = append(out, d)
	}
	return out, rows.Err()
}
