// Package decp ingests DECP ("données essentielles de la commande
// publique"): it runs the parser of package decpparse over a file, a
// stream or a URL and stores the contracts it gives — de-duplicated, with
// their provenance, side rows and detections — through the store, in
// named stages (pipeline.go).
package decp

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/vigie-data/vigie/internal/fetch"
	"github.com/vigie-data/vigie/internal/ingest"
	"github.com/vigie-data/vigie/internal/source/decp/decpparse"
	"github.com/vigie-data/vigie/internal/store"
)

// Options of one ingestion. The tuning settings may be left zero: each
// then takes its default (below).
type Options struct {
	Source   string           // channel name for provenance (e.g. "data.gouv.fr", "pes"); default derived from origin
	RunID    string           // recorded with the rows and quarantine; default a new id
	Progress *ingest.Progress // may be nil

	// BatchSize is the number of records looked up together (default
	// DefaultBatchSize). Three batches are in flight (one read, one
	// looked up and its side rows sent, one's contracts rows sent); their
	// rows go to INSERTs kept open until the next commit, so the batch
	// does not decide how many parts the server makes.
	BatchSize int
	// CommitRecords and CommitBytes bound what is sent and not yet
	// committed (see store.ContractStream): the server holds it until the
	// commit, and the writer's look-ups do not see it (defaults
	// DefaultCommitRecords, DefaultCommitBytes).
	CommitRecords int64
	CommitBytes   int64
	// MaxStoredKeys bounds the stored contracts whose keys a run reads at
	// its start, 8 bytes each (default DefaultMaxStoredKeys): above it, or
	// when negative, every key of the input is looked up.
	MaxStoredKeys int
	// RawChunkSize is the size of the raw_documents rows a document is
	// cut into (default DefaultRawChunkSize).
	RawChunkSize int
}

// Defaults of the tuning settings.
//
// Each commit makes one part per table, which the server merges later:
// committing every 10 000 records, as the batches go, took the server
// about half as much CPU again, and at 1 000 000 records commits of
// 100 000 took it 25 s against 17 s for commits of 250 000.
const (
	DefaultBatchSize           = 2500
	DefaultCommitRecords int64 = 250000
	DefaultCommitBytes   int64 = 256 << 20
	DefaultMaxStoredKeys       = 4 << 20
	DefaultRawChunkSize        = 4 << 20
)

// CommitRecordsEnv names the environment variable that sets the default
// of Options.CommitRecords for a process: fewer records per commit hold
// less in the ClickHouse server's memory and cost it more merges.
const CommitRecordsEnv = "VIGIE_DECP_COMMIT_RECORDS"

// withDefaults fills what opts leaves zero.
func (o Options) withDefaults(origin string) Options {
	o.Source = sourceName(o.Source, origin)
	if o.RunID == "" {
		o.RunID = newRunID()
	}
	if o.BatchSize <= 0 {
		o.BatchSize = DefaultBatchSize
	}
	if o.CommitRecords <= 0 {
		o.CommitRecords = DefaultCommitRecords
		if n, err := strconv.ParseInt(os.Getenv(CommitRecordsEnv), 10, 64); err == nil && n > 0 {
			o.CommitRecords = n
		}
	}
	if o.CommitBytes <= 0 {
		o.CommitBytes = DefaultCommitBytes
	}
	if o.MaxStoredKeys == 0 {
		o.MaxStoredKeys = DefaultMaxStoredKeys
	}
	if o.RawChunkSize <= 0 {
		o.RawChunkSize = DefaultRawChunkSize
	}
	return o
}

// QuarantineSource is the quarantine table's source of DECP records.
const QuarantineSource = "decp"

// Ingest reads one DECP document (JSON or XML, 2019 or 2022 format,
// plain/gzip/zip detected from content) from r and stores it. origin names
// it in provenance and quarantine (a path or URL). Unreadable records are
// quarantined and counted; an input that is not DECP at all is an error.
func Ingest(ctx context.Context, st *store.Store, r io.Reader, origin string, opts Options) (ingest.Summary, error) {
	return run(ctx, st, origin, opts, func(each func(decpparse.Document) error) error {
		return decpparse.OpenDocuments(r, origin, each)
	})
}

// IngestFile ingests a file (a zip is read in place).
func IngestFile(ctx context.Context, st *store.Store, path string, opts Options) (ingest.Summary, error) {
	if _, err := os.Stat(path); err != nil {
		return ingest.Summary{Source: sourceName(opts.Source, path)}, fmt.Errorf("decp: %w", err)
	}
	return run(ctx, st, path, opts, func(each func(decpparse.Document) error) error {
		return decpparse.OpenFile(path, each)
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

// RegionOf returns the région name of a département code ("" if unknown).
func RegionOf(dep string) string { return decpparse.RegionOf(dep) }

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
	for _, ext := range []string{".gz", ".zip", ".json", ".xml", ".parquet", ".csv"} {
		base = strings.TrimSuffix(base, ext)
	}
	return base
}

func newRunID() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return "decp-" + time.Now().UTC().Format("20060102T150405") + "-" + hex.EncodeToString(b)
}
