package cli

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"text/tabwriter"

	"github.com/vigie-data/vigie/internal/config"
	"github.com/vigie-data/vigie/internal/report"
)

func init() {
	var asJSON bool
	register(&Command{
		Name:    "report",
		Summary: "reproduce published figures on the stored data: vigie report official [--json]",
		Usage:   "official [--json]",
		Flags: func(fs *flag.FlagSet, cfg *config.Config) {
			cfg.StoreFlags(fs)
			fs.BoolVar(&asJSON, "json", false, "print the rows as JSON ({\"rows\": [...]}) instead of a table")
		},
		Run: func(ctx context.Context, env *Env, args []string) error {
			if len(args) != 1 || args[0] != "official" {
				return UsageError{"vigie report takes one report name: official"}
			}
			s, err := openStore(ctx, env.Config, false)
			if err != nil {
				return err
			}
			defer s.Close()
			rows, err := report.Official(ctx, s.Store)
			if err != nil {
				return err
			}
			if asJSON {
				enc := json.NewEncoder(env.Stdout)
				enc.SetIndent("", "  ")
				enc.SetEscapeHTML(false)
				return enc.Encode(map[string]any{"rows": rows})
			}
			tw := tabwriter.NewWriter(env.Stdout, 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "year\tindicator\tmeasure\tkind\tpublished\tdeclared\tdecl.or detected\tdecp.info\tin scope\tnothing declared")
			for _, r := range rows {
				fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%d\t%d\n", r.Year, r.Indicator, r.Measure, r.Kind,
					pctCell(r.Published), pctCell(r.VigieDeclared), pctCell(r.VigieDeclaredOrDetected), pctCell(r.DecpInfoMethod),
					r.Coverage.ContractsInScope, r.Coverage.NothingDeclared)
			}
			if err := tw.Flush(); err != nil {
				return err
			}
			fmt.Fprintln(env.Stdout, "\nShares in percent. Definitions, sources and why the values differ: vigie report official --json, or GET /api/v1/reports/official.")
			return nil
		},
	})
}

func pctCell(v *float64) string {
	if v == nil {
		return "-"
	}
	return fmt.Sprintf("%.1f", *v)
}
