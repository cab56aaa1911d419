package cli

import (
	"context"
	"flag"
	"fmt"
	"time"

	"github.com/vigie-data/vigie/internal/config"
	"github.com/vigie-data/vigie/internal/schedule"
	"github.com/vigie-data/vigie/internal/source/boamp"
)

// boampFlags are the flags of 'vigie ingest boamp' and 'boamp-archive'.
type boampFlags struct {
	since, until, day string
	apiURL, archive   string
	file              string
	rate              float64
	asJSON            bool
}

var boampF boampFlags

func init() {
	registerIngest(&ingestSource{
		Name:    "boamp",
		Summary: "load BOAMP notices from the Opendatasoft API (day by day) or from files (API JSON, XML)",
		Usage:   "--since YYYY-MM-DD [--until YYYY-MM-DD] [--api-url BASE] [--json] | --file PATH... [--json]",
		Flags: func(fs *flag.FlagSet, _ *config.Config) {
			boampF = boampFlags{}
			fs.StringVar(&boampF.since, "since", "", "first publication day to read (YYYY-MM-DD)")
			fs.StringVar(&boampF.until, "until", "", "last publication day to read (YYYY-MM-DD, default today)")
			fs.StringVar(&boampF.apiURL, "api-url", boamp.DefaultAPIBase, "base URL of the BOAMP dataset on the Opendatasoft API")
			fs.StringVar(&boampF.file, "file", "", "read this file or directory (API JSON page or export, XML notices) instead of the API; more paths may follow")
			fs.Float64Var(&boampF.rate, "rate", 2, "requests per second to the upstream")
			fs.BoolVar(&boampF.asJSON, "json", false, "print the summary as one JSON object")
		},
		Run: runIngestBOAMP,
	})
	registerIngest(&ingestSource{
		Name:    "boamp-archive",
		Summary: "load one publication day of BOAMP notices from the DILA open-data archive",
		Usage:   "--day YYYY-MM-DD [--archive-url BASE] [--json]",
		Flags: func(fs *flag.FlagSet, _ *config.Config) {
			boampF = boampFlags{}
			fs.StringVar(&boampF.day, "day", "", "publication day to read (YYYY-MM-DD)")
			fs.StringVar(&boampF.archive, "archive-url", boamp.DefaultArchiveBase, "base URL of the DILA BOAMP archive")
			fs.Float64Var(&boampF.rate, "rate", 2, "requests per second to the upstream")
			fs.BoolVar(&boampF.asJSON, "json", false, "print the summary as one JSON object")
		},
		Run: runIngestBOAMPArchive,
	})
}

func parseDay(flagName, v string) (time.Time, error) {
	t, err := time.Parse("2006-01-02", v)
	if err != nil {
		return time.Time{}, UsageError{fmt.Sprintf("--%s %q: want YYYY-MM-DD", flagName, v)}
	}
	return t, nil
}

func runIngestBOAMP(ctx context.Context, env *Env, args []string) error {
	f := boampF
	var paths []string
	if f.file != "" {
		paths = append([]string{f.file}, args...)
	} else if len(args) > 0 {
		return UsageError{fmt.Sprintf("unexpected arguments %q (files go after --file)", args)}
	}
	if len(paths) == 0 && f.since == "" {
		return UsageError{"give --since YYYY-MM-DD (API) or --file PATH... (local files)"}
	}
	if len(paths) > 0 && f.since != "" {
		return UsageError{"--since and --file do not go together"}
	}
	var since, until time.Time
	var err error
	if len(paths) == 0 {
		if since, err = parseDay("since", f.since); err != nil {
			return err
		}
		until = time.Now().UTC()
		if f.until != "" {
			if until, err = parseDay("until", f.until); err != nil {
				return err
			}
		}
		if until.Before(since) {
			return UsageError{"--until is before --since"}
		}
	}
	p := schedule.Pipeline{Source: boamp.SourceAPI, URL: f.apiURL, Rate: f.rate}
	return runByHand(ctx, env, p, schedule.ByHand{Files: paths, Since: since, Until: until}, f.asJSON)
}

func runIngestBOAMPArchive(ctx context.Context, env *Env, args []string) error {
	f := boampF
	if len(args) > 0 {
		return UsageError{fmt.Sprintf("unexpected arguments %q", args)}
	}
	if f.day == "" {
		return UsageError{"give --day YYYY-MM-DD"}
	}
	day, err := parseDay("day", f.day)
	if err != nil {
		return err
	}
	p := schedule.Pipeline{Source: boamp.SourceArchive, URL: f.archive, Rate: f.rate}
	return runByHand(ctx, env, p, schedule.ByHand{Since: day, Until: day}, f.asJSON)
}
