package api

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/vigie-data/vigie/internal/store"
)

var indicatorParams = append([]param{pGroupBy, pFormat}, contractFilterParams...)

// Share is a count with what it is a share of.
type Share struct {
	Count          uint64   `json:"count"`
	Amount         float64  `json:"amount"`
	ShareContracts *float64 `json:"share_contracts"` // count / contracts of the row
	ShareAmount    *float64 `json:"share_amount"`    // amount / amount of the row
}

// Consideration is one indicator in a row: declared and detected side by
// side, and how many contracts had no declared value.
type Consideration struct {
	Declared        Share  `json:"declared"`
	DeclaredUnknown uint64 `json:"declared_unknown"`
	Detected        Share  `json:"detected"`
}

// sharesOf says, in every answer, what the shares are shares of.
var sharesOf = map[string]string{
	"share_contracts":  "count / contracts of the same row (all contracts of the group, including those with declared_unknown)",
	"share_amount":     "amount of the counted contracts / amount of the row; contracts without a published amount add 0 to both",
	"declared_unknown": "contracts of the row for which the buyer gave no value in the DECP fields of the indicator",
	"detected":         "contracts in which vigie's detector found the label (in the text or codes of the contract)",
}

func ratio(a, b float64) *float64 {
	if b == 0 {
		return nil
	}
	r := a / b
	return &r
}

func consideration(m store.Measure, contracts uint64, amount float64) Consideration {
	return Consideration{
		Declared:        Share{m.DeclaredCount, m.DeclaredAmount, ratio(float64(m.DeclaredCount), float64(contracts)), ratio(m.DeclaredAmount, amount)},
		DeclaredUnknown: m.DeclaredUnknown,
		Detected:        Share{m.DetectedCount, m.DetectedAmount, ratio(float64(m.DetectedCount), float64(contracts)), ratio(m.DetectedAmount, amount)},
	}
}

func (s *Server) indicators(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if err := checkParams(q, indicatorParams); err != nil {
		fail(w, r, err)
		return
	}
	fmtName, err := format(r, "json", "csv")
	if err != nil {
		fail(w, r, err)
		return
	}
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
	ans, err := s.cachedIndicators(ctx, store.IndicatorQuery{GroupBy: groups, Filter: f, Limit: s.opts.MaxRows})
	if err != nil {
		fail(w, r, err)
		return
	}
	setFreshness(ctx, w, s.st)
	// The rendered body depends on the answer, the format and the query
	// string (echoed in filters): kept with the answer, so that repeated
	// requests skip the encoding too.
	ans.serve(w, fmtName+"?"+r.URL.RawQuery, func(w http.ResponseWriter) { renderIndicators(w, fmtName, groups, q, ans.res) })
}

// renderIndicators writes an indicators answer as CSV or JSON.
func renderIndicators(w http.ResponseWriter, fmtName string, groups []string, q url.Values, res store.IndicatorResult) {
	if fmtName == "csv" {
		header := append([]string{}, groups...)
		byBuyer := false
		for _, g := range groups {
			byBuyer = byBuyer || g == "buyer"
		}
		if byBuyer {
			header = append(header, "buyer_name")
		}
		header = append(header, "contracts", "amount", "contracts_with_amount")
		for _, ind := range store.Indicators {
			n := ind.Name
			header = append(header, n+"_declared_count", n+"_declared_amount", n+"_declared_share_contracts", n+"_declared_share_amount",
				n+"_declared_unknown", n+"_detected_count", n+"_detected_amount", n+"_detected_share_contracts", n+"_detected_share_amount")
		}
		rows := make([][]string, 0, len(res.Rows))
		for _, row := range res.Rows {
			rec := append([]string{}, row.Keys...)
			if byBuyer {
				rec = append(rec, row.BuyerName)
			}
			rec = append(rec, u(row.Contracts), fl(row.Amount), u(row.AmountKnown))
			for _, ind := range store.Indicators {
				c := consideration(row.Measures[ind.Name], row.Contracts, row.Amount)
				rec = append(rec, u(c.Declared.Count), fl(c.Declared.Amount), flp(c.Declared.ShareContracts), flp(c.Declared.ShareAmount),
					u(c.DeclaredUnknown), u(c.Detected.Count), fl(c.Detected.Amount), flp(c.Detected.ShareContracts), flp(c.Detected.ShareAmount))
			}
			rows = append(rows, rec)
		}
		writeCSV(w, "indicators", header, rows)
		return
	}
	out := make([]map[string]any, 0, len(res.Rows))
	for _, row := range res.Rows {
		m := map[string]any{}
		for i, g := range groups {
			m[g] = row.Keys[i]
			if g == "buyer" {
				m["buyer_name"] = row.BuyerName
			}
		}
		m["contracts"] = row.Contracts
		m["amount"] = row.Amount
		m["contracts_with_amount"] = row.AmountKnown
		for _, ind := range store.Indicators {
			m[ind.Name] = consideration(row.Measures[ind.Name], row.Contracts, row.Amount)
		}
		out = append(out, m)
	}
	writeJSON(w, map[string]any{
		"group_by":      groups,
		"filters":       filterEcho(q),
		"computed_from": res.Origin,
		"data_as_of":    dataAsOf(res.State),
		"truncated":     res.Truncated,
		"shares":        sharesOf,
		"definitions":   "/api/v1/definitions",
		"rows":          out,
	})
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
func dataAsOf(state string) any {
	if t, ok := store.StateAsOf(state); ok {
		return t.UTC().Format(time.RFC3339)
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
