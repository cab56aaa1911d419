// Command decpbench measures the DECP ingestion end to end (file →
// ClickHouse) on generated data, against clickhouse-client loading the
// same contracts rows, pre-flattened as JSONEachRow, into the same table:
//
//	go run ./internal/source/decp/cmd/decpbench -n 100000
//	go run ./internal/source/decp/cmd/decpbench -n 1000000
//
// It starts a throwaway ClickHouse (or uses -dsn), generates the input
// with decpgen, runs decp.IngestFile into a fresh database (with the soft
// memory limit 'vigie ingest decp' sets), and prints records/s, the CPU
// time of this process, its allocations and GCs, the largest live heap,
// and the peak RSS of the ingestion (VmHWM, reset after generating the
// input; the flattening for clickhouse-client runs after it is read).
// On a shared machine wall times vary with the load: the CPU time is the
// steadier figure. -cpuprofile, -memprofile (allocations) and
// -liveprofile (heap at its largest) cover the ingestion only.
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"runtime/pprof"
	"strconv"
	"strings"
	"syscall"
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
	flag.IntVar(&tuning.BatchSize, "batch", decp.DefaultBatchSize, "records per batch")
	flag.Int64Var(&tuning.CommitRecords, "commit", decp.DefaultCommitRecords, "records per commit")
	flag.StringVar(&cpuProfile, "cpuprofile", "", "write a CPU profile of the ingestion (only) to this file")
	flag.StringVar(&memProfile, "memprofile", "", "write an allocation profile of the ingestion (only) to this file")
	flag.StringVar(&liveProfile, "liveprofile", "", "write the heap profile taken when the live heap was largest to this file")
	flag.StringVar(&table, "table", "", "parquet or csv: n rows of decp-processing's tabular layout instead (see table.go)")
	flag.Parse()
	decp.LimitMemory() // as 'vigie ingest decp' does
	runner := run
	if table != "" {
		runner = func(n int, _, dsn string) error { return runTable(n, table, dsn) }
	}
	if err := runner(*n, *format, *dsn); err != nil {
		fmt.Fprintln(os.Stderr, "decpbench:", err)
		pprof.StopCPUProfile()
		os.Exit(1)
	}
}

var cpuProfile, memProfile, liveProfile string

// tuning holds the writer's settings the flags give.
var tuning decp.Options

// watchLive takes a heap profile each time the live heap (as of the last
// GC) reaches a new high, until stop is closed; it returns the last one.
func watchLive(stop chan struct{}) func() []byte {
	var best bytes.Buffer
	var max uint64
	done := make(chan struct{})
	sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	go func() {
		defer close(done)
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
			}
			metrics.Read(sample)
			if v := sample[0].Value.Uint64(); v > max {
				max = v
				best.Reset()
				pprof.Lookup("heap").WriteTo(&best, 0)
			}
		}
	}()
	return func() []byte {
		<-done
		fmt.Printf("largest live heap: %.0f MB\n", float64(max)/1e6)
		return best.Bytes()
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
	// The generator's pages are not the ingestion's: start the peak anew.
	runtime.GC()
	debug.FreeOSMemory()
	resetHWM()
	if cpuProfile != "" {
		pf, err := os.Create(cpuProfile)
		if err != nil {
			return err
		}
		if err := pprof.StartCPUProfile(pf); err != nil {
			return err
		}
	}
	if memProfile != "" || liveProfile != "" {
		runtime.MemProfileRate = 64 << 10
	}
	var gc0 runtime.MemStats
	runtime.ReadMemStats(&gc0)
	cpu0, srv0 := cpuSeconds(), serverSeconds()
	stopLive := make(chan struct{})
	live := watchLive(stopLive)
	t0 := time.Now()
	sum, err := decp.IngestFile(ctx, st, in, decp.Options{Source: "bench",
		BatchSize: tuning.BatchSize, CommitRecords: tuning.CommitRecords})
	if cpuProfile != "" {
		pprof.StopCPUProfile()
	}
	if err != nil {
		return err
	}
	el := time.Since(t0)
	cpu, srv := cpuSeconds()-cpu0, serverSeconds()-srv0
	close(stopLive)
	if b := live(); liveProfile != "" {
		if err := os.WriteFile(liveProfile, b, 0o644); err != nil {
			return err
		}
	}
	hwm := vmHWM()
	var gc1 runtime.MemStats
	runtime.ReadMemStats(&gc1)
	if memProfile != "" {
		if pf, err := os.Create(memProfile); err == nil {
			pprof.Lookup("allocs").WriteTo(pf, 0)
			pf.Close()
		}
	}
	fmt.Printf("vigie CPU: %.2fs (user+system of this process; the machine may be shared, this is the steadier figure)\n", cpu)
	if srv > 0 {
		fmt.Printf("server CPU: %.2fs (the throwaway server's user+system during the ingestion; merges it leaves for later not counted)\n", srv)
	}
	fmt.Printf("go heap: %.0f MB allocated, %d GCs, GC CPU fraction %.2f\n",
		float64(gc1.TotalAlloc-gc0.TotalAlloc)/1e6, gc1.NumGC-gc0.NumGC, gc1.GCCPUFraction)
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
	t1, srv1 := time.Now(), serverSeconds()
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("clickhouse-client: %w", err)
	}
	cl := time.Since(t1)
	if srv > 0 {
		fmt.Printf("server CPU during the clickhouse-client load: %.2fs\n", serverSeconds()-srv1)
	}
	fi, _ := ff.Stat()
	fmt.Printf("clickhouse-client JSONEachRow load of the same contracts rows (%.1f MB): %.2fs, %.0f rows/s\n",
		float64(fi.Size())/1e6, cl.Seconds(), float64(n)/cl.Seconds())
	fmt.Printf("ratio vigie/clickhouse-client: %.2f\n", el.Seconds()/cl.Seconds())
	return nil
}

// serverSeconds is the user+system CPU time of this process's children:
// the throwaway ClickHouse server (0 with -dsn). The steady figure of what
// an ingestion costs the server, which shares the machine.
func serverSeconds() float64 {
	tasks, _ := filepath.Glob("/proc/self/task/*/children")
	var ticks float64
	for _, t := range tasks {
		b, err := os.ReadFile(t)
		if err != nil {
			continue
		}
		for _, pid := range strings.Fields(string(b)) {
			stat, err := os.ReadFile("/proc/" + pid + "/stat")
			if err != nil {
				continue
			}
			// Fields after the command (which may hold spaces): utime, stime are 14 and 15.
			f := strings.Fields(string(stat[bytes.LastIndexByte(stat, ')')+1:]))
			if len(f) > 12 {
				u, _ := strconv.ParseFloat(f[11], 64)
				s, _ := strconv.ParseFloat(f[12], 64)
				ticks += u + s
			}
		}
	}
	return ticks / 100 // USER_HZ
}

// cpuSeconds is this process's user+system CPU time.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
}

// resetHWM starts the peak resident set anew (writing 5 to clear_refs).
func resetHWM() { _ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) }

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
