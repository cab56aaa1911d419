// Package duckdb compares vigie's indicator API with DuckDB on the same
// DECP rows, in one run (issue 18). It is its own module, so that DuckDB
// (cgo) never enters the vigie binary or its go.sum.
//
//	go run ./internal/source/decp/cmd/decpgen -n 2000000 -seed 7 -format 2022 -o /tmp/decp-2m.json
//	go run ./internal/source/decp/cmd/decpgen -n 10000 -seed 8 -format 2022 -o /tmp/decp-10k.json
//	cd bench/duckdb && VIGIE_BENCH_DECP=/tmp/decp-2m.json VIGIE_BENCH_DECP_NEW=/tmp/decp-10k.json \
//	    go test -run '^$' -bench VsDuckDB -benchtime 1x -timeout 60m
//
// Rows: the DECP file goes through vigie's own ingestion into a
// throwaway ClickHouse; the current version of every contract (contracts
// FINAL) is then exported and loaded into an in-process DuckDB with 2
// threads. Each query is asked of both with the same parameters.
package duckdb

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	_ "github.com/duckdb/duckdb-go/v2"

	"github.com/vigie-data/vigie/internal/api"
	"github.com/vigie-data/vigie/internal/source/decp"
	"github.com/vigie-data/vigie/internal/store"
	"github.com/vigie-data/vigie/internal/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// params are one request's filters and grouping, as API parameters.
type params map[string]string

// pools are the values requests draw from, read from the loaded data.
type pools struct {
	deps, themes, procedures, natures, buyers, cpvs, sources []string
}

// cases are the indicator queries measured; each draws its parameters.
var cases = []struct {
	name string
	gen  func(r *rand.Rand, p pools) params
}{
	{"year, national (month rollup)", func(r *rand.Rand, p pools) params {
		return params{"group_by": "year"}
	}},
	{"year, varied département + thème (rollup)", func(r *rand.Rand, p pools) params {
		return params{"group_by": "year", "departement": pick(r, p.deps), "theme": pick(r, p.themes)}
	}},
	{"the same + min_amount (facts)", func(r *rand.Rand, p pools) params {
		return params{"group_by": "year", "departement": pick(r, p.deps), "theme": pick(r, p.themes),
			"min_amount": fmt.Sprint(10000 * (1 + r.IntN(20)))}
	}},
	{"year, CPV prefix (facts)", func(r *rand.Rand, p pools) params {
		return params{"group_by": "year", "cpv": pick(r, p.cpvs)}
	}},
	{"departement, amount range (facts)", func(r *rand.Rand, p pools) params {
		lo := 5000 * (1 + r.IntN(40))
		return params{"group_by": "departement", "min_amount": fmt.Sprint(lo), "max_amount": fmt.Sprint(lo * 4)}
	}},
	{"year, procedure + nature (facts)", func(r *rand.Rand, p pools) params {
		return params{"group_by": "year", "procedure": pick(r, p.procedures), "nature": pick(r, p.natures)}
	}},
	{"year, buyer (facts)", func(r *rand.Rand, p pools) params {
		return params{"group_by": "year", "buyer": pick(r, p.buyers)}
	}},
	{"cpv_division, dates + source (facts)", func(r *rand.Rand, p pools) params {
		y := 2019 + r.IntN(4)
		return params{"group_by": "cpv_division", "from": fmt.Sprintf("%d-03-15", y), "to": fmt.Sprintf("%d-10-20", y+1), "source": pick(r, p.sources)}
	}},
	{"procedure,year, département + CPV + min_amount (facts)", func(r *rand.Rand, p pools) params {
		return params{"group_by": "procedure,year", "departement": pick(r, p.deps), "cpv": pick(r, p.cpvs)[:2],
			"min_amount": fmt.Sprint(1000 * (1 + r.IntN(50)))}
	}},
}

func pick(r *rand.Rand, v []string) string { return v[r.IntN(len(v))] }

// duckIndicators is the SQL DuckDB runs for p: the same definitions as
// internal/store (declared: any declared_* = 1; unknown: none = 1 and one
// NULL; detected: any of the labels), over the current contracts.
func duckIndicators(p params) (string, []any) {
	keyExpr := map[string]string{
		"year":         "CASE WHEN notification_date IS NULL THEN 'unknown' ELSE CAST(year(notification_date) AS VARCHAR) END",
		"departement":  "CASE WHEN departement = '' THEN 'unknown' ELSE departement END",
		"procedure":    "CASE WHEN procedure = '' THEN 'unknown' ELSE procedure END",
		"cpv_division": "CASE WHEN cpv_division = '' THEN 'unknown' ELSE cpv_division END",
	}
	var keys []string
	for i, g := range strings.Split(p["group_by"], ",") {
		keys = append(keys, fmt.Sprintf("%s AS k%d", keyExpr[g], i))
	}
	sel := append(keys, "count(*)", "sum(coalesce(amount, 0))", "count(amount)")
	for _, ind := range store.Indicators {
		var yes, null []string
		for _, c := range ind.Declared {
			yes = append(yes, "coalesce("+c+", 0) = 1")
			null = append(null, c+" IS NULL")
		}
		d := "(" + strings.Join(yes, " OR ") + ")"
		u := "(NOT " + d + " AND (" + strings.Join(null, " OR ") + "))"
		t := "list_has_any(detected_labels, ['" + strings.Join(ind.Detected, "', '") + "'])"
		sel = append(sel, "count(*) FILTER (WHERE "+d+")", "count(*) FILTER (WHERE "+u+")", "count(*) FILTER (WHERE "+t+")",
			"sum(CASE WHEN "+d+" THEN coalesce(amount, 0) ELSE 0 END)", "sum(CASE WHEN "+t+" THEN coalesce(amount, 0) ELSE 0 END)")
	}
	var where []string
	var args []any
	for _, f := range []struct{ param, cond string }{
		{"departement", "departement = ?"}, {"theme", "theme = ?"}, {"procedure", "procedure = ?"}, {"nature", "nature = ?"},
		{"buyer", "buyer_siret = ?"}, {"source", "source = ?"}, {"cpv", "starts_with(cpv, ?)"},
		{"from", "notification_date >= CAST(? AS DATE)"}, {"to", "notification_date <= CAST(? AS DATE)"},
		{"min_amount", "amount >= CAST(? AS DOUBLE)"}, {"max_amount", "amount <= CAST(? AS DOUBLE)"},
	} {
		if v, ok := p[f.param]; ok {
			where = append(where, f.cond)
			args = append(args, v)
		}
	}
	q := "SELECT " + strings.Join(sel, ", ") + " FROM contracts"
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	var gb []string
	for i := range keys {
		gb = append(gb, fmt.Sprintf("k%d", i))
	}
	return q + " GROUP BY " + strings.Join(gb, ", ") + " ORDER BY " + strings.Join(gb, ", "), args
}

func (p params) url() string {
	v := url.Values{}
	for k, x := range p {
		v.Set(k, x)
	}
	return "/api/v1/contracts/indicators?" + v.Encode()
}

func quantiles(ds []time.Duration) (p50, p99 time.Duration) {
	if len(ds) == 0 {
		return 0, 0
	}
	sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
	return ds[len(ds)/2], ds[(len(ds)*99)/100]
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1000) }

func BenchmarkVsDuckDB(b *testing.B) {
	path, newPath := os.Getenv("VIGIE_BENCH_DECP"), os.Getenv("VIGIE_BENCH_DECP_NEW")
	if path == "" {
		b.Skip("set VIGIE_BENCH_DECP to a decpgen file (and VIGIE_BENCH_DECP_NEW to a second one), see the package comment")
	}
	ctx := context.Background()
	st := storetest.New(b)
	load, _ := os.ReadFile("/proc/loadavg")
	fmt.Printf("\nload average at start: %s", load)

	t0 := time.Now()
	sum, err := decp.IngestFile(ctx, st, path, decp.Options{})
	if err != nil {
		b.Fatal(err)
	}
	fmt.Printf("vigie ingest: %d records, %d contracts in %s\n", sum.RecordsRead, sum.Contracts, time.Since(t0).Round(time.Millisecond))
	t0 = time.Now()
	step, err := st.UpdateRollups(ctx)
	if err != nil {
		b.Fatal(err)
	}
	fmt.Printf("first rollup step (every contract, off the read path): %s, %d facts rows\n", time.Since(t0).Round(time.Millisecond), step.Changed)

	// The same rows into DuckDB: the current version of every contract.
	host, port, _ := net.SplitHostPort(st.Addr())
	tsv := filepath.Join(b.TempDir(), "contracts.csv")
	t0 = time.Now()
	cmd := exec.Command("clickhouse-client", "--host", host, "--port", port, "--database", st.Database(), "--query",
		`SELECT buyer_siret, buyer_name, contract_id, notification_date, departement, region, cpv, cpv_division, procedure, nature,
			theme, source, amount, declared_social_clause, declared_social_criterion, declared_reserved, declared_env_clause,
			declared_env_criterion, arrayStringConcat(detected_labels, ',') AS labels
		FROM contracts FINAL FORMAT CSVWithNames`)
	f, err := os.Create(tsv)
	if err != nil {
		b.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stdout, cmd.Stderr = f, &stderr
	if err := cmd.Run(); err != nil {
		b.Fatalf("export: %v %s", err, stderr.String())
	}
	f.Close()
	db, err := sql.Open("duckdb", "")
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(8)
	for _, q := range []string{"SET threads TO 2",
		`CREATE TABLE contracts AS SELECT buyer_siret, buyer_name, contract_id, notification_date, departement, region, cpv, cpv_division,
			procedure, nature, theme, source, amount, declared_social_clause, declared_social_criterion, declared_reserved,
			declared_env_clause, declared_env_criterion,
			CASE WHEN labels = '' THEN []::VARCHAR[] ELSE string_split(labels, ',') END AS detected_labels
		FROM read_csv('` + tsv + `', delim = ',', header = true, nullstr = '\N', quote = '"', escape = '"',
			types = {'buyer_siret': 'VARCHAR', 'contract_id': 'VARCHAR', 'departement': 'VARCHAR', 'region': 'VARCHAR',
				'cpv': 'VARCHAR', 'cpv_division': 'VARCHAR', 'notification_date': 'DATE', 'amount': 'DOUBLE', 'labels': 'VARCHAR',
				'declared_social_clause': 'TINYINT', 'declared_social_criterion': 'TINYINT', 'declared_reserved': 'TINYINT',
				'declared_env_clause': 'TINYINT', 'declared_env_criterion': 'TINYINT'})`} {
		if _, err := db.Exec(q); err != nil {
			b.Fatalf("duckdb: %v", err)
		}
	}
	var nDuck, nCH uint64
	db.QueryRow("SELECT count(*) FROM contracts").Scan(&nDuck)
	fmt.Printf("DuckDB load (export + read_csv): %d contracts in %s\n", nDuck, time.Since(t0).Round(time.Millisecond))

	// Parameter pools from the data.
	var p pools
	for _, x := range []struct {
		dst *[]string
		q   string
	}{
		{&p.deps, "SELECT DISTINCT departement FROM contracts WHERE departement != ''"},
		{&p.themes, "SELECT DISTINCT theme FROM contracts WHERE theme != ''"},
		{&p.procedures, "SELECT DISTINCT procedure FROM contracts WHERE procedure != ''"},
		{&p.natures, "SELECT DISTINCT nature FROM contracts WHERE nature != ''"},
		{&p.buyers, "SELECT buyer_siret FROM contracts GROUP BY buyer_siret ORDER BY count(*) DESC, buyer_siret LIMIT 500"},
		{&p.cpvs, "SELECT DISTINCT substr(cpv, 1, 3) FROM contracts WHERE length(cpv) >= 3"},
		{&p.sources, "SELECT DISTINCT source FROM contracts"},
	} {
		rows, err := db.Query(x.q)
		if err != nil {
			b.Fatal(err)
		}
		for rows.Next() {
			var s string
			rows.Scan(&s)
			*x.dst = append(*x.dst, s)
		}
		rows.Close()
		sort.Strings(*x.dst)
	}

	opts := api.Options{RatePerIP: 1e9, Burst: 1e9}
	get := func(srv *api.Server, p params) (string, error) {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest("GET", p.url(), nil)
		req.RemoteAddr = "192.0.2.1:1234"
		srv.ServeHTTP(rec, req)
		if rec.Code != 200 {
			return "", fmt.Errorf("%s: %d %s", p.url(), rec.Code, rec.Body.String())
		}
		return rec.Body.String(), nil
	}
	duck := func(p params) (int, uint64, error) {
		q, args := duckIndicators(p)
		rows, err := db.Query(q, args...)
		if err != nil {
			return 0, 0, err
		}
		defer rows.Close()
		cols, _ := rows.Columns()
		n, total := 0, uint64(0)
		for rows.Next() {
			dest := make([]any, len(cols))
			for i := range dest {
				dest[i] = new(any)
			}
			if err := rows.Scan(dest...); err != nil {
				return 0, 0, err
			}
			k := strings.Count(p["group_by"], ",") + 1
			switch c := (*dest[k].(*any)).(type) {
			case int64:
				total += uint64(c)
			}
			n++
		}
		return n, total, rows.Err()
	}
	// vigieCount reads the groups and contracts of an API answer.
	vigieCount := func(body string) (int, uint64) {
		n := strings.Count(body, `"contracts_with_amount"`)
		var total uint64
		for _, part := range strings.Split(body, `"contracts":`)[1:] {
			var c uint64
			fmt.Sscan(strings.SplitN(part, ",", 2)[0], &c)
			total += c
		}
		return n, total
	}
	db.QueryRow("SELECT count(*) FROM contracts").Scan(&nDuck)
	_ = nCH

	fmt.Printf("\n%d contracts; 1 client, no answer cache (a new API server per request), 15 requests per query with drawn parameters, the same for both.\n\n", nDuck)
	fmt.Println("| query | vigie API p50 | vigie API p99 | computed_from | DuckDB p50 (2 threads) | DuckDB p99 | answers equal (groups, contracts) |")
	fmt.Println("|---|---|---|---|---|---|---|")
	const per = 15
	for ci, c := range cases {
		var vd, dd []time.Duration
		origin, equal := "", "yes"
		for i := 0; i < per; i++ {
			pr := c.gen(rand.New(rand.NewPCG(uint64(ci), uint64(i))), p)
			t := time.Now()
			body, err := get(api.New(st, opts), pr)
			if err != nil {
				b.Fatal(err)
			}
			vd = append(vd, time.Since(t))
			if j := strings.Index(body, `"computed_from":"`); j >= 0 {
				origin = strings.SplitN(body[j+17:], `"`, 2)[0]
			}
			t = time.Now()
			gd, cd, err := duck(pr)
			if err != nil {
				b.Fatalf("duckdb %v: %v", pr, err)
			}
			dd = append(dd, time.Since(t))
			if gv, cv := vigieCount(body); gv != gd || cv != cd {
				equal = fmt.Sprintf("NO: vigie %d/%d, DuckDB %d/%d for %v", gv, cv, gd, cd, pr)
			}
		}
		v50, v99 := quantiles(vd)
		d50, d99 := quantiles(dd)
		fmt.Printf("| %s | %s | %s | %s | %s | %s | %s |\n", c.name, ms(v50), ms(v99), origin, ms(d50), ms(d99), equal)
	}

	// 50 clients, varied queries of every case, one shared API server
	// (its answer cache and admission as in production).
	run50 := func(label string, each int, do func(i int) error) {
		var mu sync.Mutex
		var ds []time.Duration
		var wg sync.WaitGroup
		const clients = 50
		start := time.Now()
		for c := 0; c < clients; c++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for k := 0; k < each; k++ {
					t := time.Now()
					if err := do(c*each + k); err != nil {
						b.Error(err)
						return
					}
					mu.Lock()
					ds = append(ds, time.Since(t))
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		p50, p99 := quantiles(ds)
		fmt.Printf("| %s | %d | %s | %s | %s |\n", label, len(ds), ms(p50), ms(p99), time.Since(start).Round(time.Millisecond))
	}
	draw := func(i int) params {
		r := rand.New(rand.NewPCG(uint64(i), 50))
		return cases[r.IntN(len(cases))].gen(r, p)
	}
	fmt.Print("\n50 clients, each request a drawn query of the cases above (DuckDB: fewer requests, for time).\n\n")
	fmt.Println("| engine | requests | p50 | p99 | wall |")
	fmt.Println("|---|---|---|---|---|")
	srv := api.New(st, opts)
	run50("vigie API (shared server: cache, coalescing, admission)", 8, func(i int) error { _, err := get(srv, draw(i)); return err })
	run50("DuckDB (one in-process database, 2 threads)", 2, func(i int) error { _, _, err := duck(draw(i)); return err })

	compareOrders(b, st, p)
	if newPath == "" {
		return
	}
	// After an ingestion: the API keeps answering from the last state
	// while the maintainer (as in 'vigie serve') takes the new contracts in.
	mctx, stop := context.WithCancel(ctx)
	defer stop()
	go st.MaintainRollups(mctx, 2*time.Second)
	year := params{"group_by": "year"}
	body, err := get(srv, year)
	if err != nil {
		b.Fatal(err)
	}
	_, before := vigieCount(body)
	t0 = time.Now()
	sum, err = decp.IngestFile(ctx, st, newPath, decp.Options{})
	if err != nil {
		b.Fatal(err)
	}
	ingested := time.Now()
	fmt.Printf("\nIngested %s: %d contracts (%d new, %d updated) in %s.\n", filepath.Base(newPath), sum.Contracts, sum.New, sum.Updated,
		ingested.Sub(t0).Round(time.Millisecond))
	t := time.Now()
	body, err = get(srv, year)
	if err != nil {
		b.Fatal(err)
	}
	first := time.Since(t)
	t = time.Now()
	if _, err := get(api.New(st, opts), params{"group_by": "year", "min_amount": "50000"}); err != nil {
		b.Fatal(err)
	}
	firstFacts := time.Since(t)
	var lag time.Duration
	var after uint64
	for {
		body, err = get(srv, year)
		if err != nil {
			b.Fatal(err)
		}
		if _, after = vigieCount(body); after != before || time.Since(ingested) > 2*time.Minute {
			lag = time.Since(ingested)
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	fmt.Printf("first group_by=year after it: %s (cached answer of the last state); a new facts query: %s\n", ms(first), ms(firstFacts))
	fmt.Printf("answers include the new contracts (%d → %d) %s after the ingestion ended\n", before, after, ms(lag))
	t = time.Now()
	if _, _, err := duck(year); err != nil {
		b.Fatal(err)
	}
	fmt.Printf("DuckDB group_by=year (no derived state to refresh): %s\n", ms(time.Since(t)))
	load, _ = os.ReadFile("/proc/loadavg")
	fmt.Printf("load average at end: %s", load)
}

// compareOrders measures the ad hoc filters on copies of contract_facts
// sorted other ways (the choice of sql/0009's ORDER BY), 1 client, same
// SQL as the API's facts queries.
func compareOrders(b *testing.B, st *store.Store, p pools) {
	ctx := context.Background()
	conn, err := clickhouse.Open(&clickhouse.Options{Addr: []string{st.Addr()}, Auth: clickhouse.Auth{Database: st.Database()}})
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close()
	orders := []string{"(departement, theme, month)", "(month, departement, theme)", "(buyer_siret, contract_id)"}
	sums := "sum(contracts), sum(amount_sum), sum(amount_known)"
	for _, ind := range store.Indicators {
		sums += fmt.Sprintf(", sum(%[1]s_decl), sum(%[1]s_unk), sum(%[1]s_det), sumIf(amount_sum, %[1]s_decl != 0), sumIf(amount_sum, %[1]s_det != 0)", ind.Name)
	}
	year := "if(month = 0, 'unknown', toString(intDiv(month, 100)))"
	queries := []struct {
		name string
		sql  func(r *rand.Rand) string
	}{
		{"département + thème + min_amount", func(r *rand.Rand) string {
			return fmt.Sprintf("SELECT %s AS k, %s FROM %%s WHERE departement = '%s' AND theme = '%s' AND amount_value >= %d GROUP BY k",
				year, sums, pick(r, p.deps), pick(r, p.themes), 10000*(1+r.IntN(20)))
		}},
		{"CPV prefix", func(r *rand.Rand) string {
			return fmt.Sprintf("SELECT %s AS k, %s FROM %%s WHERE startsWith(cpv, '%s') GROUP BY k", year, sums, pick(r, p.cpvs))
		}},
		{"buyer", func(r *rand.Rand) string {
			return fmt.Sprintf("SELECT %s AS k, %s FROM %%s WHERE buyer_siret = '%s' GROUP BY k", year, sums, pick(r, p.buyers))
		}},
		{"procedure + nature", func(r *rand.Rand) string {
			return fmt.Sprintf("SELECT %s AS k, %s FROM %%s WHERE procedure = '%s' AND nature = '%s' GROUP BY k", year, sums,
				strings.ReplaceAll(pick(r, p.procedures), "'", "\\'"), pick(r, p.natures))
		}},
	}
	fmt.Print("\ncontract_facts sorted other ways: p50 of 9 queries, 1 client, SQL straight to ClickHouse.\n\n")
	head := "| ORDER BY |"
	for _, q := range queries {
		head += " " + q.name + " |"
	}
	fmt.Println(head)
	fmt.Println("|---|" + strings.Repeat("---|", len(queries)))
	for i, o := range orders {
		table := fmt.Sprintf("facts_order_%d", i)
		for _, q := range []string{"CREATE TABLE " + table + " AS contract_facts ENGINE = MergeTree ORDER BY " + o,
			"INSERT INTO " + table + " SELECT * FROM contract_facts", "OPTIMIZE TABLE " + table + " FINAL"} {
			if err := conn.Exec(ctx, q); err != nil {
				b.Fatalf("%s: %v", q, err)
			}
		}
		line := "| " + o + " |"
		for qi, q := range queries {
			var ds []time.Duration
			for k := 0; k < 9; k++ {
				sql := fmt.Sprintf(q.sql(rand.New(rand.NewPCG(uint64(qi), uint64(k)))), table)
				t := time.Now()
				rows, err := conn.Query(ctx, sql)
				if err != nil {
					b.Fatalf("%s: %v", sql, err)
				}
				for rows.Next() {
				}
				rows.Close()
				ds = append(ds, time.Since(t))
			}
			p50, _ := quantiles(ds)
			line += " " + ms(p50) + " |"
		}
		fmt.Println(line)
		_ = conn.Exec(ctx, "DROP TABLE "+table)
	}
}
