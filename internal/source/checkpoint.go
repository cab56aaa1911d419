package source

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/vigie-data/vigie/internal/store"
)

// Checkpoint is where a pipeline's runs got to, in the source's own terms
// (a day, a JSON state of files). A run reads it at its start and saves a
// new one each time the data behind it is committed.
type Checkpoint struct {
	st       *store.Store // nil: kept for this run only (a run by hand)
	pipeline string
	runID    string

	mu    sync.Mutex
	value string
}

// NewCheckpoint returns the checkpoint of a pipeline's run, starting at
// value and saved in st (kept in memory only when st is nil).
func NewCheckpoint(st *store.Store, pipeline, runID, value string) *Checkpoint {
	return &Checkpoint{st: st, pipeline: pipeline, runID: runID, value: value}
}

// Value is the checkpoint last saved ("" before the first run).
func (c *Checkpoint) Value() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.value
}

// Save records a new checkpoint. Call it only once the data behind it is
// committed: a crash after it must not lose anything. It is recorded even
// when ctx is cancelled (the run being interrupted): the data is in.
func (c *Checkpoint) Save(ctx context.Context, value string) error {
	if c.st != nil {
		if err := c.st.SaveCheckpoint(context.WithoutCancel(ctx), store.Checkpoint{
			Pipeline: c.pipeline, Checkpoint: value, RunID: c.runID}); err != nil {
			return err
		}
	}
	c.mu.Lock()
	c.value = value
	c.mu.Unlock()
	return nil
}

// DayLayout is how day checkpoints (the last complete day) are written.
const DayLayout = "2006-01-02"

// Day is the calendar day of t in UTC. Publication days are UTC days: a
// lookback of a few days absorbs the hours between UTC and Paris time.
func Day(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// Day reads the checkpoint as a day; false when there is none or it is
// not a day.
func (c *Checkpoint) Day() (time.Time, bool) {
	v := c.Value()
	if v == "" {
		return time.Time{}, false
	}
	d, err := time.Parse(DayLayout, v)
	if err != nil {
		slog.Warn("checkpoint is not a day: ignored", "pipeline", c.pipeline, "checkpoint", v)
		return time.Time{}, false
	}
	return d, true
}
