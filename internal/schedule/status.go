package schedule

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/vigie-data/vigie/internal/store"
)

// PipelineStatus is what 'vigie status' and GET /api/v1/pipelines show of
// a pipeline.
type PipelineStatus struct {
	Name            string     `json:"name"`
	Source          string     `json:"source"`
	Schedule        string     `json:"schedule"`
	URL             string     `json:"url"`
	Enabled         bool       `json:"enabled"`
	LookbackSeconds int64      `json:"lookback_seconds"`
	Running         bool       `json:"running"`
	NextRun         *time.Time `json:"next_run"` // null when disabled
	LastRun         *RunInfo   `json:"last_run"` // null before the first run
	Checkpoint      string     `json:"checkpoint"`
	NewestData      *time.Time `json:"newest_data"` // publication date of the newest stored record of the source
	LagSeconds      *int64     `json:"lag_seconds"` // now - newest_data
}

// RunInfo is a recorded run.
type RunInfo struct {
	RunID       string     `json:"run_id"`
	Status      string     `json:"status"`
	StartedAt   time.Time  `json:"started_at"`
	FinishedAt  *time.Time `json:"finished_at"`
	Seconds     float64    `json:"seconds"`
	RecordsRead uint64     `json:"records_read"`
	New         uint64     `json:"new"`
	Updated     uint64     `json:"updated"`
	Duplicates  uint64     `json:"duplicates"`
	Quarantined uint64     `json:"quarantined"`
	Error       string     `json:"error,omitempty"`
	Checkpoint  string     `json:"checkpoint"`
}

// NewRunInfo converts a stored run.
func NewRunInfo(r store.Run) *RunInfo {
	ri := &RunInfo{RunID: r.RunID, Status: r.Status, StartedAt: r.StartedAt, RecordsRead: r.RecordsRead,
		New: r.New, Updated: r.Updated, Duplicates: r.Duplicates, Quarantined: r.Quarantined,
		Error: r.Error, Checkpoint: r.Checkpoint}
	if !r.FinishedAt.IsZero() {
		f := r.FinishedAt
		ri.FinishedAt = &f
		ri.Seconds = f.Sub(r.StartedAt).Seconds()
	}
	return ri
}

// Statuses reads what the store knows of each pipeline. next gives the
// next firing of a pipeline (the scheduler's own when it runs, else from
// the schedule); running tells whether it runs now (nil: unknown, false).
func Statuses(ctx context.Context, st *store.Store, ps []Pipeline, now time.Time,
	next map[string]time.Time, running func(string) bool) ([]PipelineStatus, error) {
	last, err := st.LastRuns(ctx)
	if err != nil {
		return nil, err
	}
	newest := map[string]*time.Time{}
	out := make([]PipelineStatus, 0, len(ps))
	for _, p := range ps {
		s := PipelineStatus{Name: p.Name, Source: p.Source, Schedule: p.Schedule, URL: p.URL,
			Enabled: p.Enabled, LookbackSeconds: int64(p.Lookback / time.Second)}
		if running != nil {
			s.Running = running(p.Name)
		}
		if p.Enabled {
			n, ok := next[p.Name]
			if !ok && p.schedule != nil {
				n = p.Next(now)
			}
			if !n.IsZero() {
				s.NextRun = &n
			}
		}
		if r, ok := last[p.Name]; ok {
			s.LastRun = NewRunInfo(r)
		}
		cp, found, err := st.LoadCheckpoint(ctx, p.Name)
		if err != nil {
			return nil, err
		}
		if found {
			s.Checkpoint = cp.Checkpoint
		}
		key := p.Source
		nd, seen := newest[key]
		if !seen {
			t, err := st.NewestData(ctx, key)
			if err != nil {
				return nil, err
			}
			if !t.IsZero() {
				nd = &t
			}
			newest[key] = nd
		}
		if nd != nil {
			s.NewestData = nd
			lag := int64(now.Sub(*nd) / time.Second)
			s.LagSeconds = &lag
		}
		out = append(out, s)
	}
	return out, nil
}

// RunnerStatuses is Statuses of the pipelines as r sees them, after
// recording interrupted the runs a killed process left running (the last
// run of a pipeline says running, yet no process holds its lock).
func RunnerStatuses(ctx context.Context, r *Runner, ps []Pipeline, now time.Time, next map[string]time.Time) ([]PipelineStatus, error) {
	list, err := Statuses(ctx, r.Store, ps, now, next, r.Running)
	if err != nil || r.LockDir == "" {
		return list, err
	}
	var dead []string
	for _, s := range list {
		if s.LastRun != nil && s.LastRun.Status == StatusRunning && !s.Running {
			dead = append(dead, s.Name)
		}
	}
	if len(dead) == 0 {
		return list, nil
	}
	if err := r.InterruptDead(ctx, dead...); err != nil {
		return nil, err
	}
	return Statuses(ctx, r.Store, ps, now, next, r.Running)
}

// ShortCheckpoint writes a checkpoint for people: a day as is, a
// checkpoint by file (JSON, as DECP's) as the number of files it covers.
func ShortCheckpoint(cp string) string {
	if cp == "" {
		return "none"
	}
	var files map[string]struct {
		LastModified string `json:"last_modified"`
	}
	if strings.HasPrefix(cp, "{") && json.Unmarshal([]byte(cp), &files) == nil {
		latest := ""
		for _, f := range files {
			if f.LastModified > latest {
				latest = f.LastModified
			}
		}
		if latest != "" {
			return fmt.Sprintf("%d files, newest %s", len(files), latest)
		}
		return fmt.Sprintf("%d files", len(files))
	}
	return cp
}
