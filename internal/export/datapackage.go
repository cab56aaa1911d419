package export

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
)

// Field is a Table Schema field.
type Field struct {
	Name          string `json:"name"`
	Type          string `json:"type"`
	Format        string `json:"format,omitempty"`
	Description   string `json:"description"`
	DescriptionEN string `json:"description_en"`
}

// Resource is one exported file in a data package.
type Resource struct {
	Name      string `json:"name"`
	Path      string `json:"path"`
	Format    string `json:"format"`
	MediaType string `json:"mediatype"`
	Encoding  string `json:"encoding,omitempty"`
	Schema    struct {
		Fields     []Field  `json:"fields"`
		PrimaryKey []string `json:"primaryKey,omitempty"`
	} `json:"schema"`
}

// Package is a Frictionless data package.
type Package struct {
	Profile   string     `json:"profile"`
	Name      string     `json:"name"`
	Title     string     `json:"title"`
	Licenses  []any      `json:"licenses"`
	Resources []Resource `json:"resources"`
}

var primaryKeys = map[string][]string{
	"contracts": {"buyer_siret", "contract_id"},
	"notices":   {"notice_id"},
	"lots":      {"notice_id", "lot_number"},
	"suppliers": {"siren", "source"},
}

// ResourceOf describes an export of table in format at path (relative to
// the package).
func ResourceOf(table, format, path string) (Resource, error) {
	t, ok := rowTypes[table]
	if !ok {
		return Resource{}, fmt.Errorf("export: unknown table %q", table)
	}
	// Resource names are unique in a package: the file's base name.
	name := strings.Map(func(c rune) rune {
		if c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.' {
			return c
		}
		return '-'
	}, strings.ToLower(strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))))
	r := Resource{Name: name, Path: path, Format: format}
	switch format {
	case "csv":
		r.MediaType, r.Encoding = "text/csv", "utf-8"
	case "parquet":
		r.MediaType = "application/vnd.apache.parquet"
	default:
		return Resource{}, fmt.Errorf("export: unknown format %q", format)
	}
	for _, c := range columns(t) {
		f := Field{Name: c.Name, Type: c.Type, Description: c.FR, DescriptionEN: c.EN}
		if c.Type == "array" {
			f.Description += " (liste, en JSON dans le CSV)"
			f.DescriptionEN += " (list, as JSON in CSV)"
		}
		r.Schema.Fields = append(r.Schema.Fields, f)
	}
	r.Schema.PrimaryKey = primaryKeys[table]
	return r, nil
}

// WritePackage adds (or replaces) the resource of the export at file in
// the datapackage.json beside it, so that several exports into one folder
// share one descriptor.
func WritePackage(file, table, format string) (string, error) {
	dir := filepath.Dir(file)
	desc := filepath.Join(dir, "datapackage.json")
	pkg := Package{Profile: "data-package", Name: "vigie-export", Title: "vigie — commande publique responsable, export",
		Licenses: []any{map[string]string{"name": "etalab-2.0", "title": "Licence Ouverte / Open Licence 2.0"}}}
	if b, err := os.ReadFile(desc); err == nil {
		if err := json.Unmarshal(b, &pkg); err != nil {
			return "", fmt.Errorf("%s exists and is not a data package: %w", desc, err)
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		return "", err
	}
	res, err := ResourceOf(table, format, filepath.Base(file))
	if err != nil {
		return "", err
	}
	kept := pkg.Resources[:0]
	for _, r := range pkg.Resources {
		if r.Path != res.Path {
			kept = append(kept, r)
		}
	}
	pkg.Resources = append(kept, res)
	b, err := json.MarshalIndent(pkg, "", "  ")
	if err != nil {
		return "", err
	}
	return desc, os.WriteFile(desc, append(b, '\n'), 0o644)
}

// RowType is the Go type of a table's exported rows (for documents that
// describe them).
func RowType(table string) (reflect.Type, bool) {
	t, ok := rowTypes[table]
	return t, ok
}
