// Command decpbench measures the DECP ingestion end to end (file →
// ClickHouse) on generated data, against clickhouse-client loading the
// same contracts rows, pre-flattened as JSONEachRow, into the same table:
//
//	go run ./internal/source/decp/cmd/decpbench -n 100000
//	go run ./internal/source/decp/cmd/decpbench -n 1000000
//
// It starts a throwaway ClickHouse (or uses -dsn), generates the input
// with decpgen, runs decp.IngestFile into a fresh database, and prints
// records/s and the peak RSS of this process (VmHWM: the generator and
// the ingestion only; the flattening for clickhouse-client runs after the
// reading). Run one size per process so that the peak is the size's own.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/pprof"
	"strconv"
	"strings"
	"time"

	"github.com/vigie-data/vigie/internal/chserver"
	"github.com/vigie-data/vigie/internal/source/decp"
	"github.com/vigie-data/vigie/internal/source/decp/decpgen"
	"github.com/vigie-data/vigie/internal/store"
)

func main() {
	n := flag.Int("n", 100000, "records to generate and ingest")
	format := flag.String("format", decpgen.Format2022, "2022 or 2019")
	dsn := flag.String("dsn", "", "ClickHouse server (clickhouse://host:port); default a throwaway server")
	batch := flag.Int("batch", decp.BatchSize, "records per batch")
	prof := flag.String("cpuprofile", "", "write a CPU profile of the ingestion to this file")
	flag.Parse()
	if *prof != "" {
		pf, err := os.Create(*prof)
		if err == nil {
			pprof.StartCPUProfile(pf)
			defer pprof.StopCPUProfile()
		}
	}
	decp.BatchSize = *batch
	if err := run(*n, *format, *dsn); err != nil {
		fmt.Fprintln(os.Stderr, "decpbench:", err)
		pprof.StopCPUProfile()
		os.Exit(1)
	}
}

func run(n int, format, dsn string) error {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "decpbench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	port := ""
	if dsn == "" {
		srv, err := chserver.Start(ctx, filepath.Join(dir, "clickhouse"))
		if err != nil {
			return err
		}
		defer srv.Stop()
		dsn = fmt.Sprintf("clickhouse://default:@127.0.0.1:%d", srv.TCPPort)
		port = strconv.Itoa(srv.TCPPort)
	} else {
		port = dsn[strings.LastIndex(dsn, ":")+1:]
		port = strings.SplitN(port, "/", 2)[0]
	}

	in := filepath.Join(dir, "decp.json")
	f, err := os.Create(in)
	if err != nil {
		return err
	}
	if err := decpgen.GenerateFormat(f, n, 1, format); err != nil {
		return err
	}
	f.Close()
	st0, _ := os.Stat(in)

	db := fmt.Sprintf("bench_%d", time.Now().UnixNano())
	st, err := store.Open(ctx, dsn+"/"+db)
	if err != nil {
		return err
	}
	defer st.Close()
	defer st.DropDatabase(ctx)
	if _, err := st.Migrate(ctx); err != nil {
		return err
	}
	t0 := time.Now()
	sum, err := decp.IngestFile(ctx, st, in, decp.Options{Source: "bench"})
	if err != nil {
		return err
	}
	el := time.Since(t0)
	hwm := vmHWM()
	fmt.Printf("input: %d records, %.1f MB (%s format)\n", n, float64(st0.Size())/1e6, format)
	fmt.Printf("vigie ingest: %.2fs, %.0f records/s, peak RSS %.0f MB  (%d contracts, %d new, %d duplicates, %d quarantined)\n",
		el.Seconds(), float64(sum.RecordsRead)/el.Seconds(), float64(hwm)/1024, sum.Contracts, sum.New, sum.Duplicates, sum.Quarantined)

	// clickhouse-client loading the same contracts rows, pre-flattened.
	flat := filepath.Join(dir, "contracts.jsonl")
	in2, err := os.Open(in)
	if err != nil {
		return err
	}
	out, err := os.Create(flat)
	if err != nil {
		return err
	}
	if err := decp.FlattenJSONEachRow(in2, out, "bench"); err != nil {
		return err
	}
	in2.Close()
	out.Close()
	db2 := db + "_client"
	st2, err := store.Open(ctx, dsn+"/"+db2)
	if err != nil {
		return err
	}
	defer st2.Close()
	defer st2.DropDatabase(ctx)
	if _, err := st2.Migrate(ctx); err != nil {
		return err
	}
	ff, err := os.Open(flat)
	if err != nil {
		return err
	}
	defer ff.Close()
	cmd := exec.Command("clickhouse-client", "--port", port, "--database", db2,
		"--query", "INSERT INTO contracts FORMAT JSONEachRow")
	cmd.Stdin = ff
	cmd.Stderr = os.Stderr
	t1 := time.Now()
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("clickhouse-client: %w", err)
	}
	cl := time.Since(t1)
	fi, _ := ff.Stat()
	fmt.Printf("clickhouse-client JSONEachRow load of the same contracts rows (%.1f MB): %.2fs, %.0f rows/s\n",
		float64(fi.Size())/1e6, cl.Seconds(), float64(n)/cl.Seconds())
	fmt.Printf("ratio vigie/clickhouse-client: %.2f\n", el.Seconds()/cl.Seconds())
	return nil
}

// vmHWM is this process's peak resident set, in kB.
func vmHWM() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "VmHWM:") {
			v, _ := strconv.ParseInt(strings.Fields(l)[1], 10, 64)
			return v
		}
	}
	return 0
}
