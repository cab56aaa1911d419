package api_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"os/exec"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vigie-data/vigie/internal/api"
	"github.com/vigie-data/vigie/internal/store/storetest"
)

// BenchmarkLatency fills contracts with VIGIE_BENCH_ROWS synthetic rows
// (default 10 million) by INSERT ... SELECT FROM system.numbers — much
// faster than generating DECP files, and the same table — refreshes the
// rollups, then reports p50/p99 of the API at 1 and 50 concurrent clients
// and of the same SQL through clickhouse-client. Run with
//
//	go test ./internal/api -run '^$' -bench Latency -benchtime 1x
func BenchmarkLatency(b *testing.B) {
	n := 10_000_000
	if v := os.Getenv("VIGIE_BENCH_ROWS"); v != "" {
		n, _ = strconv.Atoi(v)
	}
	st := storetest.New(b)
	ctx := context.Background()
	start := time.Now()
	err := st.ExecForTest(ctx, `INSERT INTO contracts (uid, buyer_siret, buyer_siren, buyer_name, contract_id, notification_date,
		departement, region, cpv, cpv_division, theme, procedure, nature, amount, declared_social_clause, declared_social_criterion,
		declared_reserved, declared_env_clause, declared_env_criterion, detected_labels, source, version, partition_year)
		SELECT toString(number), toString(21000000000000 + number % 50000), toString(210000000 + number % 50000), 'Buyer',
			toString(number), if(number % 50 = 0, NULL, toDate('2015-01-01') + number % 3600),
			toString(10 + number % 85), toString(number % 18), '45000000', toString(10 + number % 40), 'habitat',
			'Procédure adaptée', 'Marché', if(number % 20 = 0, NULL, toFloat64(number % 100000)),
			if(number % 3 = 0, NULL, toUInt8(number % 7 = 0)), NULL, NULL, if(number % 3 = 0, NULL, toUInt8(number % 5 = 0)), NULL,
			if(number % 11 = 0, ['social_clause'], emptyArrayString()), 'decp', 1, 0
		FROM system.numbers LIMIT `+strconv.Itoa(n))
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("inserted %d contracts in %s", n, time.Since(start).Round(time.Millisecond))
	now := time.Now().UTC()
	err = st.ExecForTest(ctx, `INSERT INTO notices (notice_id, source, publication_date, deadline, buyer_name, buyer_siret, departements,
		cpv, object, url, cancelled, declared_labels, detected_labels, version)
		SELECT toString(number), 'boamp', toDate('2024-01-01') + number % 700, toDateTime(?) + (number % 1000000) - 500000, 'Ville',
			'21000000000001', [toString(10 + number % 85)], ['45000000'], 'Travaux', 'https://example.org', 0, emptyArrayString(),
			if(number % 5 = 0, ['social_clause'], emptyArrayString()), 1
		FROM system.numbers LIMIT 500000`, now.Format("2006-01-02 15:04:05"))
	if err != nil {
		b.Fatal(err)
	}
	start = time.Now()
	if err := st.RefreshRollups(ctx); err != nil {
		b.Fatal(err)
	}
	b.Logf("RefreshRollups on %d contracts: %s", n, time.Since(start).Round(time.Millisecond))
	srv := httptest.NewServer(api.New(st, api.Options{RatePerIP: 1e9, Burst: 1e9, MaxRows: 10000}))
	defer srv.Close()
	dsn := storetest.DSN(b) // only for the server address
	host, port := "127.0.0.1", strings.TrimPrefix(dsn[strings.LastIndex(dsn[:strings.LastIndex(dsn, "/")], ":"):strings.LastIndex(dsn, "/")], ":")
	db := st.Database()
	queries := []struct{ name, url, sql string }{
		{"indicators year", "/api/v1/contracts/indicators?group_by=year",
			"SELECT if(month = 0, 'unknown', toString(intDiv(month, 100))) AS k, sum(contracts), sum(social_decl) FROM contract_rollup GROUP BY k ORDER BY k"},
		{"indicators departement,year", "/api/v1/contracts/indicators?group_by=departement,year",
			"SELECT departement, if(month = 0, 'unknown', toString(intDiv(month, 100))) AS k, sum(contracts), sum(social_decl) FROM contract_rollup GROUP BY departement, k ORDER BY departement, k"},
		{"tenders/open", "/api/v1/tenders/open?limit=100", ""},
	}
	lat := func(clients, per int, do func() error) (time.Duration, time.Duration) {
		var mu sync.Mutex
		var ds []time.Duration
		var wg sync.WaitGroup
		for c := 0; c < clients; c++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; i < per; i++ {
					t0 := time.Now()
					if err := do(); err != nil {
						b.Error(err)
						return
					}
					mu.Lock()
					ds = append(ds, time.Since(t0))
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
		return ds[len(ds)/2], ds[len(ds)*99/100]
	}
	b.ResetTimer()
	fmt.Printf("| query | clients | API p50 | API p99 | clickhouse-client p50 | clickhouse-client p99 |\n|---|---|---|---|---|---|\n")
	for _, q := range queries {
		for _, clients := range []int{1, 50} {
			ap50, ap99 := lat(clients, 20, func() error {
				res, err := srv.Client().Get(srv.URL + q.url)
				if err == nil {
					defer res.Body.Close()
					if res.StatusCode != 200 {
						err = fmt.Errorf("%s: %d", q.url, res.StatusCode)
					}
				}
				return err
			})
			cp50, cp99 := time.Duration(0), time.Duration(0)
			if q.sql != "" {
				cp50, cp99 = lat(clients, 20, func() error {
					return exec.Command("clickhouse-client", "--host", host, "--port", port, "--database", db, "--query", q.sql).Run()
				})
			}
			fmt.Printf("| %s | %d | %s | %s | %s | %s |\n", q.name, clients, ap50.Round(time.Microsecond*100), ap99.Round(time.Microsecond*100),
				cp50.Round(time.Microsecond*100), cp99.Round(time.Microsecond*100))
		}
	}
}
