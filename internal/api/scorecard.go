package api

import (
	"net/http"
	"strconv"
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

var scorecardParams = []param{pFormat, pDialect}

type target struct {
	Target        float64  `json:"target"`
	ByYear        int      `json:"by_year"`
	DeclaredShare *float64 `json:"declared_share" desc:"over the contracts that declared something (declared_known); null when none did"`
	DeclaredKnown uint64   `json:"declared_known"`
	DetectedShare *float64 `json:"detected_share"`
	GapDeclared   *float64 `json:"gap_declared" desc:"target - declared share, 0 when reached; null when the share is unknown"`
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
	return target{Target: t, ByYear: pnadYear, DeclaredShare: c.Declared.ShareContracts, DeclaredKnown: c.DeclaredKnown,
		DetectedShare: c.Detected.ShareContracts, GapDeclared: gap(t, c.Declared.ShareContracts), GapDetected: gap(t, c.Detected.ShareContracts)}
}

// Spaser is a year's SPASER estimate.
type Spaser struct {
	Threshold          *float64 `json:"threshold" desc:"null for contracts without a notification year"`
	EstimatedPurchases float64  `json:"estimated_purchases"`
	AboveThreshold     *bool    `json:"above_threshold"`
}

// ScorecardYearAnswer is one year of a buyer's scorecard, as the API
// encodes it.
type ScorecardYearAnswer struct {
	Year                string            `json:"year" desc:"YYYY, or unknown"`
	Contracts           uint64            `json:"contracts"`
	Amount              float64           `json:"amount"`
	ContractsWithAmount uint64            `json:"contracts_with_amount"`
	Publications        uint64            `json:"publications"`
	Social              Consideration     `json:"social"`
	Env                 Consideration     `json:"env"`
	Reserved            Consideration     `json:"reserved"`
	Spaser              Spaser            `json:"spaser"`
	PNAD                map[string]target `json:"pnad" desc:"social and env"`
}

// ScorecardBuyer identifies the buyer.
type ScorecardBuyer struct {
	ID    string  `json:"id"`
	Siret *string `json:"siret" desc:"null when asked by SIREN"`
	Siren string  `json:"siren"`
	Name  *string `json:"name"`
}

// ScorecardAnswer is the answer of /api/v1/buyers/{siret}/scorecard.
type ScorecardAnswer struct {
	Buyer        ScorecardBuyer        `json:"buyer"`
	Years        []ScorecardYearAnswer `json:"years"`
	Shares       map[string]string     `json:"shares"`
	Spaser       string                `json:"spaser"`
	PNAD         string                `json:"pnad"`
	Publications string                `json:"publications"`
}

var scorecardFields = []tableField{{Name: "year", Type: "string"}, {Name: "contracts", Type: "integer"}, {Name: "amount", Type: "number"},
	{Name: "publications", Type: "integer"},
	{Name: "social_declared_count", Type: "integer"}, {Name: "social_declared_share_contracts", Type: "number"}, {Name: "social_declared_known", Type: "integer"},
	{Name: "social_declared_unknown", Type: "integer"}, {Name: "social_detected_count", Type: "integer"}, {Name: "social_detected_share_contracts", Type: "number"},
	{Name: "env_declared_count", Type: "integer"}, {Name: "env_declared_share_contracts", Type: "number"}, {Name: "env_declared_known", Type: "integer"},
	{Name: "env_declared_unknown", Type: "integer"}, {Name: "env_detected_count", Type: "integer"}, {Name: "env_detected_share_contracts", Type: "number"},
	{Name: "reserved_declared_count", Type: "integer"}, {Name: "reserved_detected_count", Type: "integer"}, {Name: "spaser_above_threshold", Type: "boolean"}}

func (s *Server) scorecard(w http.ResponseWriter, r *http.Request) {
	req := begin(w, r, scorecardParams, "json", "csv")
	if req == nil {
		return
	}
	id := r.PathValue("siret")
	if !buyerRe.MatchString(id) {
		fail(w, r, badParam("siret", "expected a SIRET (14 digits) or a SIREN (9 digits), got "+strconv.Quote(id)))
		return
	}
	ctx, cancel := s.queryContext(r)
	defer cancel()
	cs, err := s.st.ContractsState(ctx)
	var ts string
	if err == nil {
		ts, err = s.st.TendersState(ctx)
	}
	if err != nil {
		fail(w, r, err)
		return
	}
	if s.notModified(w, r, cs+"|"+ts, "") {
		return
	}
	sc, found, err := s.BuyerScorecard(ctx, id)
	if err != nil {
		fail(w, r, err)
		return
	}
	if !found {
		writeError(w, http.StatusNotFound, "siret", "no contract or notice of buyer "+id)
		return
	}
	out := make([]ScorecardYearAnswer, 0, len(sc.Years))
	for _, y := range sc.Years {
		out = append(out, ScorecardYearAnswer{Year: y.Year, Contracts: y.Contracts, Amount: y.Amount, ContractsWithAmount: y.AmountKnown,
			Publications: y.Publications, Social: y.Social, Env: y.Env, Reserved: y.Reserved,
			Spaser: Spaser{Threshold: y.SpaserThreshold, EstimatedPurchases: y.Amount, AboveThreshold: y.SpaserAbove},
			PNAD:   map[string]target{"social": y.PNADSocial, "env": y.PNADEnv}})
	}
	if req.format == "csv" {
		csv := startCSV(w, "scorecard-"+id, schemaURL(r, req), req.dialect, scorecardFields)
		for _, y := range out {
			above := ""
			if y.Spaser.AboveThreshold != nil {
				above = strconv.FormatBool(*y.Spaser.AboveThreshold)
			}
			_ = csv.row(scorecardFields, []string{y.Year, u(y.Contracts), fl(y.Amount), u(y.Publications),
				u(y.Social.Declared.Count), flp(y.Social.Declared.ShareContracts), u(y.Social.DeclaredKnown), u(y.Social.DeclaredUnknown),
				u(y.Social.Detected.Count), flp(y.Social.Detected.ShareContracts),
				u(y.Env.Declared.Count), flp(y.Env.Declared.ShareContracts), u(y.Env.DeclaredKnown), u(y.Env.DeclaredUnknown),
				u(y.Env.Detected.Count), flp(y.Env.Detected.ShareContracts),
				u(y.Reserved.Declared.Count), u(y.Reserved.Detected.Count), above})
		}
		_ = csv.flush()
		return
	}
	siren := sc.Siren
	if siren == "" {
		siren = sc.Siret[:9]
	}
	writeJSON(w, ScorecardAnswer{
		Buyer:        ScorecardBuyer{ID: id, Siret: str(sc.Siret), Siren: siren, Name: str(sc.Name)},
		Years:        out,
		Shares:       sharesOf,
		Spaser:       "SPASER obligation threshold: 100 M€ of annual purchases until 2022, 50 M€ from 2023. estimated_purchases is the sum of the amounts published in DECP for contracts notified that year: an estimate (a lower bound when contracts are missing from DECP).",
		PNAD:         "Plan national pour des achats durables 2022-2025: by 2025, 30 % of contracts with at least one social consideration and 100 % with at least one environmental consideration. gap_* = target - share, 0 once reached; the declared share is over the contracts that declared something.",
		Publications: "notices published by the buyer (BOAMP, current version, not cancelled), by publication year",
	})
}
