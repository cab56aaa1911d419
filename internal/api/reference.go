package api

import (
	"embed"
	"fmt"
	"html/template"
	"net/http"
	"sort"
	"strconv"
	"strings"
)

// The API reference page at /api/ is rendered from the OpenAPI document
// itself, with its stylesheet embedded in the binary: no CDN, nothing to
// fetch, and it cannot say anything the document does not.

//go:embed reference/page.html reference/reference.css
var referenceFS embed.FS

var referencePage = template.Must(template.ParseFS(referenceFS, "reference/page.html"))

type refParam struct {
	Name, In, Type, Constraints, Description string
	Required                                 bool
}

type refResponse struct {
	Status, Description string
	Media, Headers      []string
}

type refOp struct {
	ID, Path, Summary, Example, Body string
	Params                           []refParam
	Responses                        []refResponse
}

type refField struct {
	Name, Type, Ref, Description string
	Required                     bool
}

type refSchema struct {
	Name   string
	Fields []refField
}

func (s *Server) reference(w http.ResponseWriter, r *http.Request) {
	if begin(w, r, nil) == nil {
		return
	}
	doc := s.OpenAPI()
	info := doc["info"].(map[string]any)
	data := struct {
		Title, Description, Version string
		Ops                         []refOp
		Schemas                     []refSchema
	}{Title: info["title"].(string), Description: info["description"].(string), Version: info["version"].(string)}
	paths := doc["paths"].(map[string]any)
	keys := make([]string, 0, len(paths))
	for p := range paths {
		keys = append(keys, p)
	}
	sort.Strings(keys)
	for _, p := range keys {
		op := paths[p].(map[string]any)["get"].(map[string]any)
		o := refOp{ID: op["operationId"].(string), Path: p, Summary: op["summary"].(string)}
		if ex, ok := op["x-example"].(string); ok {
			o.Example = ex
		}
		params, _ := op["parameters"].([]any)
		for _, x := range params {
			m := x.(map[string]any)
			sch := m["schema"].(map[string]any)
			o.Params = append(o.Params, refParam{Name: m["name"].(string), In: m["in"].(string), Type: typeName(sch),
				Constraints: constraints(sch, m["example"]), Description: fmt.Sprint(m["description"]), Required: m["required"] == true})
		}
		resps := op["responses"].(map[string]any)
		codes := make([]string, 0, len(resps))
		for c := range resps {
			codes = append(codes, c)
		}
		sort.Strings(codes)
		for _, c := range codes {
			m := resps[c].(map[string]any)
			rr := refResponse{Status: c, Description: fmt.Sprint(m["description"])}
			content, _ := m["content"].(map[string]any)
			for mt, v := range content {
				rr.Media = append(rr.Media, mt)
				if c == "200" && mt == "application/json" {
					if ref, ok := v.(map[string]any)["schema"].(map[string]any)["$ref"].(string); ok {
						o.Body = strings.TrimPrefix(ref, "#/components/schemas/")
					}
				}
			}
			sort.Strings(rr.Media)
			hdrs, _ := m["headers"].(map[string]any)
			for h := range hdrs {
				rr.Headers = append(rr.Headers, h)
			}
			sort.Strings(rr.Headers)
			o.Responses = append(o.Responses, rr)
		}
		data.Ops = append(data.Ops, o)
	}
	comps := doc["components"].(map[string]any)["schemas"].(map[string]any)
	names := make([]string, 0, len(comps))
	for n := range comps {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		sch := comps[n].(map[string]any)
		req := map[string]bool{}
		if rs, ok := sch["required"].([]string); ok {
			for _, x := range rs {
				req[x] = true
			}
		}
		props, _ := sch["properties"].(map[string]any)
		fields := make([]string, 0, len(props))
		for f := range props {
			fields = append(fields, f)
		}
		sort.Strings(fields)
		rs := refSchema{Name: n}
		for _, f := range fields {
			p := props[f].(map[string]any)
			rf := refField{Name: f, Type: typeName(p), Ref: refName(p), Required: req[f]}
			if d, ok := p["description"].(string); ok {
				rf.Description = d
			}
			rs.Fields = append(rs.Fields, rf)
		}
		data.Schemas = append(data.Schemas, rs)
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=300")
	if err := referencePage.Execute(w, data); err != nil {
		panic(err)
	}
}

func refName(sch map[string]any) string {
	if ref, ok := sch["$ref"].(string); ok {
		return strings.TrimPrefix(ref, "#/components/schemas/")
	}
	if all, ok := sch["allOf"].([]any); ok && len(all) == 1 {
		return refName(all[0].(map[string]any))
	}
	if it, ok := sch["items"].(map[string]any); ok {
		return refName(it)
	}
	return ""
}

// typeName is a schema's type as a reader says it.
func typeName(sch map[string]any) string {
	if n := refName(sch); n != "" && sch["items"] == nil {
		if sch["nullable"] == true {
			return n + " or null"
		}
		return n
	}
	t, _ := sch["type"].(string)
	switch t {
	case "array":
		return "array of " + typeName(sch["items"].(map[string]any))
	case "":
		t = "any"
	}
	if f, ok := sch["format"].(string); ok {
		t += " (" + f + ")"
	}
	if sch["nullable"] == true {
		t += " or null"
	}
	return t
}

func constraints(sch map[string]any, example any) string {
	var out []string
	if e, ok := sch["enum"].([]string); ok {
		out = append(out, "one of "+strings.Join(e, ", "))
	}
	if p, ok := sch["pattern"].(string); ok {
		out = append(out, "pattern "+p)
	}
	for _, k := range []string{"minimum", "maximum", "default"} {
		if v, ok := sch[k]; ok {
			out = append(out, k+" "+fmt.Sprint(v))
		}
	}
	if example != nil {
		out = append(out, "e.g. "+strconv.Quote(fmt.Sprint(example)))
	}
	return strings.Join(out, "; ")
}

// referenceAsset serves the page's embedded stylesheet.
func referenceAsset(w http.ResponseWriter, r *http.Request) {
	b, err := referenceFS.ReadFile("reference/reference.css")
	if err != nil {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "text/css; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=86400")
	_, _ = w.Write(b)
}
