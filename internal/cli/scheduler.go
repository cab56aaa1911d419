package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/vigie-data/vigie/internal/fetch"
	"github.com/vigie-data/vigie/internal/schedule"
	"github.com/vigie-data/vigie/internal/store"
)

func init() {
	statusExtras = append(statusExtras, pipelinesStatus)
}

// runScheduler loads the pipelines (refusing to start on any invalid
// definition), schedules them on one shared fetch client and mounts
// GET /api/v1/pipelines and GET /metrics.
func runScheduler(ctx context.Context, env *Env, s *session, mount func(pattern string, h http.Handler)) (<-chan struct{}, error) {
	ps, err := schedule.Load(env.Config.Pipelines, sources)
	if err != nil {
		return nil, err
	}
	// One client for the process: pipelines on the same host share its limit.
	r := schedule.NewRunner(s.Store, fetch.New(1, 1), sources)
	r.LockDir = env.Config.LockDir()
	sch := schedule.NewScheduler(r, ps)
	sch.CatchUp = true
	if mount != nil {
		mount("GET /api/v1/pipelines", pipelinesHandler(s.Store, sch))
		mount("GET /metrics", metricsHandler(r.Metrics))
	}
	if len(ps) == 0 {
		slog.Warn("no pipeline defined: the scheduler has nothing to run", "pipelines", env.Config.Pipelines)
	}
	slog.Info("scheduler starting", "pipelines", env.Config.Pipelines, "defined", len(ps))
	return sch.Start(ctx), nil
}

func pipelinesHandler(st *store.Store, sch *schedule.Scheduler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		list, err := schedule.RunnerStatuses(req.Context(), sch.Runner, sch.Pipelines, time.Now(), sch.NextRuns())
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		if err != nil {
			slog.Error("GET /api/v1/pipelines", "error", err)
			w.WriteHeader(http.StatusServiceUnavailable)
			json.NewEncoder(w).Encode(map[string]string{"error": "pipeline state unavailable: " + err.Error()})
			return
		}
		json.NewEncoder(w).Encode(map[string]any{"pipelines": list})
	})
}

func metricsHandler(m *schedule.Metrics) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
		if err := m.Write(w); err != nil {
			slog.Debug("GET /metrics", "error", err)
		}
	})
}

// pipelinesStatus is the pipelines section of 'vigie status'.
func pipelinesStatus(ctx context.Context, env *Env, s *session) error {
	w := env.Stdout
	dir := env.Config.Pipelines
	ps, err := schedule.Load(dir, sources)
	if err != nil {
		var le *schedule.LoadError
		switch {
		case errors.As(err, &le):
			fmt.Fprintf(w, "\npipelines (%s): %s\n", dir, strings.ReplaceAll(err.Error(), "\n", "\n  "))
			return nil
		case errors.Is(err, fs.ErrNotExist):
			fmt.Fprintf(w, "\npipelines: none (%s does not exist; set VIGIE_PIPELINES)\n", dir)
			return nil
		}
		return err
	}
	now := time.Now()
	r := &schedule.Runner{Store: s.Store, LockDir: env.Config.LockDir()}
	list, err := schedule.RunnerStatuses(ctx, r, ps, now, nil)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "\npipelines (%s):\n", dir)
	tw := tabwriter.NewWriter(w, 2, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "  NAME\tSOURCE\tSCHEDULE\tNEXT RUN\tLAST RUN\tREAD\tNEW\tUPDATED\tQUARANTINED\tCHECKPOINT\tLAG")
	for _, p := range list {
		next := "disabled"
		if p.NextRun != nil {
			next = p.NextRun.Local().Format("2006-01-02 15:04")
		}
		last, read, nw, upd, quar := "never", "-", "-", "-", "-"
		if r := p.LastRun; r != nil {
			last = fmt.Sprintf("%s %s", r.Status, r.StartedAt.Local().Format("2006-01-02 15:04"))
			if r.FinishedAt != nil {
				last += fmt.Sprintf(" (%s)", (time.Duration(r.Seconds) * time.Second).String())
			}
			read, nw, upd, quar = fmt.Sprint(r.RecordsRead), fmt.Sprint(r.New), fmt.Sprint(r.Updated), fmt.Sprint(r.Quarantined)
		}
		lag := "-"
		if p.LagSeconds != nil {
			lag = humanDuration(time.Duration(*p.LagSeconds) * time.Second)
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", p.Name, p.Source, p.Schedule, next, last,
			read, nw, upd, quar, schedule.ShortCheckpoint(p.Checkpoint), lag)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, p := range list {
		if p.LastRun != nil && p.LastRun.Error != "" {
			fmt.Fprintf(w, "  %s: last run %s: %s\n", p.Name, p.LastRun.Status, p.LastRun.Error)
		}
	}
	return nil
}

// humanDuration writes a lag in days and hours ("3d4h", "5h", "12m").
func humanDuration(d time.Duration) string {
	switch {
	case d < 0:
		return "0m"
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d/time.Minute))
	case d < 24*time.Hour:
		return fmt.Sprintf("%dh", int(d/time.Hour))
	}
	days := int(d / (24 * time.Hour))
	return fmt.Sprintf("%dd%dh", days, int((d-time.Duration(days)*24*time.Hour)/time.Hour))
}
