package boamp

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/vigie-data/vigie/internal/ingest"
	"github.com/vigie-data/vigie/internal/notice"
	"github.com/vigie-data/vigie/internal/store"
)

// batchSize is how many notices are written at once.
const batchSize = 500

// sink batches parsed notices into the store and quarantines what could
// not be read, keeping the run's counts.
type sink struct {
	st    *store.Store
	opts  Options
	sum   ingest.Summary
	batch []store.NoticeDoc
	quar  []store.QuarantineRow
}

func newSink(st *store.Store, source string, opts Options) *sink {
	return &sink{st: st, opts: opts, sum: ingest.Summary{Source: source}}
}

// add takes one parsed notice.
func (s *sink) add(ctx context.Context, n *notice.Notice, raw []byte, format, origin, position string) error {
	s.sum.RecordsRead++
	if s.opts.Progress != nil {
		s.opts.Progress.Add(1)
	}
	n.Origin, n.Position = origin, position
	notice.Analyse(n)
	s.batch = append(s.batch, store.NoticeDoc{Notice: n, Raw: raw, RawFormat: format})
	if len(s.batch) >= batchSize {
		return s.flush(ctx)
	}
	return nil
}

// bad quarantines a record that could not be read.
func (s *sink) bad(ctx context.Context, raw []byte, origin, position string, err error) error {
	s.sum.RecordsRead++
	s.sum.Quarantined++
	if s.opts.Progress != nil {
		s.opts.Progress.Add(1)
	}
	slog.Warn("boamp: record quarantined", "origin", origin, "position", position, "reason", err)
	s.quar = append(s.quar, store.QuarantineRow{Source: "boamp", Origin: origin, Position: position,
		Reason: err.Error(), Record: string(raw), RunID: s.opts.RunID})
	if len(s.quar) >= batchSize {
		return s.flush(ctx)
	}
	return nil
}

// flush writes what is pending.
func (s *sink) flush(ctx context.Context) error {
	if len(s.quar) > 0 {
		if err := s.st.Quarantine(ctx, s.quar...); err != nil {
			return err
		}
		s.quar = s.quar[:0]
	}
	if len(s.batch) == 0 {
		return nil
	}
	c, err := s.st.WriteNotices(ctx, s.batch)
	if err != nil {
		return fmt.Errorf("write %d notices: %w", len(s.batch), err)
	}
	s.sum.Notices += int64(len(s.batch))
	s.sum.New += c.New
	s.sum.Updated += c.Updated
	s.sum.Duplicates += c.Duplicates
	s.batch = s.batch[:0]
	return nil
}

func (s *sink) finish(ctx context.Context, start time.Time) (ingest.Summary, error) {
	err := s.flush(ctx)
	s.sum.Seconds = time.Since(start).Seconds()
	return s.sum, err
}
