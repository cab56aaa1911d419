package clause

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// Case is one labelled example: the text and the labels a reader gives it.
type Case struct {
	ID     string   `json:"id"`
	Field  string   `json:"field,omitempty"` // the field the text is read from; default "text"
	Text   string   `json:"text"`
	Labels []string `json:"labels"`
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

// Miss is a case the detector got wrong.
type Miss struct {
	ID      string   `json:"id"`
	Missing []string `json:"missing,omitempty"` // expected, not found
	Extra   []string `json:"extra,omitempty"`   // found, not expected
}

// Report is the outcome of an evaluation.
type Report struct {
	Cases         int          `json:"cases"`
	Labels        []LabelScore `json:"labels"`
	Misclassified []Miss       `json:"misclassified"`
}

// Evaluate runs the detector on each case of a JSON Lines stream
// ({"id","text","labels"}, optionally "field": the text is then read as
// that field, as during ingestion) and scores every label. A line that is not a
// case is an error naming its line: a corpus must be clean.
func Evaluate(r io.Reader) (Report, error) {
	idx := map[string]int{}
	rep := Report{Misclassified: []Miss{}}
	for i, l := range AllLabels {
		idx[l] = i
		rep.Labels = append(rep.Labels, LabelScore{Label: l})
	}
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
			return rep, fmt.Errorf("line %d: %w", line, err)
		}
		want := map[string]bool{}
		for _, l := range c.Labels {
			if _, ok := idx[l]; !ok {
				return rep, fmt.Errorf("line %d (%s): unknown label %q", line, c.ID, l)
			}
			want[l] = true
		}
		got := map[string]bool{}
		field := c.Field
		if field == "" {
			field = FieldText
		}
		for _, l := range DetectFields([]Field{{Name: field, Text: c.Text}}).Labels {
			got[l] = true
		}
		rep.Cases++
		var m Miss
		for _, l := range AllLabels {
			s := &rep.Labels[idx[l]]
			switch {
			case want[l] && got[l]:
				s.TP++
			case want[l]:
				s.FN++
				m.Missing = append(m.Missing, l)
			case got[l]:
				s.FP++
				m.Extra = append(m.Extra, l)
			}
			if want[l] {
				s.Support++
			}
		}
		if m.Missing != nil || m.Extra != nil {
			m.ID = c.ID
			if c.Field != "" {
				m.ID += " [" + c.Field + "]"
			}
			rep.Misclassified = append(rep.Misclassified, m)
		}
	}
	if err := sc.Err(); err != nil {
		return rep, fmt.Errorf("line %d: %w", line+1, err)
	}
	for i := range rep.Labels {
		s := &rep.Labels[i]
		s.Precision = ratio(s.TP, s.TP+s.FP)
		s.Recall = ratio(s.TP, s.TP+s.FN)
		if s.Precision+s.Recall > 0 {
			s.F1 = 2 * s.Precision * s.Recall / (s.Precision + s.Recall)
		}
	}
	return rep, nil
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
	var b strings.Builder
	fmt.Fprintf(&b, "%-20s %9s %9s %9s %8s\n", "label", "precision", "recall", "f1", "support")
	for _, s := range r.Labels {
		fmt.Fprintf(&b, "%-20s %9.3f %9.3f %9.3f %8d\n", s.Label, s.Precision, s.Recall, s.F1, s.Support)
	}
	fmt.Fprintf(&b, "\n%d cases, %d misclassified\n", r.Cases, len(r.Misclassified))
	for _, m := range r.Misclassified {
		fmt.Fprintf(&b, "  %s", m.ID)
		if len(m.Missing) > 0 {
			fmt.Fprintf(&b, "  missing: %s", strings.Join(m.Missing, ","))
		}
		if len(m.Extra) > 0 {
			fmt.Fprintf(&b, "  extra: %s", strings.Join(m.Extra, ","))
		}
		b.WriteString("\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}
