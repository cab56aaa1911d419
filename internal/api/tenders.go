package api

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"time"

	"github.com/vigie-data/vigie/internal/clause"
	"github.com/vigie-data/vigie/internal/store"
)

var (
	pDeadlineAfter = param{Name: "deadline_after", Description: "deadline strictly after this date (YYYY-MM-DD) or instant (RFC 3339); default now", Type: "string"}
	pTenderFormat  = param{Name: "format", Description: "json (default), csv or atom (a feed to subscribe to)", Type: "string", Enum: []string{"json", "csv", "atom"}, Default: "json"}
	pDepartements  = param{Name: "departement", Description: "département codes (01…95, 2A, 2B, 971…), comma-separated: any of", Type: "string", List: true, Pattern: departementRe.String()}
	tenderParams   = []param{pDeadlineAfter, pLabels, pDepartements, pCPV, pBuyer, pQ, pLimit, pTenderFormat, pDialect}
)

// parseTenderQuery reads the open-tender filters (shared with the
// /appels page); explicit says whether deadline_after was given.
func (s *Server) parseTenderQuery(q url.Values) (tq store.TenderQuery, explicit bool, err error) {
	tq = store.TenderQuery{DeadlineAfter: time.Now()}
	if v := q.Get(pDeadlineAfter.Name); v != "" {
		explicit = true
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			t, err = time.ParseInLocation("2006-01-02", v, paris)
		}
		if err != nil {
			return tq, false, badParam(pDeadlineAfter.Name, "expected YYYY-MM-DD or an RFC 3339 instant")
		}
		if t.Before(minDate) || t.After(maxDate) {
			return tq, false, badParam(pDeadlineAfter.Name, "outside the range vigie stores (1970-01-01 to 2105-12-31)")
		}
		tq.DeadlineAfter = t
	}
	if tq.Labels, err = parseList(q, pLabels); err != nil {
		return tq, false, err
	}
	if len(tq.Labels) == 0 {
		tq.Labels = defaultTenderLabels
	}
	if tq.Departements, err = parseReList(q, pDepartements, departementRe); err != nil {
		return tq, false, err
	}
	if tq.CPVPrefix, err = parseRe(q, pCPV, cpvRe); err != nil {
		return tq, false, err
	}
	b, err := parseRe(q, pBuyer, buyerRe)
	if err != nil {
		return tq, false, err
	}
	tq.BuyerSiret, tq.BuyerSiren = buyerIDs(b)
	if tq.Words, err = parseWords(q); err != nil {
		return tq, false, err
	}
	if tq.Limit, err = s.parseLimit(q); err != nil {
		return tq, false, err
	}
	return tq, explicit, nil
}

// defaultTenderLabels: a lot reserved (any kind) or with a social clause.
var defaultTenderLabels = []string{clause.Reserved, clause.ReservedDisability, clause.ReservedInsertion, clause.ReservedESS, clause.SocialClause}

// TenderLot is a lot of an open notice that matches the labels.
type TenderLot struct {
	Number   string            `json:"lot_number"`
	Title    *string           `json:"title"`
	CPV      []string          `json:"cpv"`
	Labels   []string          `json:"labels"`
	Evidence []clause.Evidence `json:"evidence"`
}

// Tender is an open notice with its matching lots.
type Tender struct {
	NoticeID        string            `json:"notice_id"`
	Source          string            `json:"source"`
	URL             *string           `json:"url" desc:"the notice's page (BOAMP, or TED for eForms)"`
	BuyerName       *string           `json:"buyer_name"`
	BuyerSiret      *string           `json:"buyer_siret"`
	Object          *string           `json:"object"`
	PublicationDate string            `json:"publication_date" format:"date"`
	Deadline        string            `json:"deadline" format:"date-time" desc:"response deadline, Europe/Paris time with its offset"`
	Departements    []string          `json:"departements"`
	CPV             []string          `json:"cpv"`
	Labels          []string          `json:"labels" desc:"the notice's own labels (declared or detected)"`
	Evidence        []clause.Evidence `json:"evidence" csv:"-"`
	Lots            []TenderLot       `json:"lots" csv:"-"`
}

// OpenTenders is the JSON answer of /api/v1/tenders/open.
type OpenTenders struct {
	DeadlineAfter string            `json:"deadline_after" format:"date-time"`
	Labels        []string          `json:"labels"`
	Filters       map[string]string `json:"filters"`
	Truncated     bool              `json:"truncated"`
	Items         []Tender          `json:"items"`
}

// tenderRow is a tender as a CSV row: its lots flattened.
type tenderRow struct {
	NoticeID        string  `json:"notice_id"`
	URL             *string `json:"url"`
	BuyerName       *string `json:"buyer_name"`
	BuyerSiret      *string `json:"buyer_siret"`
	Object          *string `json:"object"`
	PublicationDate string  `json:"publication_date" format:"date"`
	Deadline        string  `json:"deadline" format:"date-time" desc:"Europe/Paris time with its offset"`
	Departements    string  `json:"departements" desc:"space-separated list"`
	CPV             string  `json:"cpv" desc:"space-separated list"`
	NoticeLabels    string  `json:"notice_labels" desc:"space-separated list"`
	Lots            string  `json:"lots" desc:"lot number: labels joined with +, lots separated by ; "`
}

func tenderOf(t *store.Tender) Tender {
	out := Tender{NoticeID: t.NoticeID, Source: t.Source, URL: str(noticeURL(t.Source, t.Source, t.NoticeID, t.URL)),
		BuyerName: str(t.BuyerName), BuyerSiret: str(t.BuyerSiret), Object: str(t.Object),
		PublicationDate: t.PublicationDate.Format(time.DateOnly), Deadline: t.Deadline.In(paris).Format(time.RFC3339),
		Departements: strList(t.Departements), CPV: strList(t.CPV), Labels: strList(t.Labels), Evidence: t.Evidence,
		Lots: make([]TenderLot, len(t.Lots))}
	if out.Evidence == nil {
		out.Evidence = []clause.Evidence{}
	}
	for i, l := range t.Lots {
		out.Lots[i] = TenderLot{Number: l.Number, Title: str(l.Title), CPV: strList(l.CPV), Labels: strList(l.Labels), Evidence: l.Evidence}
		if out.Lots[i].Evidence == nil {
			out.Lots[i].Evidence = []clause.Evidence{}
		}
	}
	return out
}

func (s *Server) openTenders(w http.ResponseWriter, r *http.Request) {
	req := begin(w, r, tenderParams, "json", "csv", "atom")
	if req == nil {
		return
	}
	q := req.q
	tq, explicitDeadline, err := s.parseTenderQuery(q)
	if err != nil {
		fail(w, r, err)
		return
	}
	ctx, cancel := s.queryContext(r)
	defer cancel()
	// The answer depends on the data and, without deadline_after, on the
	// time: deadlines pass (the cache's window, below, and the minute).
	state, err := s.st.TendersState(ctx)
	if err != nil {
		fail(w, r, err)
		return
	}
	variant := ""
	if !explicitDeadline {
		variant = tq.DeadlineAfter.Truncate(time.Minute).UTC().Format(time.RFC3339)
	}
	if s.notModified(w, r, state, variant) {
		return
	}
	items, truncated, err := s.cachedTenders(ctx, tq, explicitDeadline)
	if err != nil {
		fail(w, r, err)
		return
	}
	out := make([]Tender, len(items))
	for i := range items {
		out[i] = tenderOf(&items[i])
	}
	switch req.format {
	case "csv":
		cols := columnsOf(reflect.TypeFor[tenderRow]())
		csv := startCSV(w, "tenders", schemaURL(r, req), req.dialect, fieldsOf(cols))
		for _, t := range out {
			var lots []string
			for _, l := range t.Lots {
				lots = append(lots, l.Number+": "+strings.Join(l.Labels, "+"))
			}
			row := tenderRow{NoticeID: t.NoticeID, URL: t.URL, BuyerName: t.BuyerName, BuyerSiret: t.BuyerSiret, Object: t.Object,
				PublicationDate: t.PublicationDate, Deadline: t.Deadline, Departements: strings.Join(t.Departements, " "),
				CPV: strings.Join(t.CPV, " "), NoticeLabels: strings.Join(t.Labels, " "), Lots: strings.Join(lots, "; ")}
			_ = csv.structRow(cols, reflect.ValueOf(row))
		}
		_ = csv.flush()
	case "atom":
		s.writeAtom(w, r, out)
	default:
		writeJSON(w, OpenTenders{DeadlineAfter: tq.DeadlineAfter.In(paris).Format(time.RFC3339), Labels: tq.Labels,
			Filters: filterEcho(q), Truncated: truncated, Items: out})
	}
}

// A cached "deadline after now" answer is computed for the start of the
// current tenderWindow, with tenderSlack notices beyond the limit for
// those whose deadline passes during the window it serves.
const (
	tenderWindow = 10 * time.Minute
	tenderSlack  = 200
)

type tenderAnswer struct {
	items     []store.Tender
	truncated bool
}

// cachedTenders answers from the cache when the notices, lots and
// detections are in the state a kept answer was computed from (see
// answerCache). With an explicit deadline_after the answer depends on the
// data only. With the default "now" it also depends on the time: the
// cached answer is the list for the start of the current tenderWindow,
// with tenderSlack notices beyond the limit, and the notices whose
// deadline has passed since are cut here. The list is sorted by deadline,
// so they are a prefix and what remains is exactly the list for now —
// unless the cached list was cut by its limit and too few remain (more
// than tenderSlack deadlines inside the window), then the store is asked
// directly.
func (s *Server) cachedTenders(ctx context.Context, tq store.TenderQuery, explicitDeadline bool) ([]store.Tender, bool, error) {
	state, err := s.st.TendersState(ctx)
	if err != nil {
		return nil, false, err
	}
	now := tq.DeadlineAfter.Truncate(time.Second) // the SQL compares seconds
	cq := tq
	if !explicitDeadline {
		cq.DeadlineAfter = now.Truncate(tenderWindow)
		cq.Limit = tq.Limit + tenderSlack
	}
	qk, err := json.Marshal(cq)
	if err != nil {
		return nil, false, err
	}
	setBound := cq.DeadlineAfter.Truncate(time.Second)
	v, err := s.cache.get(ctx, "tenders\x00"+state+"\x00"+string(qk), func(ctx context.Context) (any, int, bool, error) {
		items, truncated, err := s.tendersFromSet(ctx, state, setBound, cq)
		cost := 1
		for _, t := range items {
			cost += 1 + len(t.Lots)
		}
		return tenderAnswer{items, truncated}, cost, true, err
	})
	if err != nil {
		return nil, false, err
	}
	a := v.(tenderAnswer)
	if explicitDeadline {
		return a.items, a.truncated, nil
	}
	i := 0
	for i < len(a.items) && !a.items[i].Deadline.After(now) {
		i++
	}
	open := a.items[i:]
	switch {
	case len(open) > tq.Limit:
		return open[:tq.Limit], true, nil
	case a.truncated:
		return s.tendersFromSet(ctx, state, setBound, tq)
	}
	return open, false, nil
}

// tenderSet is the open set of a data state and bound (see
// store.OpenTenderSet); ok is false when it was too large to keep.
type tenderSet struct {
	items []store.Tender
	ok    bool
}

// tendersFromSet answers q (DeadlineAfter not before bound) by filtering
// the open set for bound, computed once per data state and bound and
// shared by every filter (départements, CPV, buyer, words, labels): 50
// clients asking for 50 départements cost one ClickHouse read, then
// each a look-up of its items' evidence. Sets larger than
// store.MaxTenderSet rows, or than half the answer cache's cost budget,
// are not kept: then ClickHouse filters each request (OpenTendersSQL).
func (s *Server) tendersFromSet(ctx context.Context, state string, bound time.Time, q store.TenderQuery) ([]store.Tender, bool, error) {
	key := "tenderset\x00" + state + "\x00" + bound.UTC().Format(time.RFC3339)
	v, err := s.cache.get(ctx, key, func(ctx context.Context) (any, int, bool, error) {
		set, ok, err := s.st.OpenTenderSet(ctx, bound, store.MaxTenderSet)
		cost := 1
		for _, t := range set {
			cost += 1 + len(t.Lots)
		}
		if cost > s.cache.maxCost/2 {
			return tenderSet{}, 1, err == nil, err
		}
		return tenderSet{set, ok}, cost, true, err
	})
	if err != nil {
		return nil, false, err
	}
	set := v.(tenderSet)
	if !set.ok {
		return s.st.OpenTendersSQL(ctx, q)
	}
	items, truncated, err := store.FilterTenders(set.items, q)
	if err != nil {
		return nil, false, err
	}
	return items, truncated, s.st.AttachTenderEvidence(ctx, items)
}

type atomFeed struct {
	XMLName xml.Name    `xml:"http://www.w3.org/2005/Atom feed"`
	Title   string      `xml:"title"`
	ID      string      `xml:"id"`
	Updated string      `xml:"updated"`
	Links   []atomLink  `xml:"link"`
	Author  atomAuthor  `xml:"author"`
	Entries []atomEntry `xml:"entry"`
}

type atomLink struct {
	Rel  string `xml:"rel,attr,omitempty"`
	Href string `xml:"href,attr"`
	Type string `xml:"type,attr,omitempty"`
}

type atomAuthor struct {
	Name string `xml:"name"`
}

type atomEntry struct {
	Title    string       `xml:"title"`
	ID       string       `xml:"id"`
	Updated  string       `xml:"updated"`
	Links    []atomLink   `xml:"link"`
	Author   atomAuthor   `xml:"author"`
	Summary  string       `xml:"summary"`
	Category []atomCat    `xml:"category"`
	Content  *atomContent `xml:"content,omitempty"`
}

type atomCat struct {
	Term string `xml:"term,attr"`
}

type atomContent struct {
	Type string `xml:"type,attr"`
	Body string `xml:",chardata"`
}

func (s *Server) baseURL(r *http.Request) string {
	if s.opts.BaseURL != "" {
		return strings.TrimRight(s.opts.BaseURL, "/")
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// atomTitle is "buyer — object", cut with an ellipsis: feed readers show
// titles on one line.
func atomTitle(t Tender) string {
	const maxRunes = 140
	title := deref(t.Object)
	if b := deref(t.BuyerName); b != "" {
		title = b + " — " + title
	}
	title = strings.Join(strings.Fields(title), " ")
	if r := []rune(title); len(r) > maxRunes {
		cut := string(r[:maxRunes-1])
		if i := strings.LastIndexByte(cut, ' '); i > maxRunes/2 {
			cut = cut[:i]
		}
		title = strings.TrimRight(cut, " ,;:.—-") + "…"
	}
	return title
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// labelNames are the French names of the clause labels, for readers.
var labelNames = map[string]string{
	clause.Reserved: "marché réservé", clause.ReservedDisability: "réservé handicap (ESAT, EA)",
	clause.ReservedInsertion: "réservé insertion (SIAE)", clause.ReservedESS: "réservé ESS",
	clause.SocialClause: "clause sociale", clause.SocialCriterion: "critère social",
	clause.EnvClause: "clause environnementale", clause.EnvCriterion: "critère environnemental",
}

func labelList(ls []string) string {
	out := make([]string, len(ls))
	for i, l := range ls {
		if n, ok := labelNames[l]; ok {
			out[i] = n
		} else {
			out[i] = l
		}
	}
	return strings.Join(out, ", ")
}

// writeAtom renders the feed: one entry per notice, linked to its page,
// titled "buyer — object", its deadline (Paris time), lots and labels in
// the summary; updated is the publication date, and the feed's the
// newest of them, so an unchanged answer is an unchanged document.
func (s *Server) writeAtom(w http.ResponseWriter, r *http.Request, items []Tender) {
	base := s.baseURL(r)
	self := base + r.URL.RequestURI()
	feed := atomFeed{
		Title:   "vigie — appels d'offres ouverts réservés ou avec clause sociale",
		ID:      self,
		Updated: "1970-01-01T00:00:00Z",
		Links:   []atomLink{{Rel: "self", Href: self, Type: "application/atom+xml"}},
		Author:  atomAuthor{Name: "vigie"},
	}
	var newest time.Time
	for _, t := range items {
		pub, _ := time.ParseInLocation(time.DateOnly, t.PublicationDate, paris)
		if pub.After(newest) {
			newest = pub
		}
		deadline, _ := time.Parse(time.RFC3339, t.Deadline)
		var sum strings.Builder
		sum.WriteString("Acheteur : " + deref(t.BuyerName) + "\nDate limite : " + deadline.Format("02/01/2006 15:04 (UTC-07:00, heure de Paris)"))
		if len(t.Departements) > 0 {
			sum.WriteString("\nDépartements : " + strings.Join(t.Departements, ", "))
		}
		if len(t.Labels) > 0 {
			sum.WriteString("\nAvis : " + labelList(t.Labels))
		}
		labels := map[string]bool{}
		for _, l := range t.Labels {
			labels[l] = true
		}
		for _, l := range t.Lots {
			sum.WriteString("\nLot " + l.Number)
			if l.Title != nil {
				sum.WriteString(" « " + *l.Title + " »")
			}
			sum.WriteString(" : " + labelList(l.Labels))
			for _, x := range l.Labels {
				labels[x] = true
			}
		}
		if t.Object != nil {
			sum.WriteString("\nObjet : " + *t.Object)
		}
		e := atomEntry{
			Title:   atomTitle(t),
			ID:      "urn:vigie:notice:" + t.NoticeID,
			Updated: pub.Format(time.RFC3339),
			Author:  atomAuthor{Name: deref(t.BuyerName)},
			Summary: sum.String(),
		}
		if e.Author.Name == "" {
			e.Author.Name = "acheteur non renseigné"
		}
		link := deref(t.URL)
		if link == "" { // every entry needs a link (RFC 4287 4.1.1): the notice in vigie
			link = base + "/api/v1/notices"
		}
		e.Links = append(e.Links, atomLink{Rel: "alternate", Href: link, Type: "text/html"})
		for _, l := range clause.AllLabels {
			if labels[l] {
				e.Category = append(e.Category, atomCat{Term: l})
			}
		}
		feed.Entries = append(feed.Entries, e)
	}
	if !newest.IsZero() {
		feed.Updated = newest.Format(time.RFC3339)
	}
	w.Header().Set("Content-Type", "application/atom+xml; charset=utf-8")
	_, _ = w.Write([]byte(xml.Header))
	enc := xml.NewEncoder(w)
	enc.Indent("", " ")
	_ = enc.Encode(feed)
}
