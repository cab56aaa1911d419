package cli

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"

	"github.com/vigie-data/vigie/internal/config"
	"github.com/vigie-data/vigie/internal/fetch"
	"github.com/vigie-data/vigie/internal/schedule"
)

func init() {
	var asJSON bool
	register(&Command{
		Name:    "run",
		Summary: "run one pipeline once, in the foreground, with progress; exit status tells how it ended",
		Usage:   "[--json] NAME",
		Flags: func(fs *flag.FlagSet, cfg *config.Config) {
			cfg.StoreFlags(fs)
			cfg.PipelinesFlag(fs)
			fs.BoolVar(&asJSON, "json", false, "print the recorded run as JSON")
		},
		Run: func(ctx context.Context, env *Env, args []string) error {
			if len(args) != 1 {
				return UsageError{"give the name of one pipeline"}
			}
			// Definitions are checked before anything starts.
			ps, err := schedule.Load(env.Config.Pipelines, sources)
			if err != nil {
				return err
			}
			p, err := schedule.Find(ps, args[0])
			if err != nil {
				return UsageError{err.Error()}
			}
			s, err := openStore(ctx, env.Config, true)
			if err != nil {
				return err
			}
			defer s.Close()
			r := schedule.NewRunner(s.Store, fetch.New(p.Rate, p.Burst), sources)
			r.LockDir = env.Config.LockDir()
			r.ProgressOut = env.Stderr
			run, runErr := r.Run(ctx, p)
			if run.RunID != "" {
				info := schedule.NewRunInfo(run)
				if asJSON {
					if err := json.NewEncoder(env.Stdout).Encode(info); err != nil {
						return err
					}
				} else {
					fmt.Fprintf(env.Stdout, "%s: %s (run %s): %d read, %d new, %d updated, %d duplicates, %d quarantined in %.1fs; checkpoint %s\n",
						p.Name, info.Status, info.RunID, info.RecordsRead, info.New, info.Updated, info.Duplicates,
						info.Quarantined, info.Seconds, schedule.ShortCheckpoint(info.Checkpoint))
				}
			}
			if run.Status == schedule.StatusInterrupted && !errors.Is(runErr, context.Canceled) {
				// Exit as an interrupted command (130) whatever the job said.
				return fmt.Errorf("%w: %v", context.Canceled, runErr)
			}
			return runErr
		},
	})
}
