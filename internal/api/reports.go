package api

import (
	"net/http"
	"strconv"

	"github.com/vigie-data/vigie/internal/report"
)

var reportParams = []param{pFormat}

// officialReport answers GET /api/v1/reports/official: every published
// figure (OECP census, PNAD targets) next to vigie's on the same definition.
func (s *Server) officialReport(w http.ResponseWriter, r *http.Request) {
	if err := checkParams(r.URL.Query(), reportParams); err != nil {
		fail(w, r, err)
		return
	}
	f, err := format(r, "json", "csv")
	if err != nil {
		fail(w, r, err)
		return
	}
	ctx, cancel := s.queryContext(r)
	defer cancel()
	rows, err := report.Official(ctx, s.st)
	if err != nil {
		fail(w, r, err)
		return
	}
	if f == "csv" {
		header := []string{"year", "indicator", "measure", "kind", "scope", "published", "vigie_declared", "vigie_declared_or_detected",
			"vigie_declared_over_declaring", "decp_info_method", "difference_declared", "difference_declared_or_detected",
			"contracts_in_scope", "nothing_declared", "declaring", "amount_known_share", "source", "definition", "explanation"}
		out := make([][]string, 0, len(rows))
		for _, x := range rows {
			out = append(out, []string{strconv.Itoa(x.Year), x.Indicator, x.Measure, x.Kind, x.Scope, num(x.Published), num(x.VigieDeclared),
				num(x.VigieDeclaredOrDetected), num(x.VigieDeclaredOverDeclar), num(x.DecpInfoMethod), num(x.DifferenceDeclared),
				num(x.DifferenceDeclOrDetected), strconv.FormatUint(x.Coverage.ContractsInScope, 10),
				strconv.FormatUint(x.Coverage.NothingDeclared, 10), strconv.FormatUint(x.Coverage.Declaring, 10),
				num(x.Coverage.AmountKnownShare), x.Source, x.Definition, x.Explanation})
		}
		writeCSV(w, "official-figures", header, out)
		return
	}
	writeJSON(w, map[string]any{"rows": rows, "unit": "percent",
		"notes": []string{
			"The OECP census (contracts of 90 000 € HT and more) stops in 2023; from 2024 the OECP computes its figures from DECP at 40 000 €: the series breaks.",
			"decp_info_method counts a contract when one of its declared values matches Clause|Critère|Marché réservé, de-duplicated by uid, as decp.info does.",
		}})
}

func num(v *float64) string {
	if v == nil {
		return ""
	}
	return strconv.FormatFloat(*v, 'f', -1, 64)
}
