package web

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/vigie-data/vigie/internal/clause"
	"github.com/vigie-data/vigie/internal/store"
)

// tenderLabels are the label checkboxes of /appels, in order.
var tenderLabels = []string{clause.Reserved, clause.ReservedDisability, clause.ReservedInsertion, clause.ReservedESS,
	clause.SocialClause, clause.SocialCriterion, clause.EnvClause, clause.EnvCriterion}

var tenderFilters = []string{"labels", "departement", "cpv", "q", "deadline_after", "buyer"}

type tenderView struct {
	page
	Q         url.Values
	Labels    []option
	Checked   map[string]bool
	Items     []tenderItem
	Truncated bool
	Atom, CSV string
	JSON      string
	After     time.Time
	Explicit  bool
}

type tenderItem struct {
	store.Tender
	Title    string // the object's first line, cut
	Long     bool   // Title is not the whole object
	DaysLeft int
	Lots     []lotItem
	Evidence []snippet // the notice's own
}

type lotItem struct {
	store.TenderLot
	Evidence []snippet
}

// snippet is the sentence around an evidence, cut in segments, the
// matched words marked.
type snippet struct {
	Label    string
	Origin   string
	Field    string
	Segments []segment
}

type segment struct {
	Text string
	Mark bool
}

func (p *Pages) tenders(w http.ResponseWriter, r *http.Request) {
	v := &tenderView{page: page{Title: "Appels ouverts", Nav: "appels"}, Checked: map[string]bool{}}
	for _, l := range tenderLabels {
		v.Labels = append(v.Labels, option{l, labelName(l)})
	}
	q, ferr := single(r.URL.Query(), "labels")
	v.Q = q
	if ferr == nil {
		ferr = checkKnown(q, tenderFilters...)
	}
	for _, l := range strings.Split(q.Get("labels"), ",") {
		v.Checked[l] = true
	}
	apiQ := cleanQuery(q, tenderFilters...)
	// "75 92" or "75, 92": the API wants commas.
	if d := apiQ.Get("departement"); d != "" {
		apiQ.Set("departement", strings.Join(strings.FieldsFunc(d, func(r rune) bool { return r == ',' || r == ' ' || r == ';' }), ","))
	}
	if ferr == nil {
		tq, items, truncated, err := p.api.OpenTenders(r.Context(), apiQ)
		if err != nil {
			if fe, ok := frenchParamError(err, apiQ); ok {
				ferr = fe
			} else {
				p.failure(w, r, err)
				return
			}
		} else {
			v.Truncated, v.After = truncated, tq.DeadlineAfter
			v.Explicit = apiQ.Get("deadline_after") != ""
			if err := p.tenderItems(r, v, items); err != nil {
				p.failure(w, r, err)
				return
			}
		}
	}
	if ferr != nil {
		v.Error, v.Status = ferr, http.StatusBadRequest
		p.render(w, r, "tenders", http.StatusBadRequest, v)
		return
	}
	link := cleanQuery(apiQ, tenderFilters...)
	v.JSON = "/api/v1/tenders/open?" + link.Encode()
	link.Set("format", "atom")
	v.Atom = "/api/v1/tenders/open?" + link.Encode()
	link.Set("format", "csv")
	v.CSV = "/api/v1/tenders/open?" + link.Encode()
	p.render(w, r, "tenders", http.StatusOK, v)
}

func (p *Pages) tenderItems(r *http.Request, v *tenderView, items []store.Tender) error {
	// Texts are read only for the notices with a detected evidence to cut
	// a sentence from.
	var ids []string
	for _, t := range items {
		detected := slices.ContainsFunc(t.Evidence, func(e clause.Evidence) bool { return e.Origin == clause.Detected })
		for _, l := range t.Lots {
			detected = detected || slices.ContainsFunc(l.Evidence, func(e clause.Evidence) bool { return e.Origin == clause.Detected })
		}
		if detected {
			ids = append(ids, t.NoticeID)
		}
	}
	texts, err := p.st.NoticeTexts(r.Context(), ids)
	if err != nil {
		return err
	}
	now := p.opts.Now()
	for _, t := range items {
		it := tenderItem{Tender: t, DaysLeft: daysLeft(t.Deadline, now)}
		it.Title, it.Long = shortTitle(t.Object)
		tx := texts[t.NoticeID]
		var own []clause.Evidence
		for _, e := range t.Evidence {
			if !strings.HasPrefix(e.Field, "lot[") {
				own = append(own, e)
			}
		}
		it.Evidence = snippets(own, func(field string) string { return tx[field] })
		for _, l := range t.Lots {
			prefix := "lot[" + l.Number + "]/"
			it.Lots = append(it.Lots, lotItem{TenderLot: l, Evidence: snippets(l.Evidence, func(field string) string { return tx[prefix+field] })})
		}
		v.Items = append(v.Items, it)
	}
	return nil
}

// snippets gives one sentence per label: the first positive evidence of
// each label, with every match of the same field inside the sentence
// marked. text returns a field's text ("" when unknown).
func snippets(ev []clause.Evidence, text func(string) string) []snippet {
	var out []snippet
	seen := map[string]bool{}
	for _, e := range ev {
		if e.Negative || seen[e.Label] {
			continue
		}
		seen[e.Label] = true
		s := snippet{Label: e.Label, Origin: e.Origin, Field: e.Field}
		if e.Origin == clause.Declared {
			s.Segments = []segment{{Text: "Champ structuré de l'avis : "}, {Text: e.Text, Mark: true}}
			out = append(out, s)
			continue
		}
		s.Segments = sentence(text(e.Field), e, ev)
		out = append(out, s)
	}
	return out
}

// sentence cuts the sentence of field text around e and marks the spans
// of every positive evidence of the same field inside it.
func sentence(text string, e clause.Evidence, all []clause.Evidence) []segment {
	rs := []rune(text)
	start, end, ok := locate(rs, e)
	if !ok {
		return []segment{{Text: e.Text, Mark: true}}
	}
	const reach = 220
	from := start
	for from > 0 && start-from < reach && !isStop(rs[from-1]) {
		from--
	}
	to := end
	for to < len(rs) && to-end < reach && !isStop(rs[to]) {
		to++
	}
	if to < len(rs) && rs[to] != '\n' {
		to++ // keep the full stop
	}
	type span struct{ s, e int }
	spans := []span{{start, end}}
	for _, o := range all {
		if o.Negative || o.Field != e.Field || o.Origin != clause.Detected {
			continue
		}
		if s, en, ok := locate(rs, o); ok && s >= from && en <= to {
			spans = append(spans, span{s, en})
		}
	}
	var segs []segment
	if from > 0 && !isStop(rs[from-1]) {
		segs = append(segs, segment{Text: "… "})
	}
	pos := from
	for pos < to {
		next, nextEnd := to, to
		for _, sp := range spans {
			if sp.s >= pos && sp.s < next {
				next, nextEnd = sp.s, sp.e
			}
		}
		if next > pos {
			segs = append(segs, segment{Text: string(rs[pos:next])})
		}
		if next < to {
			segs = append(segs, segment{Text: string(rs[next:nextEnd]), Mark: true})
		}
		pos = max(nextEnd, next+1)
		if next == to {
			break
		}
	}
	if to < len(rs) && !isStop(rs[to-1]) {
		segs = append(segs, segment{Text: " …"})
	}
	return segs
}

// locate finds an evidence span in the field's runes: at its offsets when
// they hold its text, else at the first case-insensitive occurrence.
func locate(rs []rune, e clause.Evidence) (int, int, bool) {
	if e.Text == "" {
		return 0, 0, false
	}
	if e.Start >= 0 && e.End <= len(rs) && e.Start < e.End && strings.EqualFold(string(rs[e.Start:e.End]), e.Text) {
		return e.Start, e.End, true
	}
	lower := []rune(strings.ToLower(string(rs)))
	want := []rune(strings.ToLower(e.Text))
	if len(lower) != len(rs) {
		return 0, 0, false
	}
	for i := 0; i+len(want) <= len(lower); i++ {
		if string(lower[i:i+len(want)]) == string(want) {
			return i, i + len(want), true
		}
	}
	return 0, 0, false
}

func isStop(r rune) bool {
	return r == '.' || r == '!' || r == '?' || r == '\n' || r == ';'
}

// shortTitle is the object's first line, at most 160 characters cut at
// a word; long says whether anything was left out.
func shortTitle(object string) (title string, long bool) {
	object = strings.TrimSpace(object)
	title = object
	if i := strings.IndexByte(title, '\n'); i >= 0 {
		title = strings.TrimSpace(title[:i])
	}
	if r := []rune(title); len(r) > 160 {
		cut := string(r[:160])
		if i := strings.LastIndexByte(cut, ' '); i > 80 {
			cut = cut[:i]
		}
		title = strings.TrimRight(cut, " ,;:-") + "…"
	}
	if title == "" {
		title = "(objet non publié)"
	}
	return title, title != object
}

// fieldNames name the text fields evidence comes from.
var textFieldNames = map[string]string{
	"object": "l'objet", "execution_conditions": "les conditions d'exécution", "participation_conditions": "les conditions de participation",
	"award_criteria": "les critères d'attribution", "additional_info": "les informations complémentaires",
	"lot_title": "l'intitulé du lot", "lot_description": "la description du lot",
}

func fieldName(f string) string {
	if i := strings.LastIndexByte(f, '/'); i >= 0 {
		f = f[i+1:]
	}
	if n, ok := textFieldNames[f]; ok {
		return n
	}
	return "« " + f + " »"
}
