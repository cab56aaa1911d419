package cli

import (
	"context"
	"flag"
	"fmt"

	"github.com/vigie-data/vigie/internal/config"
	"github.com/vigie-data/vigie/internal/schedule"
	"github.com/vigie-data/vigie/internal/source/decp"
)

// decpFlags are the flags of 'vigie ingest decp'.
type decpFlags struct {
	source, file, url string
	rate              float64
	asJSON            bool
}

var decpF decpFlags

func init() {
	registerIngest(&ingestSource{
		Name:    "decp",
		Summary: "load DECP awarded contracts (2019 or 2022 format, JSON or XML, plain/.gz/.zip) from files or a URL",
		Usage:   "[--source NAME] (--file PATH... | --url URL) [--json]",
		Flags: func(fs *flag.FlagSet, _ *config.Config) {
			decpF = decpFlags{}
			fs.StringVar(&decpF.source, "source", "", "channel name recorded as provenance (default: the URL's host or the file's base name)")
			fs.StringVar(&decpF.file, "file", "", "read this file; more paths may follow")
			fs.StringVar(&decpF.url, "url", "", "download and read this http(s) URL (streamed; a zip is spooled to a temporary file)")
			fs.Float64Var(&decpF.rate, "rate", 2, "requests per second to the upstream")
			fs.BoolVar(&decpF.asJSON, "json", false, "print the summary as one JSON object")
		},
		Run: runIngestDECP,
	})
}

func runIngestDECP(ctx context.Context, env *Env, args []string) error {
	f := decpF
	var paths []string
	if f.file != "" {
		paths = append([]string{f.file}, args...)
	} else if len(args) > 0 {
		return UsageError{fmt.Sprintf("unexpected arguments %q (files go after --file)", args)}
	}
	switch {
	case len(paths) == 0 && f.url == "":
		return UsageError{"give --file PATH... or --url URL"}
	case len(paths) > 0 && f.url != "":
		return UsageError{"--file and --url do not go together"}
	}
	decp.LimitMemory() // a soft limit keeps the peak flat (GOMEMLIMIT overrides)
	p := schedule.Pipeline{Source: decp.SourceName, URL: f.url, Rate: f.rate}
	return runByHand(ctx, env, p, schedule.ByHand{Files: paths, Channel: f.source}, f.asJSON)
}
