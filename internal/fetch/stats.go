package fetch

import (
	"sort"
	"strconv"
	"sync"
)

// Upstream HTTP statuses seen by this process, per host, for /metrics.
// Status 0 counts network errors.
var stats = struct {
	sync.Mutex
	m map[string]map[int]uint64
}{m: map[string]map[int]uint64{}}

func countStatus(host string, status int) {
	stats.Lock()
	defer stats.Unlock()
	h := stats.m[host]
	if h == nil {
		h = map[int]uint64{}
		stats.m[host] = h
	}
	h[status]++
}

// StatusCount is one counter of upstream answers.
type StatusCount struct {
	Host   string
	Status string // "200", "429", … or "error"
	Count  uint64
}

// StatusCounts returns the upstream answers counted so far.
func StatusCounts() []StatusCount {
	stats.Lock()
	defer stats.Unlock()
	var out []StatusCount
	for host, m := range stats.m {
		for st, n := range m {
			s := strconv.Itoa(st)
			if st == 0 {
				s = "error"
			}
			out = append(out, StatusCount{Host: host, Status: s, Count: n})
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Host != out[j].Host {
			return out[i].Host < out[j].Host
		}
		return out[i].Status < out[j].Status
	})
	return out
}
