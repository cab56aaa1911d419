package schedule

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"

	"github.com/vigie-data/vigie/internal/fetch"
	"github.com/vigie-data/vigie/internal/store"
)

// Metrics counts this process's pipeline runs for /metrics. Counters start
// at zero with the process, as Prometheus expects.
type Metrics struct {
	mu  sync.Mutex
	per map[string]*pipelineMetrics
}

type pipelineMetrics struct {
	runs        map[string]uint64 // by final status
	skipped     uint64
	running     int
	records     map[string]uint64 // read, new, updated, duplicates, quarantined
	durationSum float64
	durationN   uint64
	lastSeconds float64
	lastOK      int64 // unix seconds of the last ok run
}

// NewMetrics returns empty metrics.
func NewMetrics() *Metrics { return &Metrics{per: map[string]*pipelineMetrics{}} }

func (m *Metrics) get(name string) *pipelineMetrics {
	pm := m.per[name]
	if pm == nil {
		pm = &pipelineMetrics{runs: map[string]uint64{}, records: map[string]uint64{}}
		m.per[name] = pm
	}
	return pm
}

// Declare makes a pipeline's series appear (at zero) before its first run.
func (m *Metrics) Declare(name string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.get(name)
}

func (m *Metrics) skipped(name string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.get(name).skipped++
}

func (m *Metrics) started(name string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.get(name).running++
}

func (m *Metrics) finished(r store.Run) {
	m.mu.Lock()
	defer m.mu.Unlock()
	pm := m.get(r.Pipeline)
	pm.running--
	pm.runs[r.Status]++
	pm.records["read"] += r.RecordsRead
	pm.records["new"] += r.New
	pm.records["updated"] += r.Updated
	pm.records["duplicates"] += r.Duplicates
	pm.records["quarantined"] += r.Quarantined
	d := r.FinishedAt.Sub(r.StartedAt).Seconds()
	pm.durationSum += d
	pm.durationN++
	pm.lastSeconds = d
	if r.Status == StatusOK {
		pm.lastOK = r.FinishedAt.Unix()
	}
}

var statuses = []string{StatusOK, StatusFailed, StatusInterrupted}
var recordKinds = []string{"read", "new", "updated", "duplicates", "quarantined"}

// Write writes the metrics, and the upstream HTTP statuses counted by
// internal/fetch, in the Prometheus text exposition format (0.0.4).
func (m *Metrics) Write(w io.Writer) error {
	m.mu.Lock()
	names := make([]string, 0, len(m.per))
	for n := range m.per {
		names = append(names, n)
	}
	sort.Strings(names)
	var b strings.Builder
	family := func(name, typ, help string, each func(n string, pm *pipelineMetrics)) {
		fmt.Fprintf(&b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, typ)
		for _, n := range names {
			each(n, m.per[n])
		}
	}
	family("vigie_pipeline_runs_total", "counter", "Pipeline runs ended, by status.", func(n string, pm *pipelineMetrics) {
		for _, s := range statuses {
			fmt.Fprintf(&b, "vigie_pipeline_runs_total{pipeline=%q,status=%q} %d\n", n, s, pm.runs[s])
		}
	})
	family("vigie_pipeline_errors_total", "counter", "Pipeline runs that failed.", func(n string, pm *pipelineMetrics) {
		fmt.Fprintf(&b, "vigie_pipeline_errors_total{pipeline=%q} %d\n", n, pm.runs[StatusFailed])
	})
	family("vigie_pipeline_skipped_total", "counter", "Scheduled runs skipped because the previous run was still going.", func(n string, pm *pipelineMetrics) {
		fmt.Fprintf(&b, "vigie_pipeline_skipped_total{pipeline=%q} %d\n", n, pm.skipped)
	})
	family("vigie_pipeline_running", "gauge", "Runs of the pipeline in progress (0 or 1).", func(n string, pm *pipelineMetrics) {
		fmt.Fprintf(&b, "vigie_pipeline_running{pipeline=%q} %d\n", n, pm.running)
	})
	family("vigie_pipeline_records_total", "counter", "Records handled by ended runs, by outcome.", func(n string, pm *pipelineMetrics) {
		for _, k := range recordKinds {
			fmt.Fprintf(&b, "vigie_pipeline_records_total{pipeline=%q,kind=%q} %d\n", n, k, pm.records[k])
		}
	})
	family("vigie_pipeline_run_duration_seconds", "summary", "Duration of ended runs.", func(n string, pm *pipelineMetrics) {
		fmt.Fprintf(&b, "vigie_pipeline_run_duration_seconds_sum{pipeline=%q} %g\n", n, pm.durationSum)
		fmt.Fprintf(&b, "vigie_pipeline_run_duration_seconds_count{pipeline=%q} %d\n", n, pm.durationN)
	})
	family("vigie_pipeline_last_run_duration_seconds", "gauge", "Duration of the last ended run.", func(n string, pm *pipelineMetrics) {
		fmt.Fprintf(&b, "vigie_pipeline_last_run_duration_seconds{pipeline=%q} %g\n", n, pm.lastSeconds)
	})
	family("vigie_pipeline_last_success_timestamp_seconds", "gauge", "End of the last ok run (unix time; 0: none in this process).", func(n string, pm *pipelineMetrics) {
		fmt.Fprintf(&b, "vigie_pipeline_last_success_timestamp_seconds{pipeline=%q} %d\n", n, pm.lastOK)
	})
	m.mu.Unlock()

	b.WriteString("# HELP vigie_upstream_responses_total Upstream HTTP answers by host and status (\"error\": no answer).\n")
	b.WriteString("# TYPE vigie_upstream_responses_total counter\n")
	for _, c := range fetch.StatusCounts() {
		fmt.Fprintf(&b, "vigie_upstream_responses_total{host=%q,status=%q} %d\n", c.Host, c.Status, c.Count)
	}
	_, err := io.WriteString(w, b.String())
	return err
}
