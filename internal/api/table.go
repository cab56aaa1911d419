package api

import (
	"bufio"
	"encoding/csv"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"time"
)

// A CSV answer is a table: its columns come from the same Go type the
// JSON answer encodes (json tag = column name, Go type and the format tag
// = Table Schema type), so the CSV, its Table Schema and the OpenAPI
// document cannot disagree. Nested values (lists, objects) are flattened:
// lists of strings are joined with a space; fields tagged csv:"-" are
// left out.

// tableField is a column of a CSV answer, as a Table Schema field.
type tableField struct {
	Name        string `json:"name"`
	Type        string `json:"type"` // string, integer, number, boolean, date, datetime
	Format      string `json:"format,omitempty"`
	Description string `json:"description,omitempty"`
	DecimalChar string `json:"decimalChar,omitempty"`
}

// tableSchema is a Frictionless Table Schema (https://specs.frictionlessdata.io/table-schema/).
type tableSchema struct {
	Fields        []tableField `json:"fields"`
	MissingValues []string     `json:"missingValues"`
	PrimaryKey    []string     `json:"primaryKey,omitempty"`
	Dialect       csvDialect   `json:"x-csv-dialect"`
}

// csvDialect is how a CSV is written: RFC 4180 by default; excel-fr for
// spreadsheets set to French (Excel, LibreOffice): ';' between fields, ','
// in decimals, and a UTF-8 byte order mark so that accents survive a
// double-click.
type csvDialect struct {
	Name        string `json:"name"`
	Delimiter   string `json:"delimiter"`
	DecimalChar string `json:"decimalChar"`
	BOM         bool   `json:"bom"`
}

var (
	dialectStandard = csvDialect{Name: "rfc4180", Delimiter: ",", DecimalChar: ".", BOM: false}
	dialectExcelFR  = csvDialect{Name: "excel-fr", Delimiter: ";", DecimalChar: ",", BOM: true}
)

// column is a field of a struct shown as a CSV column.
type column struct {
	field tableField
	index []int
}

// columnsOf lists the CSV columns of struct type t.
func columnsOf(t reflect.Type) []column {
	var out []column
	for i := 0; i < t.NumField(); i++ {
		sf := t.Field(i)
		name := strings.Split(sf.Tag.Get("json"), ",")[0]
		if name == "-" || name == "" || sf.Tag.Get("csv") == "-" {
			continue
		}
		f := tableField{Name: name, Description: sf.Tag.Get("desc")}
		ft := sf.Type
		if ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		switch {
		case sf.Tag.Get("format") == "date":
			f.Type = "date"
		case sf.Tag.Get("format") == "date-time" || ft == reflect.TypeOf(time.Time{}):
			f.Type = "datetime"
		case ft.Kind() == reflect.Bool:
			f.Type = "boolean"
		case ft.Kind() >= reflect.Int && ft.Kind() <= reflect.Uint64:
			f.Type = "integer"
		case ft.Kind() == reflect.Float64 || ft.Kind() == reflect.Float32:
			f.Type = "number"
		case ft.Kind() == reflect.Slice:
			f.Type = "string"
			if f.Description != "" {
				f.Description += "; "
			}
			f.Description += "space-separated list"
		default:
			f.Type = "string"
		}
		out = append(out, column{field: f, index: sf.Index})
	}
	return out
}

// schemaFor is the Table Schema of cols written in dialect d.
func schemaFor(fields []tableField, d csvDialect, key ...string) tableSchema {
	s := tableSchema{MissingValues: []string{""}, PrimaryKey: key, Dialect: d}
	for _, f := range fields {
		if f.Type == "number" && d.DecimalChar != "." {
			f.DecimalChar = d.DecimalChar
		}
		s.Fields = append(s.Fields, f)
	}
	return s
}

func fieldsOf(cols []column) []tableField {
	out := make([]tableField, len(cols))
	for i, c := range cols {
		out[i] = c.field
	}
	return out
}

// csvOut writes a CSV answer row by row, flushing as it goes.
type csvOut struct {
	w       *csv.Writer
	dialect csvDialect
	rec     []string
}

// startCSV sends the headers (with the describedby link to the schema)
// and the header row.
func startCSV(w http.ResponseWriter, name, schemaURL string, d csvDialect, fields []tableField) *csvOut {
	w.Header().Set("Content-Type", "text/csv; charset=utf-8; header=present")
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`.csv"`)
	if schemaURL != "" {
		w.Header().Add("Link", "<"+schemaURL+`>; rel="describedby"; type="application/schema+json"`)
	}
	bw := bufio.NewWriterSize(w, 32<<10)
	if d.BOM {
		_, _ = bw.WriteString("\uFEFF")
	}
	cw := csv.NewWriter(bw)
	cw.Comma = rune(d.Delimiter[0])
	out := &csvOut{w: cw, dialect: d}
	header := make([]string, len(fields))
	for i, f := range fields {
		header[i] = f.Name
	}
	_ = cw.Write(header)
	return out
}

// row writes one record of already formatted values; numbers are given in
// the standard notation and converted to the dialect's here.
func (c *csvOut) row(fields []tableField, vals []string) error {
	if c.dialect.DecimalChar != "." {
		for i, f := range fields {
			if f.Type == "number" {
				vals[i] = strings.Replace(vals[i], ".", c.dialect.DecimalChar, 1)
			}
		}
	}
	return c.w.Write(vals)
}

// structRow writes v (a struct of the columns' type) as one record.
func (c *csvOut) structRow(cols []column, v reflect.Value) error {
	if cap(c.rec) < len(cols) {
		c.rec = make([]string, len(cols))
	}
	rec := c.rec[:len(cols)]
	for i, col := range cols {
		rec[i] = cell(col.field, v.FieldByIndex(col.index))
	}
	if c.dialect.DecimalChar != "." {
		for i, col := range cols {
			if col.field.Type == "number" {
				rec[i] = strings.Replace(rec[i], ".", c.dialect.DecimalChar, 1)
			}
		}
	}
	return c.w.Write(rec)
}

func (c *csvOut) flush() error {
	c.w.Flush()
	return c.w.Error()
}

// cell formats one value in the standard notation: empty for null.
func cell(f tableField, v reflect.Value) string {
	if v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return ""
		}
		v = v.Elem()
	}
	switch v.Kind() {
	case reflect.String:
		return v.String()
	case reflect.Bool:
		return strconv.FormatBool(v.Bool())
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return strconv.FormatInt(v.Int(), 10)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return strconv.FormatUint(v.Uint(), 10)
	case reflect.Float32, reflect.Float64:
		return strconv.FormatFloat(v.Float(), 'f', -1, 64)
	case reflect.Slice:
		parts := make([]string, v.Len())
		for i := range parts {
			parts[i] = cell(tableField{}, v.Index(i))
		}
		return strings.Join(parts, " ")
	case reflect.Struct:
		if t, ok := v.Interface().(time.Time); ok {
			if f.Type == "date" {
				return t.Format(time.DateOnly)
			}
			return t.Format(time.RFC3339)
		}
	}
	return ""
}
