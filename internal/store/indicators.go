package store

import (
	"context"
	"fmt"
	"math"
	"strings"
	"time"
)

// Indicators over DECP contracts. Every query sums "facts": per contract
// (its current version), the indicator flags computed once. Facts come
// from one of three places:
//   - contract_rollup_month / contract_rollup: sums per (month, theme,
//     source) / (month, departement, region, theme, source), for the
//     common trends and breakdowns (small: answers in milliseconds);
//   - contract_facts: signed rows per contract version, for the other
//     filters (amounts, CPV, buyer, procedure, nature, exact dates);
//   - the contracts table itself, de-duplicated with argMax(version),
//     before the first rollup step completed (a new database).
// The first two are read at the last committed step (rollups.go): the
// answer of the last consistent state, which the API says how old is.

// Indicator is one responsible-buying consideration, read from the DECP
// fields the buyer filled in (declared) and from vigie's detector (detected).
type Indicator struct {
	Name     string
	Declared []string // declared_* columns: any of them = 1 counts
	Detected []string // detected labels: any of them counts
}

// Indicators in the order the API shows them.
var Indicators = []Indicator{
	{"social", []string{"declared_social_clause", "declared_social_criterion", "declared_reserved"},
		[]string{"social_clause", "social_criterion", "reserved", "reserved_disability", "reserved_insertion", "reserved_ess"}},
	{"social_clause", []string{"declared_social_clause"}, []string{"social_clause"}},
	{"social_criterion", []string{"declared_social_criterion"}, []string{"social_criterion"}},
	{"reserved", []string{"declared_reserved"}, []string{"reserved", "reserved_disability", "reserved_insertion", "reserved_ess"}},
	{"env", []string{"declared_env_clause", "declared_env_criterion"}, []string{"env_clause", "env_criterion"}},
	{"env_clause", []string{"declared_env_clause"}, []string{"env_clause"}},
	{"env_criterion", []string{"declared_env_criterion"}, []string{"env_criterion"}},
}

// factExprs are the contract_facts columns computed from a current
// contract row (columns of the contracts table), for epoch (a number).
// Labels and column names are constants of this file, never user input.
func factExprs(epoch string) []string {
	out := []string{
		epoch + " AS epoch", "key_hash", "buyer_siret", "contract_id", "version",
		// Identifies, with the version, what the row was computed from: a
		// repair rewrites a version with its labels worked out again.
		"cityHash64(arrayStringConcat(detected_labels, ',')) AS labels_hash",
		"buyer_siren", "buyer_name", "notification_date",
		"if(isNull(notification_date), toUInt32(0), toYYYYMM(assumeNotNull(notification_date))) AS month",
		"departement", "region", "cpv", "cpv_division", "procedure", "nature", "theme", "source",
		"amount AS amount_value",
		"toInt8(1) AS contracts",
		"toFloat64(ifNull(amount, 0)) AS amount_sum",
		"toInt8(isNotNull(amount)) AS amount_known",
	}
	for _, ind := range Indicators {
		var yes, null, det []string
		for _, c := range ind.Declared {
			yes = append(yes, "ifNull("+c+", 0) = 1")
			null = append(null, "isNull("+c+")")
		}
		for _, l := range ind.Detected {
			det = append(det, "has(detected_labels, '"+l+"')")
		}
		d := "(" + strings.Join(yes, " OR ") + ")"
		u := "(NOT " + d + " AND (" + strings.Join(null, " OR ") + "))"
		t := "(" + strings.Join(det, " OR ") + ")"
		out = append(out,
			"toInt8("+d+") AS "+ind.Name+"_decl",
			"toInt8("+u+") AS "+ind.Name+"_unk",
			"toInt8("+t+") AS "+ind.Name+"_det",
		)
	}
	return out
}

// factMeasures are the signed columns of contract_facts (+1 rows and
// their -1 retractions).
func factMeasures() []string {
	out := []string{"contracts", "amount_sum", "amount_known"}
	for _, ind := range Indicators {
		out = append(out, ind.Name+"_decl", ind.Name+"_unk", ind.Name+"_det")
	}
	return out
}

// rollupMeasures are the summed columns of the rollups, in the order
// Indicators scans them.
func rollupMeasures() []string {
	out := []string{"contracts", "amount_sum", "amount_known"}
	for _, ind := range Indicators {
		out = append(out, ind.Name+"_decl", ind.Name+"_unk", ind.Name+"_det", ind.Name+"_decl_amount", ind.Name+"_det_amount")
	}
	return out
}

// measureSums sum rollupMeasures over facts rows (the indicator amounts
// from amount_sum where the flag is set: a retraction row has both
// negated) or over rollup rows.
func measureSums(fromRollup bool) []string {
	var out []string
	for _, m := range rollupMeasures() {
		switch {
		case fromRollup:
			out = append(out, "sum("+m+")")
		case strings.HasSuffix(m, "_amount"):
			out = append(out, "sumIf(amount_sum, "+strings.TrimSuffix(m, "_amount")+" != 0)")
		default:
			out = append(out, "sum("+m+")")
		}
	}
	return out
}

// measureReads are measureSums as Indicators scans them: counts as
// UInt64 (a net count is never negative: under any filter, a retraction
// matches exactly when the row it cancels does).
func measureReads(fromRollup bool) []string {
	out := measureSums(fromRollup)
	for i, m := range rollupMeasures() {
		if m != "amount_sum" && !strings.HasSuffix(m, "_amount") {
			out[i] = "toUInt64(" + out[i] + ")"
		}
	}
	return out
}

// factSourceColumns are the contracts columns facts are computed from.
var factSourceColumns = []string{"key_hash", "version", "buyer_siren", "buyer_name", "notification_date", "departement", "region",
	"cpv", "cpv_division", "procedure", "nature", "theme", "source", "amount",
	"declared_social_clause", "declared_social_criterion", "declared_reserved",
	"declared_env_clause", "declared_env_criterion", "detected_labels"}

// currentContracts is a subquery giving the current version of every
// contract (argMax by version), with the columns facts need. keyFilter, if
// not empty, restricts rows by identity (buyer_siret, buyer_siren or
// contract_id) before de-duplication — safe because every version of a
// contract shares them.
func currentContracts(cols []string, keyFilter string) string {
	var sel []string
	for i, c := range cols {
		sel = append(sel, fmt.Sprintf("tupleElement(t, %d) AS %s", i+1, c))
	}
	where := ""
	if keyFilter != "" {
		where = " WHERE " + keyFilter
	}
	return "(SELECT buyer_siret, contract_id, " + strings.Join(sel, ", ") +
		" FROM (SELECT buyer_siret, contract_id, argMax(tuple(" + strings.Join(cols, ", ") + "), version) AS t" +
		" FROM contracts" + where + " GROUP BY buyer_siret, contract_id))"
}

// factsFromContracts is the facts subquery computed from the contracts
// table directly.
func factsFromContracts(keyFilter string) string {
	return "(SELECT " + strings.Join(factExprs("0"), ", ") + " FROM " + currentContracts(factSourceColumns, keyFilter) + ")"
}

// Group dimensions: the SQL expression of each key over facts. The
// rollup holds the ones marked rollup, the month rollup those marked
// month too.
var groupDims = map[string]struct {
	expr          string
	rollup, month bool
}{
	"year":         {"if(month = 0, 'unknown', toString(intDiv(month, 100)))", true, true},
	"month":        {"if(month = 0, 'unknown', concat(toString(intDiv(month, 100)), '-', if(month % 100 < 10, '0', ''), toString(month % 100)))", true, true},
	"departement":  {"if(departement = '', 'unknown', departement)", true, false},
	"region":       {"if(region = '', 'unknown', region)", true, false},
	"theme":        {"if(theme = '', 'unknown', theme)", true, true},
	"buyer":        {"if(buyer_siret = '', 'unknown', buyer_siret)", false, false},
	"cpv_division": {"if(cpv_division = '', 'unknown', cpv_division)", false, false},
	"procedure":    {"if(procedure = '', 'unknown', procedure)", false, false},
	"nature":       {"if(nature = '', 'unknown', nature)", false, false},
}

// GroupDimensions lists the accepted group_by values.
func GroupDimensions() []string {
	return []string{"year", "month", "departement", "region", "buyer", "cpv_division", "procedure", "nature", "theme"}
}

// ContractFilter selects contracts; zero values do not filter. Values are
// bound as query parameters.
type ContractFilter struct {
	From, To    time.Time // notification date, inclusive
	Departement string
	Region      string
	BuyerSiret  string
	BuyerSiren  string
	CPVPrefix   string
	Procedure   string
	Nature      string
	Theme       string
	MinAmount   *float64
	MaxAmount   *float64
	Source      string
}

// rollupable says whether the rollup can answer the filter: only its
// dimensions, and dates on whole months.
func (f ContractFilter) rollupable() bool {
	if f.BuyerSiret != "" || f.BuyerSiren != "" || f.CPVPrefix != "" || f.Procedure != "" ||
		f.Nature != "" || f.MinAmount != nil || f.MaxAmount != nil {
		return false
	}
	if !f.From.IsZero() && f.From.Day() != 1 {
		return false
	}
	if !f.To.IsZero() && f.To.AddDate(0, 0, 1).Day() != 1 {
		return false
	}
	return true
}

// monthRollupable says whether contract_rollup_month (month, theme,
// source) can answer the filter: the rollup's filters without the
// territorial ones.
func (f ContractFilter) monthRollupable() bool {
	return f.rollupable() && f.Departement == "" && f.Region == ""
}

// where builds the WHERE clause over facts columns; rollup uses month
// bounds instead of dates.
func (f ContractFilter) where(rollup bool) (string, []any) {
	var conds []string
	var args []any
	add := func(c string, a ...any) { conds = append(conds, c); args = append(args, a...) }
	if !f.From.IsZero() {
		if rollup {
			add("month >= ?", uint32(f.From.Year()*100+int(f.From.Month())))
		} else {
			add("notification_date >= toDate(?)", f.From.Format("2006-01-02"))
		}
	}
	if !f.To.IsZero() {
		if rollup {
			add("month != 0 AND month <= ?", uint32(f.To.Year()*100+int(f.To.Month())))
		} else {
			add("notification_date <= toDate(?)", f.To.Format("2006-01-02"))
		}
	}
	for _, c := range []struct{ col, v string }{
		{"departement", f.Departement}, {"region", f.Region}, {"buyer_siret", f.BuyerSiret},
		{"buyer_siren", f.BuyerSiren}, {"procedure", f.Procedure}, {"nature", f.Nature},
		{"theme", f.Theme}, {"source", f.Source},
	} {
		if c.v != "" {
			add(c.col+" = ?", c.v)
		}
	}
	if f.CPVPrefix != "" {
		add("startsWith(cpv, ?)", f.CPVPrefix)
	}
	if f.MinAmount != nil {
		add("amount_value >= ?", *f.MinAmount)
	}
	if f.MaxAmount != nil {
		add("amount_value <= ?", *f.MaxAmount)
	}
	if len(conds) == 0 {
		return "", nil
	}
	return " WHERE " + strings.Join(conds, " AND "), args
}

// keyFilter is the part of the filter that may restrict the contracts
// table before de-duplication (identity columns only).
func (f ContractFilter) keyFilter() (string, []any) {
	switch {
	case f.BuyerSiret != "":
		return "buyer_siret = ?", []any{f.BuyerSiret}
	case f.BuyerSiren != "":
		return "buyer_siren = ?", []any{f.BuyerSiren}
	}
	return "", nil
}

// IndicatorQuery asks for indicators grouped by one or two dimensions.
type IndicatorQuery struct {
	GroupBy []string // from GroupDimensions
	Filter  ContractFilter
	Limit   int // row limit; the answer says when it was reached
}

// Measure is one indicator's figures in a group.
type Measure struct {
	DeclaredCount    uint64
	DeclaredAmount   float64
	DeclaredUnknown  uint64
	DetectedCount    uint64
	DetectedAmount   float64
	DeclaredKnownAll uint64 // contracts of the group minus DeclaredUnknown
}

// IndicatorRow is one group.
type IndicatorRow struct {
	Keys        []string // one per GroupBy
	BuyerName   string   // when grouped by buyer
	Contracts   uint64
	Amount      float64 // sum of known amounts
	AmountKnown uint64  // contracts with an amount
	Measures    map[string]Measure
}

// IndicatorResult is the answer with where it was computed.
type IndicatorResult struct {
	Rows      []IndicatorRow
	Truncated bool
	Origin    string // "rollup", "facts" or "contracts"
	State     string // the ContractsState the answer was computed from
}

// Indicators computes the query's groups, ordered by key.
func (s *Store) Indicators(ctx context.Context, q IndicatorQuery) (IndicatorResult, error) {
	var res IndicatorResult
	if len(q.GroupBy) == 0 || len(q.GroupBy) > 2 {
		return res, fmt.Errorf("indicators: one or two group dimensions, got %d", len(q.GroupBy))
	}
	canRollup := q.Filter.rollupable()
	canMonth := q.Filter.monthRollupable()
	var keys []string
	byBuyer := false
	for _, g := range q.GroupBy {
		d, ok := groupDims[g]
		if !ok {
			return res, fmt.Errorf("indicators: unknown group dimension %q", g)
		}
		canRollup = canRollup && d.rollup
		canMonth = canMonth && d.month
		byBuyer = byBuyer || g == "buyer"
		keys = append(keys, d.expr)
	}
	state, err := s.ContractsState(ctx)
	if err != nil {
		return res, err
	}
	res.State = state
	commit, derived := parseCommitState(state)
	var from string
	var args []any
	// The smallest table that can answer, all of them equally correct.
	switch {
	case derived && canMonth:
		from, res.Origin = "contract_rollup_month", "rollup"
	case derived && canRollup:
		from, res.Origin = "contract_rollup", "rollup"
	case derived:
		from, res.Origin = "contract_facts", "facts"
	default:
		kf, ka := q.Filter.keyFilter()
		from, res.Origin, args = factsFromContracts(kf), "contracts", ka
	}
	where, wargs := q.Filter.where(res.Origin == "rollup")
	args = append(args, wargs...)
	if derived {
		// The rows of the committed steps only (rollups.go).
		if where == "" {
			where = " WHERE " + commit.visible()
		} else {
			where += " AND " + commit.visible()
		}
	}

	sel := make([]string, 0, len(keys)+40)
	var groupBy []string
	for i, k := range keys {
		sel = append(sel, fmt.Sprintf("%s AS k%d", k, i))
		groupBy = append(groupBy, fmt.Sprintf("k%d", i))
	}
	if byBuyer {
		sel = append(sel, "any(buyer_name)")
	} else {
		sel = append(sel, "''")
	}
	sel = append(sel, measureReads(res.Origin == "rollup")...)
	limit := q.Limit
	if limit <= 0 {
		limit = 10000
	}
	query := "SELECT " + strings.Join(sel, ", ") + " FROM " + from + where +
		" GROUP BY " + strings.Join(groupBy, ", ") + " HAVING sum(contracts) != 0 ORDER BY " + strings.Join(groupBy, ", ") + " LIMIT ?"
	args = append(args, limit+1)
	rows, err := s.conn.Query(queryCtx(ctx), query, args...)
	if err != nil {
		return res, fmt.Errorf("indicators: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		r := IndicatorRow{Keys: make([]string, len(keys)), Measures: map[string]Measure{}}
		dest := make([]any, 0, len(sel))
		for i := range r.Keys {
			dest = append(dest, &r.Keys[i])
		}
		dest = append(dest, &r.BuyerName, &r.Contracts, &r.Amount, &r.AmountKnown)
		ms := make([]Measure, len(Indicators))
		for i := range Indicators {
			m := &ms[i]
			dest = append(dest, &m.DeclaredCount, &m.DeclaredUnknown, &m.DetectedCount, &m.DeclaredAmount, &m.DetectedAmount)
		}
		if err := rows.Scan(dest...); err != nil {
			return res, fmt.Errorf("indicators: %w", err)
		}
		for i, ind := range Indicators {
			ms[i].DeclaredKnownAll = r.Contracts - ms[i].DeclaredUnknown
			r.Measures[ind.Name] = ms[i]
		}
		if len(res.Rows) == limit {
			res.Truncated = true
			break
		}
		res.Rows = append(res.Rows, r)
	}
	return res, rows.Err()
}

// queryCtx gives a read its server-side time limit: the context's
// deadline when it has one (rounded up to a second), else 30 s.
func queryCtx(ctx context.Context) context.Context {
	secs := 30
	if d, ok := ctx.Deadline(); ok {
		secs = int(math.Ceil(time.Until(d).Seconds()))
		if secs < 1 {
			secs = 1
		}
	}
	return withTimeout(ctx, secs)
}
