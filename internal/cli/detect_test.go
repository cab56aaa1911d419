package cli

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vigie-data/vigie/internal/config"
)

func runDetect(t *testing.T, stdin string, args ...string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(append([]string{"detect"}, args...), &Env{Config: &config.Config{}, Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errb})
	return out.String(), errb.String(), code
}

// One output line per input line, in order; a bad line gets its number
// and an error, and the stream goes on.
func TestDetectStream(t *testing.T) {
	in := `{"id": "a", "text": "Marché réservé aux entreprises adaptées (article L. 2113-12)."}
not json
{"id": 7, "text": "Critères : prix 60 %, valeur technique 40 %."}
{"id": "c"}
{"id": "d", "text": "Conditions d'exécution : clause d’insertion de 5 % des heures."}
`
	out, stderr, code := runDetect(t, in)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 5 {
		t.Fatalf("%d output lines, want 5:\n%s", len(lines), out)
	}
	var a struct {
		ID       string
		Labels   []string
		Evidence []struct {
			Label, Text string
			Start, End  int
		}
	}
	if err := json.Unmarshal([]byte(lines[0]), &a); err != nil {
		t.Fatal(err)
	}
	if a.ID != "a" || strings.Join(a.Labels, ",") != "reserved,reserved_disability" {
		t.Errorf("line 1: %s", lines[0])
	}
	text := []rune("Marché réservé aux entreprises adaptées (article L. 2113-12).")
	for _, e := range a.Evidence {
		if string(text[e.Start:e.End]) != e.Text {
			t.Errorf("evidence %+v does not point at its text", e)
		}
	}
	if !strings.HasPrefix(lines[1], `{"line":2,"error":"invalid JSON`) {
		t.Errorf("line 2: %s", lines[1])
	}
	if lines[2] != `{"id":7,"labels":[],"evidence":[]}` {
		t.Errorf("line 3: %s", lines[2])
	}
	if !strings.HasPrefix(lines[3], `{"line":4,"error":`) {
		t.Errorf("line 4: %s", lines[3])
	}
	if !strings.Contains(lines[4], `"labels":["social_clause"]`) {
		t.Errorf("line 5: %s", lines[4])
	}
}

func TestDetectEval(t *testing.T) {
	out, stderr, code := runDetect(t, "", "--eval", "../../testdata/clauses/corpus.jsonl")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{"precision", "recall", "f1", "support", "reserved_ess", "misclassified"} {
		if !strings.Contains(out, want) {
			t.Errorf("eval output lacks %q:\n%s", want, out)
		}
	}
}

func TestDetectFileText(t *testing.T) {
	p := filepath.Join(t.TempDir(), "avis.txt")
	if err := os.WriteFile(p, []byte("Marché réservé : non.\nCritère 3 : performances en matière de protection de l'environnement (10 %)."), 0o644); err != nil {
		t.Fatal(err)
	}
	out, stderr, code := runDetect(t, "", "--file", p)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var f fileFinding
	if err := json.Unmarshal([]byte(out), &f); err != nil {
		t.Fatal(err)
	}
	if strings.Join(f.Labels, ",") != "env_criterion" || f.Subject != "text" {
		t.Errorf("finding %+v", f)
	}
	if _, _, code := runDetect(t, "", "--file", p, "--eval", p); code != 2 {
		t.Errorf("--file with --eval: exit %d, want 2", code)
	}
}
