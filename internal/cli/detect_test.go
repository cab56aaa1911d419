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

// A "field" on a stdin line says where the text comes from: the same words
// are a criterion among the award criteria and a clause in the execution
// conditions.
func TestDetectStreamField(t *testing.T) {
	in := `{"id": 1, "field": "award_criteria", "text": "Les repas comportent des produits issus de l'agriculture biologique"}
{"id": 2, "field": "execution_conditions", "text": "Les repas comportent des produits issus de l'agriculture biologique"}
{"id": 3, "field": "", "text": "Clause d'insertion"}
`
	out, stderr, code := runDetect(t, in)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	for i, want := range []string{`"labels":["env_criterion"]`, `"labels":["env_clause"]`, `"labels":["social_clause"]`} {
		if i >= len(lines) || !strings.Contains(lines[i], want) {
			t.Errorf("line %d: want %s in\n%s", i+1, want, out)
		}
	}
}

// --eval reads several files and directories, scores one part of the
// split, and prints only aggregate figures for the test part; --kappa
// compares the corpus with its second labellings.
func TestDetectEvalSplitAndKappa(t *testing.T) {
	dir := t.TempDir()
	write := func(name, s string) {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// doc0 is in the dev part, doc7 in the test part.
	write("ted.jsonl", `{"id": "t1", "doc": "doc0", "field": "award_criteria", "text": "Clause d'insertion obligatoire", "labels": ["social_clause"]}
{"id": "t2", "doc": "doc7", "field": "award_criteria", "text": "Secret test wording: clause sociale", "labels": []}
`)
	write("boamp.jsonl", `{"id": "b1", "doc": "doc0", "text": "Lot réservé aux ESAT", "labels": ["reserved_disability", "reserved"]}
`)
	write("double/corpusB.jsonl", `{"id": "t1", "labels": ["social_clause"]}
{"id": "t2", "labels": ["social_clause"]}
{"id": "b1", "labels": ["reserved_disability"]}
`)
	out, stderr, code := runDetect(t, "", "--eval", filepath.Join(dir, "ted.jsonl"), filepath.Join(dir, "boamp.jsonl"), "--split", "dev", "--show")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{"2 cases (dev part)", "documents read: 1 dev, 1 test", "field award_criteria", "social_clause read as social_criterion 1", "t1 [award_criteria]", "Clause d'insertion obligatoire"} {
		if !strings.Contains(out, want) {
			t.Errorf("dev eval lacks %q:\n%s", want, out)
		}
	}
	out, stderr, code = runDetect(t, "", "--eval", dir, "--split", "test", "--show")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(out, "1 cases (test part)") || strings.Contains(out, "t2") || strings.Contains(out, "Secret") {
		t.Errorf("test eval shows more than aggregates:\n%s", out)
	}
	if _, _, code := runDetect(t, "", "--eval", dir, "--split", "train"); code != 2 {
		t.Errorf("--split train: exit %d, want 2", code)
	}
	out, stderr, code = runDetect(t, "", "--kappa", dir)
	if code != 0 {
		t.Fatalf("kappa: exit %d: %s", code, stderr)
	}
	// social_clause: both 1, only2 1, neither 1 → po 2/3, pa 1/3, pb 2/3, pe 4/9, kappa 0.4.
	if !strings.Contains(out, "social_clause             3      1      0      1     0.667   0.400") {
		t.Errorf("kappa output:\n%s", out)
	}
}
