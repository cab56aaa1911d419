package decp

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/cespare/xxhash/v2"

	"github.com/vigie-data/vigie/internal/fetch"
	"github.com/vigie-data/vigie/internal/ingest"
	"github.com/vigie-data/vigie/internal/store"
	"github.com/vigie-data/vigie/internal/theme"
)

// Options of one ingestion.
type Options struct {
	Source   string           // channel name for provenance (e.g. "data.gouv.fr", "pes"); default derived from origin
	RunID    string           // recorded with the rows and quarantine; default a new id
	Progress *ingest.Progress // may be nil
}

// QuarantineSource is the quarantine table's source of DECP records.
const QuarantineSource = "decp"

// BatchSize is the number of records looked up together. Three batches
// are in flight (one read, one looked up and its side rows sent, one's
// contracts rows sent); their rows go to INSERTs kept open until the
// next commit (CommitRecords), so the batch no longer decides how many
// parts the server makes.
var BatchSize = 2500

// CommitRecords and CommitBytes bound what is sent and not yet committed
// (see store.ContractStream): the server holds it until the commit, and
// the writer's look-ups do not see it.
// Each commit makes one part per table, which the server merges later:
// committing every 10 000 records, as the batches go, took the server
// about half as much CPU again, and at 1 000 000 records commits of
// 100 000 took it 25 s against 17 s for commits of 250 000.
var (
	CommitRecords int64 = 250000
	CommitBytes   int64 = 256 << 20
)

// Ingest reads one DECP document (JSON or XML, 2019 or 2022 format,
// plain/gzip/zip detected from content) from r and stores it. origin names
// it in provenance and quarantine (a path or URL). Unreadable records are
// quarantined and counted; an input that is not DECP at all is an error.
func Ingest(ctx context.Context, st *store.Store, r io.Reader, origin string, opts Options) (ingest.Summary, error) {
	return run(ctx, st, origin, opts, func(each func(document) error) error {
		return openDocuments(r, origin, each)
	})
}

// IngestFile ingests a file (a zip is read in place).
func IngestFile(ctx context.Context, st *store.Store, path string, opts Options) (ingest.Summary, error) {
	if _, err := os.Stat(path); err != nil {
		return ingest.Summary{Source: sourceName(opts.Source, path)}, fmt.Errorf("decp: %w", err)
	}
	return run(ctx, st, path, opts, func(each func(document) error) error {
		return openFile(path, each)
	})
}

// IngestURL downloads a document with c and ingests it as it arrives. A
// zip archive (which needs random access) is spooled to a temporary file
// first.
func IngestURL(ctx context.Context, st *store.Store, c *fetch.Client, u string, opts Options) (ingest.Summary, error) {
	resp, err := c.Open(ctx, u, nil)
	if err != nil {
		return ingest.Summary{Source: sourceName(opts.Source, u)}, fmt.Errorf("decp: %w", err)
	}
	defer resp.Body.Close()
	return Ingest(ctx, st, resp.Body, u, opts)
}

// sourceName is the provenance channel: the option, or the host of a URL,
// or the base name of a file.
func sourceName(source, origin string) string {
	if source != "" {
		return source
	}
	if u, err := url.Parse(origin); err == nil && (u.Scheme == "http" || u.Scheme == "https") {
		return strings.TrimPrefix(u.Hostname(), "www.")
	}
	base := filepath.Base(origin)
	for _, ext := range []string{".gz", ".zip", ".json", ".xml"} {
		base = strings.TrimSuffix(base, ext)
	}
	return base
}

func newRunID() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return "decp-" + time.Now().UTC().Format("20060102T150405") + "-" + hex.EncodeToString(b)
}

// recordChunk and itemChunk are the records the scanner hands to a parse
// worker, and what the worker makes of them, with their rank in the input.
type recordChunk struct {
	seq     int
	records []rawRecord
}

type itemChunk struct {
	seq   int
	items []item
}

// item is a record after parsing.
type item struct {
	rec     rawRecord
	text    string    // the record's text (JSON; XML re-encoded as JSON)
	size    int       // its length
	pos     string    // position(&rec), once parsed
	c       *Contract // dropped once the rows are built (prepare)
	err     error
	key     uint64
	version uint64
	// What the writer needs of the contract once c is dropped.
	uid, siret, id string
	hash           uint64
	published      *time.Time
	year           uint16              // notification year, 0 when unknown
	contract       store.ContractRow   // built by the parse worker; partition_year set by the writer
	rows           store.ContractBatch // the other rows of the contract, likewise
}

// run is the pipeline: a scanner cuts records out of the documents, parse
// workers turn them into contracts, and a writer looks each batch up and
// stores it, while the next batch is being read.
func run(ctx context.Context, st *store.Store, origin string, opts Options, docs func(func(document) error) error) (ingest.Summary, error) {
	start := time.Now()
	src := sourceName(opts.Source, origin)
	if opts.RunID == "" {
		opts.RunID = newRunID()
	}
	sum := ingest.Summary{Source: src}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)

	chunks := make(chan recordChunk, 4)
	// Small queues: what is in flight is what the process holds.
	parsed := make(chan itemChunk, 2)
	batches := make(chan []*item)

	// Raw documents: the input's bytes, in chunks (rawfile.go).
	now := time.Now()
	raw := make(chan rawChunk, 2)
	rawDone := make(chan struct{})
	go func() {
		defer close(rawDone)
		if err := storeRaw(ctx, st, raw); err != nil {
			cancel(err)
			for range raw { // let the scanner end
			}
		}
	}()

	// Scanner.
	var scanErr error
	go func() {
		defer close(raw)
		defer close(chunks)
		chunk := make([]rawRecord, 0, 256)
		seq := 0
		flush := func() error {
			if len(chunk) == 0 {
				return nil
			}
			select {
			case chunks <- recordChunk{seq, chunk}:
				seq++
			case <-ctx.Done():
				return context.Cause(ctx)
			}
			chunk = make([]rawRecord, 0, 256)
			return nil
		}
		scanErr = docs(func(d document) error {
			head, ok := d.r.(*bufio.Reader)
			if !ok {
				head = bufio.NewReaderSize(d.r, 1<<20)
			}
			format, err := sniff(head) // a peek: the tee still sees every byte
			if err != nil {
				return fmt.Errorf("%s: %w", d.name, err)
			}
			tee := newRawTee(ctx, head, d.name, format, now.UTC().Truncate(time.Second), raw)
			br := bufio.NewReaderSize(tee, 1<<20)
			emit := func(r rawRecord) error {
				r.origin, r.format = d.name, format
				chunk = append(chunk, r)
				if opts.Progress != nil {
					opts.Progress.Add(1)
				}
				if len(chunk) == cap(chunk) {
					return flush()
				}
				return nil
			}
			if format == formatXML {
				err = scanXML(br, emit)
			} else {
				err = scanJSON(br, emit)
			}
			if errors.Is(err, errStop) {
				err = nil
			}
			if err != nil {
				return fmt.Errorf("%s: %w", d.name, err)
			}
			if err := tee.finish(); err != nil {
				return fmt.Errorf("%s: %w", d.name, err)
			}
			return flush()
		})
		if scanErr != nil {
			cancel(scanErr)
		}
	}()

	// Parse workers.
	w := &writer{st: st, source: src, runID: opts.RunID, now: now.UTC().Truncate(time.Second)}
	var wg sync.WaitGroup
	workers := min(max(runtime.GOMAXPROCS(0), 2), 8)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			dec := newTreeDecoder()
			for c := range chunks {
				items := make([]item, len(c.records))
				for i := range c.records {
					items[i] = parseOne(c.records[i], now, dec)
					w.prepare(&items[i])
				}
				select {
				case parsed <- itemChunk{c.seq, items}:
				case <-ctx.Done():
					for range chunks { // let the scanner end
					}
					return
				}
			}
		}()
	}
	go func() { wg.Wait(); close(parsed) }()

	// Writer.
	var writeErr error
	writeDone := make(chan struct{})
	go func() {
		defer close(writeDone)
		cs := st.NewContractStream()
		fail := func(err error) {
			if err != nil && writeErr == nil {
				writeErr = err
				cancel(err)
				cs.Abort()
			}
		}
		// The contracts rows of a batch are sent while the next batch is
		// looked up and its side rows sent (see process).
		var inFlight chan error
		wait := func() {
			if inFlight != nil {
				fail(<-inFlight)
				inFlight = nil
			}
		}
		// A commit runs while the next batches go to a new stream: the
		// server writes the parts of one while this process reads on.
		var committing chan error
		waitCommit := func() {
			if committing != nil {
				fail(<-committing)
				committing = nil
			}
		}
		fail(w.loadStored(ctx))
		for b := range batches {
			if writeErr != nil {
				continue
			}
			contracts, err := w.process(ctx, cs, b)
			wait()
			if err != nil {
				fail(err)
				continue
			}
			if writeErr != nil {
				continue
			}
			inFlight = make(chan error, 1)
			go func(done chan<- error) { done <- cs.WriteContracts(ctx, contracts) }(inFlight)
			if w.uncommitted >= CommitRecords || w.uncommittedBytes >= CommitBytes {
				wait()
				waitCommit()
				if writeErr != nil {
					continue
				}
				old := cs
				cs = st.NewContractStream()
				w.uncommitted, w.uncommittedBytes = 0, 0
				committing = make(chan error, 1)
				go func(done chan<- error) { done <- old.Commit() }(committing)
			}
		}
		wait()
		waitCommit()
		if writeErr == nil && ctx.Err() == nil {
			fail(cs.Commit())
		} else {
			cs.Abort()
		}
		// The run ended cleanly: the contracts it wrote can be trusted
		// (see writer.committed).
		if writeErr == nil && ctx.Err() == nil {
			fail(st.CommitRun(ctx, opts.RunID, src))
		}
	}()

	// The workers finish chunks out of order: they are put back in the
	// input's order (a few chunks wait at most, one per worker), so that
	// a run's choices between the records of one contract (which copy's
	// position is kept) do not depend on the scheduler.
	batch := make([]*item, 0, BatchSize)
	early := map[int][]item{}
	next := 0
	for c := range parsed {
		early[c.seq] = c.items
		for items, ok := early[next]; ok; items, ok = early[next] {
			delete(early, next)
			next++
			for i := range items {
				batch = append(batch, &items[i])
			}
			if len(batch) >= BatchSize {
				select {
				case batches <- batch:
				case <-ctx.Done():
				}
				batch = make([]*item, 0, BatchSize)
			}
		}
	}
	if len(batch) > 0 && ctx.Err() == nil {
		batches <- batch
	}
	close(batches)
	<-writeDone
	<-rawDone

	sum.RecordsRead = w.read
	sum.Contracts = w.read - w.quarantined - w.repeats
	sum.New, sum.Updated, sum.Duplicates, sum.Quarantined = w.new, w.updated, w.duplicates, w.quarantined
	sum.Seconds = time.Since(start).Seconds()
	if err := context.Cause(ctx); err != nil { // the first failure of any stage
		if scanErr != nil && errors.Is(err, scanErr) {
			return sum, fmt.Errorf("decp: %w", err)
		}
		return sum, fmt.Errorf("decp %s: %w", origin, err)
	}
	_ = writeErr
	slog.Debug("decp ingested", "origin", origin, "records", sum.RecordsRead, "seconds", sum.Seconds)
	return sum, nil
}

// parseOne decodes and maps one record. dec is the worker's decoder (nil:
// one for this record); the tree is released once mapped. The record's
// text becomes one string, which the contract's strings share.
func parseOne(rec rawRecord, now time.Time, dec *treeDecoder) item {
	it := item{rec: rec}
	if rec.err != nil {
		it.err = rec.err
		return it
	}
	tree := rec.tree
	if tree == nil {
		it.text = rec.text
		var err error
		if dec == nil {
			dec = &treeDecoder{}
		}
		tree, err = dec.decode(it.text)
		defer dec.release()
		if err != nil {
			it.err = treeError(err)
			return it
		}
	} else {
		it.text = string(treeJSON(tree))
		it.rec.tree = nil
	}
	it.rec.text = "" // it.text holds it
	it.size = len(it.text)
	c, err := parseRecord(tree, rec.kind, rec.envelope, now)
	if err != nil {
		it.err = err
		return it
	}
	it.c = c
	it.key = KeyHash(c.Buyer.SIRET, c.ID)
	it.version = Version(c.LastPublished, c.ContentHash)
	return it
}

// prepare builds the rows of a parsed record, off the writer's path, and
// keeps of the contract only what the writer needs: a batch in flight
// holds rows, not contracts as well.
func (w *writer) prepare(it *item) {
	if it.err != nil {
		return
	}
	c := it.c
	w.rows(&it.rows, it, 0)
	it.uid, it.siret, it.id, it.hash, it.published = c.UID, c.Buyer.SIRET, c.ID, c.ContentHash, c.LastPublished
	if d := c.NotificationDate; d != nil {
		it.year = uint16(d.Year())
	}
	it.c, it.text = nil, ""
}

// KeyHash is the identity of a contract as stored in contracts.key_hash:
// xxhash64 of buyer SIRET, NUL, contract id.
func KeyHash(siret, id string) uint64 {
	d := xxhash.New()
	d.WriteString(siret)
	d.Write([]byte{0})
	d.WriteString(id)
	return d.Sum64()
}

// Version orders the publications of a contract: the day of its latest
// publication in the high bits (none = 0, older than any date), the
// content hash in the low 40 bits, so that two different records of the
// same day resolve the same way whatever the order they are read in, and
// the same record read again gives the same version.
func Version(published *time.Time, contentHash uint64) uint64 {
	var days uint64
	if published != nil {
		days = uint64(published.Unix()/86400) + 1
	}
	return days<<40 | contentHash&(1<<40-1)
}

// writer looks batches up and stores them; it keeps the run's counts.
type writer struct {
	st     *store.Store
	source string
	runID  string
	now    time.Time

	read, new, updated, duplicates, quarantined, repeats int64
	// stored holds the keys of the contracts stored when the run started,
	// sorted, when storedKnown (see mayBeStored).
	stored      []uint64
	storedKnown bool
	// seen holds the state of every contract of the run's input so far,
	// as this run left it (written or found stored): a contract counts
	// once however many batches carry it, and the contracts it sent need
	// no look-up, committed or not (the look-up would not see them
	// before their commit).
	seen map[uint64]sent
	// committed caches which of the runs that wrote the contracts looked
	// up ended cleanly (store.CommitRun). A run that stopped midway may
	// have left contracts rows without their side rows: a contract it
	// wrote is written again, as a duplicate, rather than skipped.
	committed                     map[string]bool
	uncommitted, uncommittedBytes int64 // records and bytes of text sent since the last commit
}

// position is "record N, byte B" (without fmt: it is made for every record).
func position(r *rawRecord) string {
	b := make([]byte, 0, 40)
	b = append(b, "record "...)
	b = strconv.AppendInt(b, r.index, 10)
	b = append(b, ", byte "...)
	b = strconv.AppendInt(b, r.offset, 10)
	return string(b)
}

const maxQuarantined = 1 << 20 // bytes of a record kept in quarantine

// process looks a batch up, counts it, writes its quarantine, sends its
// side rows, and returns its contracts rows, to be sent once the previous
// batch's are (run). Only contracts the run has not seen are looked up
// (see seen, mayBeStored).
func (w *writer) process(ctx context.Context, cs *store.ContractStream, items []*item) ([]*store.ContractRow, error) {
	w.read += int64(len(items))
	w.uncommitted += int64(len(items))
	for _, it := range items {
		w.uncommittedBytes += int64(it.size)
	}
	var quarantine []store.QuarantineRow
	best := make(map[uint64]int, len(items))
	for i := range items {
		it := items[i]
		if it.err != nil {
			body := it.text
			if body == "" {
				body = string(it.rec.body)
			}
			if len(body) > maxQuarantined {
				body = body[:maxQuarantined]
			}
			quarantine = append(quarantine, store.QuarantineRow{Source: QuarantineSource, Origin: it.rec.origin,
				Position: position(&it.rec), Reason: it.err.Error(), Record: body, RunID: w.runID, QuarantinedAt: w.now})
			slog.Warn("decp record quarantined", "origin", it.rec.origin, "position", position(&it.rec), "reason", it.err.Error())
			continue
		}
		if j, ok := best[it.key]; ok {
			w.duplicates++
			w.repeats++
			if it.version > items[j].version {
				best[it.key] = i
			}
			continue
		}
		best[it.key] = i
	}
	w.quarantined += int64(len(quarantine))
	if err := w.st.Quarantine(ctx, quarantine...); err != nil {
		return nil, err
	}

	keys := make([]uint64, 0, len(best))
	for k := range best {
		if _, ok := w.seen[k]; !ok && w.mayBeStored(k) {
			keys = append(keys, k)
		}
	}
	states, err := w.st.ContractStates(ctx, keys)
	if err != nil {
		return nil, err
	}
	if err := w.lookUpRuns(ctx, states); err != nil {
		return nil, err
	}
	if w.seen == nil {
		w.seen = make(map[uint64]sent, len(best))
	}

	var b store.ContractBatch
	n := len(best)
	b.Contracts, b.Detections = make([]*store.ContractRow, 0, n), make([]store.DetectionRow, 0, n)
	b.Holders = make([]store.HolderRow, 0, n+n/2)
	for k, i := range best {
		it := items[i]
		prev, again := w.seen[k]
		ex, found := states[k]
		year := it.year
		write := false
		switch {
		case again: // seen earlier in this run's input
			w.duplicates++
			w.repeats++
			year = prev.year
			write = it.version > prev.version
		case !found:
			w.new++
			write = true
		case ex.ContentHash == it.hash:
			w.duplicates++
			year = ex.PartitionYear
			write = !w.trusted(ex) // repair what a run cut short may have left
		case it.version > ex.Version:
			w.updated++
			year = ex.PartitionYear
			write = true
		default: // an older publication than the one stored
			w.duplicates++
			year = ex.PartitionYear
		}
		after := sent{version: ex.Version, year: year}
		switch {
		case write:
			after.version = it.version
		case again:
			after.version = prev.version
		}
		w.seen[k] = after
		if write {
			setYear(it, year)
			b.Contracts = append(b.Contracts, &it.contract)
			b.Holders = append(b.Holders, it.rows.Holders...)
			b.Modifications = append(b.Modifications, it.rows.Modifications...)
			b.Subcontracts = append(b.Subcontracts, it.rows.Subcontracts...)
			// A detection is written when it adds to the contracts row:
			// detected evidence or a positive declaration. Declared
			// negatives alone are in contracts.declared_* and
			// declared_raw already (DeclaredEvidence rebuilds them).
			// Over another stored version it is always written, to
			// supersede that version's (a repair rewrites the same
			// version: its detection was written if informative).
			supersede := again || found && ex.Version != it.version
			for _, d := range it.rows.Detections {
				if supersede || informative(&d) {
					b.Detections = append(b.Detections, d)
				}
			}
		}
	}
	b.Sources = make([]store.ContractSourceRow, 0, len(items)-len(quarantine))
	for i := range items {
		it := items[i]
		if it.err != nil {
			continue
		}
		b.Sources = append(b.Sources, store.ContractSourceRow{UID: it.uid, BuyerSiret: it.siret, ContractID: it.id,
			Source: w.source, Origin: it.rec.origin, Position: it.pos, PublicationDate: it.published,
			ContentHash: it.hash, SeenAt: w.now, PartitionYear: w.seen[it.key].year})
	}
	if err := cs.WriteSideRows(ctx, &b); err != nil {
		return nil, err
	}
	return b.Contracts, nil
}

// lookUpRuns learns which of the runs that wrote these contracts ended
// cleanly.
func (w *writer) lookUpRuns(ctx context.Context, states map[uint64]store.ContractState) error {
	if w.committed == nil {
		w.committed = map[string]bool{}
	}
	var ids []string
	asked := map[string]bool{}
	for _, st := range states {
		for _, id := range st.RunIDs {
			if _, known := w.committed[id]; !known && !asked[id] {
				asked[id] = true
				ids = append(ids, id)
			}
		}
	}
	found, err := w.st.CommittedRuns(ctx, ids)
	if err != nil {
		return err
	}
	for _, id := range ids {
		w.committed[id] = found[id]
	}
	return nil
}

// MaxStoredKeys bounds the stored contracts whose keys an ingestion reads
// at its start (8 bytes each): above it, every key is looked up.
var MaxStoredKeys = 4 << 20

// loadStored reads the keys of the stored contracts (see mayBeStored).
func (w *writer) loadStored(ctx context.Context) error {
	keys, ok, err := w.st.ContractKeys(ctx, MaxStoredKeys)
	if err != nil {
		return err
	}
	w.stored, w.storedKnown = keys, ok
	return nil
}

// mayBeStored tells whether a contract the run has not seen may be in
// the store: its key was there when the run started. Only those are
// looked up; the others are new.
func (w *writer) mayBeStored(k uint64) bool {
	if !w.storedKnown {
		return true
	}
	_, found := slices.BinarySearch(w.stored, k)
	return found
}

// sent is the state of a contract as the run left it: the version
// stored or sent, and its partition year. It holds no pointers: a map of
// them is not scanned by the collector.
type sent struct {
	version uint64
	year    uint16
}

// trusted tells whether a run that ended cleanly wrote this version.
func (w *writer) trusted(st store.ContractState) bool {
	for _, id := range st.RunIDs {
		if w.committed[id] {
			return true
		}
	}
	return false
}

func setYear(it *item, year uint16) {
	it.contract.PartitionYear = year
	b := &it.rows
	for i := range b.Holders {
		b.Holders[i].PartitionYear = year
	}
	for i := range b.Modifications {
		b.Modifications[i].PartitionYear = year
	}
	for i := range b.Subcontracts {
		b.Subcontracts[i].PartitionYear = year
	}
}

// rows adds the rows of one contract version to b.
func (w *writer) rows(b *store.ContractBatch, it *item, year uint16) {
	c := it.c
	pos := position(&it.rec)
	it.pos = pos
	detected, det := detect(c, c.UID, it.version, w.now)
	var cpvDiv string
	if len(c.CPV) >= 2 {
		cpvDiv = c.CPV[:2]
	}
	k := &c.Considerations
	var declaredRaw []string
	for _, v := range k.Social {
		declaredRaw = append(declaredRaw, "social:"+v)
	}
	for _, v := range k.Environmental {
		declaredRaw = append(declaredRaw, "environmental:"+v)
	}
	it.contract = store.ContractRow{
		UID: c.UID, BuyerSiret: c.Buyer.SIRET, BuyerSiren: c.Buyer.SIREN, BuyerName: c.Buyer.Name, ContractID: c.ID,
		KeyHash: it.key, Kind: c.Kind, Nature: c.Nature, Object: c.Object, CPV: c.CPV, CPVDivision: cpvDiv,
		Theme: cpvTheme(c.CPV), Procedure: c.Procedure,
		PlaceCode: c.Place.Code, PlaceCodeType: c.Place.CodeType, PlaceName: c.Place.Name,
		Departement: c.Place.Departement, Region: c.Place.Region,
		DurationMonths: c.DurationMonths, NotificationDate: c.NotificationDate, PublicationDate: c.PublicationDate,
		Amount: c.Amount, InitialAmount: c.InitialAmount, PriceForm: c.PriceForm,
		Techniques: c.Techniques, ExecutionModalities: c.Modalities,
		DeclaredSocialClause: u8(k.SocialClause), DeclaredSocialCriterion: u8(k.SocialCriterion),
		DeclaredReserved: u8(k.Reserved), DeclaredEnvClause: u8(k.EnvClause), DeclaredEnvCriterion: u8(k.EnvCriterion),
		DeclaredRaw: declaredRaw, DetectedLabels: detected, DetectorVersion: det.DetectorVersion,
		QualityFlags: c.QualityFlags, SchemaVersion: c.SchemaVersion,
		Source: w.source, Origin: it.rec.origin, Position: pos,
		ContentHash: c.ContentHash, PartitionYear: year, Version: it.version, RunID: w.runID, IngestedAt: w.now,
	}
	for i, h := range c.Holders {
		b.Holders = append(b.Holders, store.HolderRow{UID: c.UID, BuyerSiret: c.Buyer.SIRET, ContractID: c.ID,
			ContractVersion: it.version, Idx: uint16(i), Type: h.Type, ID: h.ID, Name: h.Name, PartitionYear: year})
	}
	for _, m := range c.Modifications {
		var hs []string
		for _, h := range m.Holders {
			hs = append(hs, h.ID)
		}
		b.Modifications = append(b.Modifications, store.ModificationRow{UID: c.UID, BuyerSiret: c.Buyer.SIRET,
			ContractID: c.ID, ModificationID: m.ID, Object: m.Object, SignatureDate: m.SignatureDate,
			PublicationDate: m.PublicationDate, Amount: m.Amount, DurationMonths: m.DurationMonths, Holders: hs,
			PartitionYear: year, Version: it.version})
	}
	for _, a := range c.Subcontracts {
		b.Subcontracts = append(b.Subcontracts, store.SubcontractRow{UID: c.UID, BuyerSiret: c.Buyer.SIRET, ContractID: c.ID,
			ContractVersion: it.version, ActID: a.ID, SubcontractorType: a.Subcontractor.Type,
			SubcontractorID: a.Subcontractor.ID, SubcontractorName: a.Subcontractor.Name,
			DurationMonths: a.DurationMonths, NotificationDate: a.NotificationDate, Amount: a.Amount,
			PriceVariation: a.PriceVariation, PartitionYear: year})
	}
	b.Detections = append(b.Detections, det)
}

func cpvTheme(cpv string) string {
	if cpv == "" {
		return ""
	}
	return theme.FromCPV(cpv)
}

func u8(b *bool) *uint8 {
	switch {
	case b == nil:
		return nil
	case *b:
		return &flagTrue
	}
	return &flagFalse
}

// The values the declared_* pointers share (the rows only read them).
var flagFalse, flagTrue uint8 = 0, 1
