package api

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"sort"
	"strconv"

	"github.com/vigie-data/vigie/internal/store"
)

// What the web pages (internal/web) call: the same parameter parsing,
// queries, caches and computations as the handlers, so that a page and
// the API cannot disagree. Keep these in step when a handler changes.

// ParamError says which parameter a parse error is about, and why (in
// English, for the API's error body).
func ParamError(err error) (param, msg string, ok bool) {
	var pe *paramError
	if errors.As(err, &pe) {
		return pe.param, pe.msg, true
	}
	return "", "", false
}

// ParseContractFilter reads the contract filters of
// /api/v1/contracts/indicators and /api/v1/contracts.
func ParseContractFilter(q url.Values) (store.ContractFilter, error) { return parseContractFilter(q) }

// ContractFilterParams names the contract filter parameters.
func ContractFilterParams() []string {
	out := make([]string, len(contractFilterParams))
	for i, p := range contractFilterParams {
		out[i] = p.Name
	}
	return out
}

// Indicators answers /api/v1/contracts/indicators for groups and f,
// through the API's cache.
func (s *Server) Indicators(ctx context.Context, groups []string, f store.ContractFilter) (store.IndicatorResult, error) {
	ctx, cancel := context.WithTimeout(ctx, s.opts.QueryTimeout)
	defer cancel()
	ans, err := s.cachedIndicators(ctx, store.IndicatorQuery{GroupBy: groups, Filter: f, Limit: s.opts.MaxRows})
	if err != nil {
		return store.IndicatorResult{}, err
	}
	return ans.res, nil
}

// Consider is an indicator of a row as the API shows it.
func Consider(row store.IndicatorRow, indicator string) Consideration {
	return consideration(row.Measures[indicator], row.Contracts, row.Amount)
}

// OpenTenders answers /api/v1/tenders/open for the query string q (its
// format and limit parameters aside), through the API's cache.
func (s *Server) OpenTenders(ctx context.Context, q url.Values) (store.TenderQuery, []store.Tender, bool, error) {
	tq, explicit, err := s.parseTenderQuery(q)
	if err != nil {
		return tq, nil, false, err
	}
	ctx, cancel := context.WithTimeout(ctx, s.opts.QueryTimeout)
	defer cancel()
	items, truncated, err := s.cachedTenders(ctx, tq, explicit)
	return tq, items, truncated, err
}

// ScorecardYear is one year of /api/v1/buyers/{siret}/scorecard.
type ScorecardYear struct {
	Year            string
	Contracts       uint64
	Amount          float64
	AmountKnown     uint64 // contracts with an amount
	Publications    uint64
	Social, Env     Consideration
	Reserved        Consideration
	SpaserThreshold *float64 // nil for contracts without a year
	SpaserAbove     *bool
	PNADSocial      PNADTarget
	PNADEnv         PNADTarget
}

// PNADTarget is a PNAD target with the buyer's distance to it.
type PNADTarget = target

// Scorecard is a buyer's scorecard as the API computes it; found is
// false when the buyer has neither contract nor notice.
type Scorecard struct {
	ID, Siret, Siren, Name string
	Years                  []ScorecardYear
}

// BuyerScorecard computes the scorecard of a SIRET or SIREN (validated
// by the caller with ValidBuyerID) the way the scorecard handler does.
func (s *Server) BuyerScorecard(ctx context.Context, id string) (sc Scorecard, found bool, err error) {
	ctx, cancel := context.WithTimeout(ctx, s.opts.QueryTimeout)
	defer cancel()
	siret, siren := buyerIDs(id)
	sc = Scorecard{ID: id, Siret: siret, Siren: siren}
	res, err := s.cachedIndicators(ctx, store.IndicatorQuery{GroupBy: []string{"year"},
		Filter: store.ContractFilter{BuyerSiret: siret, BuyerSiren: siren}, Limit: s.opts.MaxRows})
	if err != nil {
		return sc, false, err
	}
	pubs, noticeName, err := s.st.BuyerPublications(ctx, siret, siren)
	if err != nil {
		return sc, false, err
	}
	if len(res.res.Rows) == 0 && len(pubs) == 0 {
		return sc, false, nil
	}
	if sc.Name, err = s.st.BuyerName(ctx, siret, siren); err != nil {
		return sc, false, err
	}
	if sc.Name == "" {
		sc.Name = noticeName
	}
	byYear := map[string]store.IndicatorRow{}
	var years []string
	for _, row := range res.res.Rows {
		byYear[row.Keys[0]] = row
		years = append(years, row.Keys[0])
	}
	for y := range pubs {
		if _, ok := byYear[y]; !ok {
			years = append(years, y)
		}
	}
	sort.Strings(years)
	for _, y := range years {
		row := byYear[y]
		sy := ScorecardYear{Year: y, Contracts: row.Contracts, Amount: row.Amount, AmountKnown: row.AmountKnown, Publications: pubs[y],
			Social: Consider(row, "social"), Env: Consider(row, "env"), Reserved: Consider(row, "reserved")}
		if yr, err := strconv.Atoi(y); err == nil {
			t := spaserThreshold(yr)
			above := row.Amount >= t
			sy.SpaserThreshold, sy.SpaserAbove = &t, &above
		}
		sy.PNADSocial, sy.PNADEnv = newTarget(pnadSocialTarget, sy.Social), newTarget(pnadEnvTarget, sy.Env)
		sc.Years = append(sc.Years, sy)
	}
	return sc, true, nil
}

// ValidBuyerID says whether v is a SIRET (14 digits) or a SIREN (9).
func ValidBuyerID(v string) bool { return buyerRe.MatchString(v) }

// ValidDepartement says whether v is a département code the API accepts.
func ValidDepartement(v string) bool { return departementRe.MatchString(v) }

// Definition is an indicator or measure as /api/v1/definitions gives it,
// in French.
type Definition struct {
	Name, Label, Text  string
	Declared, Detected []string
}

// IndicatorDefinitions are the indicators of /api/v1/definitions.
func IndicatorDefinitions() []Definition {
	var out []Definition
	for _, ind := range store.Indicators {
		t := indicatorTexts[ind.Name][0]
		out = append(out, Definition{Name: ind.Name, Label: t.Label, Text: t.Definition, Declared: ind.Declared, Detected: ind.Detected})
	}
	return out
}

// MeasureDefinitions are the measures of /api/v1/definitions.
func MeasureDefinitions() []Definition {
	var out []Definition
	for _, m := range measureDefinitions {
		out = append(out, Definition{Name: m.Name, Label: m.FR.Label, Text: m.FR.Definition})
	}
	return out
}

// HandlePage mounts a page handler behind the API's middleware, without
// listing it among the API's routes (it is not part of the OpenAPI
// document).
func (s *Server) HandlePage(pattern string, h http.Handler) { s.mux.Handle(pattern, h) }
