package cli

import (
	"context"
	"flag"
	"fmt"

	"github.com/vigie-data/vigie/internal/config"
	"github.com/vigie-data/vigie/internal/reprocess"
)

func init() {
	var batch int
	register(&Command{
		Name:    "reprocess",
		Summary: "re-run clause detection on stored contracts, notices and lots detected by an older detector version",
		Usage:   "[--batch N]",
		Flags: func(fs *flag.FlagSet, cfg *config.Config) {
			cfg.StoreFlags(fs)
			fs.IntVar(&batch, "batch", 500, "subjects re-detected and written per batch")
		},
		Run: func(ctx context.Context, env *Env, args []string) error {
			if len(args) > 0 {
				return UsageError{fmt.Sprintf("unexpected argument %q", args[0])}
			}
			if batch < 1 {
				return UsageError{"--batch must be at least 1"}
			}
			s, err := openStore(ctx, env.Config, true)
			if err != nil {
				return err
			}
			defer s.Close()
			_, err = reprocess.Run(ctx, s.Store, batch, env.Stdout)
			return err
		},
	})
}
