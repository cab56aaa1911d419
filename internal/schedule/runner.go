package schedule

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/vigie-data/vigie/internal/fetch"
	"github.com/vigie-data/vigie/internal/ingest"
	"github.com/vigie-data/vigie/internal/store"
)

// Run statuses recorded in ingest_runs.
const (
	StatusRunning     = "running"
	StatusOK          = "ok"
	StatusFailed      = "failed"
	StatusInterrupted = "interrupted"
)

// RunContext is what a job gets for one run.
type RunContext struct {
	Pipeline   Pipeline
	RunID      string
	Checkpoint string    // where the last run got to; "" on the first run
	Now        time.Time // start of the run
	Store      *store.Store
	Fetch      *fetch.Client
	Progress   *ingest.Progress

	commit func(ctx context.Context, checkpoint string) error
}

// Commit records a new checkpoint. Call it only once the data behind it is
// committed: a crash after it must not lose anything.
func (rc *RunContext) Commit(ctx context.Context, checkpoint string) error {
	return rc.commit(ctx, checkpoint)
}

// Job does one run of a pipeline of some source.
type Job func(ctx context.Context, rc *RunContext) (ingest.Summary, error)

// Runner runs pipelines once each: one at a time per pipeline, recording
// every run and its checkpoint. One Runner per process.
type Runner struct {
	Store *store.Store
	Fetch *fetch.Client // shared by every pipeline: per-host limits hold across them
	Jobs  map[string]Job
	// ProgressOut receives progress reports (default os.Stderr).
	ProgressOut io.Writer
	Metrics     *Metrics
	// FinalWriteTimeout bounds recording the end of a run after an
	// interruption (default 3 s), so that shutdown stays bounded.
	FinalWriteTimeout time.Duration
	// Clock gives the date a run works from (default time.Now); tests move it.
	Clock func() time.Time

	mu      sync.Mutex
	running map[string]bool
}

// NewRunner returns a runner with the real jobs of each source.
func NewRunner(st *store.Store, fc *fetch.Client) *Runner {
	return &Runner{Store: st, Fetch: fc, Jobs: DefaultJobs(), Metrics: NewMetrics()}
}

// Running tells whether the pipeline is running in this process.
func (r *Runner) Running(name string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.running[name]
}

func (r *Runner) acquire(name string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.running == nil {
		r.running = map[string]bool{}
	}
	if r.running[name] {
		return false
	}
	r.running[name] = true
	return true
}

func (r *Runner) release(name string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.running, name)
}

func newRunID(now time.Time) string {
	b := make([]byte, 3)
	_, _ = rand.Read(b)
	return now.UTC().Format("20060102T150405Z") + "-" + hex.EncodeToString(b)
}

// Run runs p once and returns its recorded run. It returns ErrRunning at
// once when p is already running in this process. The returned error is
// the run's (failed or interrupted), or one recording it.
func (r *Runner) Run(ctx context.Context, p Pipeline) (store.Run, error) {
	if !r.acquire(p.Name) {
		if r.Metrics != nil {
			r.Metrics.skipped(p.Name)
		}
		return store.Run{}, ErrRunning
	}
	defer r.release(p.Name)
	job, ok := r.Jobs[p.Source]
	if !ok {
		return store.Run{}, fmt.Errorf("pipeline %s: no job for source %q", p.Name, p.Source)
	}
	if r.Fetch != nil {
		r.Fetch.SetHostRate(p.Host(), p.Rate, p.Burst)
	}
	start := time.Now()
	now := start
	if r.Clock != nil {
		now = r.Clock()
	}
	run := store.Run{RunID: newRunID(start), Pipeline: p.Name, Source: p.Source, StartedAt: start,
		Status: StatusRunning, Version: uint64(start.UnixNano())}
	cp, _, err := r.Store.LoadCheckpoint(ctx, p.Name)
	if err != nil {
		return run, err
	}
	run.Checkpoint = cp.Checkpoint
	if err := r.Store.RecordRun(ctx, run); err != nil {
		return run, err
	}
	if r.Metrics != nil {
		r.Metrics.started(p.Name)
	}
	slog.Info("pipeline run started", "pipeline", p.Name, "run", run.RunID, "checkpoint", cp.Checkpoint)

	out := r.ProgressOut
	if out == nil {
		out = os.Stderr
	}
	prog := ingest.NewProgress(out, p.Name, "records")
	var cpMu sync.Mutex
	rc := &RunContext{Pipeline: p, RunID: run.RunID, Checkpoint: cp.Checkpoint, Now: now,
		Store: r.Store, Fetch: r.Fetch, Progress: prog}
	rc.commit = func(ctx context.Context, checkpoint string) error {
		// Recorded even when the run is being interrupted: the data is in.
		if err := r.Store.SaveCheckpoint(context.WithoutCancel(ctx), store.Checkpoint{
			Pipeline: p.Name, Checkpoint: checkpoint, RunID: run.RunID}); err != nil {
			return err
		}
		cpMu.Lock()
		run.Checkpoint = checkpoint
		cpMu.Unlock()
		return nil
	}
	sum, jobErr := runJob(ctx, job, rc)
	prog.Done()

	cpMu.Lock()
	defer cpMu.Unlock()
	run.FinishedAt = time.Now()
	run.RecordsRead, run.New, run.Updated = uint64(sum.RecordsRead), uint64(sum.New), uint64(sum.Updated)
	run.Duplicates, run.Quarantined = uint64(sum.Duplicates), uint64(sum.Quarantined)
	switch {
	case jobErr == nil:
		run.Status = StatusOK
	case ctx.Err() != nil:
		run.Status = StatusInterrupted
		run.Error = "interrupted: " + oneLine(context.Cause(ctx).Error())
	default:
		run.Status = StatusFailed
		run.Error = oneLine(jobErr.Error())
	}
	run.Version = uint64(max(time.Now().UnixNano(), start.UnixNano()+1))
	wctx := ctx
	if ctx.Err() != nil {
		timeout := r.FinalWriteTimeout
		if timeout <= 0 {
			timeout = 3 * time.Second
		}
		var cancel context.CancelFunc
		wctx, cancel = context.WithTimeout(context.WithoutCancel(ctx), timeout)
		defer cancel()
	}
	recErr := r.Store.RecordRun(wctx, run)
	if r.Metrics != nil {
		r.Metrics.finished(run)
	}
	slog.Info("pipeline run ended", "pipeline", p.Name, "run", run.RunID, "status", run.Status,
		"read", run.RecordsRead, "new", run.New, "updated", run.Updated, "quarantined", run.Quarantined,
		"checkpoint", run.Checkpoint, "seconds", run.FinishedAt.Sub(start).Seconds(), "error", run.Error)
	if jobErr != nil {
		return run, fmt.Errorf("pipeline %s: %w", p.Name, jobErr)
	}
	return run, recErr
}

// runJob turns a panicking job into a failed run instead of a dead process.
func runJob(ctx context.Context, job Job, rc *RunContext) (sum ingest.Summary, err error) {
	defer func() {
		if v := recover(); v != nil {
			slog.Error("pipeline job panicked", "pipeline", rc.Pipeline.Name, "panic", v, "stack", string(debug.Stack()))
			err = fmt.Errorf("panic: %v", v)
		}
	}()
	return job(ctx, rc)
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
