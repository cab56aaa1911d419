package cli

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/vigie-data/vigie/internal/api"
	"github.com/vigie-data/vigie/internal/schedule"
	"github.com/vigie-data/vigie/internal/web"
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
	proxies, err := api.ParseProxies(env.Config.TrustedProxies)
	if err != nil {
		ln.Close()
		return fmt.Errorf("VIGIE_TRUSTED_PROXIES: %w", err)
	}
	srv := api.New(s.Store, api.Options{TrustedProxies: proxies})
	schedDone, err := runScheduler(ctx, env, s, srv.Handle)
	if err != nil {
		ln.Close()
		return fmt.Errorf("start scheduler: %w", err)
	}
	if err := mountPages(env, s, srv); err != nil {
		ln.Close()
		return err
	}
	go keepRollupsFresh(ctx, s)
	hs := &http.Server{
		Handler:           srv,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       2 * time.Minute,
	}
	slog.Info("API and pages listening", "pages", "http://"+ln.Addr().String()+"/", "api", "http://"+ln.Addr().String()+"/api/v1/health")
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

// mountPages adds the French pages (internal/web) beside the API, on
// the same handler: same address, middleware and queries.
func mountPages(env *Env, s *session, srv *api.Server) error {
	ps, err := schedule.Load(env.Config.Pipelines, sources)
	if err != nil {
		ps = nil // the scheduler reports it; the pages show the recorded runs
	}
	pages, err := web.New(srv, s.Store, web.Options{Pipelines: ps})
	if err != nil {
		return fmt.Errorf("pages: %w", err)
	}
	pages.Mount(srv.HandlePage)
	return nil
}

// keepRollupsFresh keeps the API's derived tables current: a step after
// every write to contracts by this process, and a check every 2 s for
// writes by others (store.MaintainRollups).
func keepRollupsFresh(ctx context.Context, s *session) {
	s.Store.MaintainRollups(ctx, 2*time.Second)
}
