package cli

import (
	"context"
	"flag"
	"fmt"

	"github.com/vigie-data/vigie/internal/config"
)

// statusExtras lets later parts (pipelines) add their section to 'vigie status'.
var statusExtras []func(ctx context.Context, env *Env, s *session) error

func init() {
	register(&Command{
		Name:    "status",
		Summary: "show ClickHouse reachability, version, migrations, row counts and pipelines",
		Flags: func(fs *flag.FlagSet, cfg *config.Config) {
			cfg.StoreFlags(fs)
			cfg.PipelinesFlag(fs)
		},
		Run: func(ctx context.Context, env *Env, args []string) error {
			if len(args) > 0 {
				return UsageError{fmt.Sprintf("unexpected argument %q", args[0])}
			}
			s, err := openStore(ctx, env.Config, false)
			if err != nil {
				return err
			}
			defer s.Close()
			w := env.Stdout
			v, err := s.Store.ServerVersion(ctx)
			if err != nil {
				return err
			}
			mode := "external (VIGIE_CLICKHOUSE)"
			if s.Server != nil {
				mode = "managed, " + s.Server.Dir
			}
			fmt.Fprintf(w, "clickhouse: reachable at %s, version %s, %s\n", s.Store.Addr(), v, mode)
			fmt.Fprintf(w, "database:   %s\n", s.Store.Database())
			applied, err := s.Store.Applied(ctx)
			if err != nil {
				return err
			}
			fmt.Fprintf(w, "\nmigrations applied: %d\n", len(applied))
			for _, a := range applied {
				fmt.Fprintf(w, "  %04d %-28s %s\n", a.Version, a.Name, a.AppliedAt.Format("2006-01-02 15:04:05"))
			}
			tables, err := s.Store.Tables(ctx)
			if err != nil {
				return err
			}
			fmt.Fprintf(w, "\ntables (stored rows):\n")
			for _, t := range tables {
				fmt.Fprintf(w, "  %-26s %12d\n", t.Name, t.Rows)
			}
			for _, extra := range statusExtras {
				if err := extra(ctx, env, s); err != nil {
					return err
				}
			}
			return nil
		},
	})
}
