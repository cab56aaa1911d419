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
	"os"
	"strings"

	"github.com/vigie-data/vigie/internal/clause"
	"github.com/vigie-data/vigie/internal/config"
	"github.com/vigie-data/vigie/internal/notice"
	"github.com/vigie-data/vigie/internal/source/boamp"
	"github.com/vigie-data/vigie/internal/source/doctree"
)

func init() {
	var evalPath, filePath string
	register(&Command{
		Name:    "detect",
		Summary: "detect social/environmental clauses and reserved lots: JSON Lines on stdin, --file, or --eval",
		Usage:   "[--file PATH | --eval FILE] < input.jsonl",
		Flags: func(fs *flag.FlagSet, _ *config.Config) {
			fs.StringVar(&evalPath, "eval", "", "labelled JSON Lines ({\"id\",\"text\",\"labels\"}): print per-label precision, recall, F1, support and the misclassified ids")
			fs.StringVar(&filePath, "file", "", "run the full detection (structured codes + text) on one notice file (BOAMP XML or API JSON, eForms XML), a JSON Lines file or a plain text file")
		},
		Run: func(ctx context.Context, env *Env, args []string) error {
			if len(args) > 0 {
				return UsageError{fmt.Sprintf("unexpected argument %q", args[0])}
			}
			switch {
			case evalPath != "" && filePath != "":
				return UsageError{"--eval and --file exclude each other"}
			case evalPath != "":
				return detectEval(env, evalPath)
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
	r := clause.DetectText(*in.Text)
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

func detectEval(env *Env, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	rep, err := clause.Evaluate(f)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	fmt.Fprintf(env.Stdout, "detector version %d, %s\n\n", clause.Version, path)
	return rep.WriteTable(env.Stdout)
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
