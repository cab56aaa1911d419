package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers/legacy"

	"github.com/vigie-data/vigie/internal/api"
)

// TestResponsesMatchOpenAPI validates real answers of every endpoint,
// in every format and several error statuses, against the document with
// kin-openapi: the schemas are generated from the types the handlers
// encode, and this says they are right.
func TestResponsesMatchOpenAPI(t *testing.T) {
	st := fixtureStore(t)
	srv := api.New(st, api.Options{RatePerIP: 1000, Burst: 1000})
	srv.Handle("GET /api/v1/pipelines", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"pipelines": []}`)
	}))
	srv.Handle("GET /metrics", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))

	res := get(t, srv, "/api/v1/openapi.json")
	raw := body(t, res)
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(raw)
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	ctx := context.Background()
	if err := doc.Validate(ctx); err != nil {
		t.Fatalf("the document is not valid OpenAPI: %v", err)
	}
	doc.Servers = nil // match paths only
	router, err := legacy.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	for _, ct := range []string{"text/csv", "application/atom+xml", "text/html", "application/vnd.apache.parquet"} {
		openapi3filter.RegisterBodyDecoder(ct, openapi3filter.FileBodyDecoder)
	}
	openapi3filter.RegisterBodyDecoder("application/schema+json", openapi3filter.JSONBodyDecoder)

	// Every documented path is called at least once.
	called := map[string]bool{}
	check := func(url string, hdr ...string) int {
		t.Helper()
		req := httptest.NewRequest("GET", url, nil)
		req.RemoteAddr = "192.0.2.1:1"
		for i := 0; i+1 < len(hdr); i += 2 {
			req.Header.Set(hdr[i], hdr[i+1])
		}
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		route, params, err := router.FindRoute(req)
		if err != nil {
			t.Errorf("%s: no route in the document: %v", url, err)
			return rec.Code
		}
		called[route.Path] = true
		in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route,
			Options: &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true}}
		if rec.Code < 300 {
			// What the server accepted, the document accepts too.
			if err := openapi3filter.ValidateRequest(ctx, in); err != nil {
				t.Errorf("%s: request refused by the document but answered %d: %v", url, rec.Code, err)
			}
		}
		b := rec.Body.Bytes()
		if err := openapi3filter.ValidateResponse(ctx, &openapi3filter.ResponseValidationInput{RequestValidationInput: in,
			Status: rec.Code, Header: rec.Header(), Body: io.NopCloser(bytes.NewReader(b)), Options: in.Options}); err != nil {
			t.Errorf("%s → %d: %v\n%.300s", url, rec.Code, err, b)
		}
		return rec.Code
	}
	urls := []string{
		"/api/v1/health", "/api/v1/definitions", "/api/v1/openapi.json", "/api/", "/api/v1/pipelines", "/metrics",
		"/api/v1/contracts/indicators?group_by=year", "/api/v1/contracts/indicators?group_by=buyer,theme&format=csv",
		"/api/v1/contracts/indicators?group_by=departement&from=2019-01-01&dialect=excel-fr&format=csv",
		"/api/v1/contracts?limit=3", "/api/v1/contracts?format=csv", "/api/v1/contracts?limit=2&format=csv&dialect=excel-fr",
		"/api/v1/notices?limit=2", "/api/v1/notices?format=csv",
		"/api/v1/tenders/open?deadline_after=2000-01-01", "/api/v1/tenders/open?deadline_after=2000-01-01&format=csv",
		"/api/v1/tenders/open?deadline_after=2000-01-01&format=atom", "/api/v1/tenders/open?departement=69,75&labels=reserved",
		"/api/v1/buyers/21750001630066/scorecard", "/api/v1/buyers/217500016/scorecard?format=csv",
		"/api/v1/reports/official", "/api/v1/reports/official?format=csv",
		"/api/v1/contracts/schema", "/api/v1/notices/schema?dialect=excel-fr", "/api/v1/tenders/open/schema",
		"/api/v1/contracts/indicators/schema?group_by=year,region", "/api/v1/buyers/21750001630066/scorecard/schema",
		"/api/v1/reports/official/schema",
		// errors
		"/api/v1/contracts?to=9999-12-31", "/api/v1/contracts/indicators", "/api/v1/buyers/12345678900011/scorecard",
		"/api/v1/contracts?departement=%zz", "/api/v1/suppliers/123456789",
		"/api/v1/exports/contracts.csv", "/api/v1/exports/datapackage.json", "/api/v1/exports/notices.parquet",
	}
	for _, u := range urls {
		check(u)
	}
	// Following a page, and a 304.
	var page struct{ Next *string }
	getJSON(t, srv, "/api/v1/contracts?limit=2", &page)
	if page.Next == nil {
		t.Fatal("no next page")
	}
	check(*page.Next)
	etag := get(t, srv, "/api/v1/contracts/indicators?group_by=year").Header.Get("ETag")
	if code := check("/api/v1/contracts/indicators?group_by=year", "If-None-Match", etag); code != 304 {
		t.Errorf("304 expected, got %d", code)
	}
	for p := range doc.Paths.Map() {
		if !called[p] {
			t.Errorf("%s documented but not checked", p)
		}
	}

	// The reference page is the document, with no outside asset.
	page2 := string(body(t, get(t, srv, "/api/")))
	for _, p := range []string{"/api/v1/contracts/indicators", "ContractPage", "group_by"} {
		if !strings.Contains(page2, p) {
			t.Errorf("reference page without %q", p)
		}
	}
	if strings.Contains(page2, "//cdn") || strings.Contains(page2, "https://") && strings.Contains(page2, "<script") {
		t.Error("reference page loads outside assets")
	}
	if res := get(t, srv, "/api/assets/reference.css"); res.StatusCode != 200 {
		t.Errorf("stylesheet: %d", res.StatusCode)
	}
	_ = json.Valid
}
