package api

import (
	"net/http"
	"reflect"
	"strings"
)

// Table Schemas of the CSV answers, at <endpoint>/schema: what each
// column holds and its type, so that a client reads buyer_siret as text
// and amount as a number (pandas, R, a spreadsheet's import dialog,
// frictionless). The describedby link of every CSV answer points here.

var (
	schemaParams          = []param{pDialect}
	indicatorSchemaParams = []param{pGroupBy, pDialect}
)

func (s *Server) registerSchemas() {
	s.get("/api/v1/contracts/schema", s.tableSchemaOf(fieldsOf(columnsOf(reflect.TypeFor[Contract]())), "buyer_siret", "contract_id"))
	s.get("/api/v1/notices/schema", s.tableSchemaOf(fieldsOf(columnsOf(reflect.TypeFor[Notice]())), "notice_id"))
	s.get("/api/v1/tenders/open/schema", s.tableSchemaOf(fieldsOf(columnsOf(reflect.TypeFor[tenderRow]())), "notice_id"))
	s.get("/api/v1/buyers/{siret}/scorecard/schema", s.tableSchemaOf(scorecardFields, "year"))
	s.get("/api/v1/contracts/indicators/schema", s.indicatorSchema)
	s.get("/api/v1/reports/official/schema", s.tableSchemaOf(reportFields))
}

func (s *Server) tableSchemaOf(fields []tableField, key ...string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		req := begin(w, r, schemaParams)
		if req == nil {
			return
		}
		writeSchema(w, req, fields, key)
	}
}

func writeSchema(w http.ResponseWriter, req *request, fields []tableField, key []string) {
	d := dialectStandard
	if req.q.Get(pDialect.Name) == dialectExcelFR.Name {
		d = dialectExcelFR
	}
	w.Header().Set("Cache-Control", "public, max-age=3600")
	w.Header().Set("Content-Type", "application/schema+json")
	writeJSONBody(w, schemaFor(fields, d, key...))
}

func (s *Server) indicatorSchema(w http.ResponseWriter, r *http.Request) {
	req := begin(w, r, indicatorSchemaParams)
	if req == nil {
		return
	}
	groups, err := parseList(req.q, pGroupBy)
	if err == nil && (len(groups) == 0 || len(groups) > 2 || (len(groups) == 2 && groups[0] == groups[1])) {
		err = badParam("group_by", "give one or two distinct dimensions: "+strings.Join(pGroupBy.Enum, ", "))
	}
	if err != nil {
		fail(w, r, err)
		return
	}
	writeSchema(w, req, indicatorFields(groups), groups)
}
