package api

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/vigie-data/vigie/internal/samples"
	"github.com/vigie-data/vigie/internal/source/boamp"
	"github.com/vigie-data/vigie/internal/source/decp"
	"github.com/vigie-data/vigie/internal/store"
	"github.com/vigie-data/vigie/internal/store/storetest"
	"github.com/vigie-data/vigie/internal/theme"
)

// BenchmarkMixedLoad replays what issue 16 measured: 50 distinct clients
// sending together about 36 requests per second, a mix of listings
// (first pages, following next, filtered, small CSV pages), indicators,
// open tenders, notices and scorecards, and prints p50, p99 and the
// requests over 500 ms, overall and per kind. Data: the real samples of
// shared/data (VIGIE_BENCH_ROWS=0, the default) or n synthetic contracts
// (VIGIE_BENCH_ROWS=2000000). Each kind is also timed alone, cold (first
// request of a new server) then warm.
//
//	go test ./internal/api -run '^$' -bench MixedLoad -benchtime 1x -timeout 60m
func BenchmarkMixedLoad(b *testing.B) {
	n, _ := strconv.Atoi(os.Getenv("VIGIE_BENCH_ROWS"))
	st := storetest.New(b)
	ctx := context.Background()
	deps, _ := benchDepartements()
	if n > 0 {
		loadBenchData(b, st, n)
	} else {
		data := samples.Data(b)
		start := time.Now()
		for _, f := range []string{"decp/real-2022/decp-13001845000028-2024-02-29-01.json", "decp/real-2022/decp-13001845000028-2024-10-06-01.json",
			"decp/real-2019/decp2019_e-marchespublics_2019-04-03.json"} {
			if _, err := decp.IngestFile(ctx, st, filepath.Join(data, f), decp.Options{}); err != nil {
				b.Fatal(err)
			}
		}
		xmls, _ := filepath.Glob(filepath.Join(data, "boamp/v230-xml/*.xml"))
		jsons, _ := filepath.Glob(filepath.Join(data, "boamp/api/*.json"))
		if _, err := boamp.IngestFiles(ctx, st, append(xmls, jsons...), boamp.Options{}); err != nil {
			b.Fatal(err)
		}
		if err := st.RefreshRollups(ctx); err != nil {
			b.Fatal(err)
		}
		b.Logf("real samples loaded in %s", time.Since(start).Round(time.Millisecond))
	}
	total, err := st.CountContracts(ctx, store.ContractFilter{})
	if err != nil {
		b.Fatal(err)
	}
	// Buyers to ask scorecards of: the first ones listed.
	page, _, err := st.ListContracts(ctx, store.ContractFilter{}, nil, 200)
	if err != nil || len(page) == 0 {
		b.Fatalf("no contracts: %v", err)
	}
	var buyers []string
	for _, c := range page {
		if len(buyers) == 0 || buyers[len(buyers)-1] != c.BuyerSiret {
			buyers = append(buyers, c.BuyerSiret)
		}
	}
	srv := New(st, Options{RatePerIP: 1e9, Burst: 1e9})
	get := func(url string) (int, []byte, time.Duration) {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest("GET", url, nil)
		req.RemoteAddr = "192.0.2.1:1234"
		t0 := time.Now()
		srv.ServeHTTP(rec, req)
		return rec.Code, rec.Body.Bytes(), time.Since(t0)
	}
	type kind struct {
		name   string
		weight int
		url    func(r *rand.Rand) string
	}
	var nextMu sync.Mutex
	nexts := []string{}
	kinds := []kind{
		{"contracts first page", 3, func(*rand.Rand) string { return "/api/v1/contracts" }},
		{"contracts next pages", 3, func(r *rand.Rand) string {
			nextMu.Lock()
			defer nextMu.Unlock()
			if len(nexts) == 0 {
				return "/api/v1/contracts?limit=100"
			}
			return nexts[r.IntN(len(nexts))]
		}},
		{"contracts filtered", 3, func(r *rand.Rand) string {
			return "/api/v1/contracts?departement=" + deps[r.IntN(len(deps))] + "&theme=" + theme.All[r.IntN(len(theme.All))]
		}},
		{"contracts csv page", 1, func(r *rand.Rand) string {
			return "/api/v1/contracts?format=csv&limit=1000&departement=" + deps[r.IntN(len(deps))]
		}},
		{"indicators", 3, func(r *rand.Rand) string {
			return "/api/v1/contracts/indicators?group_by=year&departement=" + deps[r.IntN(len(deps))]
		}},
		{"tenders/open", 2, func(r *rand.Rand) string {
			return "/api/v1/tenders/open?deadline_after=2000-01-01&departement=" + deps[r.IntN(len(deps))]
		}},
		{"notices", 2, func(r *rand.Rand) string { return "/api/v1/notices?departement=" + deps[r.IntN(len(deps))] }},
		{"scorecard", 1, func(r *rand.Rand) string { return "/api/v1/buyers/" + buyers[r.IntN(len(buyers))] + "/scorecard" }},
	}
	var wheel []int
	for i, k := range kinds {
		for j := 0; j < k.weight; j++ {
			wheel = append(wheel, i)
		}
	}
	pct := func(ds []time.Duration, p int) time.Duration {
		if len(ds) == 0 {
			return 0
		}
		sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
		return ds[min(len(ds)-1, len(ds)*p/100)].Round(100 * time.Microsecond)
	}
	b.ResetTimer()
	fmt.Printf("\n%d contracts.\n\n| request | cold | warm p50 (10) |\n|---|---|---|\n", total)
	for _, k := range kinds {
		r := rand.New(rand.NewPCG(1, 1))
		fresh := New(st, Options{RatePerIP: 1e9, Burst: 1e9})
		rec := httptest.NewRecorder()
		req := httptest.NewRequest("GET", k.url(r), nil)
		t0 := time.Now()
		fresh.ServeHTTP(rec, req)
		cold := time.Since(t0)
		var warm []time.Duration
		for i := 0; i < 10; i++ {
			_, _, d := get(k.url(r))
			warm = append(warm, d)
		}
		fmt.Printf("| %s | %s | %s |\n", k.name, cold.Round(100*time.Microsecond), pct(warm, 50))
	}

	const clients, requests, rate = 50, 2000, 36
	var mu sync.Mutex
	all := []time.Duration{}
	per := map[string][]time.Duration{}
	errs := 0
	tick := time.NewTicker(time.Second / time.Duration(rate))
	defer tick.Stop()
	work := make(chan int)
	var wg sync.WaitGroup
	for c := 0; c < clients; c++ {
		wg.Add(1)
		go func(c int) {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(c), 7))
			for range work {
				k := kinds[wheel[r.IntN(len(wheel))]]
				code, body, d := get(k.url(r))
				mu.Lock()
				all = append(all, d)
				per[k.name] = append(per[k.name], d)
				if code != 200 {
					errs++
				}
				mu.Unlock()
				if k.name == "contracts first page" || k.name == "contracts next pages" {
					var p struct{ Next *string }
					if json.Unmarshal(body, &p) == nil && p.Next != nil {
						nextMu.Lock()
						if len(nexts) < 500 {
							nexts = append(nexts, *p.Next)
						}
						nextMu.Unlock()
					}
				}
			}
		}(c)
	}
	start := time.Now()
	for i := 0; i < requests; i++ {
		<-tick.C
		work <- i
	}
	close(work)
	wg.Wait()
	elapsed := time.Since(start)
	over := 0
	for _, d := range all {
		if d > 500*time.Millisecond {
			over++
		}
	}
	fmt.Printf("\n%d clients, %d requests in %s (%.1f req/s), %d not 200: p50 %s, p99 %s, %d over 500 ms\n\n| request | n | p50 | p99 |\n|---|---|---|---|\n",
		clients, len(all), elapsed.Round(time.Second), float64(len(all))/elapsed.Seconds(), errs, pct(all, 50), pct(all, 99), over)
	for _, k := range kinds {
		ds := per[k.name]
		fmt.Printf("| %s | %d | %s | %s |\n", k.name, len(ds), pct(ds, 50), pct(ds, 99))
	}
}
