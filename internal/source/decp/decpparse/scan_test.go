package decpparse

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

// scanned is what a scan gives: each record's contract id, or "Q" for a
// quarantined one (with its reason).
func scanned(t *testing.T, scan func() error, recs *[]Record) (ids []string, reasons []string) {
	t.Helper()
	if err := scan(); err != nil {
		t.Fatalf("scan: %v", err)
	}
	for i := range *recs {
		p := (*Decoder)(nil).Parse(&(*recs)[i], time.Now())
		if p.Err != nil {
			ids = append(ids, "Q")
			reasons = append(reasons, p.Err.Error())
			continue
		}
		ids = append(ids, p.Contract.ID)
	}
	return ids, reasons
}

func scanXMLText(t *testing.T, doc string) ([]string, []string) {
	var recs []Record
	return scanned(t, func() error {
		return ScanXML(strings.NewReader(doc), func(r Record) error { recs = append(recs, r); return nil })
	}, &recs)
}

func scanJSONText(t *testing.T, doc string) ([]string, []string) {
	var recs []Record
	return scanned(t, func() error {
		return ScanJSON(strings.NewReader(doc), func(r Record) error { recs = append(recs, r); return nil })
	}, &recs)
}

func xmlRecord(id, objet string) string {
	return `<marche><id>` + id + `</id><acheteur><id>21750001630066</id></acheteur><objet>` + objet +
		`</objet><montant>1000</montant><dateNotification>2024-01-02</dateNotification></marche>`
}

func jsonRecord(id string) string {
	return `{"id":"` + id + `","acheteur":{"id":"21750001630066"},"objet":"Travaux","montant":1000}`
}

// One bad record of a DECP XML document costs only itself: the scanner
// re-synchronises on the next one. A bad byte is read as U+FFFD (the
// contract is flagged mojibake), an illegal control character removed.
func TestXMLResynchronises(t *testing.T) {
	doc := `<?xml version="1.0" encoding="UTF-8"?>` + "\n<marches>\n" + xmlRecord("A", "Travaux") +
		xmlRecord("B", "Entretien \xff des locaux") + xmlRecord("C", "a <<b> broken") +
		"<!-- a comment with </marche> in it -->" + xmlRecord("D", "<![CDATA[x </marche> y]]>") +
		xmlRecord("E", "Nettoyage\x01") + "\n</marches>\n"
	ids, reasons := scanXMLText(t, doc)
	if strings.Join(ids, ",") != "A,B,Q,D,E" {
		t.Fatalf("records %v (%v), want A,B,Q,D,E", ids, reasons)
	}
	var recs []Record
	ScanXML(strings.NewReader(doc), func(r Record) error { recs = append(recs, r); return nil })
	b := (*Decoder)(nil).Parse(&recs[1], time.Now()).Contract
	if !has(b.QualityFlags, FlagMojibake) || b.Object != "Entretien \uFFFD des locaux" {
		t.Errorf("B: %q %v", b.Object, b.QualityFlags)
	}
	e := (*Decoder)(nil).Parse(&recs[4], time.Now()).Contract
	if !has(e.QualityFlags, FlagControlChars) || e.Object != "Nettoyage" {
		t.Errorf("E: %q %v", e.Object, e.QualityFlags)
	}
	if recs[2].Offset <= recs[1].Offset || !strings.HasPrefix(doc[recs[2].Offset:], "<marche>") {
		t.Errorf("C's offset %d does not point at its start tag", recs[2].Offset)
	}
}

// A document cut between records keeps them all, its cut tail
// quarantined; cut inside a record, the earlier ones.
func TestCutDocuments(t *testing.T) {
	var x, j strings.Builder
	x.WriteString("<marches>")
	j.WriteString(`{"marches":{"marche":[`)
	for i := range 10 {
		x.WriteString(xmlRecord(fmt.Sprint(i), "Travaux"))
		if i > 0 {
			j.WriteString(",")
		}
		j.WriteString(jsonRecord(fmt.Sprint(i)))
	}
	want := "0,1,2,3,4,5,6,7,8,9,Q"
	for name, c := range map[string]struct {
		doc  string
		scan func(*testing.T, string) ([]string, []string)
		want string
	}{
		"XML without </marches>":   {x.String(), scanXMLText, want},
		"XML cut after a tag":      {x.String() + "\n<marche><id>10</id>", scanXMLText, want},
		"XML cut inside a tag":     {x.String() + "<marche><id>10</id><obj", scanXMLText, want},
		"JSON cut between records": {j.String(), scanJSONText, want},
		"JSON cut after a comma":   {j.String() + ",", scanJSONText, want},
		"JSON cut inside a record": {j.String() + `,{"id":"10","acheteur":{`, scanJSONText, want},
		"JSON without its last }":  {j.String() + `]`, scanJSONText, want},
		"JSON list cut":            {"[" + jsonRecord("0") + "," + jsonRecord("1"), scanJSONText, "0,1,Q"},
		"XML whole":                {x.String() + "</marches>", scanXMLText, want[:len(want)-2]},
		"JSON whole":               {j.String() + "]}}", scanJSONText, want[:len(want)-2]},
		"a single XML record, cut": {"<marche><id>1</id>", scanXMLText, "Q"},
	} {
		ids, reasons := c.scan(t, c.doc)
		if got := strings.Join(ids, ","); got != c.want {
			t.Errorf("%s: %s (%v), want %s", name, got, reasons, c.want)
		}
	}
}

// A record over the limits (size, nesting) is quarantined as it is
// found, without holding it, and the document goes on.
func TestRecordLimits(t *testing.T) {
	huge := strings.Repeat("x", 3*MaxRecordBytes)
	deepJSON := strings.Repeat(`{"a":`, 100000) + "1" + strings.Repeat("}", 100000)
	deepXML := strings.Repeat("<a>", 100000) + strings.Repeat("</a>", 100000)
	for name, c := range map[string]struct {
		doc  string
		scan func(*testing.T, string) ([]string, []string)
		why  error
	}{
		"JSON string":  {`[` + jsonRecord("A") + `,{"id":"B","objet":"` + huge + `"},` + jsonRecord("C") + `]`, scanJSONText, errTooBig},
		"JSON nesting": {`[` + jsonRecord("A") + `,{"id":"B","x":` + deepJSON + `},` + jsonRecord("C") + `]`, scanJSONText, errTooDeep},
		"XML text":     {"<marches>" + xmlRecord("A", "x") + xmlRecord("B", huge) + xmlRecord("C", "x") + "</marches>", scanXMLText, errTooBig},
		"XML nesting":  {"<marches>" + xmlRecord("A", "x") + xmlRecord("B", deepXML) + xmlRecord("C", "x") + "</marches>", scanXMLText, errTooDeep},
	} {
		start := time.Now()
		ids, reasons := c.scan(t, c.doc)
		if strings.Join(ids, ",") != "A,Q,C" || len(reasons) != 1 || reasons[0] != c.why.Error() {
			t.Errorf("%s: %v %v, want A,Q,C (%v)", name, ids, reasons, c.why)
		}
		t.Logf("%s: %v", name, time.Since(start))
	}
}

// A compressed document that expands beyond MaxExpansion is read no
// further: its records so far are kept, its tail quarantined.
func TestExpansionLimit(t *testing.T) {
	var gz bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&gz, gzip.BestCompression)
	fmt.Fprintf(zw, `{"marches":[%s,{"id":"B","objet":"`, jsonRecord("A"))
	zero := make([]byte, 1<<20)
	for range (ExpansionFloor >> 20) * 2 {
		zw.Write(zero)
	}
	zw.Close()
	var recs []Record
	err := OpenDocuments(bytes.NewReader(gz.Bytes()), "bomb.json.gz", func(d Document) error {
		return ScanJSON(d.R, func(r Record) error { recs = append(recs, r); return nil })
	})
	if err != nil || len(recs) != 2 || recs[0].Err != nil || !errors.Is(recs[1].Err, ErrExpansion) && !strings.Contains(fmt.Sprint(recs[1].Err), ErrExpansion.Error()) {
		t.Fatalf("%d bytes of gzip: %v, %d records (%v)", gz.Len(), err, len(recs), recs)
	}
}
