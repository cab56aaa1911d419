package schedule

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vigie-data/vigie/internal/source"
)

func writeDefs(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

const validDef = `name: boamp-api
source: boamp
schedule: "0 */6 * * *"
url: https://example.test/api
rate: 2.5
burst: 3
lookback: 3d
`

func TestLoadValid(t *testing.T) {
	dir := writeDefs(t, map[string]string{"a.yaml": validDef, "README.md": "not a definition"})
	ps, err := Load(dir, testSources)
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != 1 {
		t.Fatalf("got %d pipelines, want 1", len(ps))
	}
	p := ps[0]
	if p.Name != "boamp-api" || p.Source != "boamp" || p.Rate != 2.5 || p.Burst != 3 ||
		p.Lookback != 72*time.Hour || !p.Enabled || p.Host() != "example.test" {
		t.Errorf("pipeline read as %+v", p)
	}
	from := time.Date(2026, 1, 10, 7, 0, 0, 0, time.Local)
	if got, want := p.Next(from), time.Date(2026, 1, 10, 12, 0, 0, 0, time.Local); !got.Equal(want) {
		t.Errorf("next run after %v = %v, want %v", from, got, want)
	}
}

// A run's deadline: the file's timeout, else DefaultTimeout.
func TestLoadTimeout(t *testing.T) {
	dir := writeDefs(t, map[string]string{"a.yaml": validDef, "b.yaml": strings.Replace(validDef, "boamp-api", "other", 1) + "timeout: 90m\n"})
	ps, err := Load(dir, testSources)
	if err != nil {
		t.Fatal(err)
	}
	if ps[0].Timeout != DefaultTimeout || ps[1].Timeout != 90*time.Minute {
		t.Errorf("timeouts %v and %v, want %v and 90m", ps[0].Timeout, ps[1].Timeout, DefaultTimeout)
	}
}

// The definitions shipped in pipelines/ must load, with the archive off.
func TestShippedPipelines(t *testing.T) {
	ps, err := Load(filepath.Join("..", "..", "pipelines"), testSources)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]Pipeline{}
	for _, p := range ps {
		got[p.Name] = p
	}
	for name, src := range map[string]string{"boamp-api": "boamp", "boamp-archive": "boamp-archive", "decp": "decp"} {
		if got[name].Source != src {
			t.Errorf("pipeline %s: source %q, want %q", name, got[name].Source, src)
		}
	}
	if got["boamp-archive"].Enabled || !got["boamp-api"].Enabled || !got["decp"].Enabled {
		t.Errorf("enabled flags: archive %v, api %v, decp %v", got["boamp-archive"].Enabled, got["boamp-api"].Enabled, got["decp"].Enabled)
	}
	if got["boamp-api"].Lookback != 72*time.Hour {
		t.Errorf("boamp-api lookback %v, want 3 days", got["boamp-api"].Lookback)
	}
	if n := got["decp-national"]; n.Source != "decp" || !n.Enabled || n.resources == nil ||
		!n.resources.MatchString("decp.parquet") || n.resources.MatchString("decp.csv") {
		t.Errorf("decp-national: source %q, enabled %v, resources %q (want decp.parquet alone)", n.Source, n.Enabled, n.Resources)
	}
	if got["decp"].resources == nil || !got["decp"].resources.MatchString("decp.json") {
		t.Errorf("decp resources pattern %q does not select decp.json", got["decp"].Resources)
	}
}

func TestLoadRejects(t *testing.T) {
	cases := []struct {
		name, body string
		want       []string // in the message: file, line, field, reason
	}{
		{"unknown field", validDef + "shedule: daily\n", []string{"x.yaml:8", `field "shedule"`, "unknown field"}},
		{"bad source", strings.Replace(validDef, "source: boamp", "source: ted", 1), []string{"x.yaml:2", `field "source"`, `"ted" is not one of boamp, boamp-archive, decp`}},
		{"bad schedule", strings.Replace(validDef, `"0 */6 * * *"`, `"every day"`, 1), []string{"x.yaml:3", `field "schedule"`, "not a cron spec"}},
		{"missing url", strings.Replace(validDef, "url: https://example.test/api\n", "", 1), []string{"x.yaml", `field "url"`, "required"}},
		{"bad url", strings.Replace(validDef, "https://example.test/api", "ftp://example.test/", 1), []string{`field "url"`, "not an http(s) URL"}},
		{"rate not a number", strings.Replace(validDef, "rate: 2.5", "rate: fast", 1), []string{"x.yaml:5", `field "rate"`, `"fast" is not a number`}},
		{"zero burst", strings.Replace(validDef, "burst: 3", "burst: 0", 1), []string{`field "burst"`, "want at least 1"}},
		{"bad lookback", strings.Replace(validDef, "lookback: 3d", "lookback: three days", 1), []string{`field "lookback"`, "number of days"}},
		{"enabled not boolean", validDef + "enabled: perhaps\n", []string{`field "enabled"`, "boolean"}},
		{"bad name", strings.Replace(validDef, "name: boamp-api", "name: BOAMP API", 1), []string{`field "name"`, "lower-case"}},
		{"resources on boamp", validDef + "resources: x\n", []string{`field "resources"`, "only decp"}},
		{"field twice", validDef + "rate: 3\n", []string{`field "rate"`, "given twice"}},
		{"not yaml", "name: [unclosed\n", []string{"x.yaml", "not valid YAML"}},
		{"not a mapping", "- a\n- b\n", []string{"x.yaml", "want a mapping"}},
		{"bad timeout", validDef + "timeout: soon\n", []string{"x.yaml:8", `field "timeout"`, "want a duration"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := writeDefs(t, map[string]string{"x.yaml": c.body, "ok.yaml": strings.Replace(validDef, "boamp-api", "other", 1)})
			ps, err := Load(dir, testSources)
			var le *LoadError
			if !errors.As(err, &le) {
				t.Fatalf("Load accepted the definition (%d pipelines), err %v", len(ps), err)
			}
			if ps != nil {
				t.Errorf("Load returned pipelines along with an error")
			}
			msg := err.Error()
			for _, w := range c.want {
				if !strings.Contains(msg, w) {
					t.Errorf("message lacks %q:\n%s", w, msg)
				}
			}
			if !strings.Contains(msg, filepath.Join(dir, "x.yaml")) {
				t.Errorf("message does not name the file:\n%s", msg)
			}
		})
	}
}

func TestLoadRejectsDuplicateNames(t *testing.T) {
	dir := writeDefs(t, map[string]string{"a.yaml": validDef, "b.yaml": validDef})
	_, err := Load(dir, testSources)
	if err == nil || !strings.Contains(err.Error(), `"boamp-api" is already the name of`) {
		t.Fatalf("duplicate names: err %v", err)
	}
}

func TestLoadEmptyOrMissingDir(t *testing.T) {
	if ps, err := Load(t.TempDir(), testSources); err != nil || len(ps) != 0 {
		t.Errorf("empty dir: %d pipelines, err %v; want none and no error", len(ps), err)
	}
	if _, err := Load(filepath.Join(t.TempDir(), "nope"), testSources); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing dir: err %v", err)
	}
}

func TestShortCheckpoint(t *testing.T) {
	for in, want := range map[string]string{
		"":           "none",
		"2026-01-09": "2026-01-09",
		`{"a":{"url":"u","last_modified":"2026-01-02T03:04:05+00:00"},"b":{"url":"v","last_modified":"2026-01-01"}}`: "2 files, newest 2026-01-02T03:04:05+00:00",
	} {
		if got := ShortCheckpoint(in); got != want {
			t.Errorf("ShortCheckpoint(%q) = %q, want %q", in, got, want)
		}
	}
}

// testSources stand for cli's: decp reads a dataset's resources.
var testSources = map[string]source.Source{
	"boamp":         fakeSource{name: "boamp"},
	"boamp-archive": fakeSource{name: "boamp-archive"},
	"decp":          datasetSource{fakeSource{name: "decp"}},
}

type datasetSource struct{ fakeSource }

func (datasetSource) ReadsDataset() {}
