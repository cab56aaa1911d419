package decp

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/vigie-data/vigie/internal/ingest"
	"github.com/vigie-data/vigie/internal/source/decp/decpparse"
	"github.com/vigie-data/vigie/internal/store"
)

// pipeline is one ingestion, as five stages joined by small queues (what
// is in flight is what the process holds):
//
//	scan       documents → records, in chunks (and the raw bytes → raw)
//	storeRaw   raw chunks → raw_documents
//	parse      record chunks → parsed items, on several workers
//	order      parsed chunks, put back in input order → batches
//	write      batches → looked up, counted and stored (writer)
//
// A stage closes its output only when it ends cleanly: a stage that reads
// a closed queue knows its input is complete, and any stage's failure
// ends the others through the context (errgroup), so the writer commits
// only a complete run.
type pipeline struct {
	st     *store.Store
	opts   Options
	origin string
	docs   func(func(decpparse.Document) error) error
	now    time.Time // the run's time: fetched_at, seen_at, ingested_at
	w      *writer

	raw     chan rawChunk
	chunks  chan recordChunk
	parsed  chan itemChunk
	batches chan []*item
}

// recordChunk and itemChunk are the records the scanner hands to a parse
// worker, and what the worker makes of them, with their rank in the input.
type recordChunk struct {
	seq     int
	records []decpparse.Record
}

type itemChunk struct {
	seq   int
	items []item
}

// What the stages hold is bounded in records and in bytes of record text
// (whatever the records' size: see decpparse.MaxRecordBytes): a chunk
// handed to a parse worker, a batch, and what the driver holds of the
// rows sent (flushed before its blocks of 4 096 rows are full).
const (
	recordsPerChunk = 256
	chunkBytes      = 1 << 20
	batchBytes      = 16 << 20
	flushBytes      = 32 << 20
)

// run ingests the documents docs gives.
func run(ctx context.Context, st *store.Store, origin string, opts Options, docs func(func(decpparse.Document) error) error) (ingest.Summary, error) {
	start := time.Now()
	opts = opts.withDefaults(origin)
	now := start.UTC().Truncate(time.Second)
	p := &pipeline{st: st, opts: opts, origin: origin, docs: docs, now: now,
		w:   &writer{st: st, source: opts.Source, runID: opts.RunID, now: now, maxStoredKeys: opts.MaxStoredKeys},
		raw: make(chan rawChunk, 2), chunks: make(chan recordChunk, 4),
		parsed: make(chan itemChunk, 2), batches: make(chan []*item),
	}
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error { return p.scan(gctx) })
	g.Go(func() error { return p.storeRaw(gctx) })
	g.Go(func() error { return p.parse(gctx) })
	g.Go(func() error { return p.order(gctx) })
	g.Go(func() error { return p.write(gctx) })
	err := g.Wait()

	sum := p.w.summary(opts.Source)
	sum.Seconds = time.Since(start).Seconds()
	var se scanError
	switch {
	case errors.As(err, &se):
		return sum, fmt.Errorf("decp: %w", se.err)
	case err != nil:
		return sum, fmt.Errorf("decp %s: %w", origin, err)
	}
	slog.Debug("decp ingested", "origin", origin, "records", sum.RecordsRead, "seconds", sum.Seconds)
	return sum, nil
}

// scanError is a failure to read the input (its message names the
// document), told apart from the store's.
type scanError struct{ err error }

func (e scanError) Error() string { return e.err.Error() }
func (e scanError) Unwrap() error { return e.err }

// scan is the scanner stage: it cuts the records out of each document, in
// chunks, and passes the document's bytes on to storeRaw as it reads them.
func (p *pipeline) scan(ctx context.Context) error {
	sc := &chunker{ctx: ctx, out: p.chunks, progress: p.opts.Progress}
	err := p.docs(func(d decpparse.Document) error {
		if err := p.scanDocument(ctx, sc, d); err != nil {
			return fmt.Errorf("%s: %w", d.Name, err)
		}
		return nil
	})
	if err == nil {
		err = sc.flush()
	}
	if err != nil {
		if ctx.Err() != nil {
			return context.Cause(ctx) // another stage's failure
		}
		return scanError{err}
	}
	close(p.chunks)
	close(p.raw)
	return nil
}

// scanDocument reads one document: its format from its first bytes, then
// its records, through a tee that keeps its raw bytes.
func (p *pipeline) scanDocument(ctx context.Context, sc *chunker, d decpparse.Document) error {
	head, ok := d.R.(*bufio.Reader)
	if !ok {
		head = bufio.NewReaderSize(d.R, 1<<20)
	}
	format, err := decpparse.Sniff(head) // a peek: the tee still sees every byte
	if err != nil {
		return err
	}
	tee := newRawTee(ctx, head, d.Name, format, p.now, p.opts.RawChunkSize, p.raw)
	br := bufio.NewReaderSize(tee, 1<<20)
	emit := func(r decpparse.Record) error {
		r.Origin, r.Format = d.Name, format
		return sc.add(r)
	}
	switch format {
	case decpparse.FormatParquet, decpparse.FormatCSV:
		err = scanTable(d, format, br, emit)
	case decpparse.FormatXML:
		err = decpparse.ScanXML(br, emit)
	default:
		err = decpparse.ScanJSON(br, emit)
	}
	if err != nil {
		return err
	}
	return tee.finish()
}

// chunker gathers the scanned records into chunks for the parse workers.
type chunker struct {
	ctx      context.Context
	out      chan<- recordChunk
	progress *ingest.Progress
	chunk    []decpparse.Record
	bytes    int
	seq      int
}

func (c *chunker) add(r decpparse.Record) error {
	if c.chunk == nil {
		c.chunk = make([]decpparse.Record, 0, recordsPerChunk)
	}
	c.chunk = append(c.chunk, r)
	c.bytes += len(r.Text) + len(r.Body)
	if c.progress != nil {
		c.progress.Add(1)
	}
	if len(c.chunk) == cap(c.chunk) || c.bytes >= chunkBytes {
		return c.flush()
	}
	return nil
}

func (c *chunker) flush() error {
	if len(c.chunk) == 0 {
		return nil
	}
	if err := send(c.ctx, c.out, recordChunk{c.seq, c.chunk}); err != nil {
		return err
	}
	c.seq++
	c.chunk, c.bytes = nil, 0
	return nil
}

// parse is the parse stage: workers decode and map the records, and
// build their rows (writer.prepare), off the writer's path.
func (p *pipeline) parse(ctx context.Context) error {
	g, ctx := errgroup.WithContext(ctx)
	for range min(max(runtime.GOMAXPROCS(0), 2), 8) {
		g.Go(func() error { return p.parseWorker(ctx) })
	}
	if err := g.Wait(); err != nil {
		return err
	}
	close(p.parsed)
	return nil
}

func (p *pipeline) parseWorker(ctx context.Context) error {
	dec := decpparse.NewDecoder()
	for {
		c, ok, err := receive(ctx, p.chunks)
		if !ok {
			return err
		}
		items := make([]item, len(c.records))
		for i := range c.records {
			items[i] = newItem(&c.records[i], dec.Parse(&c.records[i], p.now))
			p.w.prepare(&items[i])
		}
		if err := send(ctx, p.parsed, itemChunk{c.seq, items}); err != nil {
			return err
		}
	}
}

// order is the stage that puts the workers' chunks back in the input's
// order (a few chunks wait at most, one per worker) and makes batches of
// them, so that a run's choices between the records of one contract
// (which copy's position is kept) do not depend on the scheduler.
func (p *pipeline) order(ctx context.Context) error {
	batch := make([]*item, 0, p.opts.BatchSize)
	size := 0 // bytes of record text in batch
	early := map[int][]item{}
	next := 0
	for {
		c, ok, err := receive(ctx, p.parsed)
		if err != nil {
			return err
		}
		if !ok {
			break
		}
		early[c.seq] = c.items
		for items, ok := early[next]; ok; items, ok = early[next] {
			delete(early, next)
			next++
			for i := range items {
				batch = append(batch, &items[i])
				size += items[i].size
			}
			if len(batch) >= p.opts.BatchSize || size >= batchBytes {
				if err := send(ctx, p.batches, batch); err != nil {
					return err
				}
				batch, size = make([]*item, 0, p.opts.BatchSize), 0
			}
		}
	}
	if len(batch) > 0 {
		if err := send(ctx, p.batches, batch); err != nil {
			return err
		}
	}
	close(p.batches)
	return nil
}

// write is the writer stage: each batch is looked up and its side rows
// sent (writer.process), and its contracts rows are sent while the next
// batch is looked up. Every CommitRecords records or CommitBytes bytes,
// the stream is committed in the background while the next batches go to
// a new one. The run is recorded as committed once all of it is.
func (p *pipeline) write(ctx context.Context) error {
	w := p.w
	if err := w.loadStored(ctx); err != nil {
		return err
	}
	cs := p.st.NewContractStream()
	var contracts, commit background // the last batch's contracts rows; the last commit
	var unflushed int64              // bytes of record text sent since the driver last flushed
	defer func() {
		contracts.wait()
		commit.wait()
		cs.Abort() // no-op once committed
	}()
	for {
		b, ok, err := receive(ctx, p.batches)
		if err != nil {
			return err
		}
		if !ok {
			break
		}
		rows, err := w.process(ctx, cs, b)
		if werr := contracts.wait(); err == nil {
			err = werr
		}
		if err != nil {
			return err
		}
		if unflushed += batchSize(b); unflushed >= flushBytes {
			if err := cs.Flush(); err != nil {
				return err
			}
			unflushed = 0
		}
		contracts.start(func() error { return cs.WriteContracts(ctx, rows) })
		if w.uncommitted >= p.opts.CommitRecords || w.uncommittedBytes >= p.opts.CommitBytes {
			if err := errors.Join(contracts.wait(), commit.wait()); err != nil {
				return err
			}
			old := cs
			cs = p.st.NewContractStream()
			w.uncommitted, w.uncommittedBytes, unflushed = 0, 0, 0
			commit.start(old.Commit)
		}
	}
	if err := errors.Join(contracts.wait(), commit.wait()); err != nil {
		return err
	}
	if err := cs.Commit(); err != nil {
		return err
	}
	// The run ended cleanly: the contracts it wrote can be trusted (see
	// writer.committed).
	return p.st.CommitRun(ctx, p.opts.RunID, p.opts.Source)
}

// batchSize is the bytes of record text of a batch.
func batchSize(b []*item) int64 {
	var n int64
	for _, it := range b {
		n += int64(it.size)
	}
	return n
}

// storeRaw is the stage that writes the raw chunks it receives, skipping
// those already stored (rawfile.go).
func (p *pipeline) storeRaw(ctx context.Context) error {
	rs := p.st.NewRawStream()
	defer rs.Abort()
	sent := 0
	for {
		c, ok, err := receive(ctx, p.raw)
		if err != nil {
			return err
		}
		if !ok {
			return rs.Commit()
		}
		stored, err := p.st.RawDocumentStored(ctx, c.doc.Source, c.doc.DocKey, c.doc.SHA256)
		if err != nil {
			return err
		}
		if stored {
			continue
		}
		if err := rs.Write(ctx, c.doc); err != nil {
			return err
		}
		if sent++; sent == rawChunksPerCommit {
			if err := rs.Commit(); err != nil {
				return err
			}
			sent = 0
		}
	}
}

// background is one step running beside the writer (a batch's contracts
// rows, a commit); the zero value has none.
type background struct{ done chan error }

func (b *background) start(f func() error) {
	b.done = make(chan error, 1)
	go func() { b.done <- f() }()
}

// wait returns the step's error once it is over (nil when there is none).
func (b *background) wait() error {
	if b.done == nil {
		return nil
	}
	err := <-b.done
	b.done = nil
	return err
}

// send passes v on, unless ctx ends first.
func send[T any](ctx context.Context, out chan<- T, v T) error {
	select {
	case out <- v:
		return nil
	case <-ctx.Done():
		return context.Cause(ctx)
	}
}

// receive takes the next value of in: ok is false when in is closed (the
// stage before ended cleanly: err nil) or when ctx ends first (err set).
func receive[T any](ctx context.Context, in <-chan T) (v T, ok bool, err error) {
	select {
	case v, ok = <-in:
		return v, ok, nil
	case <-ctx.Done():
		return v, false, context.Cause(ctx)
	}
}
