package api

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/vigie-data/vigie/internal/clause"
	"github.com/vigie-data/vigie/internal/store"
)

var (
	pDeadlineAfter = param{Name: "deadline_after", Description: "deadline strictly after this date (YYYY-MM-DD) or instant (RFC 3339); default now", Type: "string"}
	pTenderFormat  = param{Name: "format", Description: "json (default), csv or atom (a feed to subscribe to)", Type: "string", Enum: []string{"json", "csv", "atom"}}
	pDepartements  = param{Name: "departement", Description: "département codes (01…95, 2A, 2B, 971…), comma-separated: any of", Type: "string", List: true, Pattern: departementRe.String()}
	tenderParams   = []param{pDeadlineAfter, pLabels, pDepartements, pCPV, pBuyer, pQ, pLimit, pTenderFormat}
)

// parseTenderQuery reads the open-tender filters (shared with the
// /appels page); explicit says whether deadline_after was given.
func (s *Server) parseTenderQuery(q url.Values) (tq store.TenderQuery, explicit bool, err error) {
	tq = store.TenderQuery{DeadlineAfter: time.Now()}
	if v := q.Get(pDeadlineAfter.Name); v != "" {
		explicit = true
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			t, err = time.Parse("2006-01-02", v)
		}
		if err != nil || t.Year() < 1900 || t.Year() > 9999 {
			return tq, false, badParam(pDeadlineAfter.Name, "expected YYYY-MM-DD or an RFC 3339 instant")
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

func (s *Server) openTenders(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if err := checkParams(q, tenderParams); err != nil {
		fail(w, r, err)
		return
	}
	fmtName, err := format(r, "json", "csv", "atom")
	if err != nil {
		fail(w, r, err)
		return
	}
	tq, explicitDeadline, err := s.parseTenderQuery(q)
	if err != nil {
		fail(w, r, err)
		return
	}
	ctx, cancel := s.queryContext(r)
	defer cancel()
	items, truncated, err := s.cachedTenders(ctx, tq, explicitDeadline)
	if err != nil {
		fail(w, r, err)
		return
	}
	if items == nil {
		items = []store.Tender{}
	}
	switch fmtName {
	case "csv":
		header := []string{"notice_id", "url", "buyer_name", "buyer_siret", "object", "publication_date", "deadline", "departements", "cpv", "notice_labels", "lots"}
		rows := make([][]string, 0, len(items))
		for _, t := range items {
			var lots []string
			for _, l := range t.Lots {
				lots = append(lots, l.Number+": "+strings.Join(l.Labels, "+"))
			}
			rows = append(rows, []string{t.NoticeID, t.URL, t.BuyerName, t.BuyerSiret, t.Object, t.PublicationDate.Format(time.DateOnly),
				t.Deadline.UTC().Format(time.RFC3339), strings.Join(t.Departements, " "), strings.Join(t.CPV, " "),
				strings.Join(t.Labels, " "), strings.Join(lots, "; ")})
		}
		writeCSV(w, "tenders", header, rows)
	case "atom":
		s.writeAtom(w, r, items)
	default:
		writeJSON(w, map[string]any{
			"deadline_after": tq.DeadlineAfter.UTC().Format(time.RFC3339),
			"labels":         tq.Labels,
			"filters":        filterEcho(q),
			"truncated":      truncated,
			"items":          items,
		})
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

// writeAtom renders the feed: one entry per notice, its matching lots and
// labels in the summary, updated = publication date.
func (s *Server) writeAtom(w http.ResponseWriter, r *http.Request, items []store.Tender) {
	base := s.baseURL(r)
	self := base + r.URL.RequestURI()
	feed := atomFeed{
		Title:   "vigie — appels d'offres ouverts réservés ou avec clause sociale",
		ID:      self,
		Updated: time.Now().UTC().Format(time.RFC3339),
		Links:   []atomLink{{Rel: "self", Href: self, Type: "application/atom+xml"}},
		Author:  atomAuthor{Name: "vigie"},
	}
	for _, t := range items {
		var sum strings.Builder
		sum.WriteString(t.BuyerName + " — date limite " + t.Deadline.UTC().Format("2006-01-02 15:04 MST"))
		if len(t.Departements) > 0 {
			sum.WriteString(" — départements " + strings.Join(t.Departements, ", "))
		}
		labels := map[string]bool{}
		for _, l := range t.Labels {
			labels[l] = true
		}
		for _, l := range t.Lots {
			sum.WriteString("\nLot " + l.Number + " " + l.Title + " : " + strings.Join(l.Labels, ", "))
			for _, x := range l.Labels {
				labels[x] = true
			}
		}
		e := atomEntry{
			Title:   t.Object,
			ID:      "urn:vigie:notice:" + t.NoticeID,
			Updated: t.PublicationDate.UTC().Format(time.RFC3339),
			Author:  atomAuthor{Name: t.BuyerName},
			Summary: sum.String(),
		}
		if t.URL != "" {
			e.Links = append(e.Links, atomLink{Rel: "alternate", Href: t.URL})
		}
		for _, l := range clause.AllLabels {
			if labels[l] {
				e.Category = append(e.Category, atomCat{Term: l})
			}
		}
		feed.Entries = append(feed.Entries, e)
	}
	w.Header().Set("Content-Type", "application/atom+xml; charset=utf-8")
	_, _ = w.Write([]byte(xml.Header))
	enc := xml.NewEncoder(w)
	enc.Indent("", " ")
	_ = enc.Encode(feed)
}
