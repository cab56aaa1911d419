package decp

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"

	"github.com/vigie-data/vigie/internal/fetch"
	"github.com/vigie-data/vigie/internal/ingest"
	"github.com/vigie-data/vigie/internal/source"
	"github.com/vigie-data/vigie/internal/source/datagouv"
)

// SourceName is the pipeline files' source: value.
const SourceName = "decp"

// Source is the source "decp": the files of a data.gouv.fr dataset, or
// one file URL, ingested when they changed since the last run; local
// files in a run by hand.
type Source struct {
	ingest ingestFunc // nil: Ingest; tests fake it
}

type ingestFunc func(ctx context.Context, run *source.Run, r io.Reader, url string, opts Options) (ingest.Summary, error)

// Name is the pipeline files' source: value.
func (Source) Name() string { return SourceName }

// ReadsDataset says that decp pipelines may give a resources: pattern.
func (Source) ReadsDataset() {}

// fileState is what the checkpoint keeps of each file: enough to tell
// whether it changed since it was last ingested whole.
type fileState struct {
	URL          string `json:"url"`
	LastModified string `json:"last_modified,omitempty"`
	ETag         string `json:"etag,omitempty"`
}

// Run ingests the files that changed since the last run. With
// run.Resources set, run.URL is a data.gouv.fr dataset API: the files are
// its resources that match, and a file is unchanged when its
// last_modified is. Otherwise run.URL is the file itself, and a
// conditional GET (ETag / Last-Modified) tells; the file is read from that
// same response. The checkpoint (JSON, by resource) moves after each file
// is committed whole.
func (j Source) Run(ctx context.Context, run *source.Run) (ingest.Summary, error) {
	// One run id for all the files: a contract carried by several of them
	// counts once.
	opts := Options{Source: run.Channel, RunID: run.ID, Progress: run.Progress}
	if opts.Source == "" && run.Pipeline != "" && run.Pipeline != SourceName && !run.ByHand() {
		// A second DECP pipeline (decp-national) is its own channel: a
		// contract both consolidations carry gets one provenance row per
		// channel. The ministry's pipeline keeps the name it always had
		// (the files' host); a run by hand, the file's or URL's.
		opts.Source = run.Pipeline
	}
	if len(run.Files) > 0 {
		return ingestFiles(ctx, run, opts)
	}
	state := map[string]fileState{}
	if cp := run.Checkpoint.Value(); cp != "" {
		if err := json.Unmarshal([]byte(cp), &state); err != nil {
			slog.Warn("DECP checkpoint unreadable: every file is read again", "pipeline", run.Pipeline, "error", err)
			state = map[string]fileState{}
		}
	}
	resources := []datagouv.Resource{{URL: run.URL, Title: run.URL}}
	if run.Resources != nil {
		rs, err := datagouv.Resolve(ctx, run.Fetch, run.URL, run.Resources)
		if err != nil {
			return ingest.Summary{Source: SourceName}, err
		}
		resources = rs
	}
	var sum files
	for _, r := range resources {
		key := r.ID
		if key == "" {
			key = r.URL
		}
		prev, seen := state[key]
		var cond *fetch.Validators
		if r.ID != "" {
			if seen && prev.URL == r.URL && r.LastModified != "" && prev.LastModified == r.LastModified {
				slog.Info("DECP file unchanged since last ingested", "pipeline", run.Pipeline, "file", r.Title, "last_modified", r.LastModified)
				continue
			}
		} else if seen && (prev.ETag != "" || prev.LastModified != "") {
			cond = &fetch.Validators{ETag: prev.ETag, LastModified: prev.LastModified}
		}
		resp, err := run.Fetch.Open(ctx, r.URL, cond)
		if errors.Is(err, fetch.ErrNotModified) {
			slog.Info("DECP file unchanged since last ingested", "pipeline", run.Pipeline, "url", r.URL)
			continue
		}
		if err != nil {
			return sum.total(opts), fmt.Errorf("%s: decp: %w", r.Title, err)
		}
		next := fileState{URL: r.URL, LastModified: r.LastModified}
		if r.ID == "" {
			next.ETag, next.LastModified = resp.Validators.ETag, resp.Validators.LastModified
		}
		slog.Info("DECP file to ingest", "pipeline", run.Pipeline, "file", r.Title, "url", r.URL, "last_modified", next.LastModified)
		s, err := j.read(ctx, run, resp.Body, r.URL, opts)
		resp.Body.Close()
		sum.add(s)
		if err != nil {
			return sum.total(opts), fmt.Errorf("%s: %w", r.Title, err)
		}
		state[key] = next
		b, _ := json.Marshal(state)
		if err := run.Checkpoint.Save(ctx, string(b)); err != nil {
			return sum.total(opts), err
		}
	}
	return sum.total(opts), nil
}

func (j Source) read(ctx context.Context, run *source.Run, r io.Reader, url string, opts Options) (ingest.Summary, error) {
	if j.ingest != nil {
		return j.ingest(ctx, run, r, url, opts)
	}
	return Ingest(ctx, run.Store, r, url, opts)
}

// ingestFiles reads local files one after the other.
func ingestFiles(ctx context.Context, run *source.Run, opts Options) (ingest.Summary, error) {
	var sum files
	for _, path := range run.Files {
		one, err := IngestFile(ctx, run.Store, path, opts)
		if err != nil {
			return one, err
		}
		sum.add(one)
	}
	return sum.total(opts), nil
}

// files sums the summaries of the files of a run: one file's is kept as
// it is (its source is the file's channel), several are named "decp"
// unless a channel was given.
type files struct {
	sum ingest.Summary
	n   int
}

func (f *files) add(s ingest.Summary) {
	if f.n == 0 {
		f.sum = s
	} else {
		f.sum.Add(s)
		f.sum.Seconds += s.Seconds
	}
	f.n++
}

func (f *files) total(opts Options) ingest.Summary {
	if f.n != 1 {
		f.sum.Source = SourceName
		if opts.Source != "" {
			f.sum.Source = opts.Source
		}
	}
	return f.sum
}
