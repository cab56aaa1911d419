package web_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vigie-data/vigie/internal/api"
	"github.com/vigie-data/vigie/internal/samples"
	"github.com/vigie-data/vigie/internal/source/boamp"
	"github.com/vigie-data/vigie/internal/source/decp"
	"github.com/vigie-data/vigie/internal/store"
	"github.com/vigie-data/vigie/internal/store/storetest"
	"github.com/vigie-data/vigie/internal/web"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// sampleDECP are the real DECP files loaded (2022 and 2019 formats).
var sampleDECP = []string{"decp/real-2022/decp-13001845000028-2024-02-29-01.json",
	"decp/real-2022/decp-13001845000028-2024-10-06-01.json",
	"decp/real-2019/decp2019_e-marchespublics_2019-04-03.json"}

// samplesServer serves the pages and the API over the real samples of
// shared/data, loaded by the real ingestion code (DECP, BOAMP XML and API
// records), as 'vigie serve' does.
func samplesServer(t *testing.T) sample {
	t.Helper()
	data := samples.Data(t)
	st := storetest.New(t) // skips without ClickHouse (fails under CI=true)
	ctx := context.Background()
	for _, f := range sampleDECP {
		if _, err := decp.IngestFile(ctx, st, filepath.Join(data, f), decp.Options{}); err != nil {
			t.Fatalf("ingest %s: %v", f, err)
		}
	}
	xmls, _ := filepath.Glob(filepath.Join(data, "boamp/v230-xml/*.xml"))
	jsons, _ := filepath.Glob(filepath.Join(data, "boamp/api/*.json"))
	ted, _ := filepath.Glob(filepath.Join(data, "eforms/ted-real/*.xml"))
	if _, err := boamp.IngestFiles(ctx, st, append(append(xmls, jsons...), ted...), boamp.Options{}); err != nil {
		t.Fatalf("ingest boamp: %v", err)
	}
	if err := st.RefreshRollups(ctx); err != nil {
		t.Fatalf("rollups: %v", err)
	}
	s := newServer(st)
	t.Cleanup(s.Close)
	return sample{s, st}
}

// sample is a server over the samples and its store.
type sample struct {
	*httptest.Server
	st *store.Store
}

// newServer mounts the pages on the API server as 'vigie serve' does.
func newServer(st *store.Store) *httptest.Server {
	srv := api.New(st, api.Options{MaxRows: 5000, RatePerIP: 1000, Burst: 1000})
	pages, err := web.New(srv, st, web.Options{})
	if err != nil {
		panic(err)
	}
	pages.Mount(srv.HandlePage)
	return httptest.NewServer(srv)
}

func fetch(t *testing.T, url string) (int, string, http.Header) {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b), res.Header
}

// TestPagesServe checks, without a browser, that every page answers in
// French HTML and that bad input gets the French 400 page with the form.
func TestPagesServe(t *testing.T) {
	s := samplesServer(t)
	for _, path := range []string{"/", "/?region=%C3%8Ele-de-France&par=theme", "/appels", "/appels?deadline_after=2000-01-01",
		"/acheteurs", "/acheteurs?q=ecole", "/methode", "/assets/style.css"} {
		code, body, h := fetch(t, s.URL+path)
		if code != 200 {
			t.Errorf("GET %s: %d\n%s", path, code, body)
			continue
		}
		if strings.HasPrefix(h.Get("Content-Type"), "text/html") && !strings.Contains(body, `<html lang="fr">`) {
			t.Errorf("GET %s: not a French page", path)
		}
	}
	for _, c := range []struct{ path, field string }{
		{"/?departement=999", "Département"},
		{"/?theme=espace", "Thème"},
		{"/?region=Atlantide", "Atlantide"},
		{"/?min_amount=-3", "Montant minimum"},
		{"/?cpv=4x", "Code CPV"},
		{"/?regoin=Bretagne", "regoin"},
		{"/appels?deadline_after=2024-13-01", "Date limite"},
		{"/appels?labels=reserved&labels=nope", "Type de marché"},
		{"/appels?departement=75,999", "Départements"},
		{"/acheteurs/123", "SIRET"},
		{"/acheteurs?q=12345", "SIRET"},
	} {
		code, body, _ := fetch(t, s.URL+c.path)
		if code != 400 || !strings.Contains(body, `role="alert"`) || !strings.Contains(body, c.field) || !strings.Contains(body, "<form") {
			t.Errorf("GET %s: %d, want the French 400 page naming %q with the form", c.path, code, c.field)
		}
		if strings.Contains(body, `{"error"`) || strings.Contains(body, "goroutine") {
			t.Errorf("GET %s: JSON error or stack trace in a page", c.path)
		}
	}
	if code, _, _ := fetch(t, s.URL+"/acheteurs/99999999999999"); code != 404 {
		t.Errorf("unknown buyer: %d, want 404", code)
	}
	if code, body, _ := fetch(t, s.URL+"/api/v1/health"); code != 200 || !strings.Contains(body, "{") {
		t.Errorf("API health under the pages: %d %s", code, body)
	}
}
