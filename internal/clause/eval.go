package clause

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
)

// Case is one labelled example: the text and the labels a reader gives it.
type Case struct {
	ID     string   `json:"id"`
	Field  string   `json:"field,omitempty"` // the field the text is read from; default "text"
	Text   string   `json:"text"`
	Labels []string `json:"labels"`
	// Doc is the source document's key (real corpus): it decides the
	// case's split (SplitOf).
	Doc    string `json:"doc,omitempty"`
	Source string `json:"source,omitempty"`
}

// LabelScore is the detector's score on one label.
type LabelScore struct {
	Label     string  `json:"label"`
	TP        int     `json:"tp"`
	FP        int     `json:"fp"`
	FN        int     `json:"fn"`
	Support   int     `json:"support"` // cases that carry the label
	Precision float64 `json:"precision"`
	Recall    float64 `json:"recall"`
	F1        float64 `json:"f1"`
}

// FieldScore is the scores of the cases read from one field.
type FieldScore struct {
	Field  string       `json:"field"`
	Cases  int          `json:"cases"`
	Labels []LabelScore `json:"labels"`
}

// Confusions counts the cases where a clause was read as a criterion, or
// the reverse: the expected label missed and its counterpart given
// instead, not expected.
type Confusions struct {
	SocialClauseAsCriterion int `json:"social_clause_as_criterion"`
	SocialCriterionAsClause int `json:"social_criterion_as_clause"`
	EnvClauseAsCriterion    int `json:"env_clause_as_criterion"`
	EnvCriterionAsClause    int `json:"env_criterion_as_clause"`
}

// Miss is a case the detector got wrong.
type Miss struct {
	ID      string   `json:"id"`
	Missing []string `json:"missing,omitempty"` // expected, not found
	Extra   []string `json:"extra,omitempty"`   // found, not expected
	Field   string   `json:"field,omitempty"`
	Text    string   `json:"-"` // for 'vigie detect --eval --show' (dev cases only)
}

// Report is the outcome of an evaluation.
type Report struct {
	Split  string       `json:"split,omitempty"` // "" for every case
	Cases  int          `json:"cases"`
	Labels []LabelScore `json:"labels"`
	Fields []FieldScore `json:"fields"`
	// Unlabelled cases (no label expected) and how many of them were
	// given a label anyway.
	Unlabelled        int        `json:"unlabelled"`
	UnlabelledFlagged int        `json:"unlabelled_flagged"`
	Confusions        Confusions `json:"confusions"`
	// DevDocs and TestDocs count the distinct documents of the cases read
	// (all of them, whatever Split), to show the split's proportions.
	DevDocs  int `json:"dev_docs"`
	TestDocs int `json:"test_docs"`
	// Misclassified lists the cases got wrong; never filled for the test
	// part, which is scored by aggregate figures only.
	Misclassified []Miss `json:"misclassified"`
}

// EvalOptions selects what an Evaluation scores.
type EvalOptions struct {
	Split string // "" every case; SplitDev or SplitTest: that part only
}

// Evaluation scores cases read from one or more JSON Lines streams.
type Evaluation struct {
	opts   EvalOptions
	rep    Report
	fields map[string]*FieldScore
	ids    map[string]string // id → where it was first read
	docs   map[string]bool
}

// NewEvaluation starts an evaluation.
func NewEvaluation(opts EvalOptions) (*Evaluation, error) {
	switch opts.Split {
	case "", SplitDev, SplitTest:
	default:
		return nil, fmt.Errorf("unknown split %q (want %s or %s)", opts.Split, SplitDev, SplitTest)
	}
	e := &Evaluation{opts: opts, fields: map[string]*FieldScore{}, ids: map[string]string{}, docs: map[string]bool{}}
	e.rep.Split = opts.Split
	e.rep.Labels = newScores()
	e.rep.Misclassified = []Miss{}
	return e, nil
}

func newScores() []LabelScore {
	s := make([]LabelScore, len(AllLabels))
	for i, l := range AllLabels {
		s[i].Label = l
	}
	return s
}

// Evaluate scores every case of one JSON Lines stream.
func Evaluate(r io.Reader) (Report, error) {
	e, _ := NewEvaluation(EvalOptions{})
	if err := e.Read(r, "input"); err != nil {
		return e.Report(), err
	}
	return e.Report(), nil
}

// Read runs the detector on each case of a JSON Lines stream
// ({"id","text","labels"}, optionally "field": the text is then read as
// that field, as during ingestion; "doc": its split) and adds it to the
// scores. A line that is not a case, an unknown label or an id read twice
// is an error naming its line: a corpus must be clean. Expected labels
// follow the guide: a specific reservation implies `reserved`, whether or
// not the line lists it.
func (e *Evaluation) Read(r io.Reader, name string) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 16*1024*1024)
	line := 0
	for sc.Scan() {
		line++
		if strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		var c Case
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
			return fmt.Errorf("%s line %d: %w", name, line, err)
		}
		where := fmt.Sprintf("%s line %d", name, line)
		if c.ID != "" {
			if prev, dup := e.ids[c.ID]; dup {
				return fmt.Errorf("%s: id %q already read at %s", where, c.ID, prev)
			}
			e.ids[c.ID] = where
		}
		var want [8]bool
		for _, l := range c.Labels {
			i := labelIndex(l)
			if i < 0 {
				return fmt.Errorf("%s (%s): unknown label %q", where, c.ID, l)
			}
			want[i] = true
			if isSpecificReserved(l) {
				want[labelIndex(Reserved)] = true
			}
		}
		split := CaseSplit(c)
		if c.Doc != "" && !e.docs[c.Doc] {
			e.docs[c.Doc] = true
			if split == SplitTest {
				e.rep.TestDocs++
			} else {
				e.rep.DevDocs++
			}
		}
		if e.opts.Split != "" && split != e.opts.Split {
			continue
		}
		e.add(c, want, split)
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("%s line %d: %w", name, line+1, err)
	}
	return nil
}

func (e *Evaluation) add(c Case, want [8]bool, split string) {
	field := c.Field
	if field == "" {
		field = FieldText
	}
	var got [8]bool
	for _, l := range DetectFields([]Field{{Name: field, Text: c.Text}}).Labels {
		got[labelIndex(l)] = true
	}
	fs := e.fields[field]
	if fs == nil {
		fs = &FieldScore{Field: field, Labels: newScores()}
		e.fields[field] = fs
	}
	fs.Cases++
	e.rep.Cases++
	var m Miss
	anyWant, anyGot := false, false
	for i, l := range AllLabels {
		anyWant = anyWant || want[i]
		anyGot = anyGot || got[i]
		for _, s := range []*LabelScore{&e.rep.Labels[i], &fs.Labels[i]} {
			switch {
			case want[i] && got[i]:
				s.TP++
			case want[i]:
				s.FN++
			case got[i]:
				s.FP++
			}
			if want[i] {
				s.Support++
			}
		}
		switch {
		case want[i] && !got[i]:
			m.Missing = append(m.Missing, l)
		case got[i] && !want[i]:
			m.Extra = append(m.Extra, l)
		}
	}
	if !anyWant {
		e.rep.Unlabelled++
		if anyGot {
			e.rep.UnlabelledFlagged++
		}
	}
	confused := func(a, b string) bool {
		i, j := labelIndex(a), labelIndex(b)
		return want[i] && !got[i] && got[j] && !want[j]
	}
	cf := &e.rep.Confusions
	if confused(SocialClause, SocialCriterion) {
		cf.SocialClauseAsCriterion++
	}
	if confused(SocialCriterion, SocialClause) {
		cf.SocialCriterionAsClause++
	}
	if confused(EnvClause, EnvCriterion) {
		cf.EnvClauseAsCriterion++
	}
	if confused(EnvCriterion, EnvClause) {
		cf.EnvCriterionAsClause++
	}
	if (m.Missing != nil || m.Extra != nil) && split != SplitTest {
		m.ID, m.Field, m.Text = c.ID, c.Field, c.Text
		e.rep.Misclassified = append(e.rep.Misclassified, m)
	}
}

// Report returns the scores of the cases read so far.
func (e *Evaluation) Report() Report {
	rep := e.rep
	rep.Labels = finish(append([]LabelScore(nil), rep.Labels...))
	rep.Fields = make([]FieldScore, 0, len(e.fields))
	for _, fs := range e.fields {
		f := *fs
		f.Labels = finish(append([]LabelScore(nil), fs.Labels...))
		rep.Fields = append(rep.Fields, f)
	}
	sort.Slice(rep.Fields, func(i, j int) bool { return rep.Fields[i].Field < rep.Fields[j].Field })
	if rep.Split == SplitTest {
		rep.Misclassified = []Miss{}
	}
	return rep
}

func finish(ls []LabelScore) []LabelScore {
	for i := range ls {
		s := &ls[i]
		s.Precision = ratio(s.TP, s.TP+s.FP)
		s.Recall = ratio(s.TP, s.TP+s.FN)
		s.F1 = 0
		if s.Precision+s.Recall > 0 {
			s.F1 = 2 * s.Precision * s.Recall / (s.Precision + s.Recall)
		}
	}
	return ls
}

// ratio is n/d, and 1 when d is 0 (nothing to get wrong).
func ratio(n, d int) float64 {
	if d == 0 {
		return 1
	}
	return float64(n) / float64(d)
}

// WriteTable prints the report as a fixed-width table followed by the
// misclassified ids.
func (r Report) WriteTable(w io.Writer) error {
	return r.write(w, false, false)
}

// WriteFull prints the table, the figures per field, the confusions
// between clauses and criteria and, with show, the text of every
// misclassified case (never a test case: they are not kept).
func (r Report) WriteFull(w io.Writer, show bool) error {
	return r.write(w, true, show)
}

func (r Report) write(w io.Writer, full, show bool) error {
	var b strings.Builder
	writeScores(&b, r.Labels)
	fmt.Fprintf(&b, "\n%d cases", r.Cases)
	if r.Split != "" {
		fmt.Fprintf(&b, " (%s part)", r.Split)
	}
	fmt.Fprintf(&b, ", %d misclassified", len(r.Misclassified))
	if r.Split == SplitTest {
		b.WriteString(" (test part: ids not listed)")
	}
	b.WriteString("\n")
	if full {
		if n := r.DevDocs + r.TestDocs; n > 0 {
			fmt.Fprintf(&b, "documents read: %d dev, %d test (%.1f %% test)\n", r.DevDocs, r.TestDocs, 100*float64(r.TestDocs)/float64(n))
		}
		fmt.Fprintf(&b, "cases without a label: %d, given one anyway: %d\n", r.Unlabelled, r.UnlabelledFlagged)
		c := r.Confusions
		fmt.Fprintf(&b, "confusions: social_clause read as social_criterion %d, social_criterion read as social_clause %d, env_clause read as env_criterion %d, env_criterion read as env_clause %d\n",
			c.SocialClauseAsCriterion, c.SocialCriterionAsClause, c.EnvClauseAsCriterion, c.EnvCriterionAsClause)
		for _, f := range r.Fields {
			fmt.Fprintf(&b, "\nfield %s: %d cases\n", f.Field, f.Cases)
			var ls []LabelScore
			for _, s := range f.Labels {
				if s.Support > 0 || s.FP > 0 {
					ls = append(ls, s)
				}
			}
			if len(ls) == 0 {
				b.WriteString("  (no label expected or given)\n")
				continue
			}
			writeScores(&b, ls)
		}
		b.WriteString("\n")
	}
	for _, m := range r.Misclassified {
		fmt.Fprintf(&b, "  %s", m.ID)
		if m.Field != "" {
			fmt.Fprintf(&b, " [%s]", m.Field)
		}
		if len(m.Missing) > 0 {
			fmt.Fprintf(&b, "  missing: %s", strings.Join(m.Missing, ","))
		}
		if len(m.Extra) > 0 {
			fmt.Fprintf(&b, "  extra: %s", strings.Join(m.Extra, ","))
		}
		b.WriteString("\n")
		if show {
			fmt.Fprintf(&b, "      %s\n", m.Text)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func writeScores(b *strings.Builder, ls []LabelScore) {
	fmt.Fprintf(b, "%-20s %9s %9s %9s %8s %5s %5s\n", "label", "precision", "recall", "f1", "support", "fp", "fn")
	for _, s := range ls {
		fmt.Fprintf(b, "%-20s %9.3f %9.3f %9.3f %8d %5d %5d\n", s.Label, s.Precision, s.Recall, s.F1, s.Support, s.FP, s.FN)
	}
}
