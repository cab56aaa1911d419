// Command decpgen writes a large realistic DECP JSON file (see package
// decpgen):
//
//	go run ./internal/source/decp/cmd/decpgen -n 1000000 -seed 1 -format 2022 -o /tmp/decp-1m.json
//
// Flags: -n records (default 100000), -seed (default 1; the same seed
// gives the same file), -format 2022 or 2019 (default 2022), -o output
// path (default stdout), -gzip to compress.
package main

import (
	"compress/gzip"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/vigie-data/vigie/internal/source/decp/decpgen"
)

func main() {
	n := flag.Int("n", 100000, "number of records")
	seed := flag.Int64("seed", 1, "random seed (the same seed gives the same file)")
	format := flag.String("format", decpgen.Format2022, "2022 or 2019")
	out := flag.String("o", "", "output file (default stdout)")
	gz := flag.Bool("gzip", false, "gzip the output")
	flag.Parse()
	if err := run(*n, *seed, *format, *out, *gz); err != nil {
		fmt.Fprintln(os.Stderr, "decpgen:", err)
		os.Exit(1)
	}
}

func run(n int, seed int64, format, out string, gz bool) error {
	var w io.Writer = os.Stdout
	if out != "" {
		f, err := os.Create(out)
		if err != nil {
			return err
		}
		defer f.Close()
		w = f
	}
	if gz {
		zw := gzip.NewWriter(w)
		defer zw.Close()
		w = zw
	}
	return decpgen.GenerateFormat(w, n, seed, format)
}
