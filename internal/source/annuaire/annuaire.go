// Package annuaire reads the Annuaire des Entreprises' table of unités
// légales (daily, Parquet or gzipped CSV): the unit's name and state, and
// the classes the Annuaire gathers from several registers — ESS (INSEE's
// flag or ESS France's list), SIAE with its kind (Le marché de
// l'inclusion, which also lists EA and ESAT), société à mission.
package annuaire

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/vigie-data/vigie/internal/source/reffile"
	"github.com/vigie-data/vigie/internal/source/tabular"
	"github.com/vigie-data/vigie/internal/supplier"
)

// SourceName is the pipeline files' source: value.
const SourceName = "annuaire"

// Source is the source "annuaire".
var Source = reffile.New(SourceName, Parse)

var columns = []string{"siren", "siret_siege", "etat_administratif", "nom_complet", "nature_juridique",
	"est_ess", "est_siae", "type_siae", "est_societe_mission", "date_mise_a_jour_insee", "date_mise_a_jour_rne"}

// ErrLayout is returned for a file without the Annuaire's columns.
var ErrLayout = errors.New("not an Annuaire des Entreprises unités légales file (no siren or nom_complet column)")

// Parse reads the table. The date a fact is known on is the newest of
// the unit's INSEE and RNE update dates (the Annuaire does not date its
// flags; the file's own date is the better bound when neither is given).
func Parse(path string, emit func(supplier.Fact) error, bad func(position, reason, record string) error) (int64, error) {
	r, _, err := tabular.Open(path, tabular.Options{Columns: columns})
	if err != nil {
		return 0, err
	}
	defer r.Close()
	at := map[string]int{}
	for i, c := range r.Columns() {
		at[c] = i
	}
	if _, ok := at["siren"]; !ok {
		return 0, ErrLayout
	}
	if _, ok := at["nom_complet"]; !ok {
		return 0, ErrLayout
	}
	var rows int64
	fileDay := time.Now().UTC().Truncate(24 * time.Hour)
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
		get := func(c string) string {
			if i, ok := at[c]; ok {
				return strings.TrimSpace(row[i])
			}
			return ""
		}
		siren := get("siren")
		if len(siren) != 9 || strings.Trim(siren, "0123456789") != "" {
			if err := bad(r.Position(), fmt.Sprintf("siren %q is not 9 digits", siren), strings.Join(row, ",")); err != nil {
				return rows, err
			}
			continue
		}
		known := fileDay
		d1, ok1 := supplier.ParseDate(get("date_mise_a_jour_insee"))
		d2, ok2 := supplier.ParseDate(get("date_mise_a_jour_rne"))
		switch {
		case ok1 && ok2:
			known = d1
			if d2.After(d1) {
				known = d2
			}
		case ok1:
			known = d1
		case ok2:
			known = d2
		}
		pos := r.Position()
		unit := supplier.Fact{SIREN: siren, SIRET: get("siret_siege"), Class: supplier.Unit, Yes: true,
			Name: get("nom_complet"), LegalCategory: get("nature_juridique"), KnownOn: known, Position: pos}
		switch get("etat_administratif") {
		case "A":
			unit.Active = new(bool)
			*unit.Active = true
		case "C":
			unit.Active = new(bool)
		}
		facts := []supplier.Fact{unit}
		if yes, ok := supplier.ParseFlag(get("est_ess")); ok {
			facts = append(facts, supplier.Fact{SIREN: siren, Class: supplier.ESS, Yes: yes, KnownOn: known, Position: pos})
		}
		if yes, ok := supplier.ParseFlag(get("est_societe_mission")); ok {
			facts = append(facts, supplier.Fact{SIREN: siren, Class: supplier.SocieteMission, Yes: yes, KnownOn: known, Position: pos})
		}
		// type_siae holds Le marché de l'inclusion's kind, which also
		// names EA and ESAT; est_siae alone (no kind) is an SIAE.
		if yes, ok := supplier.ParseFlag(get("est_siae")); ok {
			class, kind := supplier.KindClass(get("type_siae"))
			if class == "" {
				class = supplier.SIAE
			}
			facts = append(facts, supplier.Fact{SIREN: siren, Class: class, Yes: yes, Kind: kind, KnownOn: known, Position: pos})
		}
		for _, f := range facts {
			if err := emit(f); err != nil {
				return rows, err
			}
		}
	}
}
