// Package reffile is the job every supplier reference source shares: get
// the file (a local path, a URL, or the newest matching file of a
// data.gouv.fr dataset), spooled whole to disk before anything is
// written, since Parquet and zip need random access and an interrupted
// download must leave the stored data as it was; then parse it with the
// source's own parser and write the facts.
package reffile

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/vigie-data/vigie/internal/fetch"
	"github.com/vigie-data/vigie/internal/ingest"
	"github.com/vigie-data/vigie/internal/source"
	"github.com/vigie-data/vigie/internal/source/datagouv"
	"github.com/vigie-data/vigie/internal/store"
	"github.com/vigie-data/vigie/internal/supplier"
)

// Parser reads one reference file: emit gets every fact, bad every row
// that cannot be read (its position, why, and the row as read). It
// returns how many rows it read. A parser never touches the store.
type Parser func(path string, emit func(supplier.Fact) error, bad func(position, reason, record string) error) (rows int64, err error)

// Job runs a reference source: its name (a pipeline file's source:
// value) and its parser. It is the source.Source of each reference
// package, which is therefore one parser and one line.
type Job struct {
	Name  string
	Parse Parser
}

// New is the source named name, read by parse.
func New(name string, parse Parser) source.Source { return job{Job{Name: name, Parse: parse}} }

// job is Job as a source.Source (whose Name is a method).
type job struct{ j Job }

func (s job) Name() string { return s.j.Name }

// ReadsDataset says that the source's pipelines may give a resources:
// pattern (the newest matching file of a data.gouv.fr dataset is read).
func (job) ReadsDataset() {}

func (s job) Run(ctx context.Context, run *source.Run) (ingest.Summary, error) {
	return s.j.Run(ctx, run)
}

// state is the checkpoint: the file last ingested whole.
type state struct {
	URL          string `json:"url"`
	LastModified string `json:"last_modified,omitempty"`
	ETag         string `json:"etag,omitempty"`
}

// Run ingests run.Files, or the file at run.URL (or the newest resource
// of the dataset at run.URL matching run.Resources) when it changed since
// the last run.
func (j Job) Run(ctx context.Context, run *source.Run) (ingest.Summary, error) {
	if len(run.Files) > 0 {
		sum := ingest.Summary{Source: j.Name}
		for _, p := range run.Files {
			s, err := j.ingest(ctx, run, p, p)
			sum.Add(s)
			sum.Seconds += s.Seconds
			if err != nil {
				return sum, err
			}
		}
		return sum, nil
	}
	var prev state
	if cp := run.Checkpoint.Value(); cp != "" {
		if err := json.Unmarshal([]byte(cp), &prev); err != nil {
			slog.Warn("checkpoint unreadable: the file is read again", "pipeline", run.Pipeline, "error", err)
		}
	}
	url, lastModified := run.URL, ""
	if run.Resources != nil {
		rs, err := datagouv.Resolve(ctx, run.Fetch, run.URL, run.Resources)
		if err != nil {
			return ingest.Summary{Source: j.Name}, err
		}
		if len(rs) == 0 {
			return ingest.Summary{Source: j.Name}, fmt.Errorf("%s: no file of the dataset matches %s", j.Name, run.Resources)
		}
		newest := rs[0]
		for _, r := range rs[1:] {
			if r.LastModified > newest.LastModified {
				newest = r
			}
		}
		url, lastModified = newest.URL, newest.LastModified
		if prev.URL == url && lastModified != "" && prev.LastModified == lastModified {
			slog.Info("reference file unchanged since last ingested", "source", j.Name, "url", url)
			return ingest.Summary{Source: j.Name}, nil
		}
	}
	var cond *fetch.Validators
	if prev.URL == url && (prev.ETag != "" || prev.LastModified != "") && run.Resources == nil {
		cond = &fetch.Validators{ETag: prev.ETag, LastModified: prev.LastModified}
	}
	dir, err := spoolDir(run)
	if err != nil {
		return ingest.Summary{Source: j.Name}, err
	}
	path := filepath.Join(dir, j.Name+".download")
	v, err := run.Fetch.Download(ctx, url, path, cond)
	if errors.Is(err, fetch.ErrNotModified) {
		slog.Info("reference file unchanged since last ingested", "source", j.Name, "url", url)
		return ingest.Summary{Source: j.Name}, nil
	}
	if err != nil {
		return ingest.Summary{Source: j.Name}, fmt.Errorf("%s: %w", j.Name, err)
	}
	defer os.Remove(path)
	sum, err := j.ingest(ctx, run, path, url)
	if err != nil {
		return sum, err
	}
	next := state{URL: url, ETag: v.ETag, LastModified: v.LastModified}
	if lastModified != "" {
		next.LastModified = lastModified
	}
	b, _ := json.Marshal(next)
	if err := run.Checkpoint.Save(ctx, string(b)); err != nil {
		return sum, err
	}
	sum.Checkpoint = string(b)
	return sum, nil
}

// spoolDir is where downloads are kept until read: the data directory's
// spool folder, else the system's temporary folder.
func spoolDir(run *source.Run) (string, error) {
	dir := os.Getenv("VIGIE_DATA")
	if dir == "" {
		dir = os.TempDir()
	}
	dir = filepath.Join(dir, "spool")
	return dir, os.MkdirAll(dir, 0o755)
}

// ingest parses the file at path and writes its facts; origin names it
// in provenance and quarantine.
func (j Job) ingest(ctx context.Context, run *source.Run, path, origin string) (ingest.Summary, error) {
	start := time.Now()
	sum := ingest.Summary{Source: j.Name}
	w := run.Store.NewSupplierWriter(j.Name, origin, run.ID)
	var quarantine []store.QuarantineRow
	flushQuarantine := func() error {
		err := run.Store.Quarantine(ctx, quarantine...)
		quarantine = quarantine[:0]
		return err
	}
	var facts int64
	rows, err := j.Parse(path,
		func(f supplier.Fact) error {
			facts++
			if facts%1_000_000 == 0 {
				slog.Info("reference file", "source", j.Name, "facts", facts)
			}
			if run.Progress != nil {
				run.Progress.Add(1)
			}
			return w.Add(ctx, f)
		},
		func(position, reason, record string) error {
			sum.Quarantined++
			slog.Warn("row quarantined", "source", j.Name, "origin", origin, "position", position, "reason", reason)
			quarantine = append(quarantine, store.QuarantineRow{Source: j.Name, Origin: origin, Position: position,
				Reason: reason, Record: record, RunID: run.ID})
			if len(quarantine) >= 1000 {
				return flushQuarantine()
			}
			return nil
		})
	sum.RecordsRead = rows
	sum.New = facts
	sum.Seconds = time.Since(start).Seconds()
	if err != nil {
		w.Abort()
		_ = flushQuarantine()
		return sum, fmt.Errorf("%s: %s: %w", j.Name, origin, err)
	}
	if err := w.Close(ctx); err != nil {
		return sum, err
	}
	if err := flushQuarantine(); err != nil {
		return sum, err
	}
	sum.Seconds = time.Since(start).Seconds()
	return sum, nil
}
