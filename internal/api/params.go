package api

import (
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/vigie-data/vigie/internal/clause"
	"github.com/vigie-data/vigie/internal/store"
	"github.com/vigie-data/vigie/internal/theme"
)

// param describes a query parameter: the same table checks requests and
// writes the OpenAPI document, so the two cannot disagree.
type param struct {
	Name        string
	Description string
	Type        string   // string, integer, number
	Format      string   // OpenAPI format (date, ...)
	Enum        []string // allowed values; for lists, of each item
	List        bool     // comma-separated list
	Pattern     string
	Default     any      // the value taken when absent
	Min, Max    *float64 // bounds of a number
	Required    bool
	Example     any
}

// Dates the store can hold: ClickHouse's Date covers 1970-01-01 to
// 2105-12-31 on every supported server (18.16 wraps beyond; later ones
// stop at 2149-06-06), so a date outside would compare wrongly.
var (
	minDate = time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC)
	maxDate = time.Date(2105, 12, 31, 0, 0, 0, 0, time.UTC)
)

func bound(v float64) *float64 { return &v }

var (
	departementRe = regexp.MustCompile(`^(0[1-9]|[1-8][0-9]|9[0-5]|2[AB]|97[1-8]|98[4-9])$`)
	regionRe      = regexp.MustCompile(`^[\p{L}\p{N} '’-]{1,60}$`) // names as stored (Île-de-France, Provence-Alpes-Côte d'Azur)
	cpvRe         = regexp.MustCompile(`^[0-9]{1,8}$`)
	buyerRe       = regexp.MustCompile(`^([0-9]{9}|[0-9]{14})$`)
	plainRe       = regexp.MustCompile(`^[\p{L}\p{N} '’.,()/-]{1,120}$`)
	sourceRe      = regexp.MustCompile(`^[a-z0-9_.-]{1,40}$`)
)

var (
	pFrom        = param{Name: "from", Description: "first notification date, inclusive (YYYY-MM-DD, 1970-01-01 to 2105-12-31)", Type: "string", Format: "date", Example: "2024-01-01"}
	pTo          = param{Name: "to", Description: "last notification date, inclusive (YYYY-MM-DD, 1970-01-01 to 2105-12-31)", Type: "string", Format: "date", Example: "2024-12-31"}
	pDepartement = param{Name: "departement", Description: "département code (01…95, 2A, 2B, 971…)", Type: "string", Pattern: departementRe.String(), Example: "69"}
	pRegion      = param{Name: "region", Description: "région name as stored by the DECP ingestion (e.g. Île-de-France)", Type: "string", Pattern: regionRe.String()}
	pBuyer       = param{Name: "buyer", Description: "buyer SIRET (14 digits) or SIREN (9 digits)", Type: "string", Pattern: buyerRe.String()}
	pCPV         = param{Name: "cpv", Description: "CPV code prefix (1 to 8 digits)", Type: "string", Pattern: cpvRe.String(), Example: "45"}
	pProcedure   = param{Name: "procedure", Description: "procedure, as published (e.g. Appel d'offres ouvert)", Type: "string"}
	pNature      = param{Name: "nature", Description: "contract nature, as published (e.g. Marché)", Type: "string"}
	pTheme       = param{Name: "theme", Description: "theme from the CPV mapping (see /api/v1/definitions)", Type: "string", Enum: theme.All}
	pMinAmount   = param{Name: "min_amount", Description: "minimum amount in euros (contracts without amount excluded)", Type: "number", Min: bound(0), Max: bound(1e15)}
	pMaxAmount   = param{Name: "max_amount", Description: "maximum amount in euros (contracts without amount excluded)", Type: "number", Min: bound(0), Max: bound(1e15)}
	pSource      = param{Name: "source", Description: "data source of the contract (e.g. decp)", Type: "string", Pattern: sourceRe.String()}
	pFormat      = param{Name: "format", Description: "json (default) or csv; Accept: text/csv also gives CSV", Type: "string", Enum: []string{"json", "csv"}, Default: "json"}
	pLimit       = param{Name: "limit", Description: "page size (default 100; a CSV without limit holds every matching row)", Type: "integer", Min: bound(1), Max: bound(10000), Default: 100}
	pCursor      = param{Name: "cursor", Description: "next_cursor or prev_cursor of a page", Type: "string"}
	pQ           = param{Name: "q", Description: "words that must all appear in the object (case-insensitive)", Type: "string"}
	pLabels      = param{Name: "labels", Description: "clause labels, any of (reserved also matches its kinds)", Type: "string", List: true, Enum: clause.AllLabels}
	pGroupBy     = param{Name: "group_by", Description: "one or two dimensions, comma-separated", Type: "string", List: true, Enum: store.GroupDimensions(), Required: true, Example: "year"}
)

var contractFilterParams = []param{pFrom, pTo, pDepartement, pRegion, pBuyer, pCPV, pProcedure, pNature, pTheme, pMinAmount, pMaxAmount, pSource}

// checkParams rejects parameters the endpoint does not know (a typo would
// otherwise silently widen the answer) and repeated ones.
func checkParams(q url.Values, known []param) error {
	for name, vs := range q {
		ok := false
		for _, p := range known {
			ok = ok || p.Name == name
		}
		if !ok {
			return badParam(name, "unknown parameter")
		}
		if len(vs) > 1 {
			return badParam(name, "given more than once")
		}
	}
	return nil
}

func parseDate(q url.Values, p param) (time.Time, error) {
	v := q.Get(p.Name)
	if v == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse("2006-01-02", v)
	if err != nil {
		return time.Time{}, badParam(p.Name, "expected a date YYYY-MM-DD, got "+strconv.Quote(v))
	}
	if t.Before(minDate) || t.After(maxDate) {
		return time.Time{}, badParam(p.Name, "date "+v+" is outside the range vigie stores (1970-01-01 to 2105-12-31)")
	}
	return t, nil
}

func parseRe(q url.Values, p param, re *regexp.Regexp) (string, error) {
	v := q.Get(p.Name)
	if v != "" && !re.MatchString(v) {
		return "", badParam(p.Name, "malformed value "+strconv.Quote(v)+" ("+p.Description+")")
	}
	return v, nil
}

// parseReList reads a comma-separated list whose items match re.
func parseReList(q url.Values, p param, re *regexp.Regexp) ([]string, error) {
	v := q.Get(p.Name)
	if v == "" {
		return nil, nil
	}
	var out []string
	for _, x := range strings.Split(v, ",") {
		x = strings.TrimSpace(x)
		if !re.MatchString(x) {
			return nil, badParam(p.Name, "malformed value "+strconv.Quote(x)+" ("+p.Description+")")
		}
		out = append(out, x)
	}
	return out, nil
}

func parseEnum(q url.Values, p param) (string, error) {
	v := q.Get(p.Name)
	if v == "" {
		return "", nil
	}
	for _, e := range p.Enum {
		if v == e {
			return v, nil
		}
	}
	return "", badParam(p.Name, "unknown value "+strconv.Quote(v)+"; one of "+strings.Join(p.Enum, ", "))
}

func parseList(q url.Values, p param) ([]string, error) {
	v := q.Get(p.Name)
	if v == "" {
		return nil, nil
	}
	var out []string
	for _, x := range strings.Split(v, ",") {
		x = strings.TrimSpace(x)
		ok := false
		for _, e := range p.Enum {
			ok = ok || e == x
		}
		if !ok {
			return nil, badParam(p.Name, "unknown value "+strconv.Quote(x)+"; one of "+strings.Join(p.Enum, ", "))
		}
		out = append(out, x)
	}
	return out, nil
}

func parseAmount(q url.Values, p param) (*float64, error) {
	v := q.Get(p.Name)
	if v == "" {
		return nil, nil
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || f < 0 || f != f || f > 1e15 {
		return nil, badParam(p.Name, "expected a non-negative number of euros, got "+strconv.Quote(v))
	}
	return &f, nil
}

// buyerIDs splits a SIRET or SIREN into the filter fields.
func buyerIDs(v string) (siret, siren string) {
	if len(v) == 14 {
		return v, ""
	}
	return "", v
}

func parseContractFilter(q url.Values) (store.ContractFilter, error) {
	var f store.ContractFilter
	var err error
	if f.From, err = parseDate(q, pFrom); err != nil {
		return f, err
	}
	if f.To, err = parseDate(q, pTo); err != nil {
		return f, err
	}
	if !f.From.IsZero() && !f.To.IsZero() && f.To.Before(f.From) {
		return f, badParam("to", "is before from")
	}
	if f.Departement, err = parseRe(q, pDepartement, departementRe); err != nil {
		return f, err
	}
	if f.Region, err = parseRe(q, pRegion, regionRe); err != nil {
		return f, err
	}
	b, err := parseRe(q, pBuyer, buyerRe)
	if err != nil {
		return f, err
	}
	f.BuyerSiret, f.BuyerSiren = buyerIDs(b)
	if f.CPVPrefix, err = parseRe(q, pCPV, cpvRe); err != nil {
		return f, err
	}
	if f.Procedure, err = parseRe(q, pProcedure, plainRe); err != nil {
		return f, err
	}
	if f.Nature, err = parseRe(q, pNature, plainRe); err != nil {
		return f, err
	}
	if f.Theme, err = parseEnum(q, pTheme); err != nil {
		return f, err
	}
	if f.MinAmount, err = parseAmount(q, pMinAmount); err != nil {
		return f, err
	}
	if f.MaxAmount, err = parseAmount(q, pMaxAmount); err != nil {
		return f, err
	}
	if f.Source, err = parseRe(q, pSource, sourceRe); err != nil {
		return f, err
	}
	return f, nil
}

func (s *Server) parseLimit(q url.Values) (int, error) {
	v := q.Get(pLimit.Name)
	if v == "" {
		return min(100, s.opts.MaxRows), nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > s.opts.MaxRows {
		return 0, badParam(pLimit.Name, "expected an integer from 1 to "+strconv.Itoa(s.opts.MaxRows))
	}
	return n, nil
}

func parseWords(q url.Values) ([]string, error) {
	v := q.Get(pQ.Name)
	if len(v) > 200 {
		return nil, badParam(pQ.Name, "longer than 200 bytes")
	}
	return strings.Fields(v), nil
}

// filterEcho gives back the parameters that shaped the answer.
func filterEcho(q url.Values) map[string]string {
	out := map[string]string{}
	for k := range q {
		if k != "format" && k != "cursor" {
			out[k] = q.Get(k)
		}
	}
	return out
}
