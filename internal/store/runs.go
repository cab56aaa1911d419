package store

import (
	"context"
	"fmt"
	"time"
)

// Run is one row of ingest_runs: a pipeline or command run. A run is
// written when it starts (status running) and again when it ends with a
// higher Version; reads keep the row of highest version.
type Run struct {
	RunID       string
	Pipeline    string
	Source      string
	StartedAt   time.Time
	FinishedAt  time.Time // zero while running
	Status      string    // running, ok, failed, interrupted
	RecordsRead uint64
	New         uint64
	Updated     uint64
	Duplicates  uint64
	Quarantined uint64
	Error       string
	Checkpoint  string
	Version     uint64
}

var runColumns = []string{"run_id", "pipeline", "source", "started_at", "finished_at", "status",
	"records_read", "new", "updated", "duplicates", "quarantined", "error", "checkpoint", "version"}

// RecordRun writes r; call it at the start and the end of a run, with a
// higher Version the second time.
func (s *Store) RecordRun(ctx context.Context, r Run) error {
	err := s.insert(ctx, "ingest_runs", runColumns, []any{
		r.RunID, r.Pipeline, r.Source, r.StartedAt.UTC().Truncate(time.Second), r.FinishedAt.UTC().Truncate(time.Second),
		r.Status, r.RecordsRead, r.New, r.Updated, r.Duplicates, r.Quarantined, r.Error, r.Checkpoint, r.Version,
	})
	if err != nil {
		return fmt.Errorf("record run %s of %s: %w", r.RunID, r.Pipeline, err)
	}
	return nil
}

// The current state of each run is its row of highest version; argMax keeps
// it without relying on merges having happened.
const selectRuns = `SELECT run_id, pipeline, any(source),
	argMax(started_at, version), argMax(finished_at, version), argMax(status, version),
	argMax(records_read, version), argMax(new, version), argMax(updated, version),
	argMax(duplicates, version), argMax(quarantined, version), argMax(error, version),
	argMax(checkpoint, version), max(version)
FROM ingest_runs`

func scanRuns(ctx context.Context, s *Store, query string, args ...any) ([]Run, error) {
	rows, err := s.conn.Query(withTimeout(ctx, 30), query, args...)
	if err != nil {
		return nil, fmt.Errorf("read runs: %w", err)
	}
	defer rows.Close()
	var out []Run
	for rows.Next() {
		var r Run
		if err := rows.Scan(&r.RunID, &r.Pipeline, &r.Source, &r.StartedAt, &r.FinishedAt, &r.Status,
			&r.RecordsRead, &r.New, &r.Updated, &r.Duplicates, &r.Quarantined, &r.Error, &r.Checkpoint, &r.Version); err != nil {
			return nil, fmt.Errorf("read runs: %w", err)
		}
		if r.FinishedAt.Unix() <= 0 {
			r.FinishedAt = time.Time{}
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// Runs returns the latest runs of a pipeline, newest first (all pipelines
// when pipeline is empty).
func (s *Store) Runs(ctx context.Context, pipeline string, limit int) ([]Run, error) {
	if limit <= 0 {
		limit = 20
	}
	q := selectRuns
	var args []any
	if pipeline != "" {
		q += " WHERE pipeline = ?"
		args = append(args, pipeline)
	}
	q += fmt.Sprintf(" GROUP BY pipeline, run_id ORDER BY argMax(started_at, version) DESC, max(version) DESC LIMIT %d", limit)
	return scanRuns(ctx, s, q, args...)
}

// RunningRuns returns the runs of a pipeline whose last record says
// running.
func (s *Store) RunningRuns(ctx context.Context, pipeline string) ([]Run, error) {
	return scanRuns(ctx, s, selectRuns+" WHERE pipeline = ? GROUP BY pipeline, run_id HAVING argMax(status, version) = 'running'", pipeline)
}

// LastRuns returns the newest run of each pipeline, by pipeline name.
func (s *Store) LastRuns(ctx context.Context) (map[string]Run, error) {
	runs, err := scanRuns(ctx, s, selectRuns+" GROUP BY pipeline, run_id ORDER BY pipeline, max(version)")
	if err != nil {
		return nil, err
	}
	// Rows come oldest version first per pipeline: the last one wins. The
	// table holds a few runs per pipeline per day, so reading it whole is cheap.
	out := map[string]Run{}
	for _, r := range runs {
		if cur, ok := out[r.Pipeline]; !ok || !r.StartedAt.Before(cur.StartedAt) {
			out[r.Pipeline] = r
		}
	}
	return out, nil
}

// Checkpoint is where a pipeline has got to.
type Checkpoint struct {
	Pipeline   string
	Checkpoint string
	RunID      string
	UpdatedAt  time.Time
	Version    uint64
}

// SaveCheckpoint records a pipeline's checkpoint. Call it only once the
// data behind it is committed.
func (s *Store) SaveCheckpoint(ctx context.Context, c Checkpoint) error {
	if c.UpdatedAt.IsZero() {
		c.UpdatedAt = time.Now()
	}
	if c.Version == 0 {
		c.Version = uint64(time.Now().UnixNano())
	}
	err := s.insert(ctx, "checkpoints", []string{"pipeline", "checkpoint", "run_id", "updated_at", "version"},
		[]any{c.Pipeline, c.Checkpoint, c.RunID, c.UpdatedAt.UTC().Truncate(time.Second), c.Version})
	if err != nil {
		return fmt.Errorf("save checkpoint of %s: %w", c.Pipeline, err)
	}
	return nil
}

// LoadCheckpoint returns a pipeline's checkpoint; found is false when the
// pipeline has none yet.
func (s *Store) LoadCheckpoint(ctx context.Context, pipeline string) (c Checkpoint, found bool, err error) {
	rows, err := s.conn.Query(withTimeout(ctx, 30), `SELECT pipeline, argMax(checkpoint, version),
		argMax(run_id, version), argMax(updated_at, version), max(version)
		FROM checkpoints WHERE pipeline = ? GROUP BY pipeline`, pipeline)
	if err != nil {
		return c, false, fmt.Errorf("load checkpoint of %s: %w", pipeline, err)
	}
	defer rows.Close()
	if !rows.Next() {
		return c, false, rows.Err()
	}
	if err := rows.Scan(&c.Pipeline, &c.Checkpoint, &c.RunID, &c.UpdatedAt, &c.Version); err != nil {
		return c, false, fmt.Errorf("load checkpoint of %s: %w", pipeline, err)
	}
	return c, true, nil
}

// NewestData returns the publication date of the newest record a source
// has stored (notices for BOAMP, contracts for DECP), to show how far
// behind upstream vigie is. Zero when nothing is stored.
func (s *Store) NewestData(ctx context.Context, source string) (time.Time, error) {
	var q string
	switch source {
	case "boamp", "boamp-archive":
		q = `SELECT toDateTime(max(publication_date)), count() FROM notices`
	case "decp":
		q = `SELECT toDateTime(max(assumeNotNull(publication_date))), count() FROM contracts WHERE publication_date IS NOT NULL`
	default:
		return time.Time{}, nil
	}
	var newest time.Time
	var n uint64
	if err := s.conn.QueryRow(withTimeout(ctx, 30), q).Scan(&newest, &n); err != nil {
		return time.Time{}, fmt.Errorf("newest %s data: %w", source, err)
	}
	if n == 0 || newest.Unix() <= 0 {
		return time.Time{}, nil
	}
	return newest, nil
}
