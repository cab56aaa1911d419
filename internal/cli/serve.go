package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/vigie-data/vigie/internal/api"
	"github.com/vigie-data/vigie/internal/config"
)

func init() {
	services = serveAPI
	register(&Command{
		Name:    "serve",
		Summary: "run the scheduler and the HTTP API on the configured store until interrupted",
		Flags: func(fs *flag.FlagSet, cfg *config.Config) {
			cfg.StoreFlags(fs)
			cfg.AddrFlag(fs)
			cfg.PipelinesFlag(fs)
		},
		Run: func(ctx context.Context, env *Env, args []string) error {
			if len(args) > 0 {
				return UsageError{fmt.Sprintf("unexpected argument %q", args[0])}
			}
			s, err := openStore(ctx, env.Config, true)
			if err != nil {
				return err
			}
			defer s.Close()
			if err := serveAPI(ctx, env, s); err != nil && !errors.Is(err, context.Canceled) {
				return err
			}
			return nil
		},
	})
}

// serveAPI runs the API (with the scheduler's routes when there is one)
// until ctx ends, then shuts down gracefully within 10 s. It also keeps
// the API's rollup tables in step with the data: while they are stale the
// API answers from the base tables (slower), so a refresh is started.
func serveAPI(ctx context.Context, env *Env, s *session) error {
	srv := api.New(s.Store, api.Options{})
	var schedDone <-chan struct{}
	if startScheduler != nil {
		done, err := startScheduler(ctx, env, s, srv.Handle)
		if err != nil {
			return fmt.Errorf("start scheduler: %w", err)
		}
		schedDone = done
	}
	go keepRollupsFresh(ctx, s)
	hs := &http.Server{
		Addr:              env.Config.Addr,
		Handler:           srv,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       2 * time.Minute,
	}
	ln, err := net.Listen("tcp", env.Config.Addr)
	if err != nil {
		return fmt.Errorf("API listen on %s: %w", env.Config.Addr, err)
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
	if schedDone != nil {
		select {
		case <-schedDone:
		case <-sctx.Done():
			slog.Warn("scheduler did not stop within 10 s")
		}
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
