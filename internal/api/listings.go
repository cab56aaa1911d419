package api

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/vigie-data/vigie/internal/store"
)

var (
	contractListParams = append([]param{pLimit, pCursor, pFormat}, contractFilterParams...)
	pNoticeFrom        = param{Name: "from", Description: "first publication date, inclusive (YYYY-MM-DD)", Type: "string", Format: "date"}
	pNoticeTo          = param{Name: "to", Description: "last publication date, inclusive (YYYY-MM-DD)", Type: "string", Format: "date"}
	noticeListParams   = []param{pNoticeFrom, pNoticeTo, pDepartement, pCPV, pBuyer, pLabels, pQ, pLimit, pCursor, pFormat}
)

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

// nextLink is the URL of the next page (also sent as a Link header).
func nextLink(w http.ResponseWriter, r *http.Request, cursor string) string {
	q := r.URL.Query()
	q.Set("cursor", cursor)
	u := url.URL{Path: r.URL.Path, RawQuery: q.Encode()}
	w.Header().Set("Link", "<"+u.String()+`>; rel="next"`)
	return u.String()
}

func (s *Server) listContracts(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if err := checkParams(q, contractListParams); err != nil {
		fail(w, r, err)
		return
	}
	fmtName, err := format(r, "json", "csv")
	if err != nil {
		fail(w, r, err)
		return
	}
	f, err := parseContractFilter(q)
	if err != nil {
		fail(w, r, err)
		return
	}
	limit, err := s.parseLimit(q)
	if err != nil {
		fail(w, r, err)
		return
	}
	var after *store.ContractCursor
	if c := q.Get("cursor"); c != "" {
		after = &store.ContractCursor{}
		if err := decodeCursor(c, after); err != nil {
			fail(w, r, err)
			return
		}
	}
	ctx, cancel := s.queryContext(r)
	defer cancel()
	items, more, err := s.st.ListContracts(ctx, f, after, limit)
	if err != nil {
		fail(w, r, err)
		return
	}
	if items == nil {
		items = []store.ListedContract{}
	}
	var next, nextURL any
	if more {
		c := encodeCursor(store.ContractCursor{BuyerSiret: items[len(items)-1].BuyerSiret, ContractID: items[len(items)-1].ContractID})
		next, nextURL = c, nextLink(w, r, c)
	}
	if fmtName == "csv" {
		header := []string{"uid", "buyer_siret", "buyer_siren", "buyer_name", "contract_id", "kind", "nature", "object", "cpv", "cpv_division",
			"theme", "procedure", "departement", "region", "notification_date", "publication_date", "amount",
			"declared_social_clause", "declared_social_criterion", "declared_reserved", "declared_env_clause", "declared_env_criterion",
			"detected_labels", "quality_flags", "source", "origin", "position", "version", "ingested_at"}
		rows := make([][]string, 0, len(items))
		for _, c := range items {
			rows = append(rows, []string{c.UID, c.BuyerSiret, c.BuyerSiren, c.BuyerName, c.ContractID, c.Kind, c.Nature, c.Object, c.CPV,
				c.CPVDivision, c.Theme, c.Procedure, c.Departement, c.Region, datePtr(c.NotificationDate), datePtr(c.PublicationDate),
				floatPtr(c.Amount), u8Ptr(c.DeclaredSocialClause), u8Ptr(c.DeclaredSocialCriterion), u8Ptr(c.DeclaredReserved),
				u8Ptr(c.DeclaredEnvClause), u8Ptr(c.DeclaredEnvCriterion), strings.Join(c.DetectedLabels, " "),
				strings.Join(c.QualityFlags, " "), c.Source, c.Origin, c.Position, u(c.Version), c.IngestedAt.UTC().Format(time.RFC3339)})
		}
		writeCSV(w, "contracts", header, rows)
		return
	}
	writeJSON(w, map[string]any{"filters": filterEcho(q), "items": items, "next_cursor": next, "next": nextURL})
}

func (s *Server) listNotices(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if err := checkParams(q, noticeListParams); err != nil {
		fail(w, r, err)
		return
	}
	fmtName, err := format(r, "json", "csv")
	if err != nil {
		fail(w, r, err)
		return
	}
	var f store.NoticeFilter
	if f.From, err = parseDate(q, pNoticeFrom); err == nil {
		f.To, err = parseDate(q, pNoticeTo)
	}
	if err == nil {
		f.Departement, err = parseRe(q, pDepartement, departementRe)
	}
	if err == nil {
		f.CPVPrefix, err = parseRe(q, pCPV, cpvRe)
	}
	var b string
	if err == nil {
		b, err = parseRe(q, pBuyer, buyerRe)
		f.BuyerSiret, f.BuyerSiren = buyerIDs(b)
	}
	if err == nil {
		f.Labels, err = parseList(q, pLabels)
	}
	if err == nil {
		f.Words, err = parseWords(q)
	}
	limit := 0
	if err == nil {
		limit, err = s.parseLimit(q)
	}
	after := ""
	if c := q.Get("cursor"); err == nil && c != "" {
		err = decodeCursor(c, &after)
	}
	if err != nil {
		fail(w, r, err)
		return
	}
	ctx, cancel := s.queryContext(r)
	defer cancel()
	items, more, err := s.st.ListNotices(ctx, f, after, limit)
	if err != nil {
		fail(w, r, err)
		return
	}
	if items == nil {
		items = []store.ListedNotice{}
	}
	var next, nextURL any
	if more {
		c := encodeCursor(items[len(items)-1].NoticeID)
		next, nextURL = c, nextLink(w, r, c)
	}
	if fmtName == "csv" {
		header := []string{"notice_id", "source", "format", "kind", "family", "publication_date", "deadline", "buyer_name", "buyer_siret",
			"departements", "cpv", "procedure", "object", "url", "cancelled", "declared_labels", "detected_labels", "origin", "position",
			"version", "ingested_at"}
		rows := make([][]string, 0, len(items))
		for _, n := range items {
			dl := ""
			if n.Deadline != nil {
				dl = n.Deadline.UTC().Format(time.RFC3339)
			}
			rows = append(rows, []string{n.NoticeID, n.Source, n.Format, n.Kind, n.Family, n.PublicationDate.Format(time.DateOnly), dl,
				n.BuyerName, n.BuyerSiret, strings.Join(n.Departements, " "), strings.Join(n.CPV, " "), n.Procedure, n.Object, n.URL,
				strconv.Itoa(int(n.Cancelled)), strings.Join(n.DeclaredLabels, " "), strings.Join(n.DetectedLabels, " "), n.Origin,
				n.Position, u(n.Version), n.IngestedAt.UTC().Format(time.RFC3339)})
		}
		writeCSV(w, "notices", header, rows)
		return
	}
	writeJSON(w, map[string]any{"filters": filterEcho(q), "items": items, "next_cursor": next, "next": nextURL})
}

func datePtr(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.Format(time.DateOnly)
}

func floatPtr(v *float64) string {
	if v == nil {
		return ""
	}
	return fl(*v)
}

func u8Ptr(v *uint8) string {
	if v == nil {
		return ""
	}
	return strconv.Itoa(int(*v))
}
