// Package sirene reads INSEE's SIRENE stock of unités légales
// (StockUniteLegale: zipped CSV or Parquet, ~30 million rows): the unit's
// name, state and legal category, its ESS flag and its société à mission
// flag, each known on the date INSEE last processed the unit.
package sirene

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/vigie-data/vigie/internal/source/reffile"
	"github.com/vigie-data/vigie/internal/source/tabular"
	"github.com/vigie-data/vigie/internal/supplier"
)

// SourceName is the pipeline files' source: value.
const SourceName = "sirene"

// Source is the source "sirene".
var Source = reffile.New(SourceName, Parse)

// The columns read, by their names in the 2026 layout (format 3.11).
var columns = []string{
	"siren", "statutDiffusionUniteLegale", "dateDernierTraitementUniteLegale", "etatAdministratifUniteLegale",
	"nomUniteLegale", "nomUsageUniteLegale", "prenom1UniteLegale", "prenomUsuelUniteLegale", "denominationUniteLegale",
	"sigleUniteLegale", "categorieJuridiqueUniteLegale", "economieSocialeSolidaireUniteLegale", "societeMissionUniteLegale",
}

const (
	cSiren = iota
	cDiffusion
	cTraitement
	cEtat
	cNom
	cNomUsage
	cPrenom
	cPrenomUsuel
	cDenomination
	cSigle
	cCategorie
	cESS
	cMission
)

// ErrLayout is returned for a file without the columns of the stock.
var ErrLayout = errors.New("not a SIRENE StockUniteLegale file (no siren or etatAdministratifUniteLegale column)")

// Parse reads a StockUniteLegale file (CSV, zipped or gzipped CSV, or
// Parquet). Each unit gives a unit fact, plus an ess and a
// societe_mission fact where INSEE fills the flag (O or N; empty says
// nothing). A row whose SIREN is not 9 digits is bad.
func Parse(path string, emit func(supplier.Fact) error, bad func(position, reason, record string) error) (int64, error) {
	r, _, err := tabular.Open(path, tabular.Options{Columns: columns})
	if err != nil {
		return 0, err
	}
	defer r.Close()
	idx := map[string]int{}
	for i, c := range r.Columns() {
		idx[c] = i
	}
	if _, ok := idx["siren"]; !ok {
		return 0, ErrLayout
	}
	if _, ok := idx["etatAdministratifUniteLegale"]; !ok {
		return 0, ErrLayout
	}
	// pos maps the column constants to the reader's order (a file may lack
	// the newer columns, such as societeMissionUniteLegale before 2021).
	pos := make([]int, len(columns))
	for i, c := range columns {
		pos[i] = -1
		if j, ok := idx[c]; ok {
			pos[i] = j
		}
	}
	var rows int64
	for {
		row, err := r.Next()
		if errors.Is(err, io.EOF) {
			return rows, nil
		}
		rows++
		if err != nil {
			if err := bad(r.Position(), err.Error(), ""); err != nil {
				return rows, err
			}
			continue
		}
		get := func(c int) string {
			if pos[c] < 0 {
				return ""
			}
			return row[pos[c]]
		}
		siren := strings.TrimSpace(get(cSiren))
		if len(siren) != 9 || strings.Trim(siren, "0123456789") != "" {
			if err := bad(r.Position(), fmt.Sprintf("siren %q is not 9 digits", siren), strings.Join(row, ",")); err != nil {
				return rows, err
			}
			continue
		}
		known, _ := supplier.ParseDate(get(cTraitement))
		unit := supplier.Fact{SIREN: siren, Class: supplier.Unit, Yes: true, Name: name(get), LegalCategory: get(cCategorie),
			KnownOn: known, Position: r.Position()}
		switch get(cEtat) {
		case "A":
			unit.Active = new(bool)
			*unit.Active = true
		case "C":
			unit.Active = new(bool)
		}
		if err := emit(unit); err != nil {
			return rows, err
		}
		for _, flag := range []struct {
			col   int
			class string
		}{{cESS, supplier.ESS}, {cMission, supplier.SocieteMission}} {
			if yes, ok := supplier.ParseFlag(get(flag.col)); ok {
				if err := emit(supplier.Fact{SIREN: siren, Class: flag.class, Yes: yes, KnownOn: known, Position: unit.Position}); err != nil {
					return rows, err
				}
			}
		}
	}
}

// name is the unit's name: its denomination, else the person's name; a
// unit not open to diffusion (statut P) has its name hidden by INSEE.
func name(get func(int) string) string {
	if d := get(cDenomination); d != "" && d != "[ND]" {
		return d
	}
	nom := get(cNomUsage)
	if nom == "" {
		nom = get(cNom)
	}
	prenom := get(cPrenomUsuel)
	if prenom == "" {
		prenom = get(cPrenom)
	}
	n := strings.TrimSpace(prenom + " " + nom)
	if n == "[ND] [ND]" || n == "[ND]" {
		return ""
	}
	return n
}
