package cli

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/vigie-data/vigie/internal/clause"
	"github.com/vigie-data/vigie/internal/config"
	"github.com/vigie-data/vigie/internal/notice"
	"github.com/vigie-data/vigie/internal/source/boamp"
	"github.com/vigie-data/vigie/internal/source/doctree"
)

func init() {
	var evalPath, filePath, split, kappaDir string
	var show bool
	var flags *flag.FlagSet
	register(&Command{
		Name:    "detect",
		Summary: "detect social/environmental clauses and reserved lots: JSON Lines on stdin, --file, --eval or --kappa",
		Usage:   "[--file PATH | --eval FILE|DIR [FILE|DIR...] [--split dev|test] [--show] | --kappa DIR] < input.jsonl",
		Flags: func(fs *flag.FlagSet, _ *config.Config) {
			flags = fs
			fs.StringVar(&evalPath, "eval", "", "labelled JSON Lines ({\"id\",\"text\",\"labels\"}, optionally \"field\" and \"doc\"), or a directory of them; more files may follow: print per-label precision, recall, F1 and support, the figures per field, the clause/criterion confusions and the misclassified ids")
			fs.StringVar(&split, "split", "", "with --eval: score only the dev or the test part of the real corpus (split by the cases' \"doc\"); the test part prints aggregate figures only")
			fs.BoolVar(&show, "show", false, "with --eval: print the text of every misclassified case (never a test-part case)")
			fs.StringVar(&kappaDir, "kappa", "", "a corpus directory (testdata/clauses/real): Cohen's kappa per label between its *.jsonl labels and each double/<annotator>.jsonl")
			fs.StringVar(&filePath, "file", "", "run the full detection (structured codes + text) on one notice file (BOAMP XML or API JSON, eForms XML), a JSON Lines file or a plain text file")
		},
		Run: func(ctx context.Context, env *Env, args []string) error {
			// --eval takes several files: flags may follow them
			// ("--eval a.jsonl b.jsonl --split dev").
			var more []string
			for len(args) > 0 && evalPath != "" {
				if !strings.HasPrefix(args[0], "-") {
					more, args = append(more, args[0]), args[1:]
					continue
				}
				if err := flags.Parse(args); err != nil {
					return UsageError{err.Error()}
				}
				args = flags.Args()
			}
			args = append(more, args...)
			modes := 0
			for _, m := range []string{evalPath, filePath, kappaDir} {
				if m != "" {
					modes++
				}
			}
			switch {
			case modes > 1:
				return UsageError{"--eval, --file and --kappa exclude each other"}
			case evalPath != "":
				paths := append([]string{evalPath}, args...)
				return detectEval(env, paths, split, show)
			case len(args) > 0:
				return UsageError{fmt.Sprintf("unexpected argument %q", args[0])}
			case split != "" || show:
				return UsageError{"--split and --show go with --eval"}
			case kappaDir != "":
				return detectKappa(env, kappaDir)
			case filePath != "":
				return detectFile(ctx, env, filePath)
			}
			return detectStream(ctx, env.Stdin, env.Stdout)
		},
	})
}

// detectInput is one line of 'vigie detect' input.
type detectInput struct {
	ID   json.RawMessage `json:"id"`
	Text *string         `json:"text"`
	// Field names where the text comes from, with the names of
	// clause.Field* ("execution_conditions", "award_criteria", …); the
	// same words are a clause, a criterion or what is bought by field.
	// Absent or empty: "text", read by its wording alone.
	Field string `json:"field"`
}

// detectEvidence is the evidence of the command's contract.
type detectEvidence struct {
	Label string `json:"label"`
	Text  string `json:"text"`
	Start int    `json:"start"`
	End   int    `json:"end"`
}

type detectOutput struct {
	ID       json.RawMessage  `json:"id"`
	Labels   []string         `json:"labels"`
	Evidence []detectEvidence `json:"evidence"`
}

type lineError struct {
	Line  int    `json:"line"`
	Error string `json:"error"`
}

// detectStream reads {"id","text"} lines and writes one result line per
// input line, in order; a bad line gets {"line": N, "error": "..."}.
func detectStream(ctx context.Context, r io.Reader, w io.Writer) error {
	br := bufio.NewReaderSize(r, 256*1024)
	bw := bufio.NewWriterSize(w, 64*1024)
	defer bw.Flush()
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	for n := 1; ; n++ {
		if n%1024 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		line, err := br.ReadBytes('\n')
		if len(line) == 0 && err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return fmt.Errorf("read stdin: %w", err)
		}
		if len(bytes.TrimSpace(line)) == 0 {
			if err := enc.Encode(lineError{Line: n, Error: "empty line"}); err != nil {
				return err
			}
			continue
		}
		if err := enc.Encode(detectLine(n, line)); err != nil {
			return fmt.Errorf("write stdout: %w", err)
		}
	}
}

func detectLine(n int, line []byte) any {
	var in detectInput
	if err := json.Unmarshal(line, &in); err != nil {
		return lineError{Line: n, Error: "invalid JSON: " + err.Error()}
	}
	if in.Text == nil {
		return lineError{Line: n, Error: `no "text" string`}
	}
	if in.ID == nil {
		in.ID = json.RawMessage("null")
	}
	field := in.Field
	if field == "" {
		field = clause.FieldText
	}
	r := clause.DetectFields([]clause.Field{{Name: field, Text: *in.Text}})
	return detectOutput{ID: in.ID, Labels: orEmpty(r.Labels), Evidence: positives(r.Evidence)}
}

// positives keeps the evidence that supports a label (not a written "no").
func positives(ev []clause.Evidence) []detectEvidence {
	out := []detectEvidence{}
	for _, e := range ev {
		if !e.Negative {
			out = append(out, detectEvidence{Label: e.Label, Text: e.Text, Start: e.Start, End: e.End})
		}
	}
	return out
}

// detectEval scores labelled files (a directory stands for the *.jsonl
// files directly in it) as one corpus.
func detectEval(env *Env, paths []string, split string, show bool) error {
	ev, err := clause.NewEvaluation(clause.EvalOptions{Split: split})
	if err != nil {
		return UsageError{err.Error()}
	}
	files, err := jsonlFiles(paths)
	if err != nil {
		return err
	}
	for _, p := range files {
		if err := evalFile(ev, p); err != nil {
			return err
		}
	}
	rep := ev.Report()
	fmt.Fprintf(env.Stdout, "detector version %d, %s", clause.Version, strings.Join(files, " "))
	if split != "" {
		fmt.Fprintf(env.Stdout, ", %s part", split)
	}
	fmt.Fprint(env.Stdout, "\n\n")
	return rep.WriteFull(env.Stdout, show)
}

func evalFile(ev *clause.Evaluation, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	return ev.Read(f, path)
}

// jsonlFiles expands directories to the *.jsonl files directly in them.
func jsonlFiles(paths []string) ([]string, error) {
	var out []string
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			return nil, err
		}
		if !st.IsDir() {
			out = append(out, p)
			continue
		}
		m, err := filepath.Glob(filepath.Join(p, "*.jsonl"))
		if err != nil {
			return nil, err
		}
		if len(m) == 0 {
			return nil, fmt.Errorf("%s: no *.jsonl file", p)
		}
		out = append(out, m...)
	}
	return out, nil
}

// detectKappa prints Cohen's kappa per label between the labels of the
// corpus in dir (*.jsonl) and each second labelling in dir/double
// (<annotator>.jsonl, {"id","labels"}), and over all of them together.
func detectKappa(env *Env, dir string) error {
	primary, err := readLabels(dir)
	if err != nil {
		return err
	}
	doubles, err := filepath.Glob(filepath.Join(dir, "double", "*.jsonl"))
	if err != nil {
		return err
	}
	if len(doubles) == 0 {
		return fmt.Errorf("%s: no second labelling (double/*.jsonl)", dir)
	}
	all := map[string][]string{}
	allPrimary := map[string][]string{}
	for _, p := range doubles {
		second, err := readLabelFile(p, nil)
		if err != nil {
			return err
		}
		var unknown []string
		for id, ls := range second {
			if _, ok := primary[id]; !ok {
				unknown = append(unknown, id)
				continue
			}
			// an id labelled by two second annotators counts twice,
			// under distinct keys
			key := filepath.Base(p) + "/" + id
			all[key], allPrimary[key] = ls, primary[id]
		}
		if len(unknown) > 0 {
			sort.Strings(unknown)
			return fmt.Errorf("%s: %d ids not in the corpus (first: %s)", p, len(unknown), unknown[0])
		}
		fmt.Fprintf(env.Stdout, "%s (%d cases)\n", p, len(second))
		writeKappa(env.Stdout, clause.Kappa(primary, second))
	}
	if len(doubles) > 1 {
		fmt.Fprintf(env.Stdout, "all second labellings (%d cases)\n", len(all))
		writeKappa(env.Stdout, clause.Kappa(allPrimary, all))
	}
	return nil
}

func writeKappa(w io.Writer, ks []clause.KappaScore) {
	fmt.Fprintf(w, "%-20s %6s %6s %6s %6s %9s %7s\n", "label", "cases", "both", "only1", "only2", "agreement", "kappa")
	for _, k := range ks {
		kappa := "n/a"
		if !math.IsNaN(k.Kappa) {
			kappa = fmt.Sprintf("%.3f", k.Kappa)
		}
		fmt.Fprintf(w, "%-20s %6d %6d %6d %6d %9.3f %7s\n", k.Label, k.Cases, k.Both, k.OnlyA, k.OnlyB, k.Agreement, kappa)
	}
	fmt.Fprintln(w)
}

// readLabels reads id → labels from every *.jsonl directly in dir.
func readLabels(dir string) (map[string][]string, error) {
	files, err := jsonlFiles([]string{dir})
	if err != nil {
		return nil, err
	}
	out := map[string][]string{}
	for _, p := range files {
		if _, err := readLabelFile(p, out); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// readLabelFile reads {"id","labels"} lines into into (a new map when nil);
// a bad line, an unknown label or an id read twice is an error.
func readLabelFile(path string, into map[string][]string) (map[string][]string, error) {
	if into == nil {
		into = map[string][]string{}
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64*1024), 16*1024*1024)
	for n := 1; sc.Scan(); n++ {
		if len(bytes.TrimSpace(sc.Bytes())) == 0 {
			continue
		}
		var c struct {
			ID     string    `json:"id"`
			Labels *[]string `json:"labels"`
		}
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
			return nil, fmt.Errorf("%s line %d: %w", path, n, err)
		}
		if c.ID == "" || c.Labels == nil {
			return nil, fmt.Errorf("%s line %d: want \"id\" and \"labels\"", path, n)
		}
		if _, dup := into[c.ID]; dup {
			return nil, fmt.Errorf("%s line %d: id %q read twice", path, n, c.ID)
		}
		for _, l := range *c.Labels {
			if !slices.Contains(clause.AllLabels, l) {
				return nil, fmt.Errorf("%s line %d: unknown label %q", path, n, l)
			}
		}
		into[c.ID] = *c.Labels
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return into, nil
}

// fileFinding is what 'vigie detect --file' prints for a notice or a lot.
type fileFinding struct {
	Subject          string            `json:"subject"` // notice, lot, text
	ID               string            `json:"id"`
	Labels           []string          `json:"labels"`
	Declared         []string          `json:"declared"`
	DeclaredNegative []string          `json:"declared_negative"`
	Detected         []string          `json:"detected"`
	Evidence         []clause.Evidence `json:"evidence"`
	DetectorVersion  uint32            `json:"detector_version"`
}

// detectFile runs the full detection on one file. The format is told from
// the content: XML (BOAMP V230 or eForms notice), JSON (a BOAMP API record
// or page of records), JSON Lines ({"id","text"}, as on stdin), or plain
// text (one "text" subject).
func detectFile(ctx context.Context, env *Env, path string) (err error) {
	// A parser bug on one file is reported as an error, not a crash.
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("%s: parser failed: %v", path, p)
		}
	}()
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	br := bufio.NewReaderSize(f, 64*1024)
	head, _ := br.Peek(512)
	head = bytes.TrimLeft(bytes.TrimPrefix(head, []byte("\xEF\xBB\xBF")), " \t\r\n")
	enc := json.NewEncoder(env.Stdout)
	enc.SetEscapeHTML(false)
	switch {
	case len(head) > 0 && head[0] == '<':
		root, err := doctree.ParseXML(br)
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		n, err := boamp.ParseXML(root)
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		return printNotice(enc, n)
	case len(head) > 0 && head[0] == '{' && isJSONLines(path, br):
		return detectStream(ctx, br, env.Stdout)
	case len(head) > 0 && (head[0] == '{' || head[0] == '['):
		return detectJSONFile(enc, path, br)
	}
	// Plain text: read in full — one subject is one text.
	data, err := io.ReadAll(br)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	r := clause.DetectFields([]clause.Field{{Name: "text", Text: string(data)}})
	return enc.Encode(finding("text", path, r))
}

// isJSONLines: a .jsonl/.ndjson name, or a first line that is a whole
// JSON object with a "text" member.
func isJSONLines(path string, br *bufio.Reader) bool {
	if strings.HasSuffix(path, ".jsonl") || strings.HasSuffix(path, ".ndjson") {
		return true
	}
	buf, _ := br.Peek(br.Buffered())
	line, _, _ := bytes.Cut(buf, []byte("\n"))
	var in detectInput
	return json.Unmarshal(line, &in) == nil && in.Text != nil
}

// detectJSONFile reads BOAMP API JSON: a page ({"results": [...]}), a
// list of records, or one record — records one at a time.
func detectJSONFile(enc *json.Encoder, path string, br *bufio.Reader) error {
	dec := json.NewDecoder(br)
	each := func(raw json.RawMessage) error {
		n, err := boamp.ParseRecord(raw)
		if err != nil {
			return fmt.Errorf("%s: %w (--file reads BOAMP and eForms notices; DECP files are read by 'vigie ingest')", path, err)
		}
		return printNotice(enc, n)
	}
	tok, err := dec.Token()
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if tok == json.Delim('[') {
		return eachArray(dec, path, each)
	}
	// An object: either a page with "results" or a record; a record is
	// re-assembled from its members.
	rec := map[string]json.RawMessage{}
	for dec.More() {
		kt, err := dec.Token()
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		key, _ := kt.(string)
		if key == "results" {
			if t, err := dec.Token(); err != nil || t != json.Delim('[') {
				return fmt.Errorf("%s: results is not a list", path)
			}
			if err := eachArray(dec, path, each); err != nil {
				return err
			}
			continue
		}
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		rec[key] = v
	}
	if _, ok := rec["idweb"]; ok {
		raw, _ := json.Marshal(rec)
		return each(raw)
	}
	return nil
}

func eachArray(dec *json.Decoder, path string, each func(json.RawMessage) error) error {
	for dec.More() {
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		if err := each(raw); err != nil {
			return err
		}
	}
	_, err := dec.Token()
	return err
}

func printNotice(enc *json.Encoder, n *notice.Notice) error {
	notice.Analyse(n)
	if err := enc.Encode(finding("notice", n.ID, n.Detection)); err != nil {
		return err
	}
	for _, l := range n.Lots {
		if err := enc.Encode(finding("lot", n.ID+"#"+l.Number, l.Detection)); err != nil {
			return err
		}
	}
	return nil
}

func finding(subject, id string, r clause.Result) fileFinding {
	dl, dn, det := notice.Labels(r)
	return fileFinding{Subject: subject, ID: id, Labels: orEmpty(r.Labels), Declared: orEmpty(dl),
		DeclaredNegative: orEmpty(dn), Detected: orEmpty(det), Evidence: r.Evidence, DetectorVersion: clause.Version}
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
