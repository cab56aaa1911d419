package cli

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/vigie-data/vigie/internal/api"
)

// serveAPI runs the API and the scheduler (whose routes it serves)
// until ctx ends, then shuts down gracefully within 10 s. It also keeps
// the API's rollup tables in step with the data: while they are stale the
// API answers from the base tables (slower), so a refresh is started.
func serveAPI(ctx context.Context, env *Env, s *session) error {
	// Listen first: a port in use is reported before any pipeline starts.
	ln, err := net.Listen("tcp", env.Config.Addr)
	if err != nil {
		return fmt.Errorf("API listen on %s: %w (another process holds it? set VIGIE_ADDR or --addr)", env.Config.Addr, err)
	}
	srv := api.New(s.Store, api.Options{})
	schedDone, err := runScheduler(ctx, env, s, srv.Handle)
	if err != nil {
		ln.Close()
		return fmt.Errorf("start scheduler: %w", err)
	}
	go keepRollupsFresh(ctx, s)
	hs := &http.Server{
		Handler:           srv,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       2 * time.Minute,
	}
	slog.Info("API listening", "addr", "http://"+ln.Addr().String()+"/api/v1/health")
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("API: %w", err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil {
		slog.Warn("API shutdown", "err", err)
	}
	select {
	case <-schedDone:
	case <-sctx.Done():
		slog.Warn("scheduler did not stop within 10 s")
	}
	return ctx.Err()
}

// keepRollupsFresh rebuilds the API's derived tables when the contracts
// table changed since they were built (checked every minute).
func keepRollupsFresh(ctx context.Context, s *session) {
	t := time.NewTicker(time.Minute)
	defer t.Stop()
	for {
		fresh, err := s.Store.RollupsFresh(ctx)
		if err == nil && !fresh {
			start := time.Now()
			if err = s.Store.RefreshRollups(ctx); err == nil {
				slog.Info("API rollups refreshed", "took", time.Since(start).Round(time.Millisecond))
			}
		}
		if err != nil && ctx.Err() == nil {
			slog.Warn("API rollups", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
