package boamp

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/vigie-data/vigie/internal/source"
	"github.com/vigie-data/vigie/internal/store/storetest"
)

// apacheListing renders an Apache "Index of" page in ISO-8859-1, with the
// sorting links and parent directory a real one has.
func apacheListing(dir string, names ...string) []byte {
	var b strings.Builder
	b.WriteString(`<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 3.2 Final//EN"><html><head><title>Index of ` + dir + `</title></head><body>
<h1>Index of ` + dir + `</h1><table><tr><th><a href="?C=N;O=D">Name</a></th><th><a href="?C=M;O=A">Derni` + "\xe8" + `re modification</a></th></tr>
<tr><td><a href="/OPENDATA/BOAMP/">Parent Directory</a></td></tr>`)
	for _, n := range names {
		b.WriteString(`<tr><td><a href="` + n + `">` + n + `</a></td><td>2024-03-05 08:00</td></tr>` + "\n")
	}
	b.WriteString("</table></body></html>")
	return []byte(b.String())
}

func v230With(t testing.TB, idweb, day string) []byte {
	b, err := os.ReadFile(fixture(t, "v230-marche-reserve.xml"))
	if err != nil {
		t.Fatal(err)
	}
	s := strings.ReplaceAll(string(b), "17-90001", idweb)
	return []byte(strings.ReplaceAll(s, "2017-03-01", day))
}

// taz builds an old-style per-issue archive: a zip holding a tar of XML
// and HTML pairs.
func taz(t testing.TB, files map[string][]byte) []byte {
	var tb bytes.Buffer
	tw := tar.NewWriter(&tb)
	for name, body := range files {
		if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(body)), Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
		tw.Write(body)
	}
	tw.Close()
	var zb bytes.Buffer
	zw := zip.NewWriter(&zb)
	w, _ := zw.Create("BOAMP_20160105_001.tar")
	w.Write(tb.Bytes())
	zw.Close()
	return zb.Bytes()
}

func TestIngestArchiveDays(t *testing.T) {
	st := storetest.New(t)
	ctx := context.Background()
	const root = "/OPENDATA/BOAMP/"
	pages := map[string][]byte{
		root + "2024/03/05/":                 apacheListing(root+"2024/03/05", "24-100.xml", "24-100.html", "24-101.xml", "suite/"),
		root + "2024/03/05/24-100.xml":       v230With(t, "24-100", "2024-03-05"),
		root + "2024/03/05/24-101.xml":       v230With(t, "24-101", "2024-03-05"),
		root + "2024/03/05/suite/":           apacheListing(root+"2024/03/05/suite", "24-102.xml"),
		root + "2024/03/05/suite/24-102.xml": v230With(t, "24-102", "2024-03-05"),
		root + "2016/":                       apacheListing(root+"2016", "BOAMP_20160104_001.taz", "BOAMP_20160105_001.taz"),
		root + "2016/BOAMP_20160105_001.taz": taz(t, map[string][]byte{
			"16-700.xml": v230With(t, "16-700", "2016-01-05"), "16-700.html": []byte("<html></html>"),
			"16-701.xml": v230With(t, "16-701", "2016-01-05"), "16-702.xml": []byte("<ANNONCE><GESTION>"),
		}),
	}
	var mu sync.Mutex
	hits := map[string]int{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		hits[r.URL.Path]++
		n := hits[r.URL.Path]
		mu.Unlock()
		if r.URL.Path == root+"2024/03/05/24-101.xml" && n == 1 {
			http.Error(w, "busy", http.StatusServiceUnavailable)
			return
		}
		if r.URL.Path == root+"2016/BOAMP_20160104_001.taz" {
			t.Errorf("archive of another day fetched")
		}
		body, ok := pages[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		if strings.HasSuffix(r.URL.Path, "/") {
			w.Header().Set("Content-Type", "text/html;charset=ISO-8859-1")
		}
		w.Write(body)
	}))
	defer srv.Close()
	base := srv.URL + root

	var done []string
	day := func(d string) *source.Run {
		return byHand(st, base, utc(d+"T00:00:00Z"), utc(d+"T00:00:00Z"))
	}
	run := day("2024-03-05")
	sum, err := Archive{}.Run(ctx, run)
	if err != nil {
		t.Fatal(err)
	}
	done = append(done, run.Checkpoint.Value())
	if sum.New != 3 || sum.Quarantined != 0 {
		t.Errorf("day folder: %+v, want 3 new", sum)
	}
	run = day("2016-01-05")
	sum, err = Archive{}.Run(ctx, run)
	if err != nil {
		t.Fatal(err)
	}
	done = append(done, run.Checkpoint.Value())
	if sum.New != 2 || sum.Quarantined != 1 || sum.RecordsRead != 3 {
		t.Errorf("taz day: %+v, want 2 new, 1 quarantined (cut XML), the HTML skipped", sum)
	}
	if strings.Join(done, ",") != "2024-03-05,2016-01-05" {
		t.Errorf("days done = %v", done)
	}
	for _, id := range []string{"24-100", "24-101", "24-102", "16-700", "16-701"} {
		n, lots, err := st.Notice(ctx, id)
		if err != nil || n == nil {
			t.Errorf("notice %s missing (%v)", id, err)
			continue
		}
		if len(lots) != 2 {
			t.Errorf("notice %s: %d lots", id, len(lots))
		}
		want := map[string]string{"24": "2024-03-05", "16": "2016-01-05"}[id[:2]]
		if got := n.PublicationDate.Format("2006-01-02"); got != want {
			t.Errorf("notice %s published %s, want %s", id, got, want)
		}
	}
	// Re-reading a day (folders fill during the day) adds nothing twice.
	again, err := Archive{}.Run(ctx, day("2024-03-05"))
	if err != nil {
		t.Fatal(err)
	}
	if again.New != 0 || again.Duplicates != 3 {
		t.Errorf("re-read: %+v, want 3 duplicates", again)
	}
	if n, _ := st.NoticeCount(ctx); n != 5 {
		t.Errorf("%d notices stored, want 5", n)
	}
	// A day with nothing published is done, empty.
	sum, err = Archive{}.Run(ctx, day("2019-07-14"))
	if err != nil || sum.RecordsRead != 0 {
		t.Errorf("empty day: %+v, %v", sum, err)
	}
}
