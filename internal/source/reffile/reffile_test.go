package reffile_test

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"

	"github.com/vigie-data/vigie/internal/fetch"
	"github.com/vigie-data/vigie/internal/samples"
	"github.com/vigie-data/vigie/internal/source"
	"github.com/vigie-data/vigie/internal/source/annuaire"
	"github.com/vigie-data/vigie/internal/source/finess"
	"github.com/vigie-data/vigie/internal/source/inclusion"
	"github.com/vigie-data/vigie/internal/source/sirene"
	"github.com/vigie-data/vigie/internal/store"
	"github.com/vigie-data/vigie/internal/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

func fixture(t *testing.T, name string) string {
	return filepath.Join(samples.RepoRoot(t), "testdata", "suppliers", name)
}

// facts lists a SIREN's stored facts as "class=yes/no kind source known_on".
func facts(t *testing.T, st *store.Store, siren string) []string {
	t.Helper()
	fs, err := st.SupplierFacts(context.Background(), siren)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, f := range fs {
		v := "no"
		if f.Yes {
			v = "yes"
		}
		s := fmt.Sprintf("%s=%s %s %s %s", f.Class, v, f.Kind, f.Source, f.KnownOn.Format("2006-01-02"))
		if f.Class == "unit" {
			a := "?"
			if f.Active != nil {
				a = fmt.Sprint(*f.Active)
			}
			s += fmt.Sprintf(" name=%q active=%s cat=%s", f.Name, a, f.LegalCategory)
		}
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}

func run(st *store.Store, files ...string) *source.Run {
	return &source.Run{ID: "test", Store: st, Files: files, Fetch: fetch.New(100, 10), Checkpoint: source.NewCheckpoint(nil, "test", "test", "")}
}

func TestSupplierSourcesFromFiles(t *testing.T) {
	ctx := context.Background()
	st := storetest.New(t)

	sum, err := sirene.Source.Run(ctx, run(st, fixture(t, "sirene-stock.csv")))
	if err != nil {
		t.Fatal(err)
	}
	if sum.RecordsRead != 7 || sum.Quarantined != 1 {
		t.Errorf("sirene: %+v, want 7 rows read and 1 quarantined", sum)
	}
	want := map[string][]string{
		// Real rows: ESS "N", no société à mission flag.
		"016750697": {`ess=no  sirene 2025-12-06`, `unit=yes  sirene 2025-12-06 name="ETS J VIRLY S A" active=true cat=5710`},
		"900000019": {`ess=yes  sirene 2024-05-02`, `unit=yes  sirene 2024-05-02 name="ASSOCIATION LES JARDINS DU LIEN" active=true cat=9220`},
		"900000027": {`ess=no  sirene 2023-11-20`, `societe_mission=yes  sirene 2023-11-20`, `unit=yes  sirene 2023-11-20 name="ATELIERS DU RHONE SAS" active=true cat=5710`},
		"900000035": {`unit=yes  sirene 2019-01-15 name="SCOP BATIMENT CESSEE" active=false cat=5458`},
		"900000043": {`unit=yes  sirene 2025-03-01 name="" active=true cat=1000`},
	}
	for siren, w := range want {
		if got := facts(t, st, siren); strings.Join(got, "\n") != strings.Join(w, "\n") {
			t.Errorf("sirene %s:\n got %q\nwant %q", siren, got, w)
		}
	}

	if _, err := finess.Source.Run(ctx, run(st, fixture(t, "finess-extract.csv"))); err != nil {
		t.Fatal(err)
	}
	if got := facts(t, st, "900000050"); len(got) != 1 || got[0] != "esat=yes esat finess 2026-11-15" {
		t.Errorf("finess ESAT: %q", got)
	}
	if got := facts(t, st, "900000068"); len(got) != 1 || got[0] != "ea=yes ea finess 2026-11-15" {
		t.Errorf("finess EA: %q", got)
	}
	if got := facts(t, st, "900000076"); len(got) != 0 {
		t.Errorf("an EHPAD is no supplier class: %q", got)
	}

	sum, err = inclusion.Source.Run(ctx, run(st, fixture(t, "inclusion-structures.csv")))
	if err != nil {
		t.Fatal(err)
	}
	if sum.Quarantined != 1 || sum.New != 3 {
		t.Errorf("inclusion: %+v, want 3 facts and 1 quarantined", sum)
	}
	if got := facts(t, st, "900000084"); strings.Join(got, "|") != "siae=yes aci inclusion 2025-06-30|siae=yes ei inclusion 2025-06-30" {
		t.Errorf("inclusion ACI+EI: %q", got)
	}
	if got := facts(t, st, "900000092"); strings.Join(got, "|") != "esat=yes esat inclusion 2025-02-01" {
		t.Errorf("inclusion ESAT: %q", got)
	}

	// Re-reading a file replaces its rows: nothing doubles.
	before := facts(t, st, "900000027")
	if _, err := sirene.Source.Run(ctx, run(st, fixture(t, "sirene-stock.csv"))); err != nil {
		t.Fatal(err)
	}
	n, err := st.CountForTest(ctx, "supplier_facts FINAL")
	if err != nil {
		t.Fatal(err)
	}
	units, err := st.CountForTest(ctx, "suppliers FINAL")
	if err != nil {
		t.Fatal(err)
	}
	if after := facts(t, st, "900000027"); strings.Join(after, "|") != strings.Join(before, "|") || n != 5+2+3 || units != 6 {
		t.Errorf("re-run: %d facts (want 10), %d units (want 6), 900000027 %q", n, units, after)
	}
}

// A download cut in the middle is resumed with a Range request; one that
// never completes leaves what was stored before untouched.
func TestSupplierDownloadCutMidFile(t *testing.T) {
	ctx := context.Background()
	st := storetest.New(t)
	body, err := os.ReadFile(fixture(t, "sirene-stock.csv"))
	if err != nil {
		t.Fatal(err)
	}
	var requests, ranged atomic.Int32
	var alwaysCut atomic.Bool
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := requests.Add(1)
		w.Header().Set("ETag", `"v1"`)
		w.Header().Set("Accept-Ranges", "bytes")
		if rg := r.Header.Get("Range"); rg != "" && !alwaysCut.Load() {
			ranged.Add(1)
			var from int
			fmt.Sscanf(rg, "bytes=%d-", &from)
			w.Header().Set("Content-Range", fmt.Sprintf("bytes %d-%d/%d", from, len(body)-1, len(body)))
			w.Header().Set("Content-Length", fmt.Sprint(len(body)-from))
			w.WriteHeader(http.StatusPartialContent)
			w.Write(body[from:])
			return
		}
		if n == 1 || alwaysCut.Load() {
			// Half the file, then the connection drops.
			w.Header().Set("Content-Length", fmt.Sprint(len(body)))
			w.WriteHeader(http.StatusOK)
			w.Write(body[:len(body)/2])
			w.(http.Flusher).Flush()
			conn, _, _ := w.(http.Hijacker).Hijack()
			conn.(*net.TCPConn).SetLinger(0)
			conn.Close()
			return
		}
		w.Write(body)
	}))
	defer srv.Close()
	t.Setenv("VIGIE_DATA", t.TempDir())
	c := fetch.New(100, 10)
	c.BaseBackoff = time.Millisecond
	c.MaxAttempts = 3
	r := &source.Run{ID: "dl", Store: st, URL: srv.URL + "/StockUniteLegale.csv", Fetch: c, Checkpoint: source.NewCheckpoint(nil, "dl", "dl", "")}
	sum, err := sirene.Source.Run(ctx, r)
	if err != nil {
		t.Fatal(err)
	}
	if ranged.Load() != 1 || sum.RecordsRead != 7 {
		t.Fatalf("resume: %d ranged requests, summary %+v", ranged.Load(), sum)
	}
	stored := facts(t, st, "900000027")
	if len(stored) != 3 {
		t.Fatalf("after a resumed download: %q", stored)
	}

	// Now the upstream cuts every attempt: the run fails, and the facts
	// stored before are all there.
	alwaysCut.Store(true)
	r2 := &source.Run{ID: "dl2", Store: st, URL: srv.URL + "/StockUniteLegale-new.csv", Fetch: c, Checkpoint: source.NewCheckpoint(nil, "dl2", "dl2", "")}
	if _, err := sirene.Source.Run(ctx, r2); err == nil {
		t.Fatal("a download that never completes must fail the run")
	}
	if got := facts(t, st, "900000027"); strings.Join(got, "|") != strings.Join(stored, "|") {
		t.Errorf("stored facts changed by a failed download: %q", got)
	}
	n, _ := st.CountForTest(ctx, "supplier_facts FINAL")
	if n != 5 {
		t.Errorf("%d facts after the failed download, want the 5 of the first", n)
	}
}

// annuaireRow is the Annuaire des Entreprises' unités légales layout (the
// columns vigie reads, typed as the published Table Schema says, and two it
// does not read).
type annuaireRow struct {
	Siren             string  `parquet:"siren"`
	SiretSiege        string  `parquet:"siret_siege"`
	EtatAdministratif string  `parquet:"etat_administratif"`
	NombreEtab        int64   `parquet:"nombre_etablissements"`
	NomComplet        string  `parquet:"nom_complet"`
	NatureJuridique   string  `parquet:"nature_juridique"`
	ColterCode        *string `parquet:"colter_code,optional"`
	DateMajInsee      *int32  `parquet:"date_mise_a_jour_insee,optional,date"`
	DateMajRNE        *int32  `parquet:"date_mise_a_jour_rne,optional,date"`
	EstESS            *bool   `parquet:"est_ess,optional"`
	EstSocieteMission *string `parquet:"est_societe_mission,optional"`
	EstSIAE           *bool   `parquet:"est_siae,optional"`
	TypeSIAE          *string `parquet:"type_siae,optional"`
}

func TestAnnuaireParquet(t *testing.T) {
	ctx := context.Background()
	st := storetest.New(t)
	day := func(s string) *int32 {
		d, _ := time.Parse("2006-01-02", s)
		v := int32(d.Unix() / 86400)
		return &v
	}
	yes, no := true, false
	str := func(s string) *string { return &s }
	// Hand-written rows (no public row with these flags exists): an SIAE
	// (ACI), an EA listed by Le marché de l'inclusion, an ESS société à
	// mission, a unit with no flag at all.
	rows := []annuaireRow{
		{Siren: "900000019", SiretSiege: "90000001900012", EtatAdministratif: "A", NomComplet: "REGIE DE QUARTIER", NatureJuridique: "9220",
			DateMajInsee: day("2025-01-10"), DateMajRNE: day("2025-03-02"), EstESS: &yes, EstSIAE: &yes, TypeSIAE: str("ACI")},
		{Siren: "900000027", SiretSiege: "90000002700015", EtatAdministratif: "A", NomComplet: "ATELIERS ADAPTES", NatureJuridique: "5710",
			DateMajInsee: day("2024-06-01"), EstESS: &no, EstSIAE: &yes, TypeSIAE: str("EA"), EstSocieteMission: str("false")},
		{Siren: "900000035", SiretSiege: "90000003500018", EtatAdministratif: "C", NomComplet: "COOP MISSION", NatureJuridique: "5458",
			EstESS: &yes, EstSocieteMission: str("true"), EstSIAE: &no, ColterCode: str("69")},
		{Siren: "900000043", EtatAdministratif: "A", NomComplet: "SANS DRAPEAU", NatureJuridique: "1000", DateMajInsee: day("2023-02-03")},
	}
	p := filepath.Join(t.TempDir(), "unites_legales.parquet")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	w := parquet.NewGenericWriter[annuaireRow](f)
	if _, err := w.Write(rows); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	if _, err := annuaire.Source.Run(ctx, run(st, p)); err != nil {
		t.Fatal(err)
	}
	today := time.Now().UTC().Format("2006-01-02")
	want := map[string]string{
		"900000019": `ess=yes  annuaire 2025-03-02|siae=yes aci annuaire 2025-03-02|unit=yes  annuaire 2025-03-02 name="REGIE DE QUARTIER" active=true cat=9220`,
		"900000027": `ea=yes ea annuaire 2024-06-01|ess=no  annuaire 2024-06-01|societe_mission=no  annuaire 2024-06-01|unit=yes  annuaire 2024-06-01 name="ATELIERS ADAPTES" active=true cat=5710`,
		"900000035": `ess=yes  annuaire ` + today + `|siae=no  annuaire ` + today + `|societe_mission=yes  annuaire ` + today + `|unit=yes  annuaire ` + today + ` name="COOP MISSION" active=false cat=5458`,
		"900000043": `unit=yes  annuaire 2023-02-03 name="SANS DRAPEAU" active=true cat=1000`,
	}
	for siren, w := range want {
		if got := strings.Join(facts(t, st, siren), "|"); got != w {
			t.Errorf("annuaire %s:\n got %s\nwant %s", siren, got, w)
		}
	}
}
