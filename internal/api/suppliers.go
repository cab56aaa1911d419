package api

import (
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"time"

	"github.com/vigie-data/vigie/internal/store"
	"github.com/vigie-data/vigie/internal/supplier"
)

var (
	supplierRe     = regexp.MustCompile(`^([0-9]{9}|[0-9]{14})$`)
	supplierParams = []param{{Name: "format", Description: "json (the only format)", Type: "string", Enum: []string{"json"}}}
)

// SupplierAnswer is the answer of /api/v1/suppliers/{siren}.
type SupplierAnswer struct {
	Siren       string                `json:"siren"`
	Known       bool                  `json:"known" desc:"a reference source (SIRENE, Annuaire, FINESS, data·inclusion) knows the SIREN"`
	Name        *string               `json:"name"`
	Active      *bool                 `json:"active"`
	Classes     []string              `json:"classes" desc:"as of today: ess, siae, ea, esat, societe_mission"`
	Memberships []supplier.Membership `json:"memberships" desc:"each class held, with the source and date that say so"`
	Facts       []store.SupplierFact  `json:"facts" desc:"everything the sources say, yes and no, with their dates"`
	Contracts   []SupplierContract    `json:"contracts" desc:"DECP contracts whose current version names the supplier as a holder, newest first (at most 500)"`
	Reserved    []SupplierContract    `json:"reserved_awards" desc:"those of the contracts that were reserved (declared or detected)"`
	Totals      SupplierTotals        `json:"totals"`
}

// SupplierContract is a contract won, with the supplier's classes as of
// its notification date.
type SupplierContract struct {
	store.WonContract
	Year    *int                  `json:"year"`
	Classes []supplier.Membership `json:"classes_at_notification"`
}

// SupplierTotals sum the contracts won by year.
type SupplierTotals struct {
	Contracts   int                `json:"contracts"`
	AmountShare float64            `json:"amount_share" desc:"sum of the supplier's equal shares of the amounts (amount / holders)"`
	ByYear      map[string]float64 `json:"amount_share_by_year"`
	Buyers      int                `json:"buyers"`
}

func (s *Server) supplier(w http.ResponseWriter, r *http.Request) {
	req := begin(w, r, supplierParams, "json")
	if req == nil {
		return
	}
	id := r.PathValue("siren")
	if !supplierRe.MatchString(id) {
		fail(w, r, badParam("siren", "expected a SIREN (9 digits) or a SIRET (14 digits), got "+strconv.Quote(id)))
		return
	}
	siren := id[:9]
	ctx, cancel := s.queryContext(r)
	defer cancel()
	stored, err := s.st.SupplierFacts(ctx, siren)
	if err != nil {
		fail(w, r, err)
		return
	}
	won, err := s.st.ContractsWonBy(ctx, siren, 500)
	if err != nil {
		fail(w, r, err)
		return
	}
	if len(stored) == 0 && len(won) == 0 {
		writeError(w, http.StatusNotFound, "siren", "no reference source and no contract knows SIREN "+siren)
		return
	}
	facts := make([]supplier.Fact, 0, len(stored))
	out := SupplierAnswer{Siren: siren, Facts: stored, Classes: []string{}, Contracts: []SupplierContract{}, Reserved: []SupplierContract{}}
	for _, f := range stored {
		if f.Class == supplier.Unit {
			out.Known = true
			if out.Name == nil || f.Source == "sirene" {
				n := f.Name
				out.Name, out.Active = &n, f.Active
			}
			continue
		}
		facts = append(facts, supplier.Fact{SIREN: f.SIREN, SIRET: f.SIRET, Class: f.Class, Yes: f.Yes, Kind: f.Kind, Source: f.Source, KnownOn: f.KnownOn})
	}
	out.Memberships = supplier.Classify(facts, time.Now())
	for _, m := range out.Memberships {
		out.Classes = append(out.Classes, m.Class)
	}
	out.Totals.ByYear = map[string]float64{}
	buyers := map[string]bool{}
	for _, c := range won {
		sc := SupplierContract{WonContract: c, Classes: []supplier.Membership{}}
		key := "unknown"
		if c.NotificationDate != nil {
			y := c.NotificationDate.Year()
			sc.Year, key = &y, strconv.Itoa(y)
			sc.Classes = supplier.Classify(facts, *c.NotificationDate)
		}
		if c.AmountShare != nil {
			out.Totals.AmountShare += *c.AmountShare
			out.Totals.ByYear[key] += *c.AmountShare
		}
		buyers[c.BuyerSiret] = true
		out.Contracts = append(out.Contracts, sc)
		if (c.DeclaredReserved != nil && *c.DeclaredReserved) || slices.ContainsFunc(c.DetectedLabels, func(l string) bool {
			return l == "reserved" || l == "reserved_disability" || l == "reserved_insertion" || l == "reserved_ess"
		}) {
			out.Reserved = append(out.Reserved, sc)
		}
	}
	out.Totals.Contracts, out.Totals.Buyers = len(won), len(buyers)
	writeJSON(w, out)
}
