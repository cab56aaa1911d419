package cli

import (
	"context"
	"flag"
	"fmt"

	"github.com/vigie-data/vigie/internal/config"
	"github.com/vigie-data/vigie/internal/schedule"
	"github.com/vigie-data/vigie/internal/source/annuaire"
	"github.com/vigie-data/vigie/internal/source/finess"
	"github.com/vigie-data/vigie/internal/source/inclusion"
	"github.com/vigie-data/vigie/internal/source/sirene"
)

// The supplier reference sources share one command shape:
// vigie ingest <name> (--file PATH... | --url URL) [--json].
func init() {
	for _, s := range []struct{ name, summary string }{
		{sirene.SourceName, "load INSEE SIRENE unités légales (StockUniteLegale: CSV, zipped CSV or Parquet): ESS and société à mission flags"},
		{annuaire.SourceName, "load the Annuaire des Entreprises unités légales (Parquet or CSV.gz): ESS, SIAE (with EA/ESAT), société à mission"},
		{finess.SourceName, "load the FINESS establishments extract (';', Latin-1): ESAT (246) and entreprises adaptées (247)"},
		{inclusion.SourceName, "load data·inclusion structures (CSV or Parquet): SIAE kinds, EA, ESAT by SIRET"},
	} {
		registerIngest(supplierIngest(s.name, s.summary))
	}
}

func supplierIngest(name, summary string) *ingestSource {
	var file, url string
	var rate float64
	var asJSON bool
	return &ingestSource{
		Name:    name,
		Summary: summary,
		Usage:   "(--file PATH... | --url URL) [--json]",
		Flags: func(fs *flag.FlagSet, _ *config.Config) {
			file, url, rate, asJSON = "", "", 2, false
			fs.StringVar(&file, "file", "", "read this file; more paths may follow (format told from content: CSV, zipped or gzipped CSV, Parquet)")
			fs.StringVar(&url, "url", "", "download this http(s) URL whole (resumed if cut), then read it")
			fs.Float64Var(&rate, "rate", 2, "requests per second to the upstream")
			fs.BoolVar(&asJSON, "json", false, "print the summary as one JSON object")
		},
		Run: func(ctx context.Context, env *Env, args []string) error {
			var paths []string
			if file != "" {
				paths = append([]string{file}, args...)
			} else if len(args) > 0 {
				return UsageError{fmt.Sprintf("unexpected arguments %q (files go after --file)", args)}
			}
			switch {
			case len(paths) == 0 && url == "":
				return UsageError{"give --file PATH... or --url URL"}
			case len(paths) > 0 && url != "":
				return UsageError{"--file and --url do not go together"}
			}
			p := schedule.Pipeline{Source: name, URL: url, Rate: rate}
			return runByHand(ctx, env, p, schedule.ByHand{Files: paths}, asJSON)
		},
	}
}
