package decp

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vigie-data/vigie/internal/fetch"
	"github.com/vigie-data/vigie/internal/ingest"
	"github.com/vigie-data/vigie/internal/source"
)

// fakeDataGouv serves a dataset API answer in data.gouv.fr's shape and the
// files it lists; lastModified can be changed between runs.
type fakeDataGouv struct {
	mu           sync.Mutex
	lastModified string
	downloads    int // GETs of decp.json answered with the file
	srv          *httptest.Server
}

func (f *fakeDataGouv) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	lm := f.lastModified
	switch r.URL.Path {
	case "/api/1/datasets/decp-consolidees/":
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"id":"5cd57bf68b4c4179299eb0e9","title":"Données essentielles de la commande publique - fichiers consolidés","resources":[
{"id":"r-json","title":"decp.json","url":"%[1]s/files/decp.json","format":"json","type":"main","filesize":10,"last_modified":%[2]q},
{"id":"r-xml","title":"decp.xml","url":"%[1]s/files/decp.xml","format":"xml","type":"main","filesize":10,"last_modified":%[2]q},
{"id":"r-doc","title":"Documentation","url":"%[1]s/files/notice.pdf","format":"pdf","type":"documentation","last_modified":%[2]q}]}`, f.srv.URL, lm)
	case "/files/decp.json":
		w.Header().Set("ETag", `"v-`+lm+`"`)
		if r.Header.Get("If-None-Match") == `"v-`+lm+`"` {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		f.downloads++
		fmt.Fprint(w, `{"marches":[]}`)
	default:
		http.NotFound(w, r)
	}
}

func (f *fakeDataGouv) set(lm string) {
	f.mu.Lock()
	f.lastModified = lm
	f.mu.Unlock()
}

// runner runs src as the scheduler does, carrying the checkpoint from one
// run to the next.
type runner struct {
	src        Source
	checkpoint string
}

func (r *runner) run(t *testing.T, url string, resources *regexp.Regexp) (ingest.Summary, error) {
	t.Helper()
	c := fetch.New(1000, 100)
	c.MaxAttempts = 1
	run := &source.Run{ID: "t", Pipeline: "decp", URL: url, Resources: resources, Now: time.Now(), Fetch: c,
		Checkpoint: source.NewCheckpoint(nil, "decp", "t", r.checkpoint)}
	sum, err := r.src.Run(context.Background(), run)
	r.checkpoint = run.Checkpoint.Value()
	return sum, err
}

func TestJobResolvesAndSkipsUnchanged(t *testing.T) {
	up := &fakeDataGouv{lastModified: "2026-01-10T05:00:00+00:00"}
	up.srv = httptest.NewServer(up)
	defer up.srv.Close()
	var got []string
	r := &runner{src: Source{ingest: func(ctx context.Context, run *source.Run, body io.Reader, url string, opts Options) (ingest.Summary, error) {
		got = append(got, strings.TrimPrefix(url, up.srv.URL))
		return ingest.Summary{Source: "decp", RecordsRead: 3, New: 3}, nil
	}}}
	dataset := up.srv.URL + "/api/1/datasets/decp-consolidees/"
	json := regexp.MustCompile(`^decp\.json$`)

	sum, err := r.run(t, dataset, json)
	if err != nil || sum.RecordsRead != 3 {
		t.Fatalf("first run %+v, err %v", sum, err)
	}
	if len(got) != 1 || got[0] != "/files/decp.json" {
		t.Fatalf("first run ingested %v, want the decp.json resource only", got)
	}
	if !strings.Contains(r.checkpoint, `"r-json"`) || !strings.Contains(r.checkpoint, "2026-01-10T05:00:00+00:00") {
		t.Errorf("checkpoint %s does not hold the resource's last_modified", r.checkpoint)
	}

	got = nil
	sum, err = r.run(t, dataset, json)
	if err != nil || len(got) != 0 || sum.RecordsRead != 0 {
		t.Errorf("unchanged dataset: %+v, err %v, ingested %v; want nothing ingested", sum, err, got)
	}

	up.set("2026-01-11T05:00:00+00:00")
	_, err = r.run(t, dataset, json)
	if err != nil || len(got) != 1 || !strings.Contains(r.checkpoint, "2026-01-11") {
		t.Errorf("changed resource: checkpoint %s, err %v, ingested %v; want it ingested again", r.checkpoint, err, got)
	}

	// A pattern that matches nothing is an error naming what is there.
	_, err = r.run(t, dataset, regexp.MustCompile(`^decp-2099\.json$`))
	if err == nil || !strings.Contains(err.Error(), "no resource matches") || !strings.Contains(err.Error(), "decp.xml") {
		t.Errorf("no matching resource: err %v", err)
	}
}

// A file URL (no dataset) is checked with a conditional GET: a 304 skips
// it; a changed file is read from the same response (one download).
func TestJobConditionalGET(t *testing.T) {
	up := &fakeDataGouv{lastModified: "a"}
	up.srv = httptest.NewServer(up)
	defer up.srv.Close()
	n := 0
	var bodies []string
	r := &runner{src: Source{ingest: func(ctx context.Context, run *source.Run, body io.Reader, url string, opts Options) (ingest.Summary, error) {
		n++
		b, err := io.ReadAll(body)
		bodies = append(bodies, string(b))
		return ingest.Summary{Source: "decp", RecordsRead: 1}, err
	}}}
	file := up.srv.URL + "/files/decp.json"
	for i, want := range []int{1, 1} {
		sum, err := r.run(t, file, nil)
		if err != nil || n != want {
			t.Fatalf("run %d: %+v, err %v, ingested %d times, want %d", i, sum, err, n, want)
		}
	}
	up.set("b")
	if _, err := r.run(t, file, nil); err != nil || n != 2 || !strings.Contains(r.checkpoint, `\"v-b\"`) {
		t.Errorf("after the file changed: checkpoint %s, err %v, ingested %d times, want 2", r.checkpoint, err, n)
	}
	if up.downloads != 2 {
		t.Errorf("the file was downloaded %d times for 2 ingestions: want one download each", up.downloads)
	}
	for _, b := range bodies {
		if b != `{"marches":[]}` {
			t.Errorf("the ingestion read %q, want the file", b)
		}
	}
}
