package api

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/vigie-data/vigie/internal/export"
)

// Full exports: GET /api/v1/exports/{table}.{csv,parquet}, with the
// listings' filters, streamed with no row cap; GET
// /api/v1/exports/datapackage.json describes every table's columns.

var exportParams = append(append([]param{}, contractFilterParams...), pLabels, pQ,
	param{Name: "classed", Description: "suppliers: true keeps only those in at least one class", Type: "boolean", Enum: []string{"true", "false"}})

// ExportFilterNames are the filter parameters an export takes (the CLI's
// flags mirror them).
func ExportFilterNames() []string {
	var out []string
	for _, p := range exportParams {
		if p.Name != "classed" {
			out = append(out, p.Name)
		}
	}
	return out
}

// ExportFilter reads an export's filters as the API does: contract
// filters for contracts, notice filters (from, to, departement, cpv,
// buyer, labels, q) for notices and lots.
func ExportFilter(table string, q url.Values) (export.Filter, error) {
	var f export.Filter
	var err error
	switch table {
	case "contracts":
		for k := range q {
			if k == pLabels.Name || k == pQ.Name {
				return f, fmt.Errorf("%s: not a filter of contracts", k)
			}
		}
		f.Contracts, err = parseContractFilter(q)
	case "notices", "lots":
		for k := range q {
			if !slices.ContainsFunc(noticeListParams, func(p param) bool { return p.Name == k }) {
				return f, fmt.Errorf("%s: not a filter of %s", k, table)
			}
		}
		f.Notices, err = parseNoticeFilter(q)
	case "suppliers":
		for k := range q {
			if k != "classed" {
				return f, fmt.Errorf("%s: not a filter of suppliers", k)
			}
		}
		f.ClassedOnly = q.Get("classed") == "true"
	}
	return f, err
}

func (s *Server) exportTable(w http.ResponseWriter, r *http.Request) {
	file := r.PathValue("file")
	if file == "datapackage.json" {
		s.exportPackage(w, r)
		return
	}
	table, format, _ := strings.Cut(file, ".")
	if !slices.Contains(export.Tables, table) || !slices.Contains(export.Formats, format) {
		writeError(w, http.StatusNotFound, "", "no such export: "+file+" (tables: "+strings.Join(export.Tables, ", ")+"; formats: csv, parquet)")
		return
	}
	q, err := parseQuery(r.URL.RawQuery)
	if err != nil {
		fail(w, r, err)
		return
	}
	if err := checkParams(q, exportParams); err != nil {
		fail(w, r, err)
		return
	}
	f, err := ExportFilter(table, q)
	if err != nil {
		if _, ok := err.(*paramError); !ok {
			err = badParam(strings.SplitN(err.Error(), ":", 2)[0], "not a filter of "+table)
		}
		fail(w, r, err)
		return
	}
	if format == "csv" {
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	} else {
		w.Header().Set("Content-Type", "application/vnd.apache.parquet")
	}
	w.Header().Set("Content-Disposition", `attachment; filename="`+file+`"`)
	w.Header().Set("Link", `</api/v1/exports/datapackage.json>; rel="describedby"`)
	// No query timeout: an export streams as long as it has rows; the
	// request's own context ends it when the client goes away.
	if _, err := export.Write(r.Context(), s.st, table, format, f, w); err != nil {
		// Headers are sent: the truncated body is the error's only sign
		// to the client; the log says why.
		fail(w, r, err)
	}
}

func (s *Server) exportPackage(w http.ResponseWriter, r *http.Request) {
	pkg := export.Package{Profile: "data-package", Name: "vigie-export", Title: "vigie — commande publique responsable, exports",
		Licenses: []any{map[string]string{"name": "etalab-2.0", "title": "Licence Ouverte / Open Licence 2.0"}}}
	for _, t := range export.Tables {
		for _, f := range export.Formats {
			res, err := export.ResourceOf(t, f, "/api/v1/exports/"+t+"."+f)
			if err != nil {
				fail(w, r, err)
				return
			}
			res.Name = t + "-" + f
			pkg.Resources = append(pkg.Resources, res)
		}
	}
	writeJSON(w, pkg)
}
