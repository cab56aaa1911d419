package api

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/vigie-data/vigie/internal/store"
)

var indicatorParams = append([]param{pGroupBy, pFormat, pDialect}, contractFilterParams...)

// Share is a count with what it is a share of.
type Share struct {
	Count          uint64   `json:"count"`
	Amount         float64  `json:"amount"`
	ShareContracts *float64 `json:"share_contracts" desc:"count / contracts it is a share of (see shares); null when those are 0"`
	ShareAmount    *float64 `json:"share_amount" desc:"amount / amount of the row; null when that is 0"`
}

// Consideration is one indicator in a row: declared and detected side by
// side. The declared share is over the contracts whose buyer declared
// something for the indicator (declared_known): a contract that says
// nothing (every 2019-format contract) is unknown, not a "no".
type Consideration struct {
	Declared        Share  `json:"declared"`
	DeclaredKnown   uint64 `json:"declared_known" desc:"contracts of the row whose buyer declared something for the indicator: what declared.share_contracts is a share of"`
	DeclaredUnknown uint64 `json:"declared_unknown" desc:"contracts of the row whose buyer declared nothing for the indicator"`
	Detected        Share  `json:"detected"`
}

// IndicatorRow is one group of an indicators answer: its key (the
// group_by dimensions, others absent), its totals and one Consideration
// per indicator.
type IndicatorRow struct {
	Year                *string       `json:"year,omitempty" desc:"YYYY, or unknown"`
	Month               *string       `json:"month,omitempty" desc:"YYYY-MM, or unknown"`
	Departement         *string       `json:"departement,omitempty"`
	Region              *string       `json:"region,omitempty"`
	Buyer               *string       `json:"buyer,omitempty" desc:"buyer SIRET"`
	BuyerName           *string       `json:"buyer_name,omitempty"`
	CPVDivision         *string       `json:"cpv_division,omitempty"`
	Procedure           *string       `json:"procedure,omitempty"`
	Nature              *string       `json:"nature,omitempty"`
	Theme               *string       `json:"theme,omitempty"`
	Contracts           uint64        `json:"contracts"`
	Amount              float64       `json:"amount"`
	ContractsWithAmount uint64        `json:"contracts_with_amount"`
	Social              Consideration `json:"social"`
	SocialClause        Consideration `json:"social_clause"`
	SocialCriterion     Consideration `json:"social_criterion"`
	Reserved            Consideration `json:"reserved"`
	Env                 Consideration `json:"env"`
	EnvClause           Consideration `json:"env_clause"`
	EnvCriterion        Consideration `json:"env_criterion"`
}

// key points at the row's field for a group dimension.
func (r *IndicatorRow) key(dim string) **string {
	switch dim {
	case "year":
		return &r.Year
	case "month":
		return &r.Month
	case "departement":
		return &r.Departement
	case "region":
		return &r.Region
	case "buyer":
		return &r.Buyer
	case "cpv_division":
		return &r.CPVDivision
	case "procedure":
		return &r.Procedure
	case "nature":
		return &r.Nature
	case "theme":
		return &r.Theme
	}
	return nil
}

// indicator points at the row's field for an indicator.
func (r *IndicatorRow) indicator(name string) *Consideration {
	switch name {
	case "social":
		return &r.Social
	case "social_clause":
		return &r.SocialClause
	case "social_criterion":
		return &r.SocialCriterion
	case "reserved":
		return &r.Reserved
	case "env":
		return &r.Env
	case "env_clause":
		return &r.EnvClause
	case "env_criterion":
		return &r.EnvCriterion
	}
	return nil
}

// Indicators is the answer of /api/v1/contracts/indicators.
type Indicators struct {
	GroupBy      []string          `json:"group_by"`
	Filters      map[string]string `json:"filters"`
	ComputedFrom string            `json:"computed_from" desc:"the table that answered: rollup, facts or contracts"`
	DataAsOf     *string           `json:"data_as_of" format:"date-time" desc:"every contract stored before this instant is counted; null when the contracts table itself answered"`
	Truncated    bool              `json:"truncated" desc:"true when the row limit cut the answer"`
	Shares       map[string]string `json:"shares" desc:"what each share is a share of"`
	Definitions  string            `json:"definitions"`
	Rows         []IndicatorRow    `json:"rows"`
}

// sharesOf says, in every answer, what the shares are shares of.
var sharesOf = map[string]string{
	"declared.share_contracts": "declared count / declared_known: the contracts of the row whose buyer declared something for the indicator; null when none did",
	"detected.share_contracts": "detected count / contracts of the row",
	"share_amount":             "amount of the counted contracts / amount of the row; contracts without a published amount add 0 to both",
	"declared_unknown":         "contracts of the row for which the buyer gave no value in the DECP fields of the indicator",
	"detected":                 "contracts in which vigie's detector found the label (in the text or codes of the contract)",
}

func ratio(a, b float64) *float64 {
	if b == 0 {
		return nil
	}
	r := a / b
	return &r
}

func consideration(m store.Measure, contracts uint64, amount float64) Consideration {
	known := contracts - min(contracts, m.DeclaredUnknown)
	return Consideration{
		Declared:        Share{m.DeclaredCount, m.DeclaredAmount, ratio(float64(m.DeclaredCount), float64(known)), ratio(m.DeclaredAmount, amount)},
		DeclaredKnown:   known,
		DeclaredUnknown: m.DeclaredUnknown,
		Detected:        Share{m.DetectedCount, m.DetectedAmount, ratio(float64(m.DetectedCount), float64(contracts)), ratio(m.DetectedAmount, amount)},
	}
}

func (s *Server) indicators(w http.ResponseWriter, r *http.Request) {
	req := begin(w, r, indicatorParams, "json", "csv")
	if req == nil {
		return
	}
	q := req.q
	groups, err := parseList(q, pGroupBy)
	if err == nil && (len(groups) == 0 || len(groups) > 2 || (len(groups) == 2 && groups[0] == groups[1])) {
		err = badParam("group_by", "give one or two distinct dimensions: "+strings.Join(pGroupBy.Enum, ", "))
	}
	if err != nil {
		fail(w, r, err)
		return
	}
	f, err := parseContractFilter(q)
	if err != nil {
		fail(w, r, err)
		return
	}
	ctx, cancel := s.queryContext(r)
	defer cancel()
	state, err := s.st.ContractsState(ctx)
	if err != nil {
		fail(w, r, err)
		return
	}
	if s.notModified(w, r, state, "") {
		return
	}
	ans, err := s.cachedIndicators(ctx, store.IndicatorQuery{GroupBy: groups, Filter: f, Limit: s.opts.MaxRows})
	if err != nil {
		fail(w, r, err)
		return
	}
	setFreshness(ctx, w, s.st)
	// The rendered body depends on the answer, the format and the query
	// string (echoed in filters): kept with the answer, so that repeated
	// requests skip the encoding too.
	ans.serve(w, req.format+"?"+r.URL.RawQuery, func(w http.ResponseWriter) { renderIndicators(w, r, req, groups, ans.res) })
}

// indicatorFields are the CSV columns of an indicators answer.
func indicatorFields(groups []string) []tableField {
	var fs []tableField
	for _, g := range groups {
		fs = append(fs, tableField{Name: g, Type: "string"})
		if g == "buyer" {
			fs = append(fs, tableField{Name: "buyer_name", Type: "string"})
		}
	}
	fs = append(fs, tableField{Name: "contracts", Type: "integer"}, tableField{Name: "amount", Type: "number"},
		tableField{Name: "contracts_with_amount", Type: "integer"})
	for _, ind := range store.Indicators {
		n := ind.Name
		fs = append(fs, tableField{Name: n + "_declared_count", Type: "integer"}, tableField{Name: n + "_declared_amount", Type: "number"},
			tableField{Name: n + "_declared_share_contracts", Type: "number", Description: "over " + n + "_declared_known"},
			tableField{Name: n + "_declared_share_amount", Type: "number"}, tableField{Name: n + "_declared_known", Type: "integer"},
			tableField{Name: n + "_declared_unknown", Type: "integer"}, tableField{Name: n + "_detected_count", Type: "integer"},
			tableField{Name: n + "_detected_amount", Type: "number"}, tableField{Name: n + "_detected_share_contracts", Type: "number"},
			tableField{Name: n + "_detected_share_amount", Type: "number"})
	}
	return fs
}

// renderIndicators writes an indicators answer as CSV or JSON.
func renderIndicators(w http.ResponseWriter, r *http.Request, req *request, groups []string, res store.IndicatorResult) {
	rows := make([]IndicatorRow, 0, len(res.Rows))
	for _, row := range res.Rows {
		var out IndicatorRow
		for i, g := range groups {
			*out.key(g) = &row.Keys[i]
			if g == "buyer" {
				out.BuyerName = &row.BuyerName
			}
		}
		out.Contracts, out.Amount, out.ContractsWithAmount = row.Contracts, row.Amount, row.AmountKnown
		for _, ind := range store.Indicators {
			if p := out.indicator(ind.Name); p != nil {
				*p = consideration(row.Measures[ind.Name], row.Contracts, row.Amount)
			}
		}
		rows = append(rows, out)
	}
	if req.format == "csv" {
		fields := indicatorFields(groups)
		out := startCSV(w, "indicators", schemaURL(r, req)+schemaQuery(req, "group_by", strings.Join(groups, ",")), req.dialect, fields)
		for i := range rows {
			row := &rows[i]
			var rec []string
			for _, g := range groups {
				rec = append(rec, **row.key(g))
				if g == "buyer" {
					rec = append(rec, *row.BuyerName)
				}
			}
			rec = append(rec, u(row.Contracts), fl(row.Amount), u(row.ContractsWithAmount))
			for _, ind := range store.Indicators {
				c := row.indicator(ind.Name)
				rec = append(rec, u(c.Declared.Count), fl(c.Declared.Amount), flp(c.Declared.ShareContracts), flp(c.Declared.ShareAmount),
					u(c.DeclaredKnown), u(c.DeclaredUnknown), u(c.Detected.Count), fl(c.Detected.Amount), flp(c.Detected.ShareContracts),
					flp(c.Detected.ShareAmount))
			}
			_ = out.row(fields, rec)
		}
		_ = out.flush()
		return
	}
	writeJSON(w, Indicators{GroupBy: groups, Filters: filterEcho(req.q), ComputedFrom: res.Origin, DataAsOf: dataAsOf(res.State), Truncated: res.Truncated,
		Shares: sharesOf, Definitions: "/api/v1/definitions", Rows: rows})
}

// cachedIndicators answers from the cache when the contracts data is in
// the state a kept answer was computed from (see answerCache). The key is
// the validated query, not the URL: equivalent spellings share an entry.
func (s *Server) cachedIndicators(ctx context.Context, iq store.IndicatorQuery) (*renderedAnswer[store.IndicatorResult], error) {
	state, err := s.st.ContractsState(ctx)
	if err != nil {
		return nil, err
	}
	qk, err := json.Marshal(iq)
	if err != nil {
		return nil, err
	}
	v, err := s.cache.get(ctx, "indicators\x00"+state+"\x00"+string(qk), func(ctx context.Context) (any, int, bool, error) {
		res, err := s.st.Indicators(ctx, iq)
		// A row costs about as much again once rendered.
		return &renderedAnswer[store.IndicatorResult]{res: res}, 2 * (len(res.Rows) + 1), res.State == state, err
	})
	if err != nil {
		return nil, err
	}
	return v.(*renderedAnswer[store.IndicatorResult]), nil
}

// setFreshness says how current the contracts data behind an indicators
// answer is, per request (a cached body is shared by states, not times):
// Age is the number of seconds the answer may be behind the contracts
// stored (0 when the last rollup step holds all of them), and
// X-Vigie-Data-As-Of the time before which every stored contract is
// counted.
func setFreshness(ctx context.Context, w http.ResponseWriter, st *store.Store) {
	f, err := st.ContractsFreshness(ctx)
	if err != nil {
		return
	}
	w.Header().Set("Age", strconv.Itoa(int(f.Behind.Seconds())))
	w.Header().Set("X-Vigie-Data-As-Of", f.AsOf.UTC().Format(time.RFC3339))
	if !f.Current {
		w.Header().Set("X-Vigie-Data-Refreshing", "true")
	}
}

// dataAsOf is the time before which every contract stored is counted in
// an answer computed from state (store.ContractsState), or null when the
// answer read the contracts table itself (then it is as of its request).
func dataAsOf(state string) *string {
	if t, ok := store.StateAsOf(state); ok {
		return str(t.UTC().Format(time.RFC3339))
	}
	return nil
}

func u(v uint64) string   { return strconv.FormatUint(v, 10) }
func fl(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
func flp(v *float64) string {
	if v == nil {
		return ""
	}
	return strconv.FormatFloat(*v, 'f', 6, 64)
}
