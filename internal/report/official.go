// Package report computes vigie's figures on the definitions the
// administration publishes its own with, side by side with the published
// values, so that a researcher can see where they agree and why they
// differ.
package report

import (
	"context"
	"fmt"
	"math"
	"strings"

	"github.com/vigie-data/vigie/internal/store"
)

// A scope of published figures: which contracts a figure speaks of.
type scope struct {
	Name      string
	Label     string
	Kind      string
	MinAmount float64
}

var (
	// The OECP's census (recensement économique de la commande publique)
	// covered the marchés of 90 000 € HT and more until 2023.
	censusScope = scope{"census_marches_90k", "marchés notifiés dans l'année, montant ≥ 90 000 € HT", "marche", 90000}
	// From 2024 the OECP reads DECP, whose publication threshold is 40 000 € HT.
	decpScope = scope{"decp_marches_40k", "marchés notifiés dans l'année, montant ≥ 40 000 € HT (DECP)", "marche", 40000}
	// The PNAD counts the contracts notified in the year.
	pnadScope = scope{"pnad_marches", "marchés notifiés dans l'année, tous montants publiés", "marche", 0}
)

// Published is one figure the administration published.
type Published struct {
	Year      int
	Indicator string   // social or env (store.Indicators)
	ByAmount  bool     // share of amount rather than of contracts
	Value     *float64 // percent; nil where nothing was published for this scope
	Kind      string   // census (a measured share) or target (an objective)
	Scope     scope
	Source    string
}

func pct(v float64) *float64 { return &v }

const (
	censusSource = "OECP, recensement économique de la commande publique, chiffres clés de l'année (contrats ≥ 90 000 € HT)"
	pnadSource   = "Plan national pour des achats durables 2022-2025 (PNAD), objectifs pour 2025"
)

// PublishedFigures are the published values the report reproduces.
var PublishedFigures = func() []Published {
	var out []Published
	census := func(year int, ind string, contracts, amount *float64) {
		out = append(out, Published{year, ind, false, contracts, "census", censusScope, censusSource})
		if amount != nil {
			out = append(out, Published{year, ind, true, amount, "census", censusScope, censusSource})
		}
	}
	census(2019, "social", pct(12.5), pct(17.3))
	census(2019, "env", pct(15.8), pct(18.6))
	census(2020, "social", pct(12.1), pct(15.1))
	census(2020, "env", pct(16.8), pct(18.8))
	census(2021, "social", pct(13.2), nil)
	census(2021, "env", pct(18.7), nil)
	census(2022, "social", pct(22.3), nil)
	census(2022, "env", pct(29.2), nil)
	census(2023, "social", pct(18.7), nil)
	// From 2024 the OECP's figures come from DECP at 40 k€: no census value
	// continues the series; vigie's value on the new scope is given alone.
	for _, ind := range []string{"social", "env"} {
		out = append(out, Published{2024, ind, false, nil, "census", decpScope,
			"OECP, from 2024 computed from DECP (≥ 40 000 € HT): the census series stops in 2023"})
	}
	for y := 2022; y <= 2025; y++ {
		out = append(out, Published{y, "social", false, pct(30), "target", pnadScope, pnadSource})
		out = append(out, Published{y, "env", false, pct(100), "target", pnadScope, pnadSource})
	}
	return out
}()

// Coverage says how much of the scope vigie can speak of.
type Coverage struct {
	ContractsInScope uint64   `json:"contracts_in_scope"`
	NothingDeclared  uint64   `json:"nothing_declared"`
	Declaring        uint64   `json:"declaring"`
	AmountKnownShare *float64 `json:"amount_known_share"` // percent of the year's contracts of that kind with an amount
}

// Row is one published figure next to vigie's.
type Row struct {
	Year                     int      `json:"year"`
	Indicator                string   `json:"indicator"`
	Measure                  string   `json:"measure"` // share_contracts or share_amount
	Kind                     string   `json:"kind"`    // census or target
	Scope                    string   `json:"scope"`
	ScopeLabel               string   `json:"scope_label"`
	Published                *float64 `json:"published"`
	VigieDeclared            *float64 `json:"vigie_declared"`
	VigieDeclaredOrDetected  *float64 `json:"vigie_declared_or_detected"`
	VigieDeclaredOverDeclar  *float64 `json:"vigie_declared_over_declaring"`
	DecpInfoMethod           *float64 `json:"decp_info_method"`
	DifferenceDeclared       *float64 `json:"difference_declared"`
	DifferenceDeclOrDetected *float64 `json:"difference_declared_or_detected"`
	Coverage                 Coverage `json:"coverage"`
	Source                   string   `json:"source"`
	Definition               string   `json:"definition"`
	Explanation              string   `json:"explanation"`
}

// Counter is what the report reads: the store, or a fake in tests.
type Counter interface {
	ScopeCounts(ctx context.Context, sc store.Scope, indicators []string) ([]store.YearCounts, error)
}

// Official computes one row per published figure, on the stored contracts.
func Official(ctx context.Context, st Counter) ([]Row, error) {
	counts := map[string]map[int]store.YearCounts{}
	for _, p := range PublishedFigures {
		if counts[p.Scope.Name] != nil {
			continue
		}
		from, to := yearsOf(p.Scope.Name)
		ycs, err := st.ScopeCounts(ctx, store.Scope{Kind: p.Scope.Kind, MinAmount: p.Scope.MinAmount, FromYear: from, ToYear: to},
			[]string{"social", "env"})
		if err != nil {
			return nil, fmt.Errorf("official figures: %w", err)
		}
		byYear := map[int]store.YearCounts{}
		for _, yc := range ycs {
			byYear[yc.Year] = yc
		}
		counts[p.Scope.Name] = byYear
	}
	rows := make([]Row, 0, len(PublishedFigures))
	for _, p := range PublishedFigures {
		rows = append(rows, row(p, counts[p.Scope.Name][p.Year]))
	}
	return rows, nil
}

// yearsOf is the span of years a scope's figures cover.
func yearsOf(scopeName string) (from, to int) {
	from, to = 9999, 0
	for _, p := range PublishedFigures {
		if p.Scope.Name == scopeName {
			from, to = min(from, p.Year), max(to, p.Year)
		}
	}
	return from, to
}

func row(p Published, yc store.YearCounts) Row {
	c := yc.Considerations[p.Indicator]
	r := Row{
		Year: p.Year, Indicator: p.Indicator, Kind: p.Kind, Measure: "share_contracts",
		Scope: p.Scope.Name, ScopeLabel: p.Scope.Label, Published: p.Value, Source: p.Source,
		Definition: Definition(p),
		Coverage: Coverage{ContractsInScope: yc.Contracts, NothingDeclared: c.NothingDeclared, Declaring: c.Declaring,
			AmountKnownShare: share(float64(yc.AmountKnown), float64(yc.AllOfKind))},
	}
	if p.ByAmount {
		r.Measure = "share_amount"
		r.VigieDeclared = share(c.DeclaredAmount, yc.Amount)
		r.VigieDeclaredOrDetected = share(c.DeclaredOrDetectedAmnt, yc.Amount)
		r.DecpInfoMethod = share(c.DecpInfoAmount, yc.Amount)
	} else {
		r.VigieDeclared = share(float64(c.Declared), float64(yc.Contracts))
		r.VigieDeclaredOrDetected = share(float64(c.DeclaredOrDetected), float64(yc.Contracts))
		r.VigieDeclaredOverDeclar = share(float64(c.Declared), float64(c.Declaring))
		r.DecpInfoMethod = share(float64(c.DecpInfo), float64(yc.Contracts))
	}
	if c.Declaring == 0 {
		// Nobody said anything: the declared share is unknown, not 0.
		r.VigieDeclared = nil
	}
	r.DifferenceDeclared = diff(r.VigieDeclared, p.Value)
	r.DifferenceDeclOrDetected = diff(r.VigieDeclaredOrDetected, p.Value)
	r.Explanation = explain(p, r, yc)
	return r
}

// share is a percent rounded to 0.1, nil over nothing.
func share(part, whole float64) *float64 {
	if whole <= 0 {
		return nil
	}
	v := math.Round(part/whole*1000) / 10
	return &v
}

func diff(v, published *float64) *float64 {
	if v == nil || published == nil {
		return nil
	}
	d := math.Round((*v-*published)*10) / 10
	return &d
}

var indicatorWords = map[string][2]string{
	"social": {"une considération sociale (clause sociale, critère social ou marché réservé)", "a social consideration (social clause, social criterion or reserved contract)"},
	"env":    {"une considération environnementale (clause ou critère environnemental)", "an environmental consideration (environmental clause or criterion)"},
}

// Definition says in French what a figure counts.
func Definition(p Published) string {
	what := "Part des contrats"
	if p.ByAmount {
		what = "Part du montant des contrats"
	}
	verb := "comportant au moins " + indicatorWords[p.Indicator][0]
	if p.Kind == "target" {
		return fmt.Sprintf("Objectif : %s %s ; champ : %s.", strings.ToLower(what[:1])+what[1:], verb, p.Scope.Label)
	}
	return fmt.Sprintf("%s %s ; champ : %s.", what, verb, p.Scope.Label)
}

// explain says in plain words why vigie's value and the published one
// differ: coverage, threshold, declared vs detected.
func explain(p Published, r Row, yc store.YearCounts) string {
	var b strings.Builder
	if yc.Contracts == 0 {
		fmt.Fprintf(&b, "vigie holds no contract in this scope for %d: the DECP files of that year are not loaded, or none reached the threshold.", p.Year)
		return b.String()
	}
	fmt.Fprintf(&b, "vigie counts %d contracts in scope for %d.", yc.Contracts, p.Year)
	if r.Coverage.NothingDeclared > 0 {
		fmt.Fprintf(&b, " %d of them (%s) declare nothing on this consideration (the 2019 DECP format has no such field), so the declared share is a lower bound;",
			r.Coverage.NothingDeclared, fmtPct(share(float64(r.Coverage.NothingDeclared), float64(yc.Contracts))))
		if r.VigieDeclaredOverDeclar != nil {
			fmt.Fprintf(&b, " over the %d contracts that declare something it is %s.", r.Coverage.Declaring, fmtPct(r.VigieDeclaredOverDeclar))
		} else {
			b.WriteString(" no contract declares anything.")
		}
	}
	b.WriteString(" The declared-or-detected value adds what vigie's detector read in the contract's object, which DECP objects rarely state.")
	switch {
	case p.Kind == "target":
		b.WriteString(" The published value is a target, not a measure: the difference is the distance to it.")
	case p.Value == nil:
		b.WriteString(" No census value continues the series on this scope: from 2024 the OECP computes its figures from DECP, at a 40 000 € threshold instead of 90 000 €.")
	default:
		b.WriteString(" The census counted what buyers reported for contracts of 90 000 € HT and more; DECP holds what buyers published, and many publish late or not at all, so the populations differ.")
	}
	if r.Coverage.AmountKnownShare != nil && *r.Coverage.AmountKnownShare < 100 && p.Scope.MinAmount > 0 {
		fmt.Fprintf(&b, " Only %s of the year's contracts have an amount; the others cannot be placed against the threshold and are out of scope.", fmtPct(r.Coverage.AmountKnownShare))
	}
	return b.String()
}

func fmtPct(v *float64) string {
	if v == nil {
		return "n/a"
	}
	return fmt.Sprintf("%.1f %%", *v)
}

// FigureDefinition describes one published figure for /api/v1/definitions.
type FigureDefinition struct {
	Year       int      `json:"year"`
	Indicator  string   `json:"indicator"`
	Measure    string   `json:"measure"`
	Kind       string   `json:"kind"`
	Scope      string   `json:"scope"`
	ScopeLabel string   `json:"scope_label"`
	Published  *float64 `json:"published"`
	Source     string   `json:"source"`
	Definition string   `json:"definition"`
}

// Definitions lists the published figures and what they count.
func Definitions() []FigureDefinition {
	out := make([]FigureDefinition, 0, len(PublishedFigures))
	for _, p := range PublishedFigures {
		m := "share_contracts"
		if p.ByAmount {
			m = "share_amount"
		}
		out = append(out, FigureDefinition{p.Year, p.Indicator, m, p.Kind, p.Scope.Name, p.Scope.Label, p.Value, p.Source, Definition(p)})
	}
	return out
}
