package api

import (
	"net/http"
	"net/url"
	"strings"
)

// request is what every handler starts from: the query string, parsed
// strictly and checked against the endpoint's parameters, and the
// representation asked for.
type request struct {
	q       url.Values
	format  string     // json, csv or atom
	dialect csvDialect // of a CSV answer
}

var pDialect = param{Name: "dialect", Description: "CSV dialect: rfc4180 (',' and '.', default) or excel-fr (';', decimal ',', UTF-8 BOM: opens right in a French spreadsheet)",
	Type: "string", Enum: []string{"rfc4180", "excel-fr"}, Default: "rfc4180"}

// begin parses r's query against known and picks one of formats (the
// first is the default). On a bad request it answers 400 and returns nil.
func begin(w http.ResponseWriter, r *http.Request, known []param, formats ...string) *request {
	q, err := parseQuery(r.URL.RawQuery)
	if err == nil {
		err = checkParams(q, known)
	}
	req := &request{q: q, dialect: dialectStandard}
	if err == nil && len(formats) > 0 {
		req.format, err = format(q, r.Header.Get("Accept"), formats...)
	}
	if err == nil && q.Get(pDialect.Name) != "" {
		if _, err = parseEnum(q, pDialect); err != nil {
		} else if len(formats) > 0 && req.format != "csv" {
			err = badParam(pDialect.Name, "applies to CSV answers only (format=csv)")
		} else if q.Get(pDialect.Name) == dialectExcelFR.Name {
			req.dialect = dialectExcelFR
		}
	}
	if err != nil {
		fail(w, r, err)
		return nil
	}
	return req
}

// parseQuery is url.ParseQuery that names the parameter at fault: a
// malformed escape (departement=%zz) must not silently drop a filter.
func parseQuery(raw string) (url.Values, error) {
	q := url.Values{}
	for raw != "" {
		var pair string
		pair, raw, _ = strings.Cut(raw, "&")
		if pair == "" {
			continue
		}
		k, v, _ := strings.Cut(pair, "=")
		key, err := url.QueryUnescape(k)
		if err != nil {
			return nil, badParam(k, "malformed percent-encoding in the parameter name")
		}
		val, err := url.QueryUnescape(v)
		if err != nil {
			return nil, badParam(key, "malformed percent-encoding in the value")
		}
		if strings.ContainsRune(pair, ';') {
			return nil, badParam(key, "';' is not a separator; use '&' (or %3B in a value)")
		}
		q[key] = append(q[key], val)
	}
	return q, nil
}

// format is the representation asked for: the format parameter, else
// Accept: text/csv (or application/atom+xml where allowed), else the
// first of allowed.
func format(q url.Values, accept string, allowed ...string) (string, error) {
	if f := q.Get("format"); f != "" {
		for _, a := range allowed {
			if f == a {
				return f, nil
			}
		}
		return "", badParam("format", "must be one of "+strings.Join(allowed, ", "))
	}
	for _, a := range allowed {
		switch {
		case a == "csv" && strings.Contains(accept, "text/csv"):
			return "csv", nil
		case a == "atom" && strings.Contains(accept, "application/atom+xml"):
			return "atom", nil
		}
	}
	return allowed[0], nil
}
