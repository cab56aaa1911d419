package schedule

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/robfig/cron/v3"
)

// ShutdownGrace bounds how long the scheduler waits, once stopped, for the
// runs in progress to record themselves interrupted.
const ShutdownGrace = 8 * time.Second

// Scheduler fires the enabled pipelines on their cron schedules. A pipeline
// whose previous run is still going skips its turn (it never overlaps
// itself); different pipelines run concurrently, sharing the Runner's
// fetch client and so its per-host rate limits.
type Scheduler struct {
	Runner    *Runner
	Pipelines []Pipeline
	// CatchUp runs at start every enabled pipeline that never ran, or whose
	// last run started before a turn that has since passed (vigie was down
	// then), rather than waiting for its next turn: a first 'vigie up'
	// starts fetching at once, and a restart makes up for missed turns.
	CatchUp bool

	mu      sync.Mutex
	cron    *cron.Cron
	entries map[string]cron.EntryID
}

// NewScheduler returns a scheduler of ps on r.
func NewScheduler(r *Runner, ps []Pipeline) *Scheduler {
	if r.Metrics == nil {
		r.Metrics = NewMetrics()
	}
	for _, p := range ps {
		r.Metrics.Declare(p.Name)
	}
	return &Scheduler{Runner: r, Pipelines: ps}
}

// Start schedules the enabled pipelines and returns at once. When ctx ends
// it stops firing, cancels the runs in progress (they record themselves
// interrupted) and closes done, within ShutdownGrace.
func (s *Scheduler) Start(ctx context.Context) (done <-chan struct{}) {
	c := cron.New(cron.WithParser(cronParser), cron.WithLocation(time.Local))
	names := make([]string, len(s.Pipelines))
	for i, p := range s.Pipelines {
		names[i] = p.Name
	}
	if err := s.Runner.InterruptDead(ctx, names...); err != nil {
		slog.Warn("runs left running by killed processes not checked", "error", err)
	}
	s.mu.Lock()
	s.cron = c
	s.entries = map[string]cron.EntryID{}
	runCtx, cancelRuns := context.WithCancelCause(context.WithoutCancel(ctx))
	for _, p := range s.Pipelines {
		if !p.Enabled {
			slog.Info("pipeline disabled", "pipeline", p.Name, "file", p.File)
			continue
		}
		p := p
		id := c.Schedule(p.schedule, cron.FuncJob(func() {
			if runCtx.Err() != nil {
				return
			}
			_, err := s.Runner.Run(runCtx, p)
			if errors.Is(err, ErrRunning) {
				slog.Warn("pipeline still running: this turn is skipped", "pipeline", p.Name, "reason", err)
			}
			// Other errors are recorded and logged by the runner.
		}))
		s.entries[p.Name] = id
		slog.Info("pipeline scheduled", "pipeline", p.Name, "schedule", p.Schedule, "next", p.Next(time.Now()).Format(time.RFC3339))
	}
	s.mu.Unlock()
	c.Start()
	if s.CatchUp {
		s.catchUp(runCtx, c)
	}

	ch := make(chan struct{})
	go func() {
		defer close(ch)
		<-ctx.Done()
		t0 := time.Now()
		stopped := c.Stop() // no new runs from here on
		cancelRuns(context.Cause(ctx))
		select {
		case <-stopped.Done():
			slog.Info("scheduler stopped", "seconds", time.Since(t0).Seconds())
		case <-time.After(ShutdownGrace):
			slog.Warn("scheduler stopped without waiting longer for runs in progress", "seconds", time.Since(t0).Seconds())
		}
	}()
	return ch
}

// NextRuns returns, by pipeline, when the scheduler fires it next (only
// pipelines it has scheduled).
func (s *Scheduler) NextRuns() map[string]time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]time.Time{}
	if s.cron == nil {
		return out
	}
	for name, id := range s.entries {
		if e := s.cron.Entry(id); e.Valid() && !e.Next.IsZero() {
			out[name] = e.Next
		}
	}
	return out
}

// catchUp starts, once, the enabled pipelines that missed a turn: never
// run, or a turn due after their last run's start has passed.
func (s *Scheduler) catchUp(ctx context.Context, c *cron.Cron) {
	last, err := s.Runner.Store.LastRuns(ctx)
	if err != nil {
		slog.Warn("catch-up skipped: last runs unknown", "error", err)
		return
	}
	now := time.Now()
	for _, p := range s.Pipelines {
		if !p.Enabled {
			continue
		}
		if r, ok := last[p.Name]; ok && !p.Next(r.StartedAt).Before(now) {
			continue
		}
		s.mu.Lock()
		id, ok := s.entries[p.Name]
		s.mu.Unlock()
		if !ok {
			continue
		}
		slog.Info("pipeline missed a turn: running it now", "pipeline", p.Name)
		go c.Entry(id).WrappedJob.Run()
	}
}
