package api

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http/httptest"
	"os"
	"os/exec"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vigie-data/vigie/internal/source/decp"
	"github.com/vigie-data/vigie/internal/store"
	"github.com/vigie-data/vigie/internal/store/storetest"
	"github.com/vigie-data/vigie/internal/theme"
)

// benchDepartements are the 101 départements, with their région from the
// DECP ingestion's mapping, so that the rollups have the real cardinality.
func benchDepartements() (deps, regions []string) {
	add := func(d string) {
		if r := decp.RegionOf(d); r != "" {
			deps, regions = append(deps, d), append(regions, r)
		}
	}
	for i := 1; i <= 95; i++ {
		if i != 20 {
			add(fmt.Sprintf("%02d", i))
		}
	}
	for _, d := range []string{"2A", "2B", "971", "972", "973", "974", "976"} {
		add(d)
	}
	return deps, regions
}

// benchCPVDivisions are the CPV divisions (first two digits) in use.
var benchCPVDivisions = []string{"03", "09", "14", "15", "16", "18", "19", "22", "24", "30", "31", "32", "33", "34", "35", "37",
	"38", "39", "41", "42", "43", "44", "45", "48", "50", "51", "55", "60", "63", "64", "65", "66", "70", "71", "72", "73",
	"75", "76", "77", "79", "80", "85", "90", "92", "98"}

// loadBenchData fills contracts with n synthetic contracts and notices
// with n/10 notices (a third of them with two lots), by INSERT ... SELECT
// FROM system.numbers: the same tables the DECP and BOAMP ingestions
// write, much faster than generating and parsing files. Cardinalities are
// realistic: 50 000 buyers, each in one of the 101 départements (région
// consistent), 45 CPV divisions, notification dates over 11 years (2 %
// unknown), declared flags with a third unknown, detected labels on about
// 15 % of contracts; notices published over two years with a deadline 10
// to 60 days later (about 5 % open at any time).
func loadBenchData(b *testing.B, st *store.Store, n int) {
	ctx := context.Background()
	deps, regions := benchDepartements()
	start := time.Now()
	err := storetest.Exec(ctx, st, `INSERT INTO contracts (uid, buyer_siret, buyer_siren, buyer_name, contract_id, key_hash, notification_date,
		departement, region, cpv, cpv_division, theme, procedure, nature, amount, declared_social_clause, declared_social_criterion,
		declared_reserved, declared_env_clause, declared_env_criterion, detected_labels, source, version, partition_year)
		SELECT concat(siret, toString(number)), siret, substring(siret, 1, 9), concat('Acheteur ', toString(buyer)), toString(number), cityHash64(siret, toString(number)), day,
			arrayElement(?, 1 + buyer % 101), arrayElement(?, 1 + buyer % 101),
			concat(arrayElement(?, 1 + h2 % 45), '000000'), arrayElement(?, 1 + h2 % 45), arrayElement(?, 1 + (h2 % 45) % 5),
			arrayElement(['Procédure adaptée', 'Appel d''offres ouvert', 'Marché négocié sans publicité ni mise en concurrence préalable',
				'Procédure concurrentielle avec négociation'], 1 + h3 % 4),
			arrayElement(['Marché', 'Marché subséquent', 'Accord-cadre'], 1 + h4 % 3),
			if(h1 % 20 = 0, NULL, toFloat64(1000 + h1 % 2000000)),
			if(h3 % 3 = 0, NULL, toUInt8(h3 % 10 = 1)), if(h3 % 3 = 0, NULL, toUInt8(h3 % 7 = 1)), if(h4 % 3 = 0, NULL, toUInt8(h4 % 40 = 1)),
			if(h4 % 3 = 0, NULL, toUInt8(h4 % 5 = 1)), if(h2 % 3 = 0, NULL, toUInt8(h2 % 6 = 1)),
			if(h5 % 11 = 0, ['social_clause'], if(h5 % 17 = 0, ['env_clause'], if(h5 % 97 = 0, ['reserved_insertion'], emptyArrayString()))),
			'decp', toUInt64(1), if(isNull(day), toUInt16(0), toUInt16(toYear(assumeNotNull(day))))
		FROM (SELECT number, intHash64(number) AS h1, intHash64(number + 1000000000000) AS h2, intHash64(number + 2000000000000) AS h3,
			intHash64(number + 3000000000000) AS h4, intHash64(number + 4000000000000) AS h5, h1 % 50000 AS buyer,
			toString(21000000000000 + buyer * 100) AS siret,
			if(h1 % 50 = 7, CAST(NULL AS Nullable(Date)), toDate('2015-01-01') + h2 % 4000) AS day
			FROM system.numbers LIMIT `+strconv.Itoa(n)+`)`,
		deps, regions, benchCPVDivisions, benchCPVDivisions, theme.All)
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("loaded %d contracts in %s", n, time.Since(start).Round(time.Millisecond))
	start = time.Now()
	nn := strconv.Itoa(max(n/10, 1000))
	today := time.Now().UTC().Format("2006-01-02")
	err = storetest.Exec(ctx, st, `INSERT INTO notices (notice_id, source, publication_date, deadline, buyer_name, buyer_siret, departements,
		cpv, object, url, cancelled, declared_labels, detected_labels, version)
		SELECT toString(number), 'boamp', pub, toDateTime(pub) + 86400 * (10 + h % 50) + h % 86400, 'Ville', '21000000000100',
			[arrayElement(?, 1 + h % 101)], ['45000000'], concat('Travaux ', toString(number)), 'https://example.org', toUInt8(h % 200 = 0),
			emptyArrayString(), if(h % 7 = 0, ['social_clause'], emptyArrayString()), toUInt64(1)
		FROM (SELECT number, intHash64(number) AS h, toDate(?) - 730 + intHash64(number + 1) % 731 AS pub FROM system.numbers LIMIT `+nn+`)`,
		deps, today)
	if err == nil {
		err = storetest.Exec(ctx, st, `INSERT INTO lots (notice_id, lot_number, title, cpv, reserved, declared_labels, detected_labels,
			publication_date, version)
			SELECT toString(intDiv(number, 2) * 3), toString(number % 2 + 1), 'Lot', ['45000000'], if(h % 20 = 0, toUInt8(1), NULL),
				emptyArrayString(), if(h % 9 = 0, ['social_clause'], emptyArrayString()), toDate(?) - 730 + intHash64(intDiv(number, 2) * 3 + 1) % 731, toUInt64(1)
			FROM (SELECT number, intHash64(number) AS h FROM system.numbers LIMIT `+strconv.Itoa(2*(max(n/10, 1000)/3))+`)`, today)
	}
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("loaded %s notices and their lots in %s", nn, time.Since(start).Round(time.Millisecond))
	start = time.Now()
	if err := st.RefreshRollups(ctx); err != nil {
		b.Fatal(err)
	}
	b.Logf("RefreshRollups on %d contracts: %s", n, time.Since(start).Round(time.Millisecond))
}

// benchSums is the measure list the API's indicator queries compute.
func benchSums() string {
	cols := []string{"sum(contracts)", "sum(amount_sum)", "sum(amount_known)"}
	for _, ind := range store.Indicators {
		for _, s := range []string{"_decl", "_unk", "_det", "_decl_amount", "_det_amount"} {
			cols = append(cols, "sum("+ind.Name+s+")")
		}
	}
	return strings.Join(cols, ", ")
}

// benchTendersSQL is the store's filtered open-tender query
// (OpenTendersSQL, without the evidence look-up that follows it) for
// clickhouse-client: what one request costs ClickHouse without the API's
// shared open set (see benchTenderSetSQL).
func benchTendersSQL(after time.Time, dep string) string {
	a := "toDateTime('" + after.UTC().Format("2006-01-02 15:04:05") + "')"
	labels := "'reserved', 'reserved_disability', 'reserved_insertion', 'reserved_ess', 'social_clause'"
	extra := ""
	if dep != "" {
		extra = " AND has(departements, '" + dep + "')"
	}
	return `SELECT notice_id, source, url, buyer_name, buyer_siret, object, publication_date, assumeNotNull(deadline), departements, cpv, n_labels, lots
	FROM (SELECT notice_id, tupleElement(t, 1) AS source, tupleElement(t, 2) AS url, tupleElement(t, 3) AS buyer_name,
			tupleElement(t, 4) AS buyer_siret, tupleElement(t, 5) AS object, tupleElement(t, 6) AS publication_date,
			tupleElement(t, 7) AS deadline, tupleElement(t, 8) AS departements, tupleElement(t, 9) AS cpv,
			tupleElement(t, 10) AS cancelled, arrayDistinct(arrayConcat(tupleElement(t, 11), tupleElement(t, 12))) AS n_labels
		FROM (SELECT notice_id, argMax(tuple(source, url, buyer_name, buyer_siret, object, publication_date, deadline,
				departements, cpv, cancelled, declared_labels, detected_labels), version) AS t
			FROM notices PREWHERE notice_id IN (SELECT notice_id FROM notices WHERE deadline > ` + a + `) GROUP BY notice_id)
	) ANY LEFT JOIN (
		SELECT notice_id, groupArray(tuple(lot_number, title, cpv, labels)) AS lots
		FROM (SELECT notice_id, lot_number, any(title) AS title, any(cpv) AS cpv,
				arrayDistinct(arrayConcat(any(declared_labels), any(detected_labels),
					if(any(ifNull(reserved, 0)) = 1, ['reserved'], emptyArrayString()))) AS labels
			FROM lots PREWHERE notice_id IN (SELECT notice_id FROM notices WHERE deadline > ` + a + `)
			WHERE (notice_id, version) IN (SELECT notice_id, max(version) FROM lots
					WHERE notice_id IN (SELECT notice_id FROM notices WHERE deadline > ` + a + `) GROUP BY notice_id)
			GROUP BY notice_id, lot_number)
		WHERE hasAny(labels, [` + labels + `])
		GROUP BY notice_id
	) USING notice_id
	WHERE cancelled = 0 AND deadline > ` + a + ` AND (hasAny(n_labels, [` + labels + `]) OR notEmpty(lots))` + extra + `
	ORDER BY deadline, notice_id LIMIT 101`
}

// benchTenderSetSQL is the two reads of the open set (OpenTenderSet)
// the API filters in memory, as one clickhouse-client call.
func benchTenderSetSQL(after time.Time) string {
	a := "toDateTime('" + after.UTC().Format("2006-01-02 15:04:05") + "')"
	return `SELECT notice_id, version, source, url, buyer_name, buyer_siret, object, publication_date, deadline, departements, cpv,
			cancelled, declared_labels, detected_labels
		FROM notices PREWHERE notice_id IN (SELECT notice_id FROM notices WHERE deadline > ` + a + `) LIMIT 100001;
	SELECT notice_id, lot_number, version, title, cpv, reserved, declared_labels, detected_labels
		FROM lots PREWHERE notice_id IN (SELECT notice_id FROM notices WHERE deadline > ` + a + `)`
}

type benchCase struct {
	name string
	// req gives the i-th request: the API path and the SQL the API runs
	// for it, for clickhouse-client.
	req func(i int) (url, sql string)
}

// BenchmarkLatency loads VIGIE_BENCH_ROWS synthetic contracts (default 10
// million, see loadBenchData), refreshes the rollups, then prints p50/p99
// of the API and of clickhouse-client running the same SQL, at 1 and 50
// concurrent clients, for:
//   - cold: a new server (empty answer cache) for each measured request
//     at 1 client; at 50 clients, 50 identical first requests on a new
//     server (they share one computation);
//   - cached: identical requests, as a dashboard's viewers send;
//   - varied: each request with a random département (and theme, or
//     year range), so that many miss the cache; the hit rate is printed.
//
// Run with (not part of go test ./...: it needs -bench):
//
//	go test ./internal/api -run '^$' -bench Latency -benchtime 1x -timeout 60m
func BenchmarkLatency(b *testing.B) {
	n := 10_000_000
	if v := os.Getenv("VIGIE_BENCH_ROWS"); v != "" {
		n, _ = strconv.Atoi(v)
	}
	st := storetest.New(b)
	loadBenchData(b, st, n)
	host, port, _ := net.SplitHostPort(st.Addr())
	db := st.Database()
	deps, _ := benchDepartements()
	sums := benchSums()
	yearKey := "if(month = 0, 'unknown', toString(intDiv(month, 100)))"
	now := time.Now()
	cases := []benchCase{
		{"indicators year", func(int) (string, string) {
			return "/api/v1/contracts/indicators?group_by=year",
				"SELECT " + yearKey + " AS k0, '', " + sums + " FROM contract_rollup_month GROUP BY k0 ORDER BY k0 LIMIT 10001"
		}},
		{"indicators departement,year", func(int) (string, string) {
			return "/api/v1/contracts/indicators?group_by=departement,year",
				"SELECT if(departement = '', 'unknown', departement) AS k0, " + yearKey + " AS k1, '', " + sums +
					" FROM contract_rollup GROUP BY k0, k1 ORDER BY k0, k1 LIMIT 10001"
		}},
		{"tenders/open", func(int) (string, string) {
			return "/api/v1/tenders/open?limit=100", benchTendersSQL(now, "")
		}},
		{"tenders/open (open set reads)", func(int) (string, string) {
			return "/api/v1/tenders/open?limit=100", benchTenderSetSQL(now.Truncate(10 * time.Minute))
		}},
	}
	varied := []benchCase{
		{"indicators year, varied departement+theme", func(i int) (string, string) {
			r := rand.New(rand.NewPCG(uint64(i), 1))
			d, t := deps[r.IntN(len(deps))], theme.All[r.IntN(len(theme.All))]
			return "/api/v1/contracts/indicators?group_by=year&departement=" + d + "&theme=" + t,
				"SELECT " + yearKey + " AS k0, '', " + sums + " FROM contract_rollup WHERE departement = '" + d + "' AND theme = '" + t +
					"' GROUP BY k0 ORDER BY k0 LIMIT 10001"
		}},
		{"indicators departement,year, varied years", func(i int) (string, string) {
			r := rand.New(rand.NewPCG(uint64(i), 2))
			y := 2015 + r.IntN(8)
			y2 := y + 1 + r.IntN(3)
			return fmt.Sprintf("/api/v1/contracts/indicators?group_by=departement,year&from=%d-01-01&to=%d-12-31", y, y2),
				fmt.Sprintf("SELECT if(departement = '', 'unknown', departement) AS k0, %s AS k1, '', %s FROM contract_rollup"+
					" WHERE month >= %d01 AND month != 0 AND month <= %d12 GROUP BY k0, k1 ORDER BY k0, k1 LIMIT 10001", yearKey, sums, y, y2)
		}},
		{"tenders/open, varied departement", func(i int) (string, string) {
			d := deps[rand.New(rand.NewPCG(uint64(i), 3)).IntN(len(deps))]
			return "/api/v1/tenders/open?limit=100&departement=" + d, benchTendersSQL(now, d)
		}},
	}

	client := func(sql string) error {
		out, err := exec.Command("clickhouse-client", "--host", host, "--port", port, "--database", db, "--multiquery",
			"--query", sql).CombinedOutput()
		if err != nil {
			return fmt.Errorf("clickhouse-client: %v: %s", err, out)
		}
		return nil
	}
	// run measures clients × per requests; do gets a global request index.
	run := func(clients, per int, do func(i int) error) (p50, p99 time.Duration) {
		var mu sync.Mutex
		var ds []time.Duration
		var wg sync.WaitGroup
		for c := 0; c < clients; c++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for k := 0; k < per; k++ {
					t0 := time.Now()
					if err := do(c*per + k); err != nil {
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
		if len(ds) == 0 {
			return 0, 0
		}
		sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
		return ds[len(ds)/2], ds[(len(ds)*99)/100]
	}
	apiGet := func(srv *Server, url string) error {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest("GET", url, nil)
		req.RemoteAddr = "192.0.2.1:1234"
		srv.ServeHTTP(rec, req)
		if rec.Code != 200 {
			return fmt.Errorf("%s: %d %s", url, rec.Code, rec.Body.String())
		}
		return nil
	}
	// clickhouse-client runs per client: a process each, so fewer at 50
	// clients (100 samples: p99 is the second slowest).
	chPer := func(clients int) int {
		if clients > 1 {
			return 2
		}
		return 5
	}
	opts := Options{RatePerIP: 1e9, Burst: 1e9, MaxRows: 10000}
	r := func(d time.Duration) string { return d.Round(100 * time.Microsecond).String() }
	b.ResetTimer()
	fmt.Printf("\n%d contracts. API: in-process handler (no TCP); clickhouse-client: a process per query, same SQL.\n\n", n)
	fmt.Println("| query | mode | clients | API p50 | API p99 | computations/requests | clickhouse-client p50 | clickhouse-client p99 |")
	fmt.Println("|---|---|---|---|---|---|---|---|")
	line := func(name, mode string, clients int, ap50, ap99 time.Duration, comp, reqs int64, cp50, cp99 time.Duration) {
		fmt.Printf("| %s | %s | %d | %s | %s | %d/%d | %s | %s |\n", name, mode, clients, r(ap50), r(ap99), comp, reqs, r(cp50), r(cp99))
	}
	for _, c := range cases {
		url, sql := c.req(0)
		// Cold, 1 client: a new server for each request.
		ap50, ap99 := run(1, 5, func(int) error { return apiGet(New(st, opts), url) })
		cp50, cp99 := run(1, 5, func(int) error { return client(sql) })
		line(c.name, "cold", 1, ap50, ap99, 5, 5, cp50, cp99)
		// Cold, 50 clients: 50 identical first requests.
		srv := New(st, opts)
		ap50, ap99 = run(50, 1, func(int) error { return apiGet(srv, url) })
		cp50, cp99 = run(50, 1, func(int) error { return client(sql) })
		line(c.name, "cold", 50, ap50, ap99, srv.cache.computations.Load(), 50, cp50, cp99)
		// Cached (steady state), 1 and 50 clients.
		for _, clients := range []int{1, 50} {
			before := srv.cache.computations.Load()
			ap50, ap99 := run(clients, 40, func(int) error { return apiGet(srv, url) })
			cp50, cp99 := run(clients, chPer(clients), func(int) error { return client(sql) })
			line(c.name, "cached", clients, ap50, ap99, srv.cache.computations.Load()-before, int64(clients*40), cp50, cp99)
		}
	}
	for _, c := range varied {
		srv := New(st, opts)
		for _, clients := range []int{1, 50} {
			before := srv.cache.computations.Load()
			per := 20
			ap50, ap99 := run(clients, per, func(i int) error { u, _ := c.req(i + clients*1000); return apiGet(srv, u) })
			cp50, cp99 := run(clients, chPer(clients), func(i int) error { _, s := c.req(i + clients*1000); return client(s) })
			line(c.name, "varied", clients, ap50, ap99, srv.cache.computations.Load()-before, int64(clients*per), cp50, cp99)
		}
	}
}
