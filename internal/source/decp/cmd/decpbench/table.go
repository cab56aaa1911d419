package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"time"

	"github.com/vigie-data/vigie/internal/chserver"
	"github.com/vigie-data/vigie/internal/source/decp"
	"github.com/vigie-data/vigie/internal/source/decp/decpgen"
	"github.com/vigie-data/vigie/internal/store"
)

// table is the -table flag: parquet or csv.
var table string

// runTable generates n rows of decp-processing's layout (decpgen.TableRows:
// one to three holders, a third of contracts modified), ingests them into
// a fresh database, then ingests the same file again, which must add
// nothing. Rows/s counts table rows (what the file holds), records/s the
// contracts they group into.
func runTable(n int, kind, dsn string) error {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "decpbench-table-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	if dsn == "" {
		srv, err := chserver.Start(ctx, filepath.Join(dir, "clickhouse"))
		if err != nil {
			return err
		}
		defer srv.Stop()
		dsn = fmt.Sprintf("clickhouse://default:@127.0.0.1:%d", srv.TCPPort)
	}
	in := filepath.Join(dir, "decp."+kind)
	f, err := os.Create(in)
	if err != nil {
		return err
	}
	if kind == "parquet" {
		err = decpgen.WriteParquet(f, decpgen.TableRows(n, 1))
	} else {
		err = decpgen.WriteCSV(f, decpgen.TableRows(n, 1))
	}
	if err != nil {
		return err
	}
	f.Close()
	fi, _ := os.Stat(in)

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
	fmt.Printf("input: %d rows of decp-processing's layout, %s, %.1f MB\n", n, kind, float64(fi.Size())/1e6)
	for pass := 1; pass <= 2; pass++ {
		runtime.GC()
		debug.FreeOSMemory()
		resetHWM()
		cpu0, srv0 := cpuSeconds(), serverSeconds()
		if cpuProfile != "" && pass == 1 {
			pf, err := os.Create(cpuProfile)
			if err != nil {
				return err
			}
			if err := pprof.StartCPUProfile(pf); err != nil {
				return err
			}
		}
		t0 := time.Now()
		sum, err := decp.IngestFile(ctx, st, in, decp.Options{Source: "decp-national",
			BatchSize: tuning.BatchSize, CommitRecords: tuning.CommitRecords})
		if err != nil {
			return err
		}
		el := time.Since(t0).Seconds()
		if cpuProfile != "" && pass == 1 {
			pprof.StopCPUProfile()
		}
		cpu, srv := cpuSeconds()-cpu0, serverSeconds()-srv0
		stats, err := st.ContractStats(ctx)
		if err != nil {
			return err
		}
		fmt.Printf("pass %d: %.2fs, %.0f rows/s, %.0f contracts/s, peak RSS %.0f MB; vigie CPU %.2fs (%.0f rows per CPU-second), server CPU %.2fs\n",
			pass, el, float64(n)/el, float64(sum.RecordsRead)/el, float64(vmHWM())/1024, cpu, float64(n)/cpu, srv)
		fmt.Printf("        %d contracts read, %d new, %d updated, %d duplicates, %d quarantined; stored: %d contracts rows, %d current, %d holders, %d modifications, %d sources\n",
			sum.RecordsRead, sum.New, sum.Updated, sum.Duplicates, sum.Quarantined,
			stats.Rows, stats.Current, stats.Holders, stats.Modifications, stats.Sources)
	}
	return nil
}
