package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"sort"
	"strings"

	"github.com/vigie-data/vigie/internal/config"
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
			if err := fs.Parse(args[1:]); err != nil {
				if errors.Is(err, flag.ErrHelp) {
					return nil
				}
				return UsageError{err.Error()}
			}
			return src.Run(ctx, env, fs.Args())
		},
	})
}
