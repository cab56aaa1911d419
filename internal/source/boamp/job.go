package boamp

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/vigie-data/vigie/internal/ingest"
	"github.com/vigie-data/vigie/internal/source"
)

// Names of the two BOAMP sources in pipeline files.
const (
	SourceAPI     = "boamp"
	SourceArchive = "boamp-archive"
)

// API is the source "boamp": notices from the Opendatasoft API, one
// publication day at a time, or from files in a run by hand.
type API struct {
	readDay dayReader // nil: the API; tests fake the upstream
}

// Archive is the source "boamp-archive": notices from the DILA open-data
// archive, one publication day at a time.
type Archive struct {
	readDay dayReader // nil: the archive
}

// dayReader reads the notices of one publication day into s.
type dayReader func(ctx context.Context, s *sink, run *source.Run, day time.Time) error

// Name is the pipeline files' source: value.
func (API) Name() string { return SourceAPI }

// Name is the pipeline files' source: value.
func (Archive) Name() string { return SourceArchive }

// Run re-reads from min(checkpoint, today - lookback) to now (a run by
// hand: its days, or its files), and moves the checkpoint to each
// complete day (before today) once its notices are committed. Re-reading
// is harmless: notices are keyed by identity.
func (a API) Run(ctx context.Context, run *source.Run) (ingest.Summary, error) {
	opts := Options{RunID: run.ID, Progress: run.Progress}
	if len(run.Files) > 0 {
		return IngestFiles(ctx, run.Store, run.Files, opts)
	}
	read := a.readDay
	if read == nil {
		base := strings.TrimRight(run.URL, "/")
		read = func(ctx context.Context, s *sink, run *source.Run, day time.Time) error {
			return apiDay(ctx, s, run.Fetch, base, day)
		}
	}
	today := source.Day(run.Now)
	last, ok := run.Checkpoint.Day()
	since, until := source.Day(run.Since), source.Day(run.Until)
	if !run.ByHand() {
		since, until = source.Day(today.Add(-run.Lookback)), today
		if ok && last.Before(since) {
			since = last
		}
	}
	slog.Info("boamp: reading notices", "pipeline", run.Pipeline, "since", since.Format(source.DayLayout), "until", until.Format(source.DayLayout))
	start := time.Now()
	s := newSink(run.Store, SourceAPI, opts)
	for d := since; !d.After(until); d = d.AddDate(0, 0, 1) {
		if err := read(ctx, s, run, d); err != nil {
			s.sum.Seconds = time.Since(start).Seconds()
			return s.sum, fmt.Errorf("boamp API, day %s: %w", d.Format(source.DayLayout), err)
		}
		if err := s.flush(ctx); err != nil {
			return s.sum, err
		}
		if !d.Before(today) || (ok && !d.After(last)) {
			continue // today is not complete; older days are behind the checkpoint already
		}
		if err := run.Checkpoint.Save(ctx, d.Format(source.DayLayout)); err != nil {
			return s.sum, fmt.Errorf("day %s done: %w", d.Format(source.DayLayout), err)
		}
		last, ok = d, true
	}
	return s.finish(ctx, start)
}

// Run reads the archive day by day, from the day after the checkpoint (or
// today - lookback if earlier) to yesterday (a run by hand: its days): a
// day's files are complete once published, so a checkpointed day is not
// read again. The checkpoint moves after each day.
func (a Archive) Run(ctx context.Context, run *source.Run) (ingest.Summary, error) {
	read := a.readDay
	if read == nil {
		read = func(ctx context.Context, s *sink, run *source.Run, day time.Time) error {
			return archiveDay(ctx, s, run.Fetch, run.URL, day)
		}
	}
	since, until := source.Day(run.Since), source.Day(run.Until)
	if !run.ByHand() {
		today := source.Day(run.Now)
		since, until = source.Day(today.Add(-run.Lookback)), today.AddDate(0, 0, -1)
		if last, ok := run.Checkpoint.Day(); ok && last.AddDate(0, 0, 1).Before(since) {
			since = last.AddDate(0, 0, 1)
		}
	}
	start := time.Now()
	s := newSink(run.Store, SourceArchive, Options{RunID: run.ID, Progress: run.Progress})
	for d := since; !d.After(until); d = d.AddDate(0, 0, 1) {
		if err := ctx.Err(); err != nil {
			return s.sum, err
		}
		if err := read(ctx, s, run, d); err != nil {
			s.sum.Seconds = time.Since(start).Seconds()
			return s.sum, fmt.Errorf("archive of %s: %w", d.Format(source.DayLayout), err)
		}
		if err := s.flush(ctx); err != nil {
			return s.sum, err
		}
		if err := run.Checkpoint.Save(ctx, d.Format(source.DayLayout)); err != nil {
			return s.sum, fmt.Errorf("day %s done: %w", d.Format(source.DayLayout), err)
		}
	}
	return s.finish(ctx, start)
}
