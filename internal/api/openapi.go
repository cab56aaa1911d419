package api

import (
	"net/http"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"time"
)

// The OpenAPI 3 document is built from the same parameter tables that
// validate requests and from the same Go types the handlers encode
// (their json tags, types and desc/format tags), plus what other
// packages mount through Handle: the document and the answers cannot
// drift apart, and a test validates real answers against it.

type endpoint struct {
	Summary  string
	Params   []param
	Formats  []string     // response media: json, csv, atom, text, schema
	Path     []param      // path parameters
	Response reflect.Type // the JSON body of a 200
	Statuses []int        // besides 200, 400, 405, 429, 500
	Paged    bool         // Link next/prev
	Cached   bool         // ETag, Last-Modified, 304
	Example  string       // a request, for the reference page
}

var siretParam = param{Name: "siret", Description: "buyer SIRET (14 digits) or SIREN (9 digits)", Type: "string", Pattern: buyerRe.String(), Example: "13001845000028"}

var endpoints = map[string]endpoint{
	"/api/v1/health": {Summary: "ClickHouse reachability and the newest data per source", Formats: []string{"json"},
		Response: reflect.TypeFor[Health](), Statuses: []int{503}, Example: "/api/v1/health"},
	"/api/v1/contracts/indicators": {Summary: "Trends and breakdowns of DECP contracts: declared and detected social/environmental considerations",
		Params: indicatorParams, Formats: []string{"json", "csv"}, Response: reflect.TypeFor[Indicators](), Statuses: []int{304, 504}, Cached: true,
		Example: "/api/v1/contracts/indicators?group_by=year"},
	"/api/v1/tenders/open": {Summary: "Open notices with a reserved lot or a social clause (the ESS networks' feed)", Params: tenderParams,
		Formats: []string{"json", "csv", "atom"}, Response: reflect.TypeFor[OpenTenders](), Statuses: []int{304, 504}, Cached: true,
		Example: "/api/v1/tenders/open?departement=69&format=atom"},
	"/api/v1/buyers/{siret}/scorecard": {Summary: "A buyer's yearly scorecard: considerations, publications, SPASER threshold, PNAD targets",
		Params: scorecardParams, Formats: []string{"json", "csv"}, Path: []param{siretParam}, Response: reflect.TypeFor[ScorecardAnswer](),
		Statuses: []int{304, 404, 504}, Cached: true, Example: "/api/v1/buyers/13001845000028/scorecard"},
	"/api/v1/definitions": {Summary: "Definitions of every indicator, label, scope and source field, in French and English", Formats: []string{"json"},
		Response: reflect.TypeFor[Definitions](), Example: "/api/v1/definitions"},
	"/api/v1/contracts": {Summary: "Contracts (current versions) with provenance: cursor pages, or every row as CSV without limit",
		Params: contractListParams, Formats: []string{"json", "csv"}, Response: reflect.TypeFor[ContractPage](), Statuses: []int{304, 504},
		Paged: true, Cached: true, Example: "/api/v1/contracts?departement=75&limit=10"},
	"/api/v1/notices": {Summary: "Notices (current versions) with provenance: cursor pages, or every row as CSV without limit",
		Params: noticeListParams, Formats: []string{"json", "csv"}, Response: reflect.TypeFor[NoticePage](), Statuses: []int{304, 504},
		Paged: true, Cached: true, Example: "/api/v1/notices?labels=reserved&limit=10"},
	"/api/v1/reports/official": {Summary: "Published figures (OECP census, PNAD targets) reproduced on the stored contracts, with coverage and why they differ",
		Params: reportParams, Formats: []string{"json", "csv"}, Response: reflect.TypeFor[OfficialReport](), Statuses: []int{504},
		Example: "/api/v1/reports/official"},
	"/api/v1/suppliers/{siren}": {Summary: "A supplier: what the reference sources say of it (ESS, SIAE, EA, ESAT…) and the contracts it won",
		Params: supplierParams, Formats: []string{"json"}, Response: reflect.TypeFor[SupplierAnswer](), Statuses: []int{404, 504},
		Path: []param{{Name: "siren", Description: "supplier SIREN (9 digits) or SIRET (14 digits)", Type: "string", Pattern: supplierRe.String(), Example: "130018450"}}},
	"/api/v1/exports/{file}": {Summary: "Full export of a table, streamed with no row cap: contracts, notices, lots or suppliers, as .csv or .parquet (or datapackage.json, the Table Schema of every export)",
		Params: exportParams, Formats: []string{"csv", "parquet", "json"}, Statuses: []int{404, 504},
		Path: []param{{Name: "file", Description: "TABLE.FORMAT (contracts.csv, notices.parquet, ...) or datapackage.json", Type: "string", Pattern: `^((contracts|notices|lots|suppliers)\.(csv|parquet)|datapackage\.json)$`, Example: "contracts.csv"}}},
	"/api/v1/openapi.json": {Summary: "This document", Formats: []string{"json"}},
	"/api/":                {Summary: "This document as a reference page", Formats: []string{"html"}},
	"/metrics":             {Summary: "Prometheus metrics: HTTP requests and latency per route, Go runtime, process, build, pipelines", Formats: []string{"text"}},
	// Mounted by the scheduler through Handle.
	"/api/v1/pipelines": {Summary: "Pipelines, their schedule and recent runs (served by the scheduler)", Formats: []string{"json"}, Statuses: []int{503}},
	// Table Schemas of the CSV answers.
	"/api/v1/contracts/schema":                {Summary: "Table Schema of the contracts CSV", Params: schemaParams, Formats: []string{"schema"}},
	"/api/v1/notices/schema":                  {Summary: "Table Schema of the notices CSV", Params: schemaParams, Formats: []string{"schema"}},
	"/api/v1/tenders/open/schema":             {Summary: "Table Schema of the open-tenders CSV", Params: schemaParams, Formats: []string{"schema"}},
	"/api/v1/contracts/indicators/schema":     {Summary: "Table Schema of an indicators CSV (its columns depend on group_by)", Params: indicatorSchemaParams, Formats: []string{"schema"}},
	"/api/v1/buyers/{siret}/scorecard/schema": {Summary: "Table Schema of the scorecard CSV", Params: schemaParams, Formats: []string{"schema"}, Path: []param{siretParam}},
	"/api/v1/reports/official/schema":         {Summary: "Table Schema of the official-figures CSV", Params: schemaParams, Formats: []string{"schema"}},
}

var mediaTypes = map[string]string{"json": "application/json", "csv": "text/csv", "atom": "application/atom+xml", "text": "text/plain",
	"schema": "application/schema+json", "html": "text/html", "parquet": "application/vnd.apache.parquet"}

var wildcardRe = regexp.MustCompile(`\{([A-Za-z_][A-Za-z0-9_]*)(\.\.\.)?\}`)

// paramSchema is the schema of a parameter.
func (s *Server) paramSchema(p param) map[string]any {
	item := map[string]any{"type": p.Type}
	if p.Format != "" {
		item["format"] = p.Format
	}
	if p.Pattern != "" && !p.List {
		item["pattern"] = p.Pattern
	}
	if len(p.Enum) > 0 && !p.List {
		item["enum"] = p.Enum
	}
	if p.List {
		if len(p.Enum) > 0 {
			item["pattern"] = "^(" + strings.Join(quoteAll(p.Enum), "|") + ")(,(" + strings.Join(quoteAll(p.Enum), "|") + "))*$"
		} else if p.Pattern != "" {
			inner := strings.TrimSuffix(strings.TrimPrefix(p.Pattern, "^"), "$")
			item["pattern"] = "^" + inner + "(," + inner + ")*$"
		}
	}
	if p.Default != nil {
		item["default"] = p.Default
	}
	if p.Min != nil {
		item["minimum"] = *p.Min
	}
	if p.Max != nil {
		item["maximum"] = *p.Max
	}
	if p.Name == pLimit.Name {
		item["maximum"] = s.opts.MaxRows
	}
	return item
}

func quoteAll(vs []string) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = regexp.QuoteMeta(v)
	}
	return out
}

// schemas builds JSON Schemas (OpenAPI 3.0 flavour) of Go types into
// components, named by the Go type.
type schemas struct {
	components map[string]any
}

func (sc *schemas) of(t reflect.Type, desc, format string) map[string]any {
	out := sc.bare(t, format)
	if desc != "" {
		if _, ok := out["$ref"]; ok { // 3.0: siblings of $ref are ignored
			out = map[string]any{"allOf": []any{out}}
		}
		out["description"] = desc
	}
	return out
}

func (sc *schemas) bare(t reflect.Type, format string) map[string]any {
	if t.Kind() == reflect.Pointer {
		inner := sc.bare(t.Elem(), format)
		if _, ok := inner["$ref"]; ok {
			return map[string]any{"allOf": []any{inner}, "nullable": true}
		}
		inner["nullable"] = true
		return inner
	}
	if t == reflect.TypeFor[time.Time]() {
		return map[string]any{"type": "string", "format": "date-time"}
	}
	switch t.Kind() {
	case reflect.String:
		m := map[string]any{"type": "string"}
		if format != "" {
			m["format"] = format
		}
		return m
	case reflect.Bool:
		return map[string]any{"type": "boolean"}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return map[string]any{"type": "integer"}
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return map[string]any{"type": "integer", "minimum": 0}
	case reflect.Float32, reflect.Float64:
		return map[string]any{"type": "number"}
	case reflect.Slice, reflect.Array:
		return map[string]any{"type": "array", "items": sc.bare(t.Elem(), "")}
	case reflect.Map:
		if t.Elem().Kind() == reflect.Interface {
			return map[string]any{"type": "object", "additionalProperties": true}
		}
		return map[string]any{"type": "object", "additionalProperties": sc.bare(t.Elem(), "")}
	case reflect.Interface:
		return map[string]any{} // any JSON value
	case reflect.Struct:
		name := t.Name()
		if name == "" {
			return sc.object(t)
		}
		if _, ok := sc.components[name]; !ok {
			sc.components[name] = nil // recursion guard
			sc.components[name] = sc.object(t)
		}
		return map[string]any{"$ref": "#/components/schemas/" + name}
	}
	return map[string]any{}
}

// object is the schema of a struct: its json fields, required unless
// omitempty, embedded structs flattened.
func (sc *schemas) object(t reflect.Type) map[string]any {
	props := map[string]any{}
	var required []string
	var walk func(t reflect.Type)
	walk = func(t reflect.Type) {
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			tag := f.Tag.Get("json")
			if f.Anonymous && tag == "" {
				walk(f.Type)
				continue
			}
			if !f.IsExported() || tag == "-" {
				continue
			}
			name, opts, _ := strings.Cut(tag, ",")
			if name == "" {
				name = f.Name
			}
			props[name] = sc.of(f.Type, f.Tag.Get("desc"), f.Tag.Get("format"))
			if !strings.Contains(opts, "omitempty") {
				required = append(required, name)
			}
		}
	}
	walk(t)
	out := map[string]any{"type": "object", "properties": props}
	if len(required) > 0 {
		sort.Strings(required)
		out["required"] = required
	}
	return out
}

func header(desc string, schema map[string]any) map[string]any {
	return map[string]any{"description": desc, "schema": schema}
}

// OpenAPI returns the document as a JSON-ready value.
func (s *Server) OpenAPI() map[string]any {
	sc := &schemas{components: map[string]any{}}
	errorSchema := sc.bare(reflect.TypeFor[apiError](), "")
	tableSchemaRef := sc.bare(reflect.TypeFor[tableSchema](), "")
	docPaths := map[string]endpoint{}
	for _, r := range s.routes {
		p := wildcardRe.ReplaceAllString(r.Path, "{$1}")
		if p == "/api/{$}" {
			p = "/api/"
		}
		e, ok := endpoints[p]
		if !ok {
			e = endpoint{Summary: "mounted by another component", Formats: []string{"json"}}
			for _, m := range wildcardRe.FindAllStringSubmatch(r.Path, -1) {
				e.Path = append(e.Path, param{Name: m[1], Description: m[1], Type: "string"})
			}
		}
		docPaths[p] = e
	}
	str := map[string]any{"type": "string"}
	paths := map[string]any{}
	for p, e := range docPaths {
		var params []any
		for _, pp := range e.Path {
			m := map[string]any{"name": pp.Name, "in": "path", "required": true, "description": pp.Description, "schema": s.paramSchema(pp)}
			if pp.Example != nil {
				m["example"] = pp.Example
			}
			params = append(params, m)
		}
		for _, pp := range e.Params {
			m := map[string]any{"name": pp.Name, "in": "query", "required": pp.Required, "description": pp.Description, "schema": s.paramSchema(pp)}
			if pp.Example != nil {
				m["example"] = pp.Example
			}
			if pp.List {
				m["explode"] = false // one comma-separated value
			}
			params = append(params, m)
		}
		content := map[string]any{}
		for _, f := range e.Formats {
			switch f {
			case "json":
				body := map[string]any{"type": "object"}
				if e.Response != nil {
					body = sc.bare(e.Response, "")
				}
				content[mediaTypes[f]] = map[string]any{"schema": body}
			case "schema":
				content[mediaTypes[f]] = map[string]any{"schema": tableSchemaRef}
			case "csv":
				content[mediaTypes[f]] = map[string]any{"schema": map[string]any{"type": "string",
					"description": "CSV with a header row; its Table Schema is named by the Link rel=\"describedby\" header"}}
			default:
				content[mediaTypes[f]] = map[string]any{"schema": str}
			}
		}
		headers := map[string]any{}
		if e.Cached {
			headers["ETag"] = header("the answer's version: send it back in If-None-Match", str)
			headers["Last-Modified"] = header("when this process first saw the data the answer comes from", str)
			headers["Cache-Control"] = header("public, max-age=60", str)
		}
		if e.Paged || contains(e.Formats, "csv") {
			headers["Link"] = header("rel=\"next\" and rel=\"prev\" pages; rel=\"describedby\" for a CSV's Table Schema", str)
		}
		errResp := func(d string) map[string]any {
			return map[string]any{"description": d, "content": map[string]any{"application/json": map[string]any{"schema": errorSchema}}}
		}
		ok := map[string]any{"description": "OK", "content": content}
		if len(headers) > 0 {
			ok["headers"] = headers
		}
		responses := map[string]any{
			"200": ok,
			"405": map[string]any{"description": "method not allowed; Allow lists the allowed ones",
				"headers": map[string]any{"Allow": header("GET, HEAD, OPTIONS", str)},
				"content": map[string]any{"application/json": map[string]any{"schema": errorSchema}}},
			"429": map[string]any{"description": "rate limit exceeded",
				"headers": map[string]any{"Retry-After": header("seconds to wait", map[string]any{"type": "integer"})},
				"content": map[string]any{"application/json": map[string]any{"schema": errorSchema}}},
			"500": errResp("internal error"),
		}
		if len(e.Params) > 0 || len(e.Path) > 0 || p != "/metrics" {
			responses["400"] = errResp("a parameter is invalid; parameter names it")
		}
		for _, st := range e.Statuses {
			switch st {
			case 304:
				responses["304"] = map[string]any{"description": "not modified: the copy named by If-None-Match or If-Modified-Since is current"}
			case 404:
				responses["404"] = errResp("nothing is known of this identifier")
			case 503:
				if e.Response != nil {
					responses["503"] = map[string]any{"description": "ClickHouse does not answer",
						"content": map[string]any{"application/json": map[string]any{"schema": sc.bare(e.Response, "")}}}
				} else {
					responses["503"] = errResp("the state is unavailable")
				}
			case 504:
				responses["504"] = errResp("the query took too long; narrow the filters")
			}
		}
		op := map[string]any{
			"summary":     e.Summary,
			"operationId": "get" + strings.NewReplacer("/api/v1/", "_", "/", "_", "{", "", "}", "", ".", "_").Replace(strings.TrimSuffix(p, "/")),
			"responses":   responses,
		}
		if len(params) > 0 {
			op["parameters"] = params
		}
		if e.Example != "" {
			op["x-example"] = e.Example
		}
		paths[p] = map[string]any{"get": op}
	}
	v, rev, _ := BuildInfo()
	return map[string]any{
		"openapi": "3.0.3",
		"info": map[string]any{
			"title":   "vigie API",
			"version": "1 (" + v + ", " + rev + ")",
			"description": "Responsible public procurement in France: DECP contracts and BOAMP/eForms notices, declared and detected social and environmental considerations. " +
				"Identifiers are strings, 64-bit versions are strings, dates are YYYY-MM-DD, instants RFC 3339 with their offset, missing values null. " +
				"Every CSV names its Table Schema in a Link rel=\"describedby\" header; dialect=excel-fr suits French spreadsheets.",
		},
		"servers":    []any{map[string]any{"url": s.serverURL(), "description": "this server"}},
		"paths":      paths,
		"components": map[string]any{"schemas": sc.components},
	}
}

// serverURL is the document's server: the configured public base URL,
// else the root of the host that serves it.
func (s *Server) serverURL() string {
	if s.opts.BaseURL != "" {
		return strings.TrimRight(s.opts.BaseURL, "/")
	}
	return "/"
}

func contains(vs []string, v string) bool {
	for _, x := range vs {
		if x == v {
			return true
		}
	}
	return false
}

func (s *Server) openAPI(w http.ResponseWriter, r *http.Request) {
	if begin(w, r, nil) == nil {
		return
	}
	w.Header().Set("Cache-Control", "public, max-age=300")
	writeJSON(w, s.OpenAPI())
}
