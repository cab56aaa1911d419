package web_test

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"math"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/vigie-data/vigie/internal/store"
)

// The browser tests drive Debian's chromium with chromedp against the
// pages served over the real samples. Without chromium they skip, except
// under CI=true where .ci/run installs it. VIGIE_SCREENSHOTS names a
// folder where each test saves its pages at 1,280 and 390 px wide.

func chromiumPath(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("chromium not found (CI=true: .ci/run installs it)")
	}
	t.Skip("chromium not installed: browser tests skipped (apt-get install chromium)")
	return ""
}

// browser is a tab with its console errors collected.
type browser struct {
	ctx       context.Context
	mu        sync.Mutex
	errors    []string
	expect400 bool
}

func newBrowser(t *testing.T) *browser {
	t.Helper()
	path := chromiumPath(t)
	ctx, cancel := chromedp.NewContext(context.Background(), chromedp.WithAllocatorOptions(
		chromedp.ExecPath(path), chromedp.NoSandbox, chromedp.Headless, chromedp.DisableGPU,
		chromedp.Flag("lang", "fr-FR"), chromedp.WindowSize(1280, 900)))
	t.Cleanup(cancel)
	ctx, cancelT := context.WithTimeout(ctx, 3*time.Minute)
	t.Cleanup(cancelT)
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	b := &browser{ctx: ctx}
	msgs := chromedp.Console(ctx)
	go func() {
		for m, err := range msgs {
			if err != nil {
				return
			}
			if m.Type == chromedp.ConsoleError || m.IsException() {
				b.mu.Lock()
				b.errors = append(b.errors, m.String()+" at "+m.URL)
				b.mu.Unlock()
			}
		}
	}()
	return b
}

// open loads url and fails the test on any console error it caused.
func (b *browser) open(t *testing.T, url string) {
	t.Helper()
	b.mu.Lock()
	b.errors = nil
	b.mu.Unlock()
	if err := chromedp.Do(b.ctx, chromedp.EmulateViewport(1280, 900), chromedp.Navigate(url), chromedp.WaitReady(chromedp.CSS("body"))); err != nil {
		t.Fatalf("open %s: %v", url, err)
	}
	b.checkConsole(t, url)
}

func (b *browser) checkConsole(t *testing.T, url string) {
	t.Helper()
	time.Sleep(150 * time.Millisecond) // let late log entries arrive
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, e := range b.errors {
		// A 400 page is meant: the browser logs its status, nothing else may.
		if b.expect400 && strings.Contains(e, "status of 400") {
			continue
		}
		t.Errorf("%s: console error: %s", url, e)
	}
	b.errors, b.expect400 = nil, false
}

// openBad loads a URL that must answer the French 400 page.
func (b *browser) openBad(t *testing.T, url string) {
	t.Helper()
	b.mu.Lock()
	b.expect400 = true
	b.mu.Unlock()
	b.open(t, url)
	if code, _, _ := fetch(t, url); code != 400 {
		t.Errorf("%s: status %d, want 400", url, code)
	}
}

// eval runs a JavaScript expression in the page and decodes its JSON value.
func eval[T any](t *testing.T, b *browser, expr string) T {
	t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

func (b *browser) location(t *testing.T) string {
	t.Helper()
	loc, err := chromedp.Run(b.ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// screenshots saves the page at 1,280 and 390 px wide, full length, as
// <dir>/<name>-1280.png and -390.png, when VIGIE_SCREENSHOTS is set.
func (b *browser) screenshots(t *testing.T, name string) {
	t.Helper()
	dir := os.Getenv("VIGIE_SCREENSHOTS")
	if dir == "" {
		return
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, w := range []int64{1280, 390} {
		if err := chromedp.Do(b.ctx, chromedp.EmulateViewport(w, 900)); err != nil {
			t.Fatal(err)
		}
		png, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatalf("screenshot %s: %v", name, err)
		}
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("%s-%d.png", name, w)), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	_ = chromedp.Do(b.ctx, chromedp.EmulateViewport(1280, 900))
}

// frShare reads "12,3 %" as 0.123 (NaN for "n.d.").
func frShare(s string) float64 {
	s = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(s), "%"))
	f, err := strconv.ParseFloat(strings.ReplaceAll(s, ",", "."), 64)
	if err != nil {
		return math.NaN()
	}
	return f / 100
}

// frInt reads "1 234" as 1234.
func frInt(s string) uint64 {
	s = strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, s)
	n, _ := strconv.ParseUint(s, 10, 64)
	return n
}

type apiShare struct {
	Count          uint64   `json:"count"`
	ShareContracts *float64 `json:"share_contracts"`
	ShareAmount    *float64 `json:"share_amount"`
}

type apiConsideration struct {
	Declared        apiShare `json:"declared"`
	DeclaredUnknown uint64   `json:"declared_unknown"`
	Detected        apiShare `json:"detected"`
}

func getAPI(t *testing.T, base, path string, v any) {
	t.Helper()
	code, body, _ := fetch(t, base+path)
	if code != 200 {
		t.Fatalf("GET %s: %d %s", path, code, body)
	}
	if err := json.Unmarshal([]byte(body), v); err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
}

// cell is a figure cell of a page table.
type cell struct {
	Row, Field, Value, Text string
}

const cellsJS = `Array.from(document.querySelectorAll('table[data-indicator="%s"] td[data-field]')).map(td => ({
	Row: td.parentElement.dataset.year, Field: td.dataset.field, Value: td.dataset.value, Text: td.textContent}))`

// checkTrends compares the Tendances tables with the API's answer for the
// same filters, cell by cell: the exact value in data-value and the
// French text a reader sees.
func checkTrends(t *testing.T, b *browser, base string, filters url.Values) {
	t.Helper()
	q := url.Values{"group_by": {"year"}}
	for k, v := range filters {
		q[k] = v
	}
	var ans struct {
		Rows []map[string]json.RawMessage `json:"rows"`
	}
	getAPI(t, base, "/api/v1/contracts/indicators?"+q.Encode(), &ans)
	for _, ind := range []string{"social", "env", "reserved"} {
		cells := eval[[]cell](t, b, fmt.Sprintf(cellsJS, ind))
		want := map[string]map[string]string{}
		for _, row := range ans.Rows {
			var year string
			var contracts uint64
			var c apiConsideration
			_ = json.Unmarshal(row["year"], &year)
			_ = json.Unmarshal(row["contracts"], &contracts)
			_ = json.Unmarshal(row[ind], &c)
			raw := func(v *float64) string {
				if v == nil {
					return ""
				}
				return strconv.FormatFloat(*v, 'g', -1, 64)
			}
			want[year] = map[string]string{"contracts": strconv.FormatUint(contracts, 10),
				"declared.count": strconv.FormatUint(c.Declared.Count, 10), "declared.share_contracts": raw(c.Declared.ShareContracts),
				"declared_unknown": strconv.FormatUint(c.DeclaredUnknown, 10), "detected.count": strconv.FormatUint(c.Detected.Count, 10),
				"detected.share_contracts": raw(c.Detected.ShareContracts), "declared.share_amount": raw(c.Declared.ShareAmount),
				"detected.share_amount": raw(c.Detected.ShareAmount)}
		}
		if len(cells) != 8*len(ans.Rows) {
			t.Errorf("%s %v: %d cells shown for %d API rows", ind, filters, len(cells), len(ans.Rows))
		}
		for _, c := range cells {
			w, ok := want[c.Row][c.Field]
			if !ok {
				t.Errorf("%s: row %s field %s not in the API answer", ind, c.Row, c.Field)
				continue
			}
			if c.Value != w {
				t.Errorf("%s %s %s: page %q, API %q", ind, c.Row, c.Field, c.Value, w)
			}
			// What is read: counts exactly, shares to 0.1 point.
			if strings.Contains(c.Field, "share") {
				api, _ := strconv.ParseFloat(w, 64)
				shown := frShare(c.Text)
				if w == "" && !math.IsNaN(shown) || w != "" && math.Abs(shown-api) > 0.0005+1e-9 {
					t.Errorf("%s %s %s: shown %q, API %s", ind, c.Row, c.Field, c.Text, w)
				}
			} else if strconv.FormatUint(frInt(c.Text), 10) != w {
				t.Errorf("%s %s %s: shown %q, API %s", ind, c.Row, c.Field, c.Text, w)
			}
		}
	}
}

func TestBrowserTrends(t *testing.T) {
	b := newBrowser(t)
	s := samplesServer(t)
	b.open(t, s.URL+"/")
	checkTrends(t, b, s.URL, nil)
	if n := eval[int](t, b, `document.querySelectorAll('figure.chart svg title').length`); n < 4 {
		t.Errorf("%d charts with a title, want 4", n)
	}
	if n := eval[int](t, b, `document.querySelectorAll('a[href="/methode#def-social"]').length`); n == 0 {
		t.Error("no link to the definition of the social indicator")
	}
	csv := eval[string](t, b, `Array.from(document.querySelectorAll('a')).find(a => a.textContent.trim() == 'Télécharger (CSV)').getAttribute('href')`)
	if code, body, h := fetch(t, s.URL+csv); code != 200 || !strings.HasPrefix(h.Get("Content-Type"), "text/csv") || !strings.Contains(body, "social_declared_count") {
		t.Errorf("CSV link %s: %d %s", csv, code, h.Get("Content-Type"))
	}
	b.screenshots(t, "tendances")

	// A theme with some but not all contracts: choosing it in the form
	// changes the URL and the figures.
	total := frInt(eval[string](t, b, `document.getElementById('total-contracts').textContent`))
	var byTheme struct {
		Rows []struct {
			Theme     string `json:"theme"`
			Contracts uint64 `json:"contracts"`
		} `json:"rows"`
	}
	getAPI(t, s.URL, "/api/v1/contracts/indicators?group_by=theme", &byTheme)
	pick, want := "", uint64(0)
	for _, r := range byTheme.Rows {
		if r.Contracts > 0 && r.Contracts < total && r.Theme != "unknown" {
			pick, want = r.Theme, r.Contracts
			break
		}
	}
	if pick == "" {
		t.Fatalf("no theme splits the %d sample contracts: %+v", total, byTheme.Rows)
	}
	if err := chromedp.Do(b.ctx, chromedp.SetValue(chromedp.CSS("#f-theme"), pick),
		chromedp.Click(chromedp.CSS(`form.filters button[type="submit"]`)), chromedp.WaitReady(chromedp.CSS("#total-contracts"))); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(b.location(t), "theme="+pick) && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
	}
	if loc := b.location(t); !strings.Contains(loc, "theme="+pick) {
		t.Fatalf("after choosing theme %s the URL is %s", pick, loc)
	}
	b.checkConsole(t, "/?theme="+pick)
	if got := frInt(eval[string](t, b, `document.getElementById('total-contracts').textContent`)); got != want {
		t.Errorf("theme %s: %d contracts shown, API says %d (all themes: %d)", pick, got, want, total)
	}
	checkTrends(t, b, s.URL, url.Values{"theme": {pick}})

	// A bad filter typed in the form: the French 400 page, form kept.
	b.mu.Lock()
	b.expect400 = true
	b.mu.Unlock()
	if err := chromedp.Do(b.ctx, chromedp.SetValue(chromedp.CSS("#f-cpv"), "45x"),
		chromedp.Click(chromedp.CSS(`form.filters button[type="submit"]`)), chromedp.WaitReady(chromedp.CSS("#erreur"))); err != nil {
		t.Fatal(err)
	}
	msg := eval[string](t, b, `document.getElementById('erreur').textContent`)
	if !strings.Contains(msg, "Code CPV") || !strings.Contains(msg, "45x") {
		t.Errorf("400 page says %q", msg)
	}
	if v := eval[string](t, b, `document.getElementById('f-cpv').value + '|' + document.getElementById('f-theme').value`); v != "45x|"+pick {
		t.Errorf("form not kept on the 400 page: %q", v)
	}
	if inv := eval[string](t, b, `document.getElementById('f-cpv').getAttribute('aria-invalid')`); inv != "true" {
		t.Error("the field in error is not marked aria-invalid")
	}
	b.checkConsole(t, "/?cpv=45x")
	if code, _, _ := fetch(t, s.URL+"/?cpv=45x"); code != 400 {
		t.Errorf("bad cpv: status %d, want 400", code)
	}
	b.screenshots(t, "erreur-400")
}

func TestBrowserTenders(t *testing.T) {
	b := newBrowser(t)
	s := samplesServer(t)
	// The samples' notices are closed today: ask from a past date, for
	// every label (the samples' text-detected clauses are environmental).
	const filters = "deadline_after=2000-01-01&labels=reserved,social_clause,social_criterion,env_clause,env_criterion"
	b.open(t, s.URL+"/appels?"+filters)
	var ans struct {
		Items []struct {
			NoticeID string `json:"notice_id"`
		} `json:"items"`
	}
	getAPI(t, s.URL, "/api/v1/tenders/open?"+filters, &ans)
	shown := eval[[]string](t, b, `Array.from(document.querySelectorAll('li.tender')).map(li => li.dataset.notice)`)
	if len(ans.Items) == 0 {
		t.Fatal("the API lists no tender over the samples")
	}
	if len(shown) != len(ans.Items) {
		t.Fatalf("page lists %d notices, API %d", len(shown), len(ans.Items))
	}
	for i := range shown {
		if shown[i] != ans.Items[i].NoticeID {
			t.Errorf("notice %d: page %s, API %s (same order expected)", i, shown[i], ans.Items[i].NoticeID)
		}
	}
	if n := eval[int](t, b, `document.querySelectorAll('blockquote.evidence[data-origin="detected"] mark').length`); n == 0 {
		t.Error("no highlighted words in a detected evidence sentence")
	}
	// The highlighted words are those of the API's evidence.
	marks := eval[[]string](t, b, `Array.from(document.querySelectorAll('blockquote.evidence[data-origin="detected"] mark')).map(m => m.textContent)`)
	_, apiBody, _ := fetch(t, s.URL+"/api/v1/tenders/open?"+filters)
	for _, m := range marks {
		if !strings.Contains(apiBody, m) {
			t.Errorf("highlighted %q is not an evidence text of the API", m)
		}
	}
	b.screenshots(t, "appels")

	atom := eval[string](t, b, `document.getElementById('subscribe').getAttribute('href')`)
	code, body, h := fetch(t, s.URL+atom)
	var feed struct {
		XMLName xml.Name `xml:"http://www.w3.org/2005/Atom feed"`
		Entries []struct {
			ID string `xml:"id"`
		} `xml:"entry"`
	}
	if code != 200 || !strings.Contains(h.Get("Content-Type"), "atom+xml") {
		t.Fatalf("Atom link %s: %d %s", atom, code, h.Get("Content-Type"))
	}
	if err := xml.Unmarshal([]byte(body), &feed); err != nil || len(feed.Entries) != len(shown) {
		t.Errorf("Atom feed: %v, %d entries for %d notices shown", err, len(feed.Entries), len(shown))
	}

	// Narrowing by a keyword of the first notice: URL and list change.
	first := eval[string](t, b, `document.querySelector('li.tender h3').textContent`)
	word := ""
	for _, w := range strings.Fields(first) {
		if len([]rune(w)) > 5 && !strings.ContainsAny(w, "()'’,.:;\"«»") {
			word = w
			break
		}
	}
	if word == "" {
		t.Fatalf("no keyword in %q", first)
	}
	if err := chromedp.Do(b.ctx, chromedp.SetValue(chromedp.CSS("#f-q"), word),
		chromedp.Click(chromedp.CSS(`form.filters button[type="submit"]`)), chromedp.WaitReady(chromedp.CSS("#tender-count"))); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(b.location(t), "q=") && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
	}
	loc := b.location(t)
	if !strings.Contains(loc, "q="+url.QueryEscape(word)) {
		t.Fatalf("URL after the keyword: %s", loc)
	}
	b.checkConsole(t, loc)
	var narrowed struct {
		Items []struct {
			NoticeID string `json:"notice_id"`
		} `json:"items"`
	}
	getAPI(t, s.URL, "/api/v1/tenders/open?"+filters+"&q="+url.QueryEscape(word), &narrowed)
	got := eval[[]string](t, b, `Array.from(document.querySelectorAll('li.tender')).map(li => li.dataset.notice)`)
	if len(got) != len(narrowed.Items) || len(got) == 0 {
		t.Errorf("keyword %q: page lists %d, API %d", word, len(got), len(narrowed.Items))
	}

	// A bad département: French 400, form kept.
	b.openBad(t, s.URL+"/appels?departement=75,999&q="+url.QueryEscape(word))
	msg := eval[string](t, b, `(document.getElementById('erreur') || {textContent: ''}).textContent`)
	if !strings.Contains(msg, "Département") || !strings.Contains(msg, "999") {
		t.Errorf("bad département: %q", msg)
	}
	if v := eval[string](t, b, `document.getElementById('f-q').value`); v != word {
		t.Errorf("form not kept: q=%q", v)
	}
}

func TestBrowserBuyers(t *testing.T) {
	b := newBrowser(t)
	s := samplesServer(t)
	const siret = "13001845000028" // the buyer of the real DECP 2022 samples
	b.open(t, s.URL+"/acheteurs")
	if err := chromedp.Do(b.ctx, chromedp.SetValue(chromedp.CSS("#f-q"), siret[:9]),
		chromedp.Click(chromedp.CSS(`form.search button`)), chromedp.WaitReady(chromedp.CSS("#h-hits"))); err != nil {
		t.Fatal(err)
	}
	b.checkConsole(t, "/acheteurs?q="+siret[:9])
	if !strings.Contains(b.location(t), "q="+siret[:9]) {
		t.Errorf("search URL: %s", b.location(t))
	}
	links := eval[[]string](t, b, `Array.from(document.querySelectorAll('table.hits a')).map(a => a.getAttribute('href'))`)
	found := false
	for _, l := range links {
		found = found || l == "/acheteurs/"+siret
	}
	if !found {
		t.Fatalf("search by SIREN does not find %s: %v", siret, links)
	}
	b.screenshots(t, "acheteurs")

	b.open(t, s.URL+"/acheteurs/"+siret)
	var sc struct {
		Years []struct {
			Year      string           `json:"year"`
			Contracts uint64           `json:"contracts"`
			Amount    float64          `json:"amount"`
			Social    apiConsideration `json:"social"`
			Env       apiConsideration `json:"env"`
		} `json:"years"`
	}
	getAPI(t, s.URL, "/api/v1/buyers/"+siret+"/scorecard", &sc)
	cells := eval[[]cell](t, b, `Array.from(document.querySelectorAll('#scorecard-table td[data-field]')).map(td => ({
		Row: td.parentElement.dataset.year, Field: td.dataset.field, Value: td.dataset.value, Text: td.textContent}))`)
	if len(sc.Years) == 0 || len(cells) != 8*len(sc.Years) {
		t.Fatalf("%d cells for %d API years", len(cells), len(sc.Years))
	}
	raw := func(v *float64) string {
		if v == nil {
			return ""
		}
		return strconv.FormatFloat(*v, 'g', -1, 64)
	}
	for _, c := range cells {
		for _, y := range sc.Years {
			if y.Year != c.Row {
				continue
			}
			want := map[string]string{"contracts": strconv.FormatUint(y.Contracts, 10), "amount": strconv.FormatFloat(y.Amount, 'g', -1, 64),
				"social.declared.share_contracts": raw(y.Social.Declared.ShareContracts), "social.declared_unknown": strconv.FormatUint(y.Social.DeclaredUnknown, 10),
				"social.detected.share_contracts": raw(y.Social.Detected.ShareContracts), "env.declared.share_contracts": raw(y.Env.Declared.ShareContracts),
				"env.detected.share_contracts": raw(y.Env.Detected.ShareContracts)}[c.Field]
			if c.Field == "publications" {
				continue
			}
			if c.Value != want {
				t.Errorf("scorecard %s %s: page %q, API %q", c.Row, c.Field, c.Value, want)
			}
		}
	}
	if n := eval[int](t, b, `document.querySelectorAll('#chart-buyer svg rect').length`); n == 0 {
		t.Error("no bar in the buyer's chart")
	}
	b.screenshots(t, "acheteur")

	b.openBad(t, s.URL+"/acheteurs/12AB")
	if msg := eval[string](t, b, `(document.getElementById('erreur') || {textContent: ''}).textContent`); !strings.Contains(msg, "SIRET") {
		t.Errorf("malformed SIRET: %q", msg)
	}
}

func TestBrowserMethod(t *testing.T) {
	b := newBrowser(t)
	s := samplesServer(t)
	if err := s.st.RecordRun(context.Background(), store.Run{RunID: "r1", Pipeline: "decp-daily", Source: "decp", StartedAt: time.Now().Add(-time.Hour),
		FinishedAt: time.Now(), Status: "ok", RecordsRead: 459, New: 459, Version: 2}); err != nil {
		t.Fatal(err)
	}
	b.open(t, s.URL+"/methode")
	var ans struct {
		Rows []struct {
			Contracts uint64 `json:"contracts"`
		} `json:"rows"`
	}
	getAPI(t, s.URL, "/api/v1/contracts/indicators?group_by=year", &ans)
	var total uint64
	for _, r := range ans.Rows {
		total += r.Contracts
	}
	if got := eval[string](t, b, `document.getElementById('coverage-contracts').dataset.value`); got != strconv.FormatUint(total, 10) {
		t.Errorf("coverage: page %s contracts, API %d", got, total)
	}
	for _, id := range []string{"def-social", "def-env", "def-reserved", "label-reserved_ess"} {
		if n := eval[int](t, b, `document.querySelectorAll('#`+id+`').length`); n != 1 {
			t.Errorf("definition %s missing", id)
		}
	}
	if row := eval[string](t, b, `(document.querySelector('#freshness tbody tr') || {textContent: ''}).textContent`); !strings.Contains(row, "decp-daily") || !strings.Contains(row, "ok") {
		t.Errorf("freshness row of the recorded run: %q", row)
	}
	b.screenshots(t, "methode")
}
