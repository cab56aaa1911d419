package api

import (
	"net/http"
	"sort"
	"strconv"

	"github.com/vigie-data/vigie/internal/store"
)

// SPASER: buyers whose annual purchases exceed the threshold must adopt a
// schéma de promotion des achats socialement et écologiquement
// responsables: 100 M€ until 2022, 50 M€ from 2023. vigie estimates the
// purchases from the amounts published in DECP (a lower bound: not every
// contract is published, and amounts are maximums or estimates).
func spaserThreshold(year int) float64 {
	if year >= 2023 {
		return 50e6
	}
	return 100e6
}

// PNAD 2022-2025 targets: share of contracts notified in the year with a
// social consideration / an environmental one, by 2025.
const (
	pnadSocialTarget = 0.30
	pnadEnvTarget    = 1.00
	pnadYear         = 2025
)

var scorecardParams = []param{pFormat}

type target struct {
	Target        float64  `json:"target"`
	ByYear        int      `json:"by_year"`
	DeclaredShare *float64 `json:"declared_share"`
	DetectedShare *float64 `json:"detected_share"`
	GapDeclared   *float64 `json:"gap_declared"` // target - declared share (points of share still to gain), 0 when reached
	GapDetected   *float64 `json:"gap_detected"`
}

func gap(t float64, share *float64) *float64 {
	if share == nil {
		return nil
	}
	g := max(0, t-*share)
	return &g
}

func newTarget(t float64, c Consideration) target {
	return target{Target: t, ByYear: pnadYear, DeclaredShare: c.Declared.ShareContracts, DetectedShare: c.Detected.ShareContracts,
		GapDeclared: gap(t, c.Declared.ShareContracts), GapDetected: gap(t, c.Detected.ShareContracts)}
}

func (s *Server) scorecard(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if err := checkParams(q, scorecardParams); err != nil {
		fail(w, r, err)
		return
	}
	fmtName, err := format(r, "json", "csv")
	if err != nil {
		fail(w, r, err)
		return
	}
	id := r.PathValue("siret")
	if !buyerRe.MatchString(id) {
		fail(w, r, badParam("siret", "expected a SIRET (14 digits) or a SIREN (9 digits), got "+strconv.Quote(id)))
		return
	}
	siret, siren := buyerIDs(id)
	ctx, cancel := s.queryContext(r)
	defer cancel()
	res, err := s.st.Indicators(ctx, store.IndicatorQuery{GroupBy: []string{"year"},
		Filter: store.ContractFilter{BuyerSiret: siret, BuyerSiren: siren}, Limit: s.opts.MaxRows})
	if err != nil {
		fail(w, r, err)
		return
	}
	pubs, noticeName, err := s.st.BuyerPublications(ctx, siret, siren)
	if err != nil {
		fail(w, r, err)
		return
	}
	if len(res.Rows) == 0 && len(pubs) == 0 {
		writeError(w, http.StatusNotFound, "siret", "no contract or notice of buyer "+id)
		return
	}
	name, err := s.st.BuyerName(ctx, siret, siren)
	if err != nil {
		fail(w, r, err)
		return
	}
	if name == "" {
		name = noticeName
	}
	byYear := map[string]store.IndicatorRow{}
	years := []string{}
	for _, row := range res.Rows {
		byYear[row.Keys[0]] = row
		years = append(years, row.Keys[0])
	}
	for y := range pubs {
		if _, ok := byYear[y]; !ok {
			years = append(years, y)
		}
	}
	sort.Strings(years) // "unknown" sorts after the years
	out := make([]map[string]any, 0, len(years))
	csvRows := [][]string{}
	for _, y := range years {
		row := byYear[y]
		m := map[string]any{"year": y, "contracts": row.Contracts, "amount": row.Amount,
			"contracts_with_amount": row.AmountKnown, "publications": pubs[y]}
		cons := map[string]Consideration{}
		for _, n := range []string{"social", "env", "reserved"} {
			cons[n] = consideration(row.Measures[n], row.Contracts, row.Amount)
			m[n] = cons[n]
		}
		spaser := map[string]any{"threshold": nil, "estimated_purchases": row.Amount, "above_threshold": nil}
		if yr, err := strconv.Atoi(y); err == nil {
			t := spaserThreshold(yr)
			spaser["threshold"] = t
			spaser["above_threshold"] = row.Amount >= t
		}
		m["spaser"] = spaser
		m["pnad"] = map[string]target{"social": newTarget(pnadSocialTarget, cons["social"]), "env": newTarget(pnadEnvTarget, cons["env"])}
		out = append(out, m)
		above := ""
		if v, ok := spaser["above_threshold"].(bool); ok {
			above = strconv.FormatBool(v)
		}
		csvRows = append(csvRows, []string{y, u(row.Contracts), fl(row.Amount), u(pubs[y]),
			u(cons["social"].Declared.Count), flp(cons["social"].Declared.ShareContracts), u(cons["social"].DeclaredUnknown),
			u(cons["social"].Detected.Count), flp(cons["social"].Detected.ShareContracts),
			u(cons["env"].Declared.Count), flp(cons["env"].Declared.ShareContracts), u(cons["env"].DeclaredUnknown),
			u(cons["env"].Detected.Count), flp(cons["env"].Detected.ShareContracts),
			u(cons["reserved"].Declared.Count), u(cons["reserved"].Detected.Count), above})
	}
	if fmtName == "csv" {
		writeCSV(w, "scorecard-"+id, []string{"year", "contracts", "amount", "publications",
			"social_declared_count", "social_declared_share_contracts", "social_declared_unknown", "social_detected_count", "social_detected_share_contracts",
			"env_declared_count", "env_declared_share_contracts", "env_declared_unknown", "env_detected_count", "env_detected_share_contracts",
			"reserved_declared_count", "reserved_detected_count", "spaser_above_threshold"}, csvRows)
		return
	}
	writeJSON(w, map[string]any{
		"buyer":        map[string]string{"id": id, "siret": siret, "siren": siren, "name": name},
		"years":        out,
		"shares":       sharesOf,
		"spaser":       "SPASER obligation threshold: 100 M€ of annual purchases until 2022, 50 M€ from 2023. estimated_purchases is the sum of the amounts published in DECP for contracts notified that year: an estimate (a lower bound when contracts are missing from DECP).",
		"pnad":         "Plan national pour des achats durables 2022-2025: by 2025, 30 % of contracts with at least one social consideration and 100 % with at least one environmental consideration. gap_* = target - share, 0 once reached.",
		"publications": "notices published by the buyer (BOAMP, current version, not cancelled), by publication year",
	})
}
