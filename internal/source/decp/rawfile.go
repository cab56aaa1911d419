package decp

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"strings"
	"time"

	"github.com/vigie-data/vigie/internal/source/decp/decpparse"
	"github.com/vigie-data/vigie/internal/store"
)

// Raw documents of DECP are the input files themselves, not one row per
// record: each document (a file, a zip entry; decompressed, as scanned)
// is stored in raw_documents as chunks of Options.RawChunkSize bytes, doc_key
// "<origin>#<chunk index>" and position "bytes <first>-<last>", and a last
// row, doc_key "<origin>", whose sha256 is that of the whole document and
// whose body lists its chunks ("<doc_key> <sha256>" a line). A record's
// position ("record N, byte B") is a byte offset into the document, so
// every record can be rebuilt by re-parsing the chunks; quarantined records
// are kept whole in quarantine as well. A chunk already stored (same
// source, doc_key and sha256) is not written again, so re-ingesting a file
// writes no raw bytes.

// rawChunk is one raw_documents row of a document, on its way to the store.
type rawChunk struct {
	doc store.RawDocument
}

// rawTee passes a document's bytes through while cutting them into chunks
// sent to out, and hashes the whole.
type rawTee struct {
	ctx    context.Context
	r      io.Reader
	origin string
	format string
	now    time.Time
	size   int // of a chunk
	out    chan<- rawChunk

	buf   []byte
	off   int64 // offset of buf[0]
	index int
	whole hash.Hash
	list  strings.Builder
}

func newRawTee(ctx context.Context, r io.Reader, origin, format string, now time.Time, size int, out chan<- rawChunk) *rawTee {
	return &rawTee{ctx: ctx, r: r, origin: origin, format: format, now: now, size: size, out: out, whole: sha256.New()}
}

func (t *rawTee) Read(p []byte) (int, error) {
	n, err := t.r.Read(p)
	data := p[:n]
	t.whole.Write(data)
	for len(data) > 0 {
		if t.buf == nil {
			t.buf = make([]byte, 0, t.size)
		}
		k := min(len(data), t.size-len(t.buf))
		t.buf = append(t.buf, data[:k]...)
		data = data[k:]
		if len(t.buf) == t.size {
			if ferr := t.flush(); ferr != nil {
				return n, ferr
			}
		}
	}
	return n, err
}

func (t *rawTee) send(d store.RawDocument) error {
	d.Source, d.Origin, d.FetchedAt = QuarantineSource, t.origin, t.now
	d.Format = "decp-" + t.format
	select {
	case t.out <- rawChunk{doc: d}:
		return nil
	case <-t.ctx.Done():
		return context.Cause(t.ctx)
	}
}

func (t *rawTee) flush() error {
	if len(t.buf) == 0 {
		return nil
	}
	sum := sha256.Sum256(t.buf)
	key := fmt.Sprintf("%s#%06d", t.origin, t.index)
	d := store.RawDocument{DocKey: key, Position: fmt.Sprintf("bytes %d-%d", t.off, t.off+int64(len(t.buf))-1),
		SHA256: hex.EncodeToString(sum[:]), Body: string(t.buf)}
	fmt.Fprintf(&t.list, "%s %s\n", key, d.SHA256)
	t.off += int64(len(t.buf))
	t.index++
	t.buf = t.buf[:0]
	return t.send(d)
}

// finish reads what the scanner left (after the last record), stores the
// last chunk and the document's row. Of a document cut short (see
// decpparse.IsCut), what could be read is stored.
func (t *rawTee) finish() error {
	if _, err := io.Copy(io.Discard, t); err != nil && !decpparse.IsCut(err) {
		return err
	}
	if err := t.flush(); err != nil {
		return err
	}
	return t.send(store.RawDocument{DocKey: t.origin, Position: fmt.Sprintf("bytes 0-%d, %d chunks", t.off-1, t.index),
		SHA256: hex.EncodeToString(t.whole.Sum(nil)), Body: t.list.String()})
}

// rawChunksPerCommit is how many chunks a raw stream sends before it is
// committed: the server holds them until then.
const rawChunksPerCommit = 64
