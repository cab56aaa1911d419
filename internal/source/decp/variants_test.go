package decp

import (
	"archive/zip"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vigie-data/vigie/internal/source/decp/decpparse"
	"github.com/vigie-data/vigie/internal/store/storetest"
)

func TestVariants2019(t *testing.T) {
	st := storetest.New(t)
	sum := ingestFile(t, st, fixture("variants-2019.json"), Options{})
	// 9 records: a broken object, one without id, a buyer given as a number
	// and one as an object are quarantined; 2019-001 comes twice.
	wantSummary(t, "variants-2019", sum, 9, 4, 4, 0, 1, 4)

	c := current(t, st, "21350238800019", "2019-001")
	if c.Object != "Entretien des jardins municipaux" {
		t.Errorf("the latest publication should win, got object %q", c.Object)
	}
	if f64(c.Amount) != 150000 || f64(c.InitialAmount) != 127000 {
		t.Errorf("amount %v initial %v, want modifications applied in signature order: 150000, 127000", f64(c.Amount), f64(c.InitialAmount))
	}
	if c.Procedure != decpparse.ProcSansPublicite || c.Departement != "35" || c.Region != "Bretagne" || c.PartitionYear != 2018 ||
		c.SchemaVersion != decpparse.Schema2019 || c.BuyerSiren != "213502388" || c.UID != "213502388000192019-001" {
		t.Errorf("2019-001: %+v", c)
	}
	if c.DeclaredSocialClause != nil || c.DeclaredEnvCriterion != nil {
		t.Error("a 2019 record has no considerations: they must be NULL")
	}
	if len(c.QualityFlags) != 0 {
		t.Errorf("clean record flagged %v", c.QualityFlags)
	}

	c = current(t, st, "21350238800019", "2019-002")
	for _, f := range []string{decpparse.FlagCPVPadded, decpparse.FlagMojibake, decpparse.FlagDateBefore2000, decpparse.FlagAmountMissing, decpparse.FlagHolderSiret} {
		if !has(c.QualityFlags, f) {
			t.Errorf("2019-002 lacks flag %s: %v", f, c.QualityFlags)
		}
	}
	if c.CPV != "09310000" || c.CPVDivision != "09" || c.Departement != "2A" || c.Region != "Corse" ||
		c.Amount != nil || c.DurationMonths != nil || c.Procedure != decpparse.ProcNegociee {
		t.Errorf("2019-002: %+v", c)
	}

	c = current(t, st, "21350238800019", "2019-004")
	for _, f := range []string{decpparse.FlagCPVInvalid, decpparse.FlagProcedureOther, decpparse.FlagDateFuture, decpparse.FlagAmountPlacehold} {
		if !has(c.QualityFlags, f) {
			t.Errorf("2019-004 lacks flag %s: %v", f, c.QualityFlags)
		}
	}
	if c.Departement != "971" || c.Region != "Guadeloupe" || c.Procedure != "Procédure inventée" {
		t.Errorf("2019-004: %+v", c)
	}

	c = current(t, st, "21350238800019", "CC-01")
	if c.Kind != decpparse.KindConcession || f64(c.Amount) != 27860000 || f64(c.DurationMonths) != 410 || c.PartitionYear != 2001 {
		t.Errorf("CC-01: kind %s amount %v duration %v year %d", c.Kind, f64(c.Amount), f64(c.DurationMonths), c.PartitionYear)
	}
	q, _ := st.QuarantineCount(context.Background(), QuarantineSource)
	if q != 4 {
		t.Errorf("quarantine rows %d, want 4", q)
	}
}

func TestVariants2022(t *testing.T) {
	st := storetest.New(t)
	sum := ingestFile(t, st, fixture("variants-2022.json"), Options{})
	wantSummary(t, "variants-2022", sum, 4, 4, 4, 0, 0, 0)

	c := current(t, st, "21750001630066", "2024-A")
	if flag8(c.DeclaredSocialClause)+flag8(c.DeclaredSocialCriterion)+flag8(c.DeclaredReserved) != "101" ||
		flag8(c.DeclaredEnvClause)+flag8(c.DeclaredEnvCriterion) != "00" {
		t.Errorf("2024-A considerations: social %s%s%s env %s%s", flag8(c.DeclaredSocialClause), flag8(c.DeclaredSocialCriterion),
			flag8(c.DeclaredReserved), flag8(c.DeclaredEnvClause), flag8(c.DeclaredEnvCriterion))
	}
	if f64(c.Amount) != 120000 || f64(c.DurationMonths) != 18 || c.Procedure != decpparse.ProcNegociee || c.Departement != "75" ||
		c.SchemaVersion != decpparse.Schema2022 || !has(c.Techniques, "Accord-cadre") {
		t.Errorf("2024-A: %+v", c)
	}

	c = current(t, st, "21750001630066", "2024-B")
	if c.DeclaredSocialClause != nil || c.DeclaredEnvClause != nil {
		t.Errorf("[] and \"NC\" are not given: social %s env %s", flag8(c.DeclaredSocialClause), flag8(c.DeclaredEnvClause))
	}
	if c.Departement != "2B" || !has(c.QualityFlags, decpparse.FlagAmountZero) || f64(c.Amount) != 0 {
		t.Errorf("2024-B: %+v", c)
	}

	c = current(t, st, "21750001630066", "2024-C")
	if flag8(c.DeclaredSocialClause)+flag8(c.DeclaredSocialCriterion)+flag8(c.DeclaredReserved) != "010" ||
		flag8(c.DeclaredEnvClause)+flag8(c.DeclaredEnvCriterion) != "11" || c.Region != "Auvergne-Rhône-Alpes" || c.Departement != "" {
		t.Errorf("2024-C: %+v", c)
	}

	c = current(t, st, "21750001630066", "CC-2024")
	if c.Kind != decpparse.KindConcession || f64(c.Amount) != 1200000 ||
		flag8(c.DeclaredSocialClause)+flag8(c.DeclaredSocialCriterion)+flag8(c.DeclaredReserved) != "000" ||
		flag8(c.DeclaredEnvClause)+flag8(c.DeclaredEnvCriterion) != "01" {
		t.Errorf("CC-2024: %+v", c)
	}
	if s := stats(t, st); s.Holders != 3 || s.Modifications != 2 {
		t.Errorf("holders %d (want 3: current holders only) modifications %d (want 2)", s.Holders, s.Modifications)
	}
}

func TestXML2022(t *testing.T) {
	st := storetest.New(t)
	sum := ingestFile(t, st, fixture("variants-2022.xml"), Options{})
	wantSummary(t, "variants-2022.xml", sum, 2, 2, 2, 0, 0, 0)
	c := current(t, st, "21750001630066", "X-1")
	if c.Departement != "974" || c.Region != "La Réunion" || f64(c.Amount) != 600000 || c.SchemaVersion != decpparse.Schema2022 ||
		flag8(c.DeclaredSocialClause) != "0" || flag8(c.DeclaredEnvClause)+flag8(c.DeclaredEnvCriterion) != "11" {
		t.Errorf("X-1: %+v", c)
	}
	c = current(t, st, "21750001630066", "X-CC")
	if c.Kind != decpparse.KindConcession || f64(c.Amount) != 10.3 {
		t.Errorf("X-CC: %+v", c)
	}
}

// A file cut in the middle of a record: the complete records are stored,
// the cut one is quarantined, and the run completes.
func TestTruncated(t *testing.T) {
	st := storetest.New(t)
	sum := ingestFile(t, st, fixture("truncated.json"), Options{})
	wantSummary(t, "truncated", sum, 2, 1, 1, 0, 0, 1)
}

func TestNotDECP(t *testing.T) {
	st := storetest.New(t)
	for _, f := range []string{"not-decp.csv", "not-decp.json"} {
		_, err := IngestFile(context.Background(), st, fixture(f), Options{})
		if err == nil || !errors.Is(err, decpparse.ErrNotDECP) || !strings.Contains(err.Error(), "not a DECP document") {
			t.Errorf("%s: error %v, want a clear not-DECP error", f, err)
		}
	}
}

// The same document as gzip and inside a zip, detected from the content
// whatever the file is called, gives the same contracts.
func TestCompressed(t *testing.T) {
	plain, err := os.ReadFile(fixture("variants-2022.json"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(plain)
	zw.Close()
	gzPath := filepath.Join(dir, "decp.data")
	os.WriteFile(gzPath, gz.Bytes(), 0o644)

	var zb bytes.Buffer
	za := zip.NewWriter(&zb)
	w, _ := za.Create("decp-2022.json")
	w.Write(plain)
	w2, _ := za.Create("more/decp-2019.json")
	v19, _ := os.ReadFile(fixture("variants-2019.json"))
	w2.Write(v19)
	za.Close()
	zipPath := filepath.Join(dir, "archive.bin")
	os.WriteFile(zipPath, zb.Bytes(), 0o644)

	st := storetest.New(t)
	sum := ingestFile(t, st, gzPath, Options{})
	wantSummary(t, "gzip", sum, 4, 4, 4, 0, 0, 0)
	sum = ingestFile(t, st, zipPath, Options{})
	wantSummary(t, "zip", sum, 13, 8, 4, 0, 5, 4)

	// Through a reader (as for a URL): the zip is spooled to a temporary file.
	st2 := storetest.New(t)
	sum, err = Ingest(context.Background(), st2, bytes.NewReader(zb.Bytes()), "http://example.test/decp.zip", Options{})
	if err != nil {
		t.Fatal(err)
	}
	wantSummary(t, "zip stream", sum, 13, 8, 8, 0, 1, 4)
	if sum.Source != "example.test" {
		t.Errorf("source %q, want the URL's host", sum.Source)
	}
}
