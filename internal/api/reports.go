package api

import (
	"net/http"
	"strconv"

	"github.com/vigie-data/vigie/internal/report"
)

var reportParams = []param{pFormat, pDialect}

// reportFields are the columns of the official-figures CSV.
var reportFields = func() []tableField {
	var fs []tableField
	for _, c := range []struct{ name, typ string }{{"year", "integer"}, {"indicator", "string"}, {"measure", "string"}, {"kind", "string"},
		{"scope", "string"}, {"published", "number"}, {"vigie_declared", "number"}, {"vigie_declared_or_detected", "number"},
		{"vigie_declared_over_declaring", "number"}, {"decp_info_method", "number"}, {"difference_declared", "number"},
		{"difference_declared_or_detected", "number"}, {"contracts_in_scope", "integer"}, {"nothing_declared", "integer"},
		{"declaring", "integer"}, {"amount_known_share", "number"}, {"source", "string"}, {"definition", "string"}, {"explanation", "string"}} {
		fs = append(fs, tableField{Name: c.name, Type: c.typ})
	}
	return fs
}()

// officialReport answers GET /api/v1/reports/official: every published
// figure (OECP census, PNAD targets) next to vigie's on the same definition.
func (s *Server) officialReport(w http.ResponseWriter, r *http.Request) {
	req := begin(w, r, reportParams, "json", "csv")
	if req == nil {
		return
	}
	ctx, cancel := s.queryContext(r)
	defer cancel()
	rows, err := report.Official(ctx, s.st)
	if err != nil {
		fail(w, r, err)
		return
	}
	if req.format == "csv" {
		out := startCSV(w, "official-figures", schemaURL(r, req), req.dialect, reportFields)
		for _, x := range rows {
			_ = out.row(reportFields, []string{strconv.Itoa(x.Year), x.Indicator, x.Measure, x.Kind, x.Scope, num(x.Published), num(x.VigieDeclared),
				num(x.VigieDeclaredOrDetected), num(x.VigieDeclaredOverDeclar), num(x.DecpInfoMethod), num(x.DifferenceDeclared),
				num(x.DifferenceDeclOrDetected), strconv.FormatUint(x.Coverage.ContractsInScope, 10),
				strconv.FormatUint(x.Coverage.NothingDeclared, 10), strconv.FormatUint(x.Coverage.Declaring, 10),
				num(x.Coverage.AmountKnownShare), x.Source, x.Definition, x.Explanation})
		}
		_ = out.flush()
		return
	}
	writeJSON(w, OfficialReport{Rows: rows, Unit: "percent",
		Notes: []string{
			"The OECP census (contracts of 90 000 € HT and more) stops in 2023; from 2024 the OECP computes its figures from DECP at 40 000 €: the series breaks.",
			"decp_info_method counts a contract when one of its declared values matches Clause|Critère|Marché réservé, de-duplicated by uid, as decp.info does.",
		}})
}

// OfficialReport is the answer of /api/v1/reports/official.
type OfficialReport struct {
	Rows  any      `json:"rows" desc:"one per published figure, with vigie's on the same definition"`
	Unit  string   `json:"unit"`
	Notes []string `json:"notes"`
}

func num(v *float64) string {
	if v == nil {
		return ""
	}
	return strconv.FormatFloat(*v, 'f', -1, 64)
}
