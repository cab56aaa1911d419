package decpparse

import (
	"encoding/json"
	"strings"
	"testing"

	"golang.org/x/text/encoding/charmap"
)

// A DECP XML file declared in windows-1252 or ISO-8859-15 keeps its ’ œ €
// (read as Latin-1 they became C1 controls or other signs).
func TestScanXMLDeclaredCharset(t *testing.T) {
	const objet = "Entretien des espaces verts – clause d’insertion, cœur de ville, 1 500 €"
	for label, enc := range map[string]*charmap.Charmap{"windows-1252": charmap.Windows1252, "ISO-8859-15": charmap.ISO8859_15} {
		text := objet
		if label == "ISO-8859-15" {
			text = strings.NewReplacer("’", "'", "–", "-").Replace(objet) // not in ISO-8859-15
		}
		doc, err := enc.NewEncoder().String(`<?xml version="1.0" encoding="` + label + `"?><marches><marche><id>1</id><objet>` + text + `</objet></marche></marches>`)
		if err != nil {
			t.Fatal(err)
		}
		var got []Record
		if err := ScanXML(strings.NewReader(doc), func(r Record) error { got = append(got, r); return nil }); err != nil {
			t.Fatalf("%s: %v", label, err)
		}
		if len(got) != 1 || got[0].Err != nil {
			t.Fatalf("%s: records %+v", label, got)
		}
		var rec struct {
			Objet string `json:"objet"`
		}
		if err := json.Unmarshal(treeJSON(got[0].tree), &rec); err != nil || rec.Objet != text {
			t.Errorf("%s: objet %q (%v), want %q", label, rec.Objet, err, text)
		}
	}
}
