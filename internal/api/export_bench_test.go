package api

import (
	"context"
	"io"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/vigie-data/vigie/internal/export"
	"github.com/vigie-data/vigie/internal/store/storetest"
)

// BenchmarkExportContracts exports every contract of VIGIE_BENCH_ROWS
// synthetic ones (default 200 000) as CSV and as Parquet, through the
// same code as 'vigie export' and /api/v1/exports: rows per second, this
// process's CPU per row, and its peak RSS.
func BenchmarkExportContracts(b *testing.B) {
	n := 200_000
	if v, err := strconv.Atoi(os.Getenv("VIGIE_BENCH_ROWS")); err == nil && v > 0 {
		n = v
	}
	st := storetest.New(b)
	loadBenchData(b, st, n)
	for _, format := range export.Formats {
		b.Run(format, func(b *testing.B) {
			var bytes countingWriter
			cpu := cpuSeconds()
			start := time.Now()
			for i := 0; i < b.N; i++ {
				rows, err := export.Write(context.Background(), st, "contracts", format, export.Filter{}, &bytes)
				if err != nil || rows != int64(n) {
					b.Fatalf("%d rows, %v", rows, err)
				}
			}
			secs := time.Since(start).Seconds()
			b.ReportMetric(float64(n*b.N)/secs, "rows/s")
			b.ReportMetric(float64(n*b.N)/(cpuSeconds()-cpu), "rows/cpu-s")
			b.ReportMetric(float64(bytes)/float64(b.N)/(1<<20), "MB/export")
			b.ReportMetric(peakRSSMB(), "peakRSS-MB")
		})
	}
}

type countingWriter int64

func (c *countingWriter) Write(p []byte) (int, error) {
	*c += countingWriter(len(p))
	return len(p), nil
}

var _ io.Writer = (*countingWriter)(nil)

func cpuSeconds() float64 {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return float64(ru.Utime.Sec+ru.Stime.Sec) + float64(ru.Utime.Usec+ru.Stime.Usec)/1e6
}

func peakRSSMB() float64 {
	b, _ := os.ReadFile("/proc/self/status")
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "VmHWM:") {
			kb, _ := strconv.ParseFloat(strings.Fields(l)[1], 64)
			return kb / 1024
		}
	}
	return 0
}
