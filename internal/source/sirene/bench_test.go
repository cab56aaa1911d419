package sirene_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/parquet-go/parquet-go"

	"github.com/vigie-data/vigie/internal/fetch"
	"github.com/vigie-data/vigie/internal/source"
	"github.com/vigie-data/vigie/internal/source/sirene"
	"github.com/vigie-data/vigie/internal/store/storetest"
	"github.com/vigie-data/vigie/internal/supplier"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// stockRow is StockUniteLegale's 2026 layout (35 columns, all text, as
// INSEE publishes them).
type stockRow struct {
	Siren                    string `parquet:"siren,dict"`
	StatutDiffusion          string `parquet:"statutDiffusionUniteLegale,dict"`
	UnitePurgee              string `parquet:"unitePurgeeUniteLegale,dict"`
	DateCreation             string `parquet:"dateCreationUniteLegale,dict"`
	Sigle                    string `parquet:"sigleUniteLegale,dict"`
	Sexe                     string `parquet:"sexeUniteLegale,dict"`
	Prenom1                  string `parquet:"prenom1UniteLegale,dict"`
	Prenom2                  string `parquet:"prenom2UniteLegale,dict"`
	Prenom3                  string `parquet:"prenom3UniteLegale,dict"`
	Prenom4                  string `parquet:"prenom4UniteLegale,dict"`
	PrenomUsuel              string `parquet:"prenomUsuelUniteLegale,dict"`
	Pseudonyme               string `parquet:"pseudonymeUniteLegale,dict"`
	IdentifiantAssociation   string `parquet:"identifiantAssociationUniteLegale,dict"`
	TrancheEffectifs         string `parquet:"trancheEffectifsUniteLegale,dict"`
	AnneeEffectifs           string `parquet:"anneeEffectifsUniteLegale,dict"`
	DateDernierTraitement    string `parquet:"dateDernierTraitementUniteLegale,dict"`
	NombrePeriodes           string `parquet:"nombrePeriodesUniteLegale,dict"`
	CategorieEntreprise      string `parquet:"categorieEntreprise,dict"`
	AnneeCategorieEntreprise string `parquet:"anneeCategorieEntreprise,dict"`
	DateDebut                string `parquet:"dateDebut,dict"`
	EtatAdministratif        string `parquet:"etatAdministratifUniteLegale,dict"`
	Nom                      string `parquet:"nomUniteLegale,dict"`
	NomUsage                 string `parquet:"nomUsageUniteLegale,dict"`
	Denomination             string `parquet:"denominationUniteLegale,dict"`
	DenominationUsuelle1     string `parquet:"denominationUsuelle1UniteLegale,dict"`
	DenominationUsuelle2     string `parquet:"denominationUsuelle2UniteLegale,dict"`
	DenominationUsuelle3     string `parquet:"denominationUsuelle3UniteLegale,dict"`
	CategorieJuridique       string `parquet:"categorieJuridiqueUniteLegale,dict"`
	ActivitePrincipale       string `parquet:"activitePrincipaleUniteLegale,dict"`
	NomenclatureActivite     string `parquet:"nomenclatureActivitePrincipaleUniteLegale,dict"`
	NicSiege                 string `parquet:"nicSiegeUniteLegale,dict"`
	EconomieSocialeSolidaire string `parquet:"economieSocialeSolidaireUniteLegale,dict"`
	SocieteMission           string `parquet:"societeMissionUniteLegale,dict"`
	CaractereEmployeur       string `parquet:"caractereEmployeurUniteLegale,dict"`
	ActivitePrincipaleNAF25  string `parquet:"activitePrincipaleNAF25UniteLegale,dict"`
}

// writeStock writes n units in the stock's layout, in the proportions of
// the real file: about 1 in 30 with the ESS flag filled (a tenth of those
// "O"), a few sociétés à mission, a fifth ceased, personal names for
// individual entrepreneurs, companies' denominations otherwise.
func writeStock(tb testing.TB, path string, n int) {
	f, err := os.Create(path)
	if err != nil {
		tb.Fatal(err)
	}
	w := parquet.NewGenericWriter[stockRow](f, parquet.Compression(&parquet.Zstd), parquet.MaxRowsPerRowGroup(1<<20))
	r := rand.New(rand.NewPCG(7, 7))
	buf := make([]stockRow, 0, 4096)
	for i := 0; i < n; i++ {
		s := fmt.Sprintf("%08d", i)
		for k := 0; k < 10; k++ {
			if supplier.ValidSIREN(s + strconv.Itoa(k)) {
				s += strconv.Itoa(k)
				break
			}
		}
		row := stockRow{Siren: s, StatutDiffusion: "O", DateCreation: fmt.Sprintf("%d-%02d-01", 1950+r.IntN(75), 1+r.IntN(12)),
			TrancheEffectifs: "NN", DateDernierTraitement: fmt.Sprintf("20%02d-%02d-%02dT05:%02d:00", 18+r.IntN(8), 1+r.IntN(12), 1+r.IntN(28), r.IntN(60)),
			NombrePeriodes: strconv.Itoa(1 + r.IntN(9)), DateDebut: fmt.Sprintf("20%02d-01-01", 10+r.IntN(16)), EtatAdministratif: "A",
			ActivitePrincipale: fmt.Sprintf("%02d.%02d%c", 1+r.IntN(98), r.IntN(99), 'A'+rune(r.IntN(4))), NomenclatureActivite: "NAFRev2",
			NicSiege: fmt.Sprintf("%05d", r.IntN(100)), CaractereEmployeur: "N"}
		if r.IntN(5) == 0 {
			row.EtatAdministratif = "C"
		}
		if r.IntN(2) == 0 {
			row.CategorieJuridique, row.Nom, row.Prenom1, row.Sexe = "1000", fmt.Sprintf("NOM%d", r.IntN(200000)), "CAMILLE", "F"
		} else {
			row.CategorieJuridique, row.Denomination, row.CategorieEntreprise = []string{"5710", "5499", "9220", "5458"}[r.IntN(4)], fmt.Sprintf("SOCIETE %d", i), "PME"
		}
		if r.IntN(30) == 0 {
			row.EconomieSocialeSolidaire = "N"
			if r.IntN(10) == 0 {
				row.EconomieSocialeSolidaire = "O"
			}
		}
		if r.IntN(3000) == 0 {
			row.SocieteMission = "O"
		}
		buf = append(buf, row)
		if len(buf) == cap(buf) {
			if _, err := w.Write(buf); err != nil {
				tb.Fatal(err)
			}
			buf = buf[:0]
		}
	}
	if _, err := w.Write(buf); err != nil {
		tb.Fatal(err)
	}
	if err := w.Close(); err != nil {
		tb.Fatal(err)
	}
	f.Close()
}

func benchRows() int {
	if v, err := strconv.Atoi(os.Getenv("VIGIE_BENCH_ROWS")); err == nil && v > 0 {
		return v
	}
	return 200_000
}

// cpuSeconds is this process's CPU time so far (user + system): on a
// shared machine, rows per CPU second says more than rows per second.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return float64(ru.Utime.Sec+ru.Stime.Sec) + float64(ru.Utime.Usec+ru.Stime.Usec)/1e6
}

// peakRSS is this process's peak resident set (VmHWM), in MB.
func peakRSS() float64 {
	b, _ := os.ReadFile("/proc/self/status")
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "VmHWM:") {
			kb, _ := strconv.ParseFloat(strings.Fields(l)[1], 64)
			return kb / 1024
		}
	}
	return 0
}

// BenchmarkParseStock parses a generated stock (VIGIE_BENCH_ROWS rows,
// default 200 000) without writing it: the parser's own speed.
func BenchmarkParseStock(b *testing.B) {
	n := benchRows()
	path := filepath.Join(b.TempDir(), "StockUniteLegale.parquet")
	writeStock(b, path, n)
	b.ResetTimer()
	cpu := cpuSeconds()
	for i := 0; i < b.N; i++ {
		var facts int64
		rows, err := sirene.Parse(path, func(supplier.Fact) error { facts++; return nil }, func(p, r, rec string) error { return nil })
		if err != nil || rows != int64(n) {
			b.Fatalf("%d rows, %v", rows, err)
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/(cpuSeconds()-cpu), "rows/cpu-s")
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
	b.ReportMetric(peakRSS(), "peakRSS-MB")
}

// BenchmarkIngestStock parses a generated stock and writes its facts into
// a throwaway ClickHouse: the end-to-end figure.
func BenchmarkIngestStock(b *testing.B) {
	n := benchRows()
	path := filepath.Join(b.TempDir(), "StockUniteLegale.parquet")
	writeStock(b, path, n)
	st := storetest.New(b)
	b.ResetTimer()
	cpu := cpuSeconds()
	for i := 0; i < b.N; i++ {
		r := &source.Run{ID: "bench", Store: st, Files: []string{path}, Fetch: fetch.New(1, 1), Checkpoint: source.NewCheckpoint(nil, "b", "b", "")}
		sum, err := sirene.Source.Run(context.Background(), r)
		if err != nil || sum.RecordsRead != int64(n) {
			b.Fatalf("%+v, %v", sum, err)
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/(cpuSeconds()-cpu), "rows/vigie-cpu-s")
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
	b.ReportMetric(peakRSS(), "peakRSS-MB")
}
