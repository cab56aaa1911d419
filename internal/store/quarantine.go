package store

import (
	"context"
	"fmt"
	"time"
)

// QuarantineRow is a record that could not be read, kept whole with where
// it came from and why.
type QuarantineRow struct {
	Source        string // the channel or pipeline (e.g. "decp")
	Origin        string // the file or URL
	Position      string // where in it: record index, byte offset
	Reason        string
	Record        string // the record's text as read
	RunID         string
	QuarantinedAt time.Time
}

var quarantineColumns = []string{"source", "origin", "position", "reason", "record", "run_id", "quarantined_at"}

// Quarantine stores unreadable records.
func (s *Store) Quarantine(ctx context.Context, rows ...QuarantineRow) error {
	if len(rows) == 0 {
		return nil
	}
	data := make([][]any, len(rows))
	for i, r := range rows {
		at := r.QuarantinedAt
		if at.IsZero() {
			at = time.Now()
		}
		data[i] = []any{r.Source, r.Origin, r.Position, r.Reason, r.Record, r.RunID, at.UTC().Truncate(time.Second)}
	}
	if err := s.insert(ctx, "quarantine", quarantineColumns, data...); err != nil {
		return fmt.Errorf("quarantine %d records: %w", len(rows), err)
	}
	return nil
}

// QuarantineCount counts the quarantined records of a source (all runs),
// for status and tests.
func (s *Store) QuarantineCount(ctx context.Context, source string) (uint64, error) {
	var n uint64
	err := s.conn.QueryRow(withTimeout(ctx, 30),
		"SELECT count() FROM (SELECT source, origin, position FROM quarantine WHERE source = ? GROUP BY source, origin, position)",
		source).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count quarantine of %s: %w", source, err)
	}
	return n, nil
}
