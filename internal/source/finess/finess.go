// Package finess reads the FINESS open extract of health and social
// establishments (etalab-cs1100507-stock-*.csv: ";"-separated, Latin-1, a
// first line that dates the extract, no header) for its ESAT (category
// 246) and entreprises adaptées (247), each with its SIRET.
package finess

import (
	"bufio"
	"errors"
	"io"
	"os"
	"regexp"
	"strings"
	"time"

	"github.com/vigie-data/vigie/internal/source/reffile"
	"github.com/vigie-data/vigie/internal/source/tabular"
	"github.com/vigie-data/vigie/internal/supplier"
)

// SourceName is the pipeline files' source: value.
const SourceName = "finess"

// Source is the source "finess".
var Source = reffile.New(SourceName, Parse)

// Positions of the fields of a structureet row (the extract's
// documentation: 0 the row kind, 1 nofinesset, 3 rs, 18 categetab,
// 19 libcategetab, 22 siret).
const (
	fKind     = 0
	fFiness   = 1
	fName     = 3
	fCategory = 18
	fSiret    = 22
)

// Categories kept, and their class.
var categories = map[string]string{"246": supplier.ESAT, "247": supplier.EA}

var dateRe = regexp.MustCompile(`(\d{4}-\d{2}-\d{2})`)

// ErrLayout is returned for a file that is not the FINESS extract.
var ErrLayout = errors.New("not a FINESS extract (no structureet rows)")

// Parse reads the extract. Rows of other kinds (geolocalisation) and
// other categories are read and passed over; an ESAT or EA without a
// SIRET cannot be joined to a contract holder and is passed over too.
func Parse(path string, emit func(supplier.Fact) error, bad func(position, reason, record string) error) (int64, error) {
	known, err := extractDate(path)
	if err != nil {
		return 0, err
	}
	r, _, err := tabular.Open(path, tabular.Options{NoHeader: true, SkipLines: 1})
	if err != nil {
		return 0, err
	}
	defer r.Close()
	var rows, structures int64
	for {
		row, err := r.Next()
		if errors.Is(err, io.EOF) {
			if rows > 0 && structures == 0 {
				return rows, ErrLayout
			}
			return rows, nil
		}
		rows++
		if err != nil {
			if err := bad(r.Position(), err.Error(), ""); err != nil {
				return rows, err
			}
			continue
		}
		if len(row) == 0 || row[fKind] != "structureet" {
			continue
		}
		structures++
		if len(row) <= fSiret {
			if err := bad(r.Position(), "structureet row with fewer fields than the extract's layout", strings.Join(row, ";")); err != nil {
				return rows, err
			}
			continue
		}
		class, ok := categories[strings.TrimSpace(row[fCategory])]
		if !ok {
			continue
		}
		siret := strings.TrimSpace(row[fSiret])
		siren := supplier.SIRENOf(siret)
		if siren == "" {
			continue
		}
		f := supplier.Fact{SIREN: siren, SIRET: siret, Class: class, Yes: true, Kind: class, Name: strings.TrimSpace(row[fName]),
			KnownOn: known, Position: r.Position() + " (FINESS " + strings.TrimSpace(row[fFiness]) + ")"}
		if err := emit(f); err != nil {
			return rows, err
		}
	}
}

// extractDate reads the date on the extract's first line, else today.
func extractDate(path string) (time.Time, error) {
	f, err := os.Open(path)
	if err != nil {
		return time.Time{}, err
	}
	defer f.Close()
	line, _ := bufio.NewReader(io.LimitReader(f, 4096)).ReadString('\n')
	if m := dateRe.FindString(line); m != "" {
		if t, err := time.Parse("2006-01-02", m); err == nil {
			return t, nil
		}
	}
	return time.Now().UTC().Truncate(24 * time.Hour), nil
}
