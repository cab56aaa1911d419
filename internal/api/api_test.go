package api_test

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/vigie-data/vigie/internal/samples"

	"github.com/vigie-data/vigie/internal/api"
	"github.com/vigie-data/vigie/internal/source/boamp"
	"github.com/vigie-data/vigie/internal/source/decp"
	"github.com/vigie-data/vigie/internal/store"
	"github.com/vigie-data/vigie/internal/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

func get(t *testing.T, h http.Handler, url string, hdr ...string) *http.Response {
	t.Helper()
	req := httptest.NewRequest("GET", url, nil)
	req.RemoteAddr = "192.0.2.1:1234"
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Result()
}

func getJSON(t *testing.T, h http.Handler, url string, v any) {
	t.Helper()
	res := get(t, h, url)
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != 200 {
		t.Fatalf("GET %s: %d %s", url, res.StatusCode, body)
	}
	if err := json.Unmarshal(body, v); err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
}

type listedContract struct {
	BuyerSiret           string   `json:"buyer_siret"`
	NotificationDate     *string  `json:"notification_date"`
	Amount               *float64 `json:"amount"`
	DeclaredSocialClause *bool    `json:"declared_social_clause"`
	DeclaredSocialCrit   *bool    `json:"declared_social_criterion"`
	DeclaredReserved     *bool    `json:"declared_reserved"`
	DeclaredEnvClause    *bool    `json:"declared_env_clause"`
	DeclaredEnvCriterion *bool    `json:"declared_env_criterion"`
	DetectedLabels       []string `json:"detected_labels"`
}

func one(p *bool) bool { return p != nil && *p }

// TestRealSamples loads the real DECP and BOAMP samples through the real
// ingestion and checks every endpoint against figures computed here from
// the rows the listing endpoints return.
func TestRealSamples(t *testing.T) {
	data := samples.Data(t)
	st := storetest.New(t)
	ctx := context.Background()
	for _, f := range []string{"decp/real-2022/decp-13001845000028-2024-02-29-01.json", "decp/real-2022/decp-13001845000028-2024-10-06-01.json",
		"decp/real-2019/decp2019_e-marchespublics_2019-04-03.json"} {
		if _, err := decp.IngestFile(ctx, st, filepath.Join(data, f), decp.Options{}); err != nil {
			t.Fatalf("ingest %s: %v", f, err)
		}
	}
	xmls, _ := filepath.Glob(filepath.Join(data, "boamp/v230-xml/*.xml"))
	jsons, _ := filepath.Glob(filepath.Join(data, "boamp/api/*.json"))
	if _, err := boamp.IngestFiles(ctx, st, append(xmls, jsons...), boamp.Options{}); err != nil {
		t.Fatalf("ingest boamp: %v", err)
	}
	srv := api.New(st, api.Options{MaxRows: 5000, RatePerIP: 1000, Burst: 1000})

	// Every contract, through the listing (paged).
	var all []listedContract
	url := "/api/v1/contracts?limit=500"
	for pages := 0; url != ""; pages++ {
		var page struct {
			Items []listedContract `json:"items"`
			Next  *string          `json:"next"`
		}
		getJSON(t, srv, url, &page)
		all = append(all, page.Items...)
		url = ""
		if page.Next != nil {
			url = *page.Next
		}
		if pages > 100 {
			t.Fatal("pagination does not end")
		}
	}
	if len(all) < 100 {
		t.Fatalf("only %d contracts listed", len(all))
	}
	type fig struct {
		n, social, socialUnk, socialDet, env, envUnk int
		amount                                       float64
	}
	want := map[string]*fig{}
	for _, c := range all {
		y := "unknown"
		if c.NotificationDate != nil {
			y = (*c.NotificationDate)[:4]
		}
		f := want[y]
		if f == nil {
			f = &fig{}
			want[y] = f
		}
		f.n++
		if c.Amount != nil {
			f.amount += *c.Amount
		}
		soc := one(c.DeclaredSocialClause) || one(c.DeclaredSocialCrit) || one(c.DeclaredReserved)
		if soc {
			f.social++
		} else if c.DeclaredSocialClause == nil || c.DeclaredSocialCrit == nil || c.DeclaredReserved == nil {
			f.socialUnk++
		}
		if one(c.DeclaredEnvClause) || one(c.DeclaredEnvCriterion) {
			f.env++
		} else if c.DeclaredEnvClause == nil || c.DeclaredEnvCriterion == nil {
			f.envUnk++
		}
		for _, l := range c.DetectedLabels {
			if strings.HasPrefix(l, "social") || strings.HasPrefix(l, "reserved") {
				f.socialDet++
				break
			}
		}
	}
	checkYears := func(origin string) {
		t.Helper()
		var res struct {
			ComputedFrom string `json:"computed_from"`
			Rows         []struct {
				Year      string  `json:"year"`
				Contracts int     `json:"contracts"`
				Amount    float64 `json:"amount"`
				Social    struct {
					Declared        struct{ Count int } `json:"declared"`
					DeclaredUnknown int                 `json:"declared_unknown"`
					Detected        struct{ Count int } `json:"detected"`
				} `json:"social"`
				Env struct {
					Declared struct {
						Count          int      `json:"count"`
						ShareContracts *float64 `json:"share_contracts"`
					} `json:"declared"`
				} `json:"env"`
			} `json:"rows"`
		}
		getJSON(t, srv, "/api/v1/contracts/indicators?group_by=year", &res)
		if res.ComputedFrom != origin {
			t.Errorf("computed_from %q, want %q", res.ComputedFrom, origin)
		}
		if len(res.Rows) != len(want) {
			t.Errorf("%d years, want %d", len(res.Rows), len(want))
		}
		for _, r := range res.Rows {
			w := want[r.Year]
			if w == nil {
				t.Errorf("unexpected year %q", r.Year)
				continue
			}
			if r.Contracts != w.n || r.Social.Declared.Count != w.social || r.Social.DeclaredUnknown != w.socialUnk ||
				r.Social.Detected.Count != w.socialDet || r.Env.Declared.Count != w.env || !near(r.Amount, w.amount) {
				t.Errorf("%s year %s: got %+v, want %+v", origin, r.Year, r, *w)
			}
			// The declared share is over the contracts that declared
			// something, null when none did (2019-format years).
			if known := w.n - w.envUnk; known == 0 {
				if r.Env.Declared.ShareContracts != nil {
					t.Errorf("year %s: env share %v over no declaring contract, want null", r.Year, *r.Env.Declared.ShareContracts)
				}
			} else if r.Env.Declared.ShareContracts == nil || !near(*r.Env.Declared.ShareContracts, float64(w.env)/float64(known)) {
				t.Errorf("year %s env share %v, want %d/%d", r.Year, r.Env.Declared.ShareContracts, w.env, known)
			}
		}
	}
	checkYears("contracts")
	if err := st.RefreshRollups(ctx); err != nil {
		t.Fatal(err)
	}
	checkYears("rollup")

	// Scorecard of the 2022-format buyer against its listed contracts.
	var mine []listedContract
	for _, c := range all {
		if c.BuyerSiret == "13001845000028" {
			mine = append(mine, c)
		}
	}
	var sc struct {
		Years []struct {
			Year      string `json:"year"`
			Contracts int    `json:"contracts"`
			Spaser    struct {
				Threshold float64 `json:"threshold"`
			} `json:"spaser"`
		} `json:"years"`
	}
	getJSON(t, srv, "/api/v1/buyers/13001845000028/scorecard", &sc)
	total := 0
	for _, y := range sc.Years {
		total += y.Contracts
		if y.Year >= "2023" && y.Year != "unknown" && y.Spaser.Threshold != 50e6 {
			t.Errorf("SPASER threshold %v in %s", y.Spaser.Threshold, y.Year)
		}
	}
	if len(mine) == 0 || total != len(mine) {
		t.Errorf("scorecard counts %d contracts, listing %d", total, len(mine))
	}

	// Tenders: every notice with a future deadline (relative to 2000) and
	// a matching label, checked against the notices listing.
	var notices struct {
		Items []struct {
			NoticeID  string   `json:"notice_id"`
			Deadline  *string  `json:"deadline"`
			Cancelled bool     `json:"cancelled"`
			Declared  []string `json:"declared_labels"`
			Detected  []string `json:"detected_labels"`
		} `json:"items"`
	}
	getJSON(t, srv, "/api/v1/notices?limit=1000", &notices)
	if len(notices.Items) < 20 {
		t.Fatalf("only %d notices", len(notices.Items))
	}
	var tenders struct {
		Items []struct {
			NoticeID string `json:"notice_id"`
			Lots     []struct{ Labels []string }
		} `json:"items"`
	}
	getJSON(t, srv, "/api/v1/tenders/open?deadline_after=2000-01-01&labels=social_clause,env_clause&limit=1000", &tenders)
	got := map[string]bool{}
	for _, it := range tenders.Items {
		got[it.NoticeID] = true
	}
	for _, n := range notices.Items {
		labels := strings.Join(append(n.Declared, n.Detected...), " ")
		noticeLevel := n.Deadline != nil && !n.Cancelled && (strings.Contains(labels, "social_clause") || strings.Contains(labels, "env_clause"))
		if noticeLevel && !got[n.NoticeID] {
			t.Errorf("notice %s has a matching label and a deadline but is not in the feed", n.NoticeID)
		}
		if n.Deadline == nil && got[n.NoticeID] {
			t.Errorf("notice %s without deadline in the feed", n.NoticeID)
		}
	}
	res := get(t, srv, "/api/v1/tenders/open?deadline_after=2000-01-01&format=atom")
	var feed struct {
		Entries []struct{ ID string } `xml:"entry"`
	}
	if err := xml.NewDecoder(res.Body).Decode(&feed); err != nil || !strings.HasPrefix(res.Header.Get("Content-Type"), "application/atom+xml") {
		t.Fatalf("atom: %v %s", err, res.Header.Get("Content-Type"))
	}
}

func near(a, b float64) bool { d := a - b; return d < 0.01 && d > -0.01 }

func TestErrors(t *testing.T) {
	st := storetest.New(t)
	srv := api.New(st, api.Options{RatePerIP: 1000, Burst: 1000})
	cases := map[string]string{
		"/api/v1/contracts/indicators?group_by=colour":                  "group_by",
		"/api/v1/contracts/indicators":                                  "group_by",
		"/api/v1/contracts/indicators?group_by=year,year":               "group_by",
		"/api/v1/contracts/indicators?group_by=year&from=2023-13-01":    "from",
		"/api/v1/contracts/indicators?group_by=year&to=yesterday":       "to",
		"/api/v1/contracts/indicators?group_by=year&theme=espace":       "theme",
		"/api/v1/contracts/indicators?group_by=year&departement=999":    "departement",
		"/api/v1/contracts/indicators?group_by=year&buyer=1234":         "buyer",
		"/api/v1/contracts/indicators?group_by=year&min_amount=-3":      "min_amount",
		"/api/v1/contracts/indicators?group_by=year&colour=blue":        "colour",
		"/api/v1/contracts/indicators?group_by=year&format=xml":         "format",
		"/api/v1/contracts/indicators?group_by=year&cpv=45'%20OR%201=1": "cpv",
		"/api/v1/buyers/12345/scorecard":                                "siret",
		"/api/v1/buyers/1234567890123X/scorecard":                       "siret",
		"/api/v1/tenders/open?labels=green":                             "labels",
		"/api/v1/tenders/open?deadline_after=soon":                      "deadline_after",
		"/api/v1/contracts?cursor=notacursor":                           "cursor",
		"/api/v1/contracts?limit=0":                                     "limit",
		"/api/v1/notices?from=2020-02-30":                               "from",
	}
	for url, param := range cases {
		res := get(t, srv, url)
		var e struct{ Error, Parameter string }
		_ = json.NewDecoder(res.Body).Decode(&e)
		if res.StatusCode != 400 || e.Parameter != param || !strings.Contains(e.Error, param) {
			t.Errorf("%s: %d %+v, want 400 naming %s", url, res.StatusCode, e, param)
		}
	}
	if res := get(t, srv, "/api/v1/buyers/12345678900011/scorecard"); res.StatusCode != 404 {
		t.Errorf("unknown buyer: %d", res.StatusCode)
	}
	if res := get(t, srv, "/api/v1/nothing"); res.StatusCode != 404 {
		t.Errorf("unknown path: %d", res.StatusCode)
	}
	res := get(t, srv, "/api/v1/health")
	if res.StatusCode != 200 || res.Header.Get("Access-Control-Allow-Origin") != "*" {
		t.Errorf("health: %d, CORS %q", res.StatusCode, res.Header.Get("Access-Control-Allow-Origin"))
	}
	res = get(t, srv, "/api/v1/contracts/indicators?group_by=year", "Accept", "text/csv")
	if !strings.HasPrefix(res.Header.Get("Content-Type"), "text/csv") {
		t.Errorf("Accept text/csv gave %s", res.Header.Get("Content-Type"))
	}

	limited := api.New(st, api.Options{RatePerIP: 0.01, Burst: 2})
	codes := []int{}
	for i := 0; i < 3; i++ {
		r := get(t, limited, "/api/v1/definitions")
		codes = append(codes, r.StatusCode)
		if r.StatusCode == 429 && r.Header.Get("Retry-After") == "" {
			t.Error("429 without Retry-After")
		}
	}
	if codes[0] != 200 || codes[1] != 200 || codes[2] != 429 {
		t.Errorf("rate limit: %v", codes)
	}
}

// TestOpenAPI checks the document: parsable OpenAPI 3, every registered
// route documented and every documented path registered, parameters well
// formed and path parameters matching the templates.
func TestOpenAPI(t *testing.T) {
	st := storetest.New(t)
	srv := api.New(st, api.Options{})
	stub := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {})
	srv.Handle("GET /api/v1/pipelines", stub) // as the scheduler mounts them
	srv.Handle("GET /metrics", stub)
	var doc struct {
		OpenAPI string `json:"openapi"`
		Info    struct{ Title, Version string }
		Paths   map[string]map[string]struct {
			OperationID string `json:"operationId"`
			Parameters  []struct {
				Name, In string
				Required bool
				Schema   map[string]any
			}
			Responses map[string]struct {
				Description string
				Content     map[string]any
			}
		}
	}
	getJSON(t, srv, "/api/v1/openapi.json", &doc)
	if !strings.HasPrefix(doc.OpenAPI, "3.") || doc.Info.Title == "" || doc.Info.Version == "" {
		t.Fatalf("header: %+v", doc)
	}
	registered := map[string]bool{}
	for _, r := range srv.Routes() {
		registered[r[1]] = true
		if _, ok := doc.Paths[r[1]]; !ok {
			t.Errorf("route %s %s not documented", r[0], r[1])
		}
	}
	tmpl := regexp.MustCompile(`\{([^}]+)\}`)
	ops := map[string]bool{}
	for p, item := range doc.Paths {
		if !registered[p] {
			t.Errorf("documented path %s not registered", p)
		}
		op, ok := item["get"]
		if !ok || op.OperationID == "" || ops[op.OperationID] {
			t.Errorf("%s: missing get or bad/duplicate operationId", p)
		}
		ops[op.OperationID] = true
		if r, ok := op.Responses["200"]; !ok || r.Description == "" || len(r.Content) == 0 {
			t.Errorf("%s: no 200 response", p)
		}
		pathParams := map[string]bool{}
		for _, prm := range op.Parameters {
			if prm.Name == "" || (prm.In != "query" && prm.In != "path") || prm.Schema["type"] == nil {
				t.Errorf("%s: bad parameter %+v", p, prm)
			}
			if prm.In == "path" {
				pathParams[prm.Name] = prm.Required
			}
			if pat, ok := prm.Schema["pattern"].(string); ok {
				if _, err := regexp.Compile(pat); err != nil {
					t.Errorf("%s %s: pattern %v", p, prm.Name, err)
				}
			}
		}
		for _, m := range tmpl.FindAllStringSubmatch(p, -1) {
			if !pathParams[m[1]] {
				t.Errorf("%s: path parameter %s undocumented or not required", p, m[1])
			}
			delete(pathParams, m[1])
		}
		if len(pathParams) > 0 {
			t.Errorf("%s: path parameters not in the template: %v", p, pathParams)
		}
	}
	for _, must := range []string{"/api/v1/contracts/indicators", "/api/v1/tenders/open", "/api/v1/buyers/{siret}/scorecard",
		"/api/v1/definitions", "/api/v1/contracts", "/api/v1/notices", "/api/v1/health", "/api/v1/pipelines", "/metrics"} {
		if _, ok := doc.Paths[must]; !ok {
			t.Errorf("%s missing", must)
		}
	}
	_ = time.Second
	_ = store.Indicators
}
