package decp

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vigie-data/vigie/internal/source/decp/decpgen"
	"github.com/vigie-data/vigie/internal/store/storetest"
)

// A file cut between records, or missing only its end, keeps every
// complete record and quarantines its cut tail; the run succeeds.
func TestCutBetweenRecords(t *testing.T) {
	var gen bytes.Buffer
	if err := decpgen.GenerateFormat(&gen, 17, 3, decpgen.Format2022); err != nil {
		t.Fatal(err)
	}
	whole := strings.TrimRight(gen.String(), "\n ")
	cutJSON := whole[:strings.LastIndex(whole, "}")+1]  // the last record's end, without the envelope's
	cutJSON = cutJSON[:strings.LastIndex(cutJSON, "]")] // then without the list's end
	cutJSON = strings.TrimRight(cutJSON, "\n ]}")       // and whatever closes after the 17th record
	xmlDoc, err := os.ReadFile(fixture("variants-2022.xml"))
	if err != nil {
		t.Fatal(err)
	}
	cutXML := strings.TrimSuffix(strings.TrimSpace(string(xmlDoc)), "</marches>")
	for _, c := range []struct {
		name, doc string
		read      int64
	}{
		{"gen.json", cutJSON, 18},
		{"variants.xml", cutXML, 3},
	} {
		st := storetest.New(t)
		sum, err := Ingest(context.Background(), st, strings.NewReader(c.doc), c.name, Options{})
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if sum.RecordsRead != c.read || sum.Quarantined != 1 {
			t.Errorf("%s: %+v, want %d records read, the cut tail quarantined", c.name, sum, c.read)
		}
		if s := stats(t, st); int64(s.Current)+sum.Duplicates != c.read-1 {
			t.Errorf("%s: %d contracts stored (%d duplicates), want every one of the %d complete records", c.name, s.Current, sum.Duplicates, c.read-1)
		}
	}
}

// One bad byte in a DECP XML record neither drops the rest of the file
// nor the record: the others are read, it is flagged mojibake.
func TestBadByteInXML(t *testing.T) {
	doc, err := os.ReadFile(fixture("variants-2022.xml"))
	if err != nil {
		t.Fatal(err)
	}
	bad := bytes.Replace(doc, []byte("Fourniture de repas"), []byte("Fourniture de\xff repas"), 1)
	path := filepath.Join(t.TempDir(), "bad.xml")
	os.WriteFile(path, bad, 0o644)
	st := storetest.New(t)
	sum := ingestFile(t, st, path, Options{})
	wantSummary(t, "bad byte", sum, 2, 2, 2, 0, 0, 0)
	if c := current(t, st, "21750001630066", "X-1"); !has(c.QualityFlags, "mojibake") {
		t.Errorf("X-1: flags %v", c.QualityFlags)
	}
}
