package schedule

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
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
	"github.com/vigie-data/vigie/internal/source"
	"github.com/vigie-data/vigie/internal/store"
)

// Run statuses recorded in ingest_runs.
const (
	StatusRunning     = "running"
	StatusOK          = "ok"
	StatusFailed      = "failed"
	StatusInterrupted = "interrupted"
)

// Runner runs pipelines once each: one at a time per pipeline, recording
// every run and its checkpoint. One Runner per process.
type Runner struct {
	Store *store.Store
	Fetch *fetch.Client // shared by every pipeline: per-host limits hold across them
	// Sources by name: what a pipeline's source: names.
	Sources map[string]source.Source
	// ProgressOut receives progress reports (default os.Stderr).
	ProgressOut io.Writer
	Metrics     *Metrics
	// FinalWriteTimeout bounds recording the end of a run after an
	// interruption (default 3 s), so that shutdown stays bounded.
	FinalWriteTimeout time.Duration
	// Clock gives the date a run works from (default time.Now); tests move it.
	Clock func() time.Time
	// LockDir holds a lock file per pipeline (lock.go): a run holds its
	// pipeline's, so that processes sharing the data directory never run
	// one pipeline twice, and a run recorded running whose lock nobody
	// holds is known to be dead. Empty: runs are kept apart within this
	// process only.
	LockDir string

	mu      sync.Mutex
	running map[string]bool
}

// NewRunner returns a runner of the sources.
func NewRunner(st *store.Store, fc *fetch.Client, sources map[string]source.Source) *Runner {
	return &Runner{Store: st, Fetch: fc, Sources: sources, Metrics: NewMetrics()}
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
	run, _, err := r.run(ctx, p, nil)
	if err != nil && run.RunID != "" && !errors.Is(err, ErrRunning) {
		err = fmt.Errorf("pipeline %s: %w", p.Name, err)
	}
	return run, err
}

// ByHand is what a run by hand ('vigie ingest') reads instead of the
// upstream from the checkpoint: files, or publication days.
type ByHand struct {
	Files        []string
	Since, Until time.Time
	Channel      string // provenance channel (DECP)
}

// RunByHand runs the source of p once on what by names, recorded in
// ingest_runs like a pipeline run, under the name "ingest:" + p.Source.
// Its checkpoint is kept for the run only: a run by hand neither reads
// nor moves a pipeline's. It returns the source's summary as well.
func (r *Runner) RunByHand(ctx context.Context, p Pipeline, by ByHand) (store.Run, ingest.Summary, error) {
	p.Name = "ingest:" + p.Source
	return r.run(ctx, p, &by)
}

func (r *Runner) run(ctx context.Context, p Pipeline, by *ByHand) (store.Run, ingest.Summary, error) {
	var sum ingest.Summary
	if !r.acquire(p.Name) {
		if r.Metrics != nil {
			r.Metrics.skipped(p.Name)
		}
		return store.Run{}, sum, ErrRunning
	}
	defer r.release(p.Name)
	src, ok := r.Sources[p.Source]
	if !ok {
		return store.Run{}, sum, fmt.Errorf("pipeline %s: no source %q", p.Name, p.Source)
	}
	lk, err := r.lock(ctx, p.Name, by != nil)
	if err != nil {
		if r.Metrics != nil && errors.Is(err, ErrRunning) {
			r.Metrics.skipped(p.Name)
		}
		return store.Run{}, sum, err
	}
	if lk != nil {
		defer lk.release()
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
	cp := source.NewCheckpoint(nil, p.Name, run.RunID, "")
	if by == nil {
		saved, _, err := r.Store.LoadCheckpoint(ctx, p.Name)
		if err != nil {
			return run, sum, err
		}
		run.Checkpoint = saved.Checkpoint
		cp = source.NewCheckpoint(r.Store, p.Name, run.RunID, saved.Checkpoint)
	}
	if err := r.Store.RecordRun(ctx, run); err != nil {
		return run, sum, err
	}
	if lk != nil {
		lk.describe(run.RunID, start)
	}
	if r.Metrics != nil {
		r.Metrics.started(p.Name)
	}
	slog.Info("pipeline run started", "pipeline", p.Name, "run", run.RunID, "checkpoint", run.Checkpoint)

	out := r.ProgressOut
	if out == nil {
		out = os.Stderr
	}
	prog := ingest.NewProgress(out, p.Name, "records")
	sr := &source.Run{ID: run.RunID, Pipeline: p.Name, URL: p.URL, Resources: p.resources, Lookback: p.Lookback,
		Now: now, Store: r.Store, Fetch: r.Fetch, Progress: prog, Checkpoint: cp}
	if by != nil {
		sr.Manual, sr.Files, sr.Since, sr.Until, sr.Channel = true, by.Files, by.Since, by.Until, by.Channel
	}
	runCtx := ctx
	if p.Timeout > 0 {
		var cancel context.CancelFunc
		runCtx, cancel = context.WithTimeoutCause(ctx, p.Timeout, fmt.Errorf("the run's deadline (timeout %s) passed", p.Timeout))
		defer cancel()
	}
	sum, jobErr := runSource(runCtx, src, sr)
	prog.Done()

	if by == nil {
		run.Checkpoint = cp.Value()
	}
	jobErr, recErr := r.recordEnd(ctx, runCtx, &run, sum, jobErr)
	if jobErr != nil {
		return run, sum, jobErr
	}
	return run, sum, recErr
}

// recordEnd records how the run ended: ok, interrupted (ctx ended: the
// write is given FinalWriteTimeout), or failed (its own deadline, runCtx,
// or an error). It returns the run's error and the recording's.
func (r *Runner) recordEnd(ctx, runCtx context.Context, run *store.Run, sum ingest.Summary, jobErr error) (error, error) {
	run.FinishedAt = time.Now()
	run.RecordsRead, run.New, run.Updated = uint64(sum.RecordsRead), uint64(sum.New), uint64(sum.Updated)
	run.Duplicates, run.Quarantined = uint64(sum.Duplicates), uint64(sum.Quarantined)
	switch {
	case jobErr == nil:
		run.Status = StatusOK
	case ctx.Err() != nil:
		run.Status = StatusInterrupted
		run.Error = "interrupted: " + oneLine(context.Cause(ctx).Error())
	case runCtx.Err() != nil:
		run.Status = StatusFailed
		run.Error = oneLine(context.Cause(runCtx).Error())
		jobErr = fmt.Errorf("%w: %w", context.Cause(runCtx), jobErr)
	default:
		run.Status = StatusFailed
		run.Error = oneLine(jobErr.Error())
	}
	run.Version = uint64(max(time.Now().UnixNano(), run.StartedAt.UnixNano()+1))
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
	recErr := r.Store.RecordRun(wctx, *run)
	if r.Metrics != nil {
		r.Metrics.finished(*run)
	}
	slog.Info("pipeline run ended", "pipeline", run.Pipeline, "run", run.RunID, "status", run.Status,
		"read", run.RecordsRead, "new", run.New, "updated", run.Updated, "quarantined", run.Quarantined,
		"checkpoint", run.Checkpoint, "seconds", run.FinishedAt.Sub(run.StartedAt).Seconds(), "error", run.Error)
	return jobErr, recErr
}

// lock takes the run's lock in LockDir: a pipeline's alone, runs by hand
// of a source together. Whoever gets it alone knows that the runs still
// recorded running under the name are dead, and records them so.
func (r *Runner) lock(ctx context.Context, name string, byHand bool) (*runLock, error) {
	if r.LockDir == "" {
		return nil, nil
	}
	var lk *runLock
	alone := true
	var err error
	if byHand {
		lk, alone, err = lockShared(r.LockDir, name)
	} else {
		lk, err = lockPipeline(r.LockDir, name)
	}
	if err != nil {
		return nil, err
	}
	if alone {
		if err := interruptDead(ctx, r.Store, name); err != nil {
			lk.release()
			return nil, err
		}
	}
	if byHand && !lk.shared {
		if err := lk.share(); err != nil {
			lk.release()
			return nil, err
		}
	}
	return lk, nil
}

// interruptDead records as interrupted the runs of pipeline still recorded
// running: the caller holds the pipeline's lock, so no process runs them.
func interruptDead(ctx context.Context, st *store.Store, pipeline string) error {
	dead, err := st.RunningRuns(ctx, pipeline)
	if err != nil {
		return err
	}
	now := time.Now()
	for _, d := range dead {
		d.Status = StatusInterrupted
		d.FinishedAt = now
		d.Error = "interrupted: the process running it ended without recording its end (killed?); found " + now.UTC().Format(time.RFC3339)
		d.Version = uint64(max(now.UnixNano(), int64(d.Version)+1))
		if err := st.RecordRun(ctx, d); err != nil {
			return err
		}
		slog.Warn("run left running by a process that ended: recorded interrupted", "pipeline", pipeline, "run", d.RunID, "started", d.StartedAt)
	}
	return nil
}

// InterruptDead records as interrupted, for each pipeline no process runs
// (its lock is free), the runs still recorded running: they were left by
// a process that was killed. Pipelines this runner runs are left alone.
func (r *Runner) InterruptDead(ctx context.Context, pipelines ...string) error {
	if r.LockDir == "" {
		return nil
	}
	for _, name := range pipelines {
		if !r.acquire(name) {
			continue
		}
		lk, err := lockPipeline(r.LockDir, name)
		if err == nil {
			err = interruptDead(ctx, r.Store, name)
			lk.release()
		}
		r.release(name)
		if err != nil && !errors.Is(err, ErrRunning) {
			return err
		}
	}
	return nil
}

// runSource turns a panicking source into a failed run instead of a dead
// process.
func runSource(ctx context.Context, src source.Source, run *source.Run) (sum ingest.Summary, err error) {
	defer func() {
		if v := recover(); v != nil {
			slog.Error("pipeline source panicked", "pipeline", run.Pipeline, "panic", v, "stack", string(debug.Stack()))
			err = fmt.Errorf("panic: %v", v)
		}
	}()
	return src.Run(ctx, run)
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
