package api

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"reflect"
	"time"

	"github.com/vigie-data/vigie/internal/store"
)

var (
	contractListParams = append([]param{pLimit, pCursor, pFormat, pDialect}, contractFilterParams...)
	pNoticeFrom        = param{Name: "from", Description: "first publication date, inclusive (YYYY-MM-DD, 1970-01-01 to 2105-12-31)", Type: "string", Format: "date"}
	pNoticeTo          = param{Name: "to", Description: "last publication date, inclusive (YYYY-MM-DD, 1970-01-01 to 2105-12-31)", Type: "string", Format: "date"}
	noticeListParams   = []param{pNoticeFrom, pNoticeTo, pDepartement, pCPV, pBuyer, pLabels, pQ, pLimit, pCursor, pFormat, pDialect}
)

// Page is the paging part of a listing: the total of matching rows and
// the neighbouring pages, also sent as Link headers.
type Page struct {
	Total      uint64  `json:"total" desc:"rows matching the filters, all pages together"`
	NextCursor *string `json:"next_cursor" desc:"cursor of the next page, null on the last"`
	Next       *string `json:"next" desc:"URL of the next page, null on the last"`
	PrevCursor *string `json:"prev_cursor" desc:"cursor of the previous page, null on the first"`
	Prev       *string `json:"prev" desc:"URL of the previous page, null on the first"`
}

// ContractPage is a page of /api/v1/contracts.
type ContractPage struct {
	Filters map[string]string `json:"filters" desc:"the parameters that shaped the answer"`
	Items   []Contract        `json:"items"`
	Page
}

// NoticePage is a page of /api/v1/notices.
type NoticePage struct {
	Filters map[string]string `json:"filters" desc:"the parameters that shaped the answer"`
	Items   []Notice          `json:"items"`
	Page
}

// cursor is a position in a listing: the key of a row, and whether the
// page ends before it (previous page) or starts after it.
type cursor[K any] struct {
	Key    K    `json:"k"`
	Before bool `json:"b,omitempty"`
}

func encodeCursor(v any) string {
	b, _ := json.Marshal(v)
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeCursor(s string, v any) error {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err == nil {
		err = json.Unmarshal(b, v)
	}
	if err != nil {
		return badParam("cursor", "not a cursor this API gave")
	}
	return nil
}

// listing is what differs between the listings; serveListing does the
// rest, once: the parameters, the cursor, the page, the total, the links
// and the JSON or streamed CSV.
type listing[K, S, I any] struct {
	name   string   // in URLs and file names
	key    []string // the Table Schema's primary key
	params []param
	filter func(q url.Values) (any, error) // the validated filter, also the total's cache key
	state  func(ctx context.Context) (string, error)
	page   func(ctx context.Context, f any, cur *cursor[K], limit int) ([]S, bool, error)
	each   func(ctx context.Context, f any, fn func(*S) error) error
	count  func(ctx context.Context, f any) (uint64, error)
	keyOf  func(*S) K
	item   func(*S) I
	answer func(filters map[string]string, items []I, p Page) any
}

func serveListing[K, S, I any](s *Server, l *listing[K, S, I], w http.ResponseWriter, r *http.Request) {
	req := begin(w, r, l.params, "json", "csv")
	if req == nil {
		return
	}
	q := req.q
	f, err := l.filter(q)
	if err != nil {
		fail(w, r, err)
		return
	}
	var cur *cursor[K]
	if c := q.Get(pCursor.Name); c != "" {
		cur = new(cursor[K])
		if err := decodeCursor(c, cur); err != nil {
			fail(w, r, err)
			return
		}
	}
	limit := 0
	export := req.format == "csv" && q.Get(pLimit.Name) == "" && cur == nil
	if !export {
		if limit, err = s.parseLimit(q); err != nil {
			fail(w, r, err)
			return
		}
	}
	ctx, cancel := s.queryContext(r)
	defer cancel()
	state, err := l.state(ctx)
	if err != nil {
		fail(w, r, err)
		return
	}
	if s.notModified(w, r, state, "") {
		return
	}
	if export {
		exportCSV(s, w, r, l, req, f)
		return
	}
	rows, more, err := cachedPage(s, l, ctx, state, f, cur, limit)
	if err != nil {
		fail(w, r, err)
		return
	}
	total, err := s.cachedCount(ctx, l.name, f, state, func(ctx context.Context) (uint64, error) { return l.count(ctx, f) })
	if err != nil {
		fail(w, r, err)
		return
	}
	// Neighbours: going forward, a previous page exists when we came
	// through a cursor, a next one when more rows follow; going back, the
	// other way round.
	back := cur != nil && cur.Before
	var p Page
	p.Total = total
	if len(rows) > 0 {
		first, last := l.keyOf(&rows[0]), l.keyOf(&rows[len(rows)-1])
		if (!back && more) || (back && cur != nil) {
			c := encodeCursor(cursor[K]{Key: last})
			p.NextCursor, p.Next = &c, str(pageURL(r, q, c))
		}
		if (back && more) || (!back && cur != nil) {
			c := encodeCursor(cursor[K]{Key: first, Before: true})
			p.PrevCursor, p.Prev = &c, str(pageURL(r, q, c))
		}
	}
	if p.Next != nil {
		w.Header().Add("Link", "<"+*p.Next+`>; rel="next"`)
	}
	if p.Prev != nil {
		w.Header().Add("Link", "<"+*p.Prev+`>; rel="prev"`)
	}
	items := make([]I, len(rows))
	for i := range rows {
		items[i] = l.item(&rows[i])
	}
	if req.format == "csv" {
		cols := columnsOf(reflect.TypeFor[I]())
		out := startCSV(w, l.name, schemaURL(r, req), req.dialect, fieldsOf(cols))
		for i := range items {
			_ = out.structRow(cols, reflect.ValueOf(&items[i]).Elem())
		}
		_ = out.flush()
		return
	}
	writeJSON(w, l.answer(filterEcho(q), items, p))
}

// exportCSV streams every matching row: a CSV without limit is an export
// (a shell redirect or a spreadsheet would drop a Link header to page 2).
// Rows are read a page at a time, so memory stays bounded on both sides;
// the export has its own, longer time limit.
func exportCSV[K, S, I any](s *Server, w http.ResponseWriter, r *http.Request, l *listing[K, S, I], req *request, f any) {
	ctx, cancel := context.WithTimeout(r.Context(), s.opts.ExportTimeout)
	defer cancel()
	// The server's write timeout is for ordinary answers.
	_ = http.NewResponseController(w).SetWriteDeadline(time.Now().Add(s.opts.ExportTimeout))
	cols := columnsOf(reflect.TypeFor[I]())
	var out *csvOut
	err := l.each(ctx, f, func(row *S) error {
		if out == nil {
			out = startCSV(w, l.name, schemaURL(r, req), req.dialect, fieldsOf(cols))
		}
		it := l.item(row)
		return out.structRow(cols, reflect.ValueOf(&it).Elem())
	})
	if out == nil {
		if err != nil {
			fail(w, r, err) // nothing sent yet: a proper error answer
			return
		}
		out = startCSV(w, l.name, schemaURL(r, req), req.dialect, fieldsOf(cols))
	}
	if ferr := out.flush(); err == nil {
		err = ferr
	}
	if err != nil {
		// The status is sent: cut the body so that the client sees a
		// broken transfer, not a complete-looking file.
		panic(http.ErrAbortHandler)
	}
}

// listedPage is a page as the store gave it.
type listedPage[S any] struct {
	rows []S
	more bool
}

// cachedPage is a page kept per data state, filter, cursor and limit, as
// the indicators are (see answerCache): the first pages of a listing are
// what most clients ask, and an unchanged state means an unchanged page.
func cachedPage[K, S, I any](s *Server, l *listing[K, S, I], ctx context.Context, state string, f any, cur *cursor[K], limit int) ([]S, bool, error) {
	key, err := json.Marshal([]any{f, cur, limit})
	if err != nil {
		return nil, false, err
	}
	v, err := s.cache.get(ctx, "page\x00"+l.name+"\x00"+state+"\x00"+string(key), func(ctx context.Context) (any, int, bool, error) {
		rows, more, err := l.page(ctx, f, cur, limit)
		return listedPage[S]{rows, more}, 1 + len(rows), true, err
	})
	if err != nil {
		return nil, false, err
	}
	p := v.(listedPage[S])
	return p.rows, p.more, nil
}

// pageURL is the request's URL with another cursor.
func pageURL(r *http.Request, q url.Values, c string) string {
	q2 := url.Values{}
	for k, v := range q {
		q2[k] = v
	}
	q2.Set(pCursor.Name, c)
	u := url.URL{Path: r.URL.Path, RawQuery: q2.Encode()}
	return u.String()
}

// schemaURL is the Table Schema of the request's CSV.
func schemaURL(r *http.Request, req *request) string {
	u := url.URL{Path: r.URL.Path + "/schema"}
	if req.dialect.Name != dialectStandard.Name {
		u.RawQuery = url.Values{pDialect.Name: {req.dialect.Name}}.Encode()
	}
	return u.String()
}

// cachedCount is a listing's total, kept per data state and filter: the
// count de-duplicates every matching row, the pages only theirs.
func (s *Server) cachedCount(ctx context.Context, name string, f any, st string, count func(context.Context) (uint64, error)) (uint64, error) {
	fk, err := json.Marshal(f)
	if err != nil {
		return 0, err
	}
	v, err := s.cache.get(ctx, "count\x00"+name+"\x00"+st+"\x00"+string(fk), func(ctx context.Context) (any, int, bool, error) {
		n, err := count(ctx)
		return n, 1, true, err
	})
	if err != nil {
		return 0, err
	}
	return v.(uint64), nil
}

var contractListing = &listing[store.ContractCursor, store.ListedContract, Contract]{
	name:   "contracts",
	key:    []string{"buyer_siret", "contract_id"},
	params: contractListParams,
	filter: func(q url.Values) (any, error) { return parseContractFilter(q) },
	keyOf: func(c *store.ListedContract) store.ContractCursor {
		return store.ContractCursor{BuyerSiret: c.BuyerSiret, ContractID: c.ContractID}
	},
	item: contractOf,
	answer: func(filters map[string]string, items []Contract, p Page) any {
		return ContractPage{Filters: filters, Items: items, Page: p}
	},
}

var noticeListing = &listing[string, store.ListedNotice, Notice]{
	name:   "notices",
	key:    []string{"notice_id"},
	params: noticeListParams,
	filter: func(q url.Values) (any, error) { return parseNoticeFilter(q) },
	keyOf:  func(n *store.ListedNotice) string { return n.NoticeID },
	item:   noticeOf,
	answer: func(filters map[string]string, items []Notice, p Page) any {
		return NoticePage{Filters: filters, Items: items, Page: p}
	},
}

// bindListings gives the listings their store.
func (s *Server) bindListings() {
	cl := *contractListing
	cl.state = s.st.ContractsTableState
	cl.page = func(ctx context.Context, f any, cur *cursor[store.ContractCursor], limit int) ([]store.ListedContract, bool, error) {
		var c *store.ContractCursor
		if cur != nil {
			k := cur.Key
			k.Before = cur.Before
			c = &k
		}
		return s.st.ListContracts(ctx, f.(store.ContractFilter), c, limit)
	}
	cl.each = func(ctx context.Context, f any, fn func(*store.ListedContract) error) error {
		return s.st.EachContract(ctx, f.(store.ContractFilter), fn)
	}
	cl.count = func(ctx context.Context, f any) (uint64, error) {
		return s.st.CountContracts(ctx, f.(store.ContractFilter))
	}
	s.contracts = &cl

	nl := *noticeListing
	nl.state = s.st.TendersState
	nl.page = func(ctx context.Context, f any, cur *cursor[string], limit int) ([]store.ListedNotice, bool, error) {
		after, before := "", false
		if cur != nil {
			after, before = cur.Key, cur.Before
		}
		return s.st.ListNoticesPage(ctx, f.(store.NoticeFilter), after, before, limit)
	}
	nl.each = func(ctx context.Context, f any, fn func(*store.ListedNotice) error) error {
		return s.st.EachNotice(ctx, f.(store.NoticeFilter), fn)
	}
	nl.count = func(ctx context.Context, f any) (uint64, error) {
		return s.st.CountNotices(ctx, f.(store.NoticeFilter))
	}
	s.notices = &nl
}

func (s *Server) listContracts(w http.ResponseWriter, r *http.Request) {
	serveListing(s, s.contracts, w, r)
}
func (s *Server) listNotices(w http.ResponseWriter, r *http.Request) {
	serveListing(s, s.notices, w, r)
}

func parseNoticeFilter(q url.Values) (store.NoticeFilter, error) {
	var f store.NoticeFilter
	var err error
	if f.From, err = parseDate(q, pNoticeFrom); err != nil {
		return f, err
	}
	if f.To, err = parseDate(q, pNoticeTo); err != nil {
		return f, err
	}
	if !f.From.IsZero() && !f.To.IsZero() && f.To.Before(f.From) {
		return f, badParam("to", "is before from")
	}
	if f.Departement, err = parseRe(q, pDepartement, departementRe); err != nil {
		return f, err
	}
	if f.CPVPrefix, err = parseRe(q, pCPV, cpvRe); err != nil {
		return f, err
	}
	b, err := parseRe(q, pBuyer, buyerRe)
	if err != nil {
		return f, err
	}
	f.BuyerSiret, f.BuyerSiren = buyerIDs(b)
	if f.Labels, err = parseList(q, pLabels); err != nil {
		return f, err
	}
	f.Words, err = parseWords(q)
	return f, err
}

// schemaQuery adds a parameter to a schema URL made by schemaURL.
func schemaQuery(req *request, name, value string) string {
	sep := "?"
	if req.dialect.Name != dialectStandard.Name {
		sep = "&"
	}
	return sep + url.Values{name: {value}}.Encode()
}
