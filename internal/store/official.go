package store

import (
	"context"
	"fmt"
	"strings"
)

// The official-figures report compares vigie's contracts with figures the
// administration published (OECP census, PNAD targets). Each figure has a
// scope (years, kind of contract, amount threshold); ScopeCounts counts the
// current version of every contract in it, read with FINAL: the report is
// for reproducible research, so it reads the contracts table itself, not
// the rollups.

// Scope selects the contracts a published figure speaks of.
type Scope struct {
	Kind      string  // contracts.kind ("marche"); "" for every kind
	MinAmount float64 // amount HT at least this (contracts without amount are out); 0 for no threshold
	FromYear  int     // notification year, inclusive
	ToYear    int
}

// ConsiderationCounts are one indicator's counts over a scope's contracts.
type ConsiderationCounts struct {
	Declared               uint64  // the buyer declared it
	DeclaredAmount         float64 // amount of those
	DeclaredOrDetected     uint64  // declared, or read by vigie's detector
	DeclaredOrDetectedAmnt float64
	NothingDeclared        uint64 // no "yes" and a field not given (every 2019-format contract)
	Declaring              uint64 // contracts that declared something (yes or an explicit no)
	DecpInfo               uint64 // decp.info's method: a declared value matching Clause|Critère|Marché réservé
	DecpInfoAmount         float64
}

// YearCounts are the counts of one notification year of a scope.
type YearCounts struct {
	Year           int
	Contracts      uint64  // contracts in scope
	Amount         float64 // their amount (known amounts)
	AllOfKind      uint64  // contracts of the year and kind, whatever their amount
	AmountKnown    uint64  // of those, contracts with an amount
	Considerations map[string]ConsiderationCounts
}

// decpInfoPatterns are the declared_raw prefixes decp.info reads for an
// indicator ("social:<value>", "environmental:<value>"), and the values it
// counts: a regular expression over the raw value, as decp.info filters
// its column (str.contains('Clause|Critère|Marché réservé')).
var decpInfoPatterns = map[string]string{
	"social": "^social:.*(Clause|Critère|Marché réservé)",
	"env":    "^environmental:.*(Clause|Critère|Marché réservé)",
}

// ScopeCounts counts, per notification year, the contracts of sc and, for
// each named indicator of Indicators, the declared, declared-or-detected,
// not-given and decp.info counts.
func (s *Store) ScopeCounts(ctx context.Context, sc Scope, indicators []string) ([]YearCounts, error) {
	inds := make([]Indicator, 0, len(indicators))
	for _, name := range indicators {
		ind, ok := indicatorByName(name)
		if !ok {
			return nil, fmt.Errorf("scope counts: unknown indicator %q", name)
		}
		inds = append(inds, ind)
	}
	inScope := "1"
	if sc.MinAmount > 0 {
		inScope = fmt.Sprintf("(isNotNull(amount) AND assumeNotNull(amount) >= %g)", sc.MinAmount)
	}
	cols := []string{
		"toYear(assumeNotNull(notification_date)) AS y",
		"countIf(" + inScope + ")",
		"sumIf(toFloat64(ifNull(amount, 0)), " + inScope + ")",
		"count()",
		"countIf(isNotNull(amount))",
	}
	for _, ind := range inds {
		d, unk, det, decl := indicatorConditions(ind)
		info := fmt.Sprintf("arrayExists(x -> match(x, '%s'), declared_raw)", decpInfoPatterns[ind.Name])
		if _, ok := decpInfoPatterns[ind.Name]; !ok {
			info = "0"
		}
		amt := "toFloat64(ifNull(amount, 0))"
		cols = append(cols,
			"countIf("+inScope+" AND "+d+")",
			"sumIf("+amt+", "+inScope+" AND "+d+")",
			"countIf("+inScope+" AND ("+d+" OR "+det+"))",
			"sumIf("+amt+", "+inScope+" AND ("+d+" OR "+det+"))",
			"countIf("+inScope+" AND "+unk+")",
			"countIf("+inScope+" AND "+decl+")",
			"countIf("+inScope+" AND "+info+")",
			"sumIf("+amt+", "+inScope+" AND "+info+")",
		)
	}
	where := []string{"isNotNull(notification_date)", "toYear(assumeNotNull(notification_date)) BETWEEN ? AND ?"}
	args := []any{sc.FromYear, sc.ToYear}
	if sc.Kind != "" {
		where = append(where, "kind = ?")
		args = append(args, sc.Kind)
	}
	// The conditions go outside the FINAL subquery: a condition moved to
	// PREWHERE would run before versions are merged, and an older version
	// that matches would stand in for a newer one that does not.
	q := "SELECT " + strings.Join(cols, ", ") + " FROM (SELECT kind, notification_date, amount, declared_social_clause, " +
		"declared_social_criterion, declared_reserved, declared_env_clause, declared_env_criterion, detected_labels, declared_raw " +
		"FROM contracts FINAL) WHERE " + strings.Join(where, " AND ") + " GROUP BY y ORDER BY y"
	rows, err := s.conn.Query(queryCtx(ctx), q, args...)
	if err != nil {
		return nil, fmt.Errorf("scope counts: %w", err)
	}
	defer rows.Close()
	var out []YearCounts
	for rows.Next() {
		var y uint16
		yc := YearCounts{Considerations: map[string]ConsiderationCounts{}}
		cs := make([]ConsiderationCounts, len(inds))
		dest := []any{&y, &yc.Contracts, &yc.Amount, &yc.AllOfKind, &yc.AmountKnown}
		for i := range cs {
			c := &cs[i]
			dest = append(dest, &c.Declared, &c.DeclaredAmount, &c.DeclaredOrDetected, &c.DeclaredOrDetectedAmnt,
				&c.NothingDeclared, &c.Declaring, &c.DecpInfo, &c.DecpInfoAmount)
		}
		if err := rows.Scan(dest...); err != nil {
			return nil, fmt.Errorf("scope counts: %w", err)
		}
		yc.Year = int(y)
		for i, ind := range inds {
			yc.Considerations[ind.Name] = cs[i]
		}
		out = append(out, yc)
	}
	return out, rows.Err()
}

func indicatorByName(name string) (Indicator, bool) {
	for _, ind := range Indicators {
		if ind.Name == name {
			return ind, true
		}
	}
	return Indicator{}, false
}

// indicatorConditions are an indicator's conditions over a contracts row:
// declared (a declared_* column is 1), not given (no 1 and a column NULL),
// detected (a detected label), and declaring (no column NULL, or a 1: the
// buyer said something about it).
func indicatorConditions(ind Indicator) (declared, unknown, detected, declaring string) {
	var yes, null, det []string
	for _, c := range ind.Declared {
		yes = append(yes, "ifNull("+c+", 0) = 1")
		null = append(null, "isNull("+c+")")
	}
	for _, l := range ind.Detected {
		det = append(det, "has(detected_labels, '"+l+"')")
	}
	declared = "(" + strings.Join(yes, " OR ") + ")"
	unknown = "(NOT " + declared + " AND (" + strings.Join(null, " OR ") + "))"
	detected = "(" + strings.Join(det, " OR ") + ")"
	declaring = "(NOT " + unknown + ")"
	return declared, unknown, detected, declaring
}
