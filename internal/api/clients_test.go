package api_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/csv"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/mmcdole/gofeed"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/vigie-data/vigie/internal/api"
	"github.com/vigie-data/vigie/internal/samples"
	"github.com/vigie-data/vigie/internal/source/boamp"
	"github.com/vigie-data/vigie/internal/source/decp"
	"github.com/vigie-data/vigie/internal/store"
	"github.com/vigie-data/vigie/internal/store/storetest"
)

// What real clients get (issue 17): the fixtures of testdata/ loaded
// through the real ingestions, read with the clients' own parsers.

// fixtureStore loads the DECP 2019/2022 variants, a V230 notice with a
// reserved lot and an eForms notice.
func fixtureStore(t *testing.T) *store.Store {
	t.Helper()
	st := storetest.New(t)
	root := samples.RepoRoot(t)
	ctx := context.Background()
	for _, f := range []string{"variants-2019.json", "variants-2022.json"} {
		if _, err := decp.IngestFile(ctx, st, filepath.Join(root, "testdata/decp", f), decp.Options{}); err != nil {
			t.Fatalf("ingest %s: %v", f, err)
		}
	}
	if _, err := boamp.IngestFiles(ctx, st, []string{filepath.Join(root, "testdata/boamp/v230-marche-reserve.xml"),
		filepath.Join(root, "testdata/eforms/cn-gpp-reserved.xml")}, boamp.Options{}); err != nil {
		t.Fatalf("ingest notices: %v", err)
	}
	return st
}

func body(t *testing.T, res *http.Response) []byte {
	t.Helper()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestListingsPagesAndExports: a CSV without limit holds every row; a
// JSON page has total, next and prev (in the body and in Link), and prev
// leads back to the same rows.
func TestListingsPagesAndExports(t *testing.T) {
	st := fixtureStore(t)
	srv := api.New(st, api.Options{MaxRows: 5, RatePerIP: 1000, Burst: 1000})

	var first struct {
		Total      int               `json:"total"`
		Items      []json.RawMessage `json:"items"`
		Next, Prev *string
		NextCursor *string `json:"next_cursor"`
	}
	getJSON(t, srv, "/api/v1/contracts?limit=2", &first)
	if first.Total < 6 || len(first.Items) != 2 || first.Next == nil || first.Prev != nil {
		t.Fatalf("first page: total %d, %d items, next %v, prev %v", first.Total, len(first.Items), first.Next, first.Prev)
	}
	res := get(t, srv, "/api/v1/contracts?limit=2")
	if l := res.Header.Get("Link"); !strings.Contains(l, `rel="next"`) {
		t.Errorf("Link %q", l)
	}
	var second struct {
		Items      []json.RawMessage `json:"items"`
		Next, Prev *string
	}
	getJSON(t, srv, *first.Next, &second)
	if second.Prev == nil || len(second.Items) != 2 {
		t.Fatalf("second page: %d items, prev %v", len(second.Items), second.Prev)
	}
	var back struct {
		Items []json.RawMessage `json:"items"`
		Next  *string
	}
	getJSON(t, srv, *second.Prev, &back)
	if len(back.Items) != 2 || string(back.Items[0]) != string(first.Items[0]) || string(back.Items[1]) != string(first.Items[1]) {
		t.Errorf("prev of page 2 is not page 1: %s", back.Items)
	}

	// Every row in the CSV, though the server's page limit is 5.
	res = get(t, srv, "/api/v1/contracts?format=csv")
	recs, err := csv.NewReader(bytes.NewReader(body(t, res))).ReadAll()
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("csv: %d %v", res.StatusCode, err)
	}
	if len(recs)-1 != first.Total {
		t.Errorf("CSV without limit: %d rows, total %d", len(recs)-1, first.Total)
	}
	// A filtered total counts what the filtered export holds.
	for _, f := range []string{"departement=75", "from=2024-01-01&min_amount=1", "theme=autre"} {
		var ft struct{ Total int }
		getJSON(t, srv, "/api/v1/contracts?limit=1&"+f, &ft)
		recs, _ := csv.NewReader(bytes.NewReader(body(t, get(t, srv, "/api/v1/contracts?format=csv&"+f)))).ReadAll()
		if ft.Total != len(recs)-1 {
			t.Errorf("%s: total %d, CSV %d rows", f, ft.Total, len(recs)-1)
		}
	}
	res = get(t, srv, "/api/v1/notices?format=csv")
	recs, _ = csv.NewReader(bytes.NewReader(body(t, res))).ReadAll()
	var notices struct{ Total int }
	getJSON(t, srv, "/api/v1/notices", &notices)
	if len(recs)-1 != notices.Total || notices.Total < 2 {
		t.Errorf("notices CSV: %d rows, total %d", len(recs)-1, notices.Total)
	}
}

// TestTypesThatSurvive: identifiers and versions are strings, booleans
// booleans, dates dates, nulls null, no server path.
func TestTypesThatSurvive(t *testing.T) {
	st := fixtureStore(t)
	srv := api.New(st, api.Options{RatePerIP: 1000, Burst: 1000})
	var page struct {
		Items []map[string]any `json:"items"`
	}
	getJSON(t, srv, "/api/v1/contracts?limit=100", &page)
	if len(page.Items) == 0 {
		t.Fatal("no contracts")
	}
	date := regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)
	for _, c := range page.Items {
		for _, k := range []string{"buyer_siret", "buyer_siren", "cpv", "version", "contract_id"} {
			if _, ok := c[k].(string); !ok && c[k] != nil {
				t.Errorf("%s is %T (%v), want a string", k, c[k], c[k])
			}
		}
		for _, k := range []string{"declared_social_clause", "declared_reserved", "declared_env_clause"} {
			if _, ok := c[k].(bool); !ok && c[k] != nil {
				t.Errorf("%s is %T (%v), want a boolean or null", k, c[k], c[k])
			}
		}
		for _, k := range []string{"notification_date", "publication_date"} {
			if v, ok := c[k].(string); ok && !date.MatchString(v) {
				t.Errorf("%s = %q, want YYYY-MM-DD", k, v)
			}
		}
		for k, v := range c {
			if v == "" {
				t.Errorf("%s is \"\": a missing value must be null", k)
			}
		}
		if o, _ := c["origin"].(string); strings.Contains(o, "/") && !strings.Contains(o, "://") {
			t.Errorf("origin %q exposes a server path", o)
		}
	}
	var notices struct {
		Items []map[string]any `json:"items"`
	}
	getJSON(t, srv, "/api/v1/notices", &notices)
	for _, n := range notices.Items {
		if _, ok := n["cancelled"].(bool); !ok {
			t.Errorf("cancelled is %T", n["cancelled"])
		}
		if d, ok := n["deadline"].(string); ok {
			if _, err := time.Parse(time.RFC3339, d); err != nil || !(strings.HasSuffix(d, "+01:00") || strings.HasSuffix(d, "+02:00")) {
				t.Errorf("deadline %q: want RFC 3339 in Paris time", d)
			}
		}
		if u, _ := n["url"].(string); u == "" {
			t.Errorf("notice %v without url", n["notice_id"])
		}
	}

	// The scorecard names the buyer's SIREN.
	var sc struct {
		Buyer struct{ Siret, Siren string }
	}
	getJSON(t, srv, "/api/v1/buyers/21750001630066/scorecard", &sc)
	if sc.Buyer.Siren != "217500016" {
		t.Errorf("scorecard buyer %+v", sc.Buyer)
	}
}

// TestCSVWithTableSchema reads every CSV with encoding/csv and checks
// each cell against the Table Schema its describedby link names, in both
// dialects.
func TestCSVWithTableSchema(t *testing.T) {
	st := fixtureStore(t)
	srv := api.New(st, api.Options{RatePerIP: 1000, Burst: 1000})
	linkRe := regexp.MustCompile(`<([^>]+)>; rel="describedby"`)
	for _, u := range []string{"/api/v1/contracts?format=csv", "/api/v1/notices?format=csv", "/api/v1/contracts/indicators?group_by=year,departement&format=csv",
		"/api/v1/tenders/open?deadline_after=2000-01-01&format=csv", "/api/v1/buyers/21750001630066/scorecard?format=csv"} {
		for _, dialect := range []string{"", "excel-fr"} {
			url := u
			if dialect != "" {
				url += "&dialect=" + dialect
			}
			res := get(t, srv, url)
			raw := body(t, res)
			m := linkRe.FindStringSubmatch(res.Header.Get("Link"))
			if res.StatusCode != 200 || m == nil {
				t.Errorf("%s: %d, Link %q", url, res.StatusCode, res.Header.Get("Link"))
				continue
			}
			var schema struct {
				Fields []struct {
					Name, Type  string
					DecimalChar string `json:"decimalChar"`
				}
				Dialect struct {
					Delimiter string
					BOM       bool
				} `json:"x-csv-dialect"`
			}
			getJSON(t, srv, m[1], &schema)
			if dialect == "excel-fr" {
				if !bytes.HasPrefix(raw, []byte("\uFEFF")) || schema.Dialect.Delimiter != ";" {
					t.Errorf("%s: no BOM or delimiter %q", url, schema.Dialect.Delimiter)
				}
				raw = bytes.TrimPrefix(raw, []byte("\uFEFF"))
			}
			r := csv.NewReader(bytes.NewReader(raw))
			r.Comma = rune(schema.Dialect.Delimiter[0])
			recs, err := r.ReadAll()
			if err != nil || len(recs) < 2 {
				t.Errorf("%s: %v, %d records", url, err, len(recs))
				continue
			}
			if len(recs[0]) != len(schema.Fields) {
				t.Errorf("%s: %d columns, schema %d", url, len(recs[0]), len(schema.Fields))
				continue
			}
			for i, f := range schema.Fields {
				if recs[0][i] != f.Name {
					t.Errorf("%s: column %d %q, schema %q", url, i, recs[0][i], f.Name)
				}
				for _, rec := range recs[1:] {
					if v := rec[i]; v != "" && !castOK(f.Type, f.DecimalChar, v) {
						t.Errorf("%s: %s = %q is not a %s (decimalChar %q)", url, f.Name, v, f.Type, f.DecimalChar)
					}
				}
			}
		}
	}
}

func castOK(typ, decimal, v string) bool {
	var err error
	switch typ {
	case "integer":
		_, err = strconv.ParseInt(v, 10, 64)
	case "number":
		if decimal != "" {
			if strings.Contains(v, ".") {
				return false
			}
			v = strings.Replace(v, decimal, ".", 1)
		}
		_, err = strconv.ParseFloat(v, 64)
	case "boolean":
		_, err = strconv.ParseBool(v)
	case "date":
		_, err = time.Parse(time.DateOnly, v)
	case "datetime":
		_, err = time.Parse(time.RFC3339, v)
	case "string":
		return utf8.ValidString(v)
	default:
		return false
	}
	return err == nil
}

// TestHTTPCaching: ETag and Last-Modified with 304s, Cache-Control,
// gzip, 405 with Allow.
func TestHTTPCaching(t *testing.T) {
	st := fixtureStore(t)
	srv := api.New(st, api.Options{RatePerIP: 1000, Burst: 1000})
	for _, u := range []string{"/api/v1/contracts/indicators?group_by=year", "/api/v1/contracts", "/api/v1/notices",
		"/api/v1/tenders/open?deadline_after=2000-01-01&format=atom", "/api/v1/buyers/21750001630066/scorecard"} {
		res := get(t, srv, u)
		etag, lm := res.Header.Get("ETag"), res.Header.Get("Last-Modified")
		if res.StatusCode != 200 || etag == "" || lm == "" || !strings.Contains(res.Header.Get("Cache-Control"), "max-age") {
			t.Errorf("%s: %d ETag %q Last-Modified %q Cache-Control %q", u, res.StatusCode, etag, lm, res.Header.Get("Cache-Control"))
			continue
		}
		if r2 := get(t, srv, u, "If-None-Match", etag); r2.StatusCode != 304 || len(body(t, r2)) != 0 {
			t.Errorf("%s If-None-Match: %d", u, r2.StatusCode)
		}
		if r2 := get(t, srv, u, "If-Modified-Since", lm); r2.StatusCode != 304 {
			t.Errorf("%s If-Modified-Since: %d", u, r2.StatusCode)
		}
		if r2 := get(t, srv, u, "If-None-Match", `"other"`); r2.StatusCode != 200 {
			t.Errorf("%s stale ETag: %d", u, r2.StatusCode)
		}
	}
	plain := body(t, get(t, srv, "/api/v1/contracts?limit=100"))
	res := get(t, srv, "/api/v1/contracts?limit=100", "Accept-Encoding", "gzip")
	if res.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("no gzip: %v", res.Header)
	}
	zr, err := gzip.NewReader(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	unzipped, _ := io.ReadAll(zr)
	if !bytes.Equal(unzipped, plain) {
		t.Errorf("gzipped body differs")
	}
	for _, m := range []string{"POST", "DELETE", "PUT"} {
		req := httptest.NewRequest(m, "/api/v1/contracts", nil)
		req.RemoteAddr = "192.0.2.1:1"
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		if rec.Code != 405 || !strings.Contains(rec.Header().Get("Allow"), "GET") {
			t.Errorf("%s: %d Allow %q", m, rec.Code, rec.Header().Get("Allow"))
		}
	}
	if res := get(t, srv, "/api/v1/nothing"); res.StatusCode != 404 {
		t.Errorf("unknown path: %d", res.StatusCode)
	}
}

// TestForwardedFor: behind a listed proxy, each client has its own rate
// limit; a client sending the header itself does not escape its own.
func TestForwardedFor(t *testing.T) {
	st := storetest.New(t)
	proxies, err := api.ParseProxies("10.0.0.0/8, 192.0.2.7")
	if err != nil {
		t.Fatal(err)
	}
	srv := api.New(st, api.Options{RatePerIP: 0.001, Burst: 1, TrustedProxies: proxies})
	call := func(remote, xff string) int {
		req := httptest.NewRequest("GET", "/api/v1/definitions", nil)
		req.RemoteAddr = remote
		if xff != "" {
			req.Header.Set("X-Forwarded-For", xff)
		}
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		return rec.Code
	}
	// Two clients behind the proxy: one request each.
	if a, b := call("10.1.2.3:5", "203.0.113.1"), call("10.1.2.3:5", "203.0.113.2"); a != 200 || b != 200 {
		t.Errorf("clients behind a trusted proxy share a limit: %d %d", a, b)
	}
	// The same client again: limited.
	if c := call("192.0.2.7:5", "203.0.113.1, 10.9.9.9"); c != 429 {
		t.Errorf("same client through two proxies: %d", c)
	}
	// An untrusted peer cannot pick its address.
	if a, b := call("198.51.100.1:5", "203.0.113.50"), call("198.51.100.1:5", "203.0.113.51"); a != 200 || b != 429 {
		t.Errorf("untrusted X-Forwarded-For honoured: %d %d", a, b)
	}
}

// TestMetrics parses /metrics with Prometheus' own text parser.
func TestMetrics(t *testing.T) {
	st := storetest.New(t)
	srv := api.New(st, api.Options{RatePerIP: 1000, Burst: 1000})
	srv.Handle("GET /metrics", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "# HELP vigie_pipeline_running Runs.\n# TYPE vigie_pipeline_running gauge\nvigie_pipeline_running{pipeline=\"decp\"} 0\n")
	}))
	get(t, srv, "/api/v1/definitions")
	get(t, srv, "/api/v1/definitions")
	get(t, srv, "/api/v1/contracts?limit=0")
	res := get(t, srv, "/metrics")
	p := expfmt.NewTextParser(model.LegacyValidation)
	fams, err := p.TextToMetricFamilies(res.Body)
	if err != nil {
		t.Fatalf("metrics do not parse: %v", err)
	}
	for _, name := range []string{"vigie_http_requests_total", "vigie_http_request_duration_seconds", "go_goroutines",
		"process_cpu_seconds_total", "vigie_build_info", "vigie_pipeline_running"} {
		if fams[name] == nil {
			t.Errorf("%s missing", name)
		}
	}
	found := false
	for _, m := range fams["vigie_http_requests_total"].GetMetric() {
		labels := map[string]string{}
		for _, l := range m.GetLabel() {
			labels[l.GetName()] = l.GetValue()
		}
		if labels["route"] == "/api/v1/definitions" && labels["code"] == "200" && m.GetCounter().GetValue() == 2 {
			found = true
		}
	}
	if !found {
		t.Errorf("no count of 2 for /api/v1/definitions: %v", fams["vigie_http_requests_total"])
	}
	for _, m := range fams["vigie_http_request_duration_seconds"].GetMetric() {
		if m.GetHistogram().GetSampleCount() == 0 {
			t.Errorf("empty histogram %v", m)
		}
	}
}

// TestAtomFeed reads the feed with gofeed.
func TestAtomFeed(t *testing.T) {
	st := fixtureStore(t)
	srv := api.New(st, api.Options{RatePerIP: 1000, Burst: 1000, BaseURL: "https://vigie.example"})
	u := "/api/v1/tenders/open?deadline_after=2000-01-01&format=atom"
	res := get(t, srv, u)
	raw := body(t, res)
	feed, err := gofeed.NewParser().ParseString(string(raw))
	if err != nil {
		t.Fatalf("feed: %v", err)
	}
	if feed.FeedType != "atom" || len(feed.Items) < 2 {
		t.Fatalf("%s feed with %d entries", feed.FeedType, len(feed.Items))
	}
	ted := false
	for _, it := range feed.Items {
		if it.Link == "" {
			t.Errorf("entry %s without link", it.GUID)
		}
		ted = ted || strings.HasPrefix(it.Link, "https://ted.europa.eu/")
		if n := utf8.RuneCountInString(it.Title); n > 140 || !strings.Contains(it.Title, " — ") {
			t.Errorf("title %q (%d characters)", it.Title, n)
		}
		if !regexp.MustCompile(`Date limite : .*UTC\+0[12]:00`).MatchString(it.Description) {
			t.Errorf("deadline not in Paris time: %q", it.Description)
		}
		if !strings.Contains(it.Description, "Lot ") && !strings.Contains(it.Description, "Avis : ") {
			t.Errorf("summary without lots or labels: %q", it.Description)
		}
	}
	if !ted {
		t.Error("no eForms entry linked to TED")
	}
	time.Sleep(1100 * time.Millisecond)
	again := body(t, get(t, srv, u))
	if !bytes.Equal(raw, again) {
		t.Errorf("the feed changed without a data change")
	}
	if get(t, srv, u).Header.Get("ETag") == "" {
		t.Error("feed without ETag")
	}
}

// TestBadParameters: dates out of the stored range, malformed escapes.
func TestBadParameters(t *testing.T) {
	st := storetest.New(t)
	srv := api.New(st, api.Options{RatePerIP: 1000, Burst: 1000})
	cases := map[string]string{
		"/api/v1/contracts?to=2106-02-06":                                "to",
		"/api/v1/contracts?from=2200-01-01":                              "from",
		"/api/v1/contracts?to=9999-12-31":                                "to",
		"/api/v1/contracts/indicators?group_by=year&to=9999-12-31":       "to",
		"/api/v1/contracts/indicators?group_by=year&from=1900-01-01":     "from",
		"/api/v1/notices?to=2106-02-06":                                  "to",
		"/api/v1/tenders/open?deadline_after=2200-01-01":                 "deadline_after",
		"/api/v1/contracts?departement=%zz":                              "departement",
		"/api/v1/contracts/indicators?group_by=year&departement=%zz":     "departement",
		"/api/v1/notices?q=%e9%":                                         "q",
		"/api/v1/contracts?format=csv&dialect=excel-de":                  "dialect",
		"/api/v1/contracts?dialect=excel-fr":                             "dialect",
		"/api/v1/contracts/indicators?group_by=year&format=csv&limit=10": "limit",
	}
	for url, param := range cases {
		res := get(t, srv, url)
		var e struct{ Error, Parameter string }
		_ = json.NewDecoder(res.Body).Decode(&e)
		if res.StatusCode != 400 || e.Parameter != param {
			t.Errorf("%s: %d %+v, want 400 naming %s", url, res.StatusCode, e, param)
		}
	}
	if res := get(t, srv, "/api/v1/contracts?to=2105-12-31"); res.StatusCode != 200 {
		t.Errorf("last storable date: %d", res.StatusCode)
	}
}

// TestListingFollowsData: kept pages and validators change with the
// contracts table, at once.
func TestListingFollowsData(t *testing.T) {
	st := fixtureStore(t)
	srv := api.New(st, api.Options{RatePerIP: 1000, Burst: 1000})
	var before, after struct{ Total int }
	res := get(t, srv, "/api/v1/contracts?limit=1000")
	etag := res.Header.Get("ETag")
	_ = json.Unmarshal(body(t, res), &before)
	if _, err := decp.IngestFile(context.Background(), st, filepath.Join(samples.RepoRoot(t), "testdata/decp/variants-2022.xml"), decp.Options{}); err != nil {
		t.Fatal(err)
	}
	res = get(t, srv, "/api/v1/contracts?limit=1000", "If-None-Match", etag)
	_ = json.Unmarshal(body(t, res), &after)
	if res.StatusCode != 200 || after.Total <= before.Total {
		t.Errorf("after an ingestion: %d, total %d then %d", res.StatusCode, before.Total, after.Total)
	}
}
