package api

import (
	"net/http"
	"regexp"
	"strings"
)

// The OpenAPI 3 document is built from the same parameter tables that
// validate requests, plus what other packages mount through Handle.

type endpoint struct {
	Summary string
	Params  []param
	Formats []string // response media: json, csv, atom
	Path    []param  // path parameters
}

var endpoints = map[string]endpoint{
	"/api/v1/health":                   {Summary: "ClickHouse reachability and the newest data per source", Formats: []string{"json"}},
	"/api/v1/contracts/indicators":     {Summary: "Trends and breakdowns of DECP contracts: declared and detected social/environmental considerations", Params: indicatorParams, Formats: []string{"json", "csv"}},
	"/api/v1/tenders/open":             {Summary: "Open notices with a reserved lot or a social clause (the ESS networks' feed)", Params: tenderParams, Formats: []string{"json", "csv", "atom"}},
	"/api/v1/buyers/{siret}/scorecard": {Summary: "A buyer's yearly scorecard: considerations, publications, SPASER threshold, PNAD targets", Params: scorecardParams, Formats: []string{"json", "csv"}, Path: []param{{Name: "siret", Description: "buyer SIRET (14 digits) or SIREN (9 digits)", Type: "string", Pattern: buyerRe.String()}}},
	"/api/v1/definitions":              {Summary: "Definitions of every indicator, scope and source field, in French and English", Formats: []string{"json"}},
	"/api/v1/contracts":                {Summary: "Contracts (current versions) with provenance, cursor-paginated", Params: contractListParams, Formats: []string{"json", "csv"}},
	"/api/v1/notices":                  {Summary: "Notices (current versions) with provenance, cursor-paginated", Params: noticeListParams, Formats: []string{"json", "csv"}},
	"/api/v1/reports/official":         {Summary: "Published figures (OECP census, PNAD targets) reproduced on the stored contracts, with coverage and why they differ", Params: reportParams, Formats: []string{"json", "csv"}},
	"/api/v1/suppliers/{siren}":        {Summary: "A supplier: its classes (ess, siae, ea, esat, societe_mission) with sources and dates, the contracts it holds, its reserved awards", Params: supplierParams, Formats: []string{"json"}, Path: []param{{Name: "siren", Description: "SIREN (9 digits) or SIRET (14 digits)", Type: "string", Pattern: supplierRe.String()}}},
	"/api/v1/exports/{file}":           {Summary: "Full export of a table, streamed with no row cap: contracts, notices, lots or suppliers, as .csv or .parquet (or datapackage.json, the Table Schema of every export)", Params: exportParams, Formats: []string{"csv"}, Path: []param{{Name: "file", Description: "TABLE.FORMAT (contracts.csv, notices.parquet, ...) or datapackage.json", Type: "string", Pattern: `^((contracts|notices|lots|suppliers)\.(csv|parquet)|datapackage\.json)$`}}},
	"/api/v1/openapi.json":             {Summary: "This document", Formats: []string{"json"}},
	// Mounted by the scheduler through Handle.
	"/api/v1/pipelines": {Summary: "Pipelines, their schedule and recent runs (served by the scheduler)", Formats: []string{"json"}},
	"/metrics":          {Summary: "Prometheus metrics (served by the scheduler)", Formats: []string{"text"}},
}

var mediaTypes = map[string]string{"json": "application/json", "csv": "text/csv", "atom": "application/atom+xml", "text": "text/plain"}

var wildcardRe = regexp.MustCompile(`\{([A-Za-z_][A-Za-z0-9_]*)(\.\.\.)?\}`)

func schemaOf(p param) map[string]any {
	item := map[string]any{"type": p.Type}
	if p.Format != "" {
		item["format"] = p.Format
	}
	if p.Pattern != "" {
		item["pattern"] = p.Pattern
	}
	if len(p.Enum) > 0 && !p.List {
		item["enum"] = p.Enum
	}
	if p.List {
		item["description"] = "comma-separated, each one of: " + strings.Join(p.Enum, ", ")
	}
	return item
}

// OpenAPI returns the document as a JSON-ready value.
func (s *Server) OpenAPI() map[string]any {
	paths := map[string]any{}
	docPaths := map[string]endpoint{}
	for p, e := range endpoints {
		docPaths[p] = e
	}
	for _, r := range s.routes {
		p := wildcardRe.ReplaceAllString(r.Path, "{$1}")
		if _, ok := docPaths[p]; !ok {
			e := endpoint{Summary: "mounted by another component", Formats: []string{"json"}}
			for _, m := range wildcardRe.FindAllStringSubmatch(r.Path, -1) {
				e.Path = append(e.Path, param{Name: m[1], Description: m[1], Type: "string"})
			}
			docPaths[p] = e
		}
	}
	for p, e := range docPaths {
		var params []any
		for _, pp := range e.Path {
			params = append(params, map[string]any{"name": pp.Name, "in": "path", "required": true, "description": pp.Description, "schema": schemaOf(pp)})
		}
		for _, pp := range e.Params {
			params = append(params, map[string]any{"name": pp.Name, "in": "query", "required": false, "description": pp.Description, "schema": schemaOf(pp)})
		}
		content := map[string]any{}
		for _, f := range e.Formats {
			content[mediaTypes[f]] = map[string]any{}
		}
		content["application/json"] = map[string]any{"schema": map[string]any{"type": "object"}}
		if e.Formats[0] == "text" {
			delete(content, "application/json")
			content["text/plain"] = map[string]any{"schema": map[string]any{"type": "string"}}
		}
		errResp := func(d string) map[string]any {
			return map[string]any{"description": d, "content": map[string]any{"application/json": map[string]any{"schema": map[string]any{"$ref": "#/components/schemas/Error"}}}}
		}
		op := map[string]any{
			"summary":     e.Summary,
			"operationId": "get" + strings.NewReplacer("/api/v1/", "_", "/", "_", "{", "", "}", "", ".", "_").Replace(p),
			"responses": map[string]any{
				"200": map[string]any{"description": "OK", "content": content},
				"400": errResp("a parameter is invalid; parameter names it"),
				"429": errResp("rate limit exceeded; see Retry-After"),
				"500": errResp("internal error"),
			},
		}
		if len(params) > 0 {
			op["parameters"] = params
		}
		paths[p] = map[string]any{"get": op}
	}
	return map[string]any{
		"openapi": "3.0.3",
		"info": map[string]any{
			"title":       "vigie API",
			"version":     "1",
			"description": "Responsible public procurement in France: DECP contracts and BOAMP notices, declared and detected social and environmental considerations.",
		},
		"paths": paths,
		"components": map[string]any{"schemas": map[string]any{"Error": map[string]any{
			"type":     "object",
			"required": []string{"error"},
			"properties": map[string]any{
				"error":     map[string]any{"type": "string"},
				"parameter": map[string]any{"type": "string", "description": "the query or path parameter at fault"},
			},
		}}},
	}
}

func (s *Server) openAPI(w http.ResponseWriter, r *http.Request) {
	if begin(w, r, nil) == nil {
		return
	}
	writeJSON(w, s.OpenAPI())
}
