package decp

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ClickHouse/clickhouse-go/v2"

	"github.com/vigie-data/vigie/internal/source/decp/decpgen"
	"github.com/vigie-data/vigie/internal/source/decp/decpparse"
	"github.com/vigie-data/vigie/internal/store"
	"github.com/vigie-data/vigie/internal/store/storetest"
)

func i64p(v int64) *int64   { return &v }
func fp(v float64) *float64 { return &v }
func rowsOf(rs []decpgen.TableRow) func(func(decpgen.TableRow) bool) {
	return func(yield func(decpgen.TableRow) bool) {
		for _, r := range rs {
			if !yield(r) {
				return
			}
		}
	}
}

// Contract A: buyer 02130001600017 (read as 2130001600017), two holders,
// modified once (amount 100000 → 120000, a third holder). Contract B: one
// holder, lieu d'exécution "Code département" 1 (→ 01).
func tableFixture() []decpgen.TableRow {
	buyer := i64p(2130001600017)
	a := func(mod int64, cur bool, holder int64, name string, amount float64, pub string) decpgen.TableRow {
		return decpgen.TableRow{UID: "02130001600017A-2024-1", ID: "A-2024-1", Nature: "Marché", AcheteurID: buyer,
			AcheteurNom: "Ville de test", TitulaireID: i64p(holder), TitulaireTypeIdentifiant: "SIRET", TitulaireNom: name,
			Objet: "Insertion par l'activité économique : entretien des espaces verts", Montant: fp(amount), CodeCPV: "77310000",
			Procedure: "Procédure adaptée", DureeMois: i64p(12), DateNotification: decpgen.Day("2024-03-01"),
			DatePublicationDonnees: decpgen.Day(pub), FormePrix: "Forfaitaire",
			ConsiderationsSociales: "Clause sociale, Marché réservé", ConsiderationsEnvironnementales: "Pas de considération environnementale",
			LieuExecutionCode: i64p(6000), LieuExecutionTypeCode: "Code postal", ModificationID: mod, DonneesActuelles: cur,
			SourceDataset: "aws_marches", SourceFile: "https://example.org/aws/decp.json"}
	}
	b := decpgen.TableRow{UID: "21010053400014B7", ID: "B7", Nature: "Marché", AcheteurID: i64p(21010053400014),
		TitulaireID: i64p(44090956244090), TitulaireTypeIdentifiant: "SIRET", Objet: "Fournitures de bureau",
		Montant: fp(45000), CodeCPV: "30192000", Procedure: "Appel d'offres ouvert", DureeMois: i64p(24),
		DateNotification: decpgen.Day("2024-05-02"), DatePublicationDonnees: decpgen.Day("2024-05-10"),
		LieuExecutionCode: i64p(1), LieuExecutionTypeCode: "Code département", DonneesActuelles: true,
		SourceDataset: "marches_securises", SourceFile: "https://example.org/ms.xml"}
	return []decpgen.TableRow{
		a(0, false, 5180184400024, "Jardins solidaires", 100000, "2024-03-05"),
		a(0, false, 44090956244090, "Paysages SA", 100000, "2024-03-05"),
		a(1, true, 5180184400024, "Jardins solidaires", 120000, "2024-06-01"),
		a(1, true, 44090956244090, "Paysages SA", 120000, "2024-06-01"),
		a(1, true, 33333333300021, "Tiers SARL", 120000, "2024-06-01"),
		b,
	}
}

func writeTable(t *testing.T, name string, rows []decpgen.TableRow) string {
	t.Helper()
	var buf bytes.Buffer
	var err error
	if strings.HasSuffix(name, ".parquet") {
		err = decpgen.WriteParquet(&buf, rowsOf(rows))
	} else {
		err = decpgen.WriteCSV(&buf, rowsOf(rows))
	}
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestTabularLayout(t *testing.T) {
	for _, name := range []string{"decp.parquet", "decp.csv"} {
		t.Run(name, func(t *testing.T) {
			st := storetest.New(t)
			path := writeTable(t, name, tableFixture())
			first := ingestFile(t, st, path, Options{Source: "decp-national"})
			wantSummary(t, "first", first, 2, 2, 2, 0, 0, 0)
			s1 := stats(t, st)
			if s1.Current != 2 || s1.Holders != 4 || s1.Modifications != 1 || s1.Sources != 2 {
				t.Errorf("stats %+v, want 2 contracts, 4 current holders (3+1), 1 modification, 2 sources", s1)
			}
			a := current(t, st, "02130001600017", "A-2024-1")
			if a.BuyerSiren != "021300016" || f64(a.Amount) != 120000 || f64(a.InitialAmount) != 100000 ||
				a.Departement != "06" || a.Region != "Provence-Alpes-Côte d'Azur" {
				t.Errorf("contract A: %+v", a)
			}
			if !has(a.QualityFlags, decpparse.FlagZerosRestored) {
				t.Errorf("contract A flags %v: want %s", a.QualityFlags, decpparse.FlagZerosRestored)
			}
			if a.DeclaredSocialClause == nil || *a.DeclaredSocialClause != 1 || a.DeclaredReserved == nil || *a.DeclaredReserved != 1 ||
				a.DeclaredEnvClause == nil || *a.DeclaredEnvClause != 0 {
				t.Errorf("contract A considerations: social %s reserved %s env %s", flag8(a.DeclaredSocialClause),
					flag8(a.DeclaredReserved), flag8(a.DeclaredEnvClause))
			}
			place, pos := placeAndPosition(t, st, "A-2024-1")
			if a.Source != "decp-national" || place != "06000" || pos != "rows 1-5; sourceDataset aws_marches; sourceFile https://example.org/aws/decp.json" {
				t.Errorf("contract A: source %q place %q position %q", a.Source, place, pos)
			}
			b := current(t, st, "21010053400014", "B7")
			if place, _ := placeAndPosition(t, st, "B7"); place != "01" || b.Departement != "01" || b.Region != "Auvergne-Rhône-Alpes" ||
				!has(b.QualityFlags, decpparse.FlagZerosRestored) {
				t.Errorf("contract B: place %q dep %q flags %v", place, b.Departement, b.QualityFlags)
			}
			again := ingestFile(t, st, path, Options{Source: "decp-national"})
			wantSummary(t, "again", again, 2, 2, 0, 0, 2, 0)
			if s2 := stats(t, st); s2.Rows != s1.Rows || s2.Sources != s1.Sources || s2.Holders != s1.Holders {
				t.Errorf("re-ingesting changed the tables: %+v then %+v", s1, s2)
			}
		})
	}
}

// Contract A reaches vigie through the ministry's JSON and through
// decp-processing's table: one contract, two sources.
func TestTabularAndJSONChannels(t *testing.T) {
	st := storetest.New(t)
	js := `{"marches":{"marche":[{"id":"A-2024-1","acheteur":{"id":"02130001600017"},"nature":"Marché",
"objet":"Insertion par l'activité économique : entretien des espaces verts","codeCPV":"77310000","procedure":"Procédure adaptée",
"lieuExecution":{"code":"06000","typeCode":"Code postal"},"dureeMois":12,"dateNotification":"2024-03-01",
"datePublicationDonnees":"2024-03-05","montant":100000,"formePrix":"Forfaitaire",
"considerationsSociales":{"considerationSociale":["Clause sociale","Marché réservé"]},
"considerationsEnvironnementales":{"considerationEnvironnementale":["Pas de considération environnementale"]},
"titulaires":[{"titulaire":{"typeIdentifiant":"SIRET","id":"05180184400024"}},{"titulaire":{"typeIdentifiant":"SIRET","id":"44090956244090"}}]}]}}`
	jsonPath := filepath.Join(t.TempDir(), "decp-2024.json")
	if err := os.WriteFile(jsonPath, []byte(js), 0o644); err != nil {
		t.Fatal(err)
	}
	ingestFile(t, st, jsonPath, Options{Source: "decp"})
	sum := ingestFile(t, st, writeTable(t, "decp.parquet", tableFixture()), Options{Source: "decp-national"})
	if sum.New != 1 { // B only; A is known
		t.Errorf("tabular channel: %+v, want 1 new contract (B)", sum)
	}
	s := stats(t, st)
	if s.Current != 2 || s.Sources != 3 {
		t.Errorf("stats %+v: want 2 contracts, 3 provenance rows (A twice, B once)", s)
	}
	if a := current(t, st, "02130001600017", "A-2024-1"); f64(a.Amount) != 120000 {
		t.Errorf("A's current amount %v: the table's modification (published later) should win", f64(a.Amount))
	}
}

// Rows of a uid met again after another contract are quarantined, not
// stored as a second, partial version.
func TestTabularRowsNotAdjacent(t *testing.T) {
	st := storetest.New(t)
	rows := tableFixture()
	rows = append([]decpgen.TableRow{rows[0]}, append(rows[5:6], rows[1:5]...)...) // A, B, A…
	sum := ingestFile(t, st, writeTable(t, "decp.csv", rows), Options{Source: "decp-national"})
	if sum.Quarantined != 1 || sum.Contracts != 2 {
		t.Errorf("summary %+v: want 2 contracts, 1 quarantined group", sum)
	}
	q, err := st.QuarantineCount(context.Background(), QuarantineSource)
	if err != nil || q != 1 {
		t.Errorf("quarantine rows = %d (%v), want 1", q, err)
	}
}

// placeAndPosition reads what CurrentContract does not: the stored place
// code and the provenance position of a contract.
func placeAndPosition(t *testing.T, st *store.Store, id string) (place, pos string) {
	t.Helper()
	opts, err := clickhouse.ParseDSN(storetest.Server(t) + "/" + st.Database())
	if err != nil {
		t.Fatal(err)
	}
	conn, err := clickhouse.Open(opts)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	row := conn.QueryRow(context.Background(), "SELECT place_code, position FROM contracts FINAL WHERE contract_id = ? LIMIT 1", id)
	if err := row.Scan(&place, &pos); err != nil {
		t.Fatalf("contract %s: %v", id, err)
	}
	return place, pos
}
