package decp

import (
	"context"
	"log/slog"
	"slices"
	"strconv"
	"time"

	"github.com/vigie-data/vigie/internal/ingest"
	"github.com/vigie-data/vigie/internal/source/decp/decpparse"
	"github.com/vigie-data/vigie/internal/store"
)

// writer looks batches up and stores them; it keeps the run's counts.
type writer struct {
	st            *store.Store
	source        string
	runID         string
	now           time.Time
	maxStoredKeys int // see Options.MaxStoredKeys

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
func position(r *decpparse.Record) string {
	if r.Where != "" {
		return r.Where
	}
	b := make([]byte, 0, 40)
	b = append(b, "record "...)
	b = strconv.AppendInt(b, r.Index, 10)
	b = append(b, ", byte "...)
	b = strconv.AppendInt(b, r.Offset, 10)
	return string(b)
}

const maxQuarantined = 1 << 20 // bytes of a record kept in quarantine

// process looks a batch up, counts it, writes its quarantine, sends its
// side rows, and returns its contracts rows, to be sent once the previous
// batch's are (pipeline.write). Only contracts the run has not seen are
// looked up (see seen, mayBeStored).
func (w *writer) process(ctx context.Context, cs *store.ContractStream, items []*item) ([]*store.ContractRow, error) {
	w.read += int64(len(items))
	w.uncommitted += int64(len(items))
	for _, it := range items {
		w.uncommittedBytes += int64(it.size)
	}
	if err := w.quarantine(ctx, items); err != nil {
		return nil, err
	}
	best := w.latestOfBatch(items)
	states, err := w.lookUp(ctx, best)
	if err != nil {
		return nil, err
	}
	var b store.ContractBatch
	n := len(best)
	b.Contracts, b.Detections = make([]*store.ContractRow, 0, n), make([]store.DetectionRow, 0, n)
	b.Holders = make([]store.HolderRow, 0, n+n/2)
	for k, it := range best {
		ex, found := states[k]
		if write, supersede := w.decide(it, ex, found); write {
			add(&b, it, supersede)
		}
	}
	b.Sources = w.sources(items)
	if err := cs.WriteSideRows(ctx, &b); err != nil {
		return nil, err
	}
	return b.Contracts, nil
}

// quarantine writes the records of a batch that could not be read.
func (w *writer) quarantine(ctx context.Context, items []*item) error {
	var rows []store.QuarantineRow
	for _, it := range items {
		if it.err == nil {
			continue
		}
		body := it.text
		if body == "" {
			body = string(it.rec.Body)
		}
		if len(body) > maxQuarantined {
			body = body[:maxQuarantined]
		}
		pos := position(&it.rec)
		rows = append(rows, store.QuarantineRow{Source: QuarantineSource, Origin: it.rec.Origin,
			Position: pos, Reason: it.err.Error(), Record: body, RunID: w.runID, QuarantinedAt: w.now})
		slog.Warn("decp record quarantined", "origin", it.rec.Origin, "position", pos, "reason", it.err.Error())
	}
	w.quarantined += int64(len(rows))
	return w.st.Quarantine(ctx, rows...)
}

// latestOfBatch keeps, of the contracts a batch carries several times,
// the latest version; each other copy counts as a duplicate.
func (w *writer) latestOfBatch(items []*item) map[uint64]*item {
	best := make(map[uint64]*item, len(items))
	for _, it := range items {
		if it.err != nil {
			continue
		}
		if b, ok := best[it.key]; ok {
			w.duplicates++
			w.repeats++
			if it.version > b.version {
				best[it.key] = it
			}
			continue
		}
		best[it.key] = it
	}
	return best
}

// lookUp returns the stored state of the contracts of best that may be
// stored and that the run has not seen, and learns which runs wrote them.
func (w *writer) lookUp(ctx context.Context, best map[uint64]*item) (map[uint64]store.ContractState, error) {
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
	return states, nil
}

// decide counts a contract (new, updated or duplicate), gives it its
// partition year, and tells whether its rows are written: it is new, or
// newer than what is stored or sent, or a repair (the stored version was
// written by a run that did not end cleanly). supersede tells that the
// rows written replace another version's.
//
// A repair may come late: when the stored version is newer than this
// record and untrusted, the run writes it again when its own copy of that
// version comes (a run killed after writing the later publication of a
// contract repeated in its input may have lost that version's side rows;
// skipping it as "already sent" would lose them for good).
func (w *writer) decide(it *item, ex store.ContractState, found bool) (write, supersede bool) {
	prev, again := w.seen[it.key]
	year := it.year
	switch {
	case again: // seen earlier in this run's input
		w.duplicates++
		w.repeats++
		year = prev.year
		write = it.version > prev.version || it.version == prev.version && prev.untrusted
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
	after := sent{version: ex.Version, year: year, untrusted: found && !w.trusted(ex)}
	switch {
	case write:
		after = sent{version: it.version, year: year}
	case again:
		after = prev
	}
	w.seen[it.key] = after
	if write {
		setYear(it, year)
	}
	return write, again || found && ex.Version != it.version
}

// add puts the rows of a contract to write in b.
func add(b *store.ContractBatch, it *item, supersede bool) {
	b.Contracts = append(b.Contracts, &it.contract)
	b.Holders = append(b.Holders, it.rows.Holders...)
	b.Modifications = append(b.Modifications, it.rows.Modifications...)
	b.Subcontracts = append(b.Subcontracts, it.rows.Subcontracts...)
	// A detection is written when it adds to the contracts row: detected
	// evidence or a positive declaration. Declared negatives alone are in
	// contracts.declared_* and declared_raw already (DeclaredEvidence
	// rebuilds them). Over another stored version it is always written,
	// to supersede that version's (a repair rewrites the same version:
	// its detection was written if informative).
	for _, d := range it.rows.Detections {
		if supersede || informative(&d) {
			b.Detections = append(b.Detections, d)
		}
	}
}

// sources are the provenance rows of a batch: one per record read.
func (w *writer) sources(items []*item) []store.ContractSourceRow {
	rows := make([]store.ContractSourceRow, 0, len(items))
	for _, it := range items {
		if it.err != nil {
			continue
		}
		rows = append(rows, store.ContractSourceRow{UID: it.uid, BuyerSiret: it.siret, ContractID: it.id,
			Source: w.source, Origin: it.rec.Origin, Position: it.pos, PublicationDate: it.published,
			ContentHash: it.hash, SeenAt: w.now, PartitionYear: w.seen[it.key].year})
	}
	return rows
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

// loadStored reads the keys of the stored contracts (see mayBeStored).
func (w *writer) loadStored(ctx context.Context) error {
	if w.maxStoredKeys < 0 {
		return nil // every key is looked up
	}
	keys, ok, err := w.st.ContractKeys(ctx, w.maxStoredKeys)
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
// stored or sent, and its partition year; untrusted when that version is
// stored by a run that did not end cleanly and this run has not written
// it. It holds no pointers: a map of them is not scanned by the
// collector.
type sent struct {
	version   uint64
	year      uint16
	untrusted bool
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

// summary gives the run's counts.
func (w *writer) summary(source string) ingest.Summary {
	return ingest.Summary{Source: source, RecordsRead: w.read, Contracts: w.read - w.quarantined - w.repeats,
		New: w.new, Updated: w.updated, Duplicates: w.duplicates, Quarantined: w.quarantined}
}
