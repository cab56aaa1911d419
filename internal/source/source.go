// Package source is what every upstream of vigie provides: a Source that,
// for one run, reads upstream, writes through the store and saves its own
// checkpoint. Each upstream is one package below this one (boamp, decp);
// cli names them all in one map, which the scheduler runs and which
// checks the source: field of pipeline files.
package source

import (
	"context"
	"regexp"
	"time"

	"github.com/vigie-data/vigie/internal/fetch"
	"github.com/vigie-data/vigie/internal/ingest"
	"github.com/vigie-data/vigie/internal/store"
)

// Source is one upstream.
type Source interface {
	// Name is the value of a pipeline file's source: field.
	Name() string
	// Run does one run: it reads from where run.Checkpoint says (or what
	// a run by hand names), writes through run.Store, and saves a new
	// checkpoint once the data behind it is committed. The summary counts
	// what was read; an error fails the run, with the checkpoint saved so
	// far kept.
	Run(ctx context.Context, run *Run) (ingest.Summary, error)
}

// DatasetReader is a Source that reads the files of a data.gouv.fr
// dataset: its pipelines may give a resources: pattern.
type DatasetReader interface {
	ReadsDataset()
}

// Run is what a source gets for one run.
type Run struct {
	ID       string // recorded with the rows written and the quarantine
	Pipeline string
	URL      string
	// Resources, when set, makes URL a data.gouv.fr dataset API whose
	// matching files are read; nil: URL is the file.
	Resources *regexp.Regexp
	Lookback  time.Duration // how far back each run re-reads
	Now       time.Time     // the run's date
	Store     *store.Store
	Fetch     *fetch.Client
	Progress  *ingest.Progress
	// Checkpoint is where the last run got to; the source saves its own.
	Checkpoint *Checkpoint

	// A run by hand ('vigie ingest') reads what it names instead of the
	// upstream from the checkpoint.
	Manual       bool      // set for every run by hand
	Files        []string  // local files (or directories) to read
	Since, Until time.Time // publication days to read, both included
	Channel      string    // provenance channel (DECP), default derived from the origin
}

// ByHand tells a run by hand, which names what it reads.
func (r *Run) ByHand() bool { return r.Manual || len(r.Files) > 0 || !r.Since.IsZero() }
