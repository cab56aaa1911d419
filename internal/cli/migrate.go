package cli

import (
	"context"
	"flag"
	"fmt"

	"github.com/vigie-data/vigie/internal/config"
)

func init() {
	register(&Command{
		Name:    "migrate",
		Summary: "apply the sql/ migrations not yet applied (idempotent)",
		Flags:   func(fs *flag.FlagSet, cfg *config.Config) { cfg.StoreFlags(fs) },
		Run: func(ctx context.Context, env *Env, args []string) error {
			if len(args) > 0 {
				return UsageError{fmt.Sprintf("unexpected argument %q", args[0])}
			}
			s, err := openStore(ctx, env.Config, false)
			if err != nil {
				return err
			}
			defer s.Close()
			ran, err := s.Store.Migrate(ctx)
			for _, m := range ran {
				fmt.Fprintf(env.Stdout, "applied %04d %s (%d statements)\n", m.Version, m.Name, len(m.Statements))
			}
			if err != nil {
				return err
			}
			if len(ran) == 0 {
				fmt.Fprintln(env.Stdout, "up to date: no migration to apply")
			}
			return nil
		},
	})
}
