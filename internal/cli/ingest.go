package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"sort"
	"strings"

	"github.com/vigie-data/vigie/internal/config"
	"github.com/vigie-data/vigie/internal/fetch"
	"github.com/vigie-data/vigie/internal/schedule"
)

// ingestSource is one 'vigie ingest <source>' subcommand (decp, boamp,
// boamp-archive), registered by its own file.
type ingestSource struct {
	Name    string
	Summary string
	Usage   string
	Flags   func(fs *flag.FlagSet, cfg *config.Config)
	Run     func(ctx context.Context, env *Env, args []string) error
}

var ingestSources = map[string]*ingestSource{}

func registerIngest(s *ingestSource) { ingestSources[s.Name] = s }

func ingestNames() string {
	var n []string
	for k := range ingestSources {
		n = append(n, k)
	}
	sort.Strings(n)
	return strings.Join(n, ", ")
}

func init() {
	register(&Command{
		Name:    "ingest",
		Summary: "load a source into ClickHouse: vigie ingest <decp|boamp|boamp-archive> [flags]",
		Usage:   "<source> [flags]",
		Run: func(ctx context.Context, env *Env, args []string) error {
			if len(args) == 0 {
				return UsageError{"which source? one of: " + ingestNames()}
			}
			src, ok := ingestSources[args[0]]
			if !ok {
				return UsageError{fmt.Sprintf("unknown source %q; one of: %s", args[0], ingestNames())}
			}
			fs := flag.NewFlagSet("vigie ingest "+src.Name, flag.ContinueOnError)
			fs.SetOutput(env.Stderr)
			fs.Usage = func() {
				commandUsage(env.Stderr, &Command{Name: "ingest " + src.Name, Summary: src.Summary, Usage: src.Usage}, fs)
			}
			env.Config.StoreFlags(fs)
			if src.Flags != nil {
				src.Flags(fs, env.Config)
			}
			rest, err := parseInterspersed(fs, args[1:])
			if err != nil {
				if errors.Is(err, flag.ErrHelp) {
					return nil
				}
				return UsageError{err.Error()}
			}
			return src.Run(ctx, env, rest)
		},
	})
}

// runByHand runs p's source by hand on what by names, through the same
// runner as pipelines (the run is recorded in ingest_runs), and prints the
// source's summary.
func runByHand(ctx context.Context, env *Env, p schedule.Pipeline, by schedule.ByHand, asJSON bool) error {
	s, err := openStore(ctx, env.Config, true)
	if err != nil {
		return err
	}
	defer s.Close()
	if p.Burst < 1 {
		p.Burst = 1
	}
	r := schedule.NewRunner(s.Store, fetch.New(p.Rate, p.Burst), sources)
	r.LockDir = env.Config.LockDir()
	r.ProgressOut = env.Stderr
	_, sum, err := r.RunByHand(ctx, p, by)
	if err != nil {
		return err
	}
	return sum.Print(env.Stdout, asJSON)
}

// parseInterspersed parses flags wherever they stand among the arguments
// ("--file a.json b.json --json"), returning the other arguments in order;
// "--" ends the flags.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var rest []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		remaining := fs.Args()
		if n := len(args) - len(remaining); n > 0 && args[n-1] == "--" {
			return append(rest, remaining...), nil
		}
		if len(remaining) == 0 {
			return rest, nil
		}
		rest = append(rest, remaining[0])
		args = remaining[1:]
	}
}
