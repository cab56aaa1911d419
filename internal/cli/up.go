package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/vigie-data/vigie/internal/config"
)

// services runs the long-lived part of 'vigie up' and 'vigie serve' (the
// HTTP API, and the scheduler through startScheduler) until ctx ends. Set
// by serve.go.
var services func(ctx context.Context, env *Env, s *session) error

// startScheduler starts the pipeline scheduler in the background for
// 'serve'/'up' and may mount its routes (/api/v1/pipelines, /metrics) on
// the API. done is closed once the scheduler has stopped after ctx ends.
// Set by the scheduler's file; nil until then.
var startScheduler func(ctx context.Context, env *Env, s *session, mount func(pattern string, h http.Handler)) (done <-chan struct{}, err error)

func init() {
	register(&Command{
		Name:    "up",
		Summary: "the main job: start (or connect to) ClickHouse, migrate, then run the scheduler and the API until interrupted",
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
			ctx, cancel := context.WithCancelCause(ctx)
			defer cancel(nil)
			if s.Server != nil {
				go func() {
					select {
					case <-s.Server.Exited():
						cancel(fmt.Errorf("managed ClickHouse stopped unexpectedly; see %s/log", s.Server.Dir))
					case <-ctx.Done():
					}
				}()
			}
			slog.Info("ClickHouse ready", "dsn", s.DSN)
			if services == nil {
				slog.Warn("scheduler and API are not built in this version: only ClickHouse is running; Ctrl-C to stop")
				<-ctx.Done()
			} else if err := services(ctx, env, s); err != nil && !errors.Is(err, context.Canceled) {
				return err
			}
			if cause := context.Cause(ctx); cause != nil && !errors.Is(cause, context.Canceled) {
				return cause
			}
			slog.Info("stopped")
			return nil
		},
	})
}
