package cli

import (
	"context"
	"flag"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/vigie-data/vigie/internal/api"
	"github.com/vigie-data/vigie/internal/config"
	"github.com/vigie-data/vigie/internal/export"
)

func init() {
	var format, out string
	var classedOnly bool
	filters := map[string]*string{}
	register(&Command{
		Name:    "export",
		Summary: "export a whole table as CSV or Parquet, with its datapackage.json: vigie export contracts|notices|lots|suppliers -o FILE",
		Usage:   "contracts|notices|lots|suppliers [--format csv|parquet] [filters] -o FILE",
		Flags: func(fs *flag.FlagSet, cfg *config.Config) {
			cfg.StoreFlags(fs)
			fs.StringVar(&format, "format", "", "csv or parquet (default: from the file's extension, else csv)")
			fs.StringVar(&out, "o", "", "the file to write (required); datapackage.json is written beside it")
			fs.BoolVar(&classedOnly, "classed", false, "suppliers: only those in at least one class")
			for _, name := range api.ExportFilterNames() {
				v := new(string)
				filters[name] = v
				fs.StringVar(v, strings.ReplaceAll(name, "_", "-"), "", "filter, as the API's "+name+" parameter")
			}
		},
		Run: func(ctx context.Context, env *Env, args []string) error {
			if len(args) != 1 || !slices.Contains(export.Tables, args[0]) {
				return UsageError{"which table? one of: " + strings.Join(export.Tables, ", ")}
			}
			table := args[0]
			if out == "" {
				return UsageError{"give the file to write with -o FILE"}
			}
			if format == "" {
				format = "csv"
				if strings.EqualFold(filepath.Ext(out), ".parquet") {
					format = "parquet"
				}
			}
			if !slices.Contains(export.Formats, format) {
				return UsageError{fmt.Sprintf("--format %q: csv or parquet", format)}
			}
			q := url.Values{}
			for name, v := range filters {
				if *v != "" {
					q.Set(name, *v)
				}
			}
			f, err := api.ExportFilter(table, q)
			if err != nil {
				return UsageError{err.Error()}
			}
			f.ClassedOnly = classedOnly
			s, err := openStore(ctx, env.Config, false)
			if err != nil {
				return err
			}
			defer s.Close()
			// Written beside the target and renamed at the end: an export
			// cut short never leaves a file that looks whole.
			tmp, err := os.CreateTemp(filepath.Dir(out), "."+filepath.Base(out)+".*")
			if err != nil {
				return err
			}
			defer os.Remove(tmp.Name())
			n, err := export.Write(ctx, s.Store, table, format, f, tmp)
			if cerr := tmp.Close(); err == nil {
				err = cerr
			}
			if err != nil {
				return err
			}
			if err := os.Rename(tmp.Name(), out); err != nil {
				return err
			}
			desc, err := export.WritePackage(out, table, format)
			if err != nil {
				return err
			}
			fmt.Fprintf(env.Stdout, "%s: %d rows written to %s (schema in %s)\n", table, n, out, desc)
			return nil
		},
	})
}
