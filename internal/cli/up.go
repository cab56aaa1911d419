package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"

	"github.com/vigie-data/vigie/internal/config"
)

// 'vigie up' and 'vigie serve' do the same long-lived work; up is the name
// the README gives the main job, serve the one an operator expects.
func init() {
	for _, c := range []struct{ name, summary string }{
		{"up", "the main job: start (or connect to) ClickHouse, migrate, then run the scheduler and the API until interrupted"},
		{"serve", "run the scheduler and the HTTP API on the configured store until interrupted (as up)"},
	} {
		register(&Command{
			Name:    c.name,
			Summary: c.summary,
			Flags: func(fs *flag.FlagSet, cfg *config.Config) {
				cfg.StoreFlags(fs)
				cfg.AddrFlag(fs)
				cfg.PipelinesFlag(fs)
			},
			Run: runServices,
		})
	}
}

// runServices opens (or starts) the store, migrates, then runs the API and
// the scheduler until ctx ends or a managed ClickHouse dies under it.
func runServices(ctx context.Context, env *Env, args []string) error {
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
	slog.Info("ClickHouse ready", "dsn", config.MaskDSN(s.DSN))
	if err := serveAPI(ctx, env, s); err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	if cause := context.Cause(ctx); cause != nil && !errors.Is(cause, context.Canceled) {
		return cause
	}
	slog.Info("stopped")
	return nil
}
