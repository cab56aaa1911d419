// Package inclusion reads data·inclusion's list of structures (the
// "référentiel de l'offre d'insertion", CSV or Parquet): each structure
// with a SIRET and the networks it belongs to (reseaux_porteurs: ei, aci,
// ai, etti, eiti, geiq for insertion; ea, eatt, esat for disability), or,
// in the older schema, its typologie.
package inclusion

import (
	"errors"
	"io"
	"regexp"
	"strings"
	"time"

	"github.com/vigie-data/vigie/internal/source/reffile"
	"github.com/vigie-data/vigie/internal/source/tabular"
	"github.com/vigie-data/vigie/internal/supplier"
)

// SourceName is the pipeline files' source: value.
const SourceName = "inclusion"

// Source is the source "inclusion".
var Source = reffile.New(SourceName, Parse)

var columns = []string{"siret", "nom", "reseaux_porteurs", "typologie", "date_maj"}

// ErrLayout is returned for a file without a siret column.
var ErrLayout = errors.New("not a data·inclusion structures file (no siret column)")

// codeRe finds the network codes in a list however it is written
// (["aci", "ei"], {aci,ei}, aci|ei, ACI).
var codeRe = regexp.MustCompile(`[A-Za-z]+`)

// Parse reads the list: one fact per class a structure's networks name.
// A structure without a SIRET, or with none of these networks, is passed
// over; a SIRET that is not 14 digits is bad.
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
	if _, ok := at["siret"]; !ok {
		return 0, ErrLayout
	}
	today := time.Now().UTC().Truncate(24 * time.Hour)
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
		get := func(c string) string {
			if i, ok := at[c]; ok {
				return strings.TrimSpace(row[i])
			}
			return ""
		}
		siret := strings.ReplaceAll(get("siret"), " ", "")
		if siret == "" {
			continue
		}
		siren := supplier.SIRENOf(siret)
		if siren == "" || len(siret) != 14 {
			if err := bad(r.Position(), "siret "+siret+" is not 14 digits", strings.Join(row, ",")); err != nil {
				return rows, err
			}
			continue
		}
		known, ok := supplier.ParseDate(get("date_maj"))
		if !ok {
			known = today
		}
		seen := map[string]bool{}
		for _, code := range codeRe.FindAllString(get("reseaux_porteurs")+" "+get("typologie"), -1) {
			class, kind := supplier.KindClass(code)
			if class == "" || seen[class+kind] {
				continue
			}
			seen[class+kind] = true
			if err := emit(supplier.Fact{SIREN: siren, SIRET: siret, Class: class, Yes: true, Kind: kind, Name: get("nom"),
				KnownOn: known, Position: r.Position()}); err != nil {
				return rows, err
			}
		}
	}
}
