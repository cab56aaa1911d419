package decpgen

import (
	"encoding/csv"
	"fmt"
	"io"
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/parquet-go/parquet-go"
)

// TableRow is one row of decp-processing's tabular layout (decp.parquet,
// decp.csv): one per contract, modification and holder. Ids and codes are
// integers there, as in the real file, so their leading zeros are lost.
type TableRow struct {
	UID                             string   `parquet:"uid"`
	ID                              string   `parquet:"id"`
	Nature                          string   `parquet:"nature,optional"`
	AcheteurID                      *int64   `parquet:"acheteur_id,optional"`
	AcheteurNom                     string   `parquet:"acheteur_nom,optional"`
	TitulaireID                     *int64   `parquet:"titulaire_id,optional"`
	TitulaireTypeIdentifiant        string   `parquet:"titulaire_typeIdentifiant,optional"`
	TitulaireNom                    string   `parquet:"titulaire_nom,optional"`
	Objet                           string   `parquet:"objet,optional"`
	Montant                         *float64 `parquet:"montant,optional"`
	CodeCPV                         string   `parquet:"codeCPV,optional"`
	Procedure                       string   `parquet:"procedure,optional"`
	Techniques                      string   `parquet:"techniques,optional"`
	DureeMois                       *int64   `parquet:"dureeMois,optional"`
	DateNotification                *int32   `parquet:"dateNotification,optional,date"`
	DatePublicationDonnees          *int32   `parquet:"datePublicationDonnees,optional,date"`
	FormePrix                       string   `parquet:"formePrix,optional"`
	ConsiderationsSociales          string   `parquet:"considerationsSociales,optional"`
	ConsiderationsEnvironnementales string   `parquet:"considerationsEnvironnementales,optional"`
	LieuExecutionCode               *int64   `parquet:"lieuExecution_code,optional"`
	LieuExecutionTypeCode           string   `parquet:"lieuExecution_typeCode,optional"`
	ModificationID                  int64    `parquet:"modification_id"`
	DonneesActuelles                bool     `parquet:"donneesActuelles"`
	SourceDataset                   string   `parquet:"sourceDataset,optional"`
	SourceFile                      string   `parquet:"sourceFile,optional"`
}

// tableHeader is the CSV header, decp-processing's column names.
var tableHeader = []string{"uid", "id", "nature", "acheteur_id", "acheteur_nom", "titulaire_id",
	"titulaire_typeIdentifiant", "titulaire_nom", "objet", "montant", "codeCPV", "procedure", "techniques",
	"dureeMois", "dateNotification", "datePublicationDonnees", "formePrix", "considerationsSociales",
	"considerationsEnvironnementales", "lieuExecution_code", "lieuExecution_typeCode", "modification_id",
	"donneesActuelles", "sourceDataset", "sourceFile"}

// Day is a date as the Parquet DATE type stores it (days since 1970).
func Day(s string) *int32 {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	d := int32(t.Unix() / 86400)
	return &d
}

// WriteParquet writes rows as a Parquet file (row groups of 64k rows).
func WriteParquet(w io.Writer, rows func(yield func(TableRow) bool)) error {
	pw := parquet.NewGenericWriter[TableRow](w, parquet.MaxRowsPerRowGroup(64<<10))
	buf := make([]TableRow, 0, 1024)
	var err error
	rows(func(r TableRow) bool {
		buf = append(buf, r)
		if len(buf) == cap(buf) {
			_, err = pw.Write(buf)
			buf = buf[:0]
		}
		return err == nil
	})
	if err != nil {
		return err
	}
	if _, err := pw.Write(buf); err != nil {
		return err
	}
	return pw.Close()
}

// WriteCSV writes rows as decp.csv does (",", header, dates YYYY-MM-DD).
func WriteCSV(w io.Writer, rows func(yield func(TableRow) bool)) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(tableHeader); err != nil {
		return err
	}
	i64 := func(p *int64) string {
		if p == nil {
			return ""
		}
		return strconv.FormatInt(*p, 10)
	}
	day := func(p *int32) string {
		if p == nil {
			return ""
		}
		return time.Unix(int64(*p)*86400, 0).UTC().Format("2006-01-02")
	}
	var err error
	rows(func(r TableRow) bool {
		m := ""
		if r.Montant != nil {
			m = strconv.FormatFloat(*r.Montant, 'f', -1, 64)
		}
		err = cw.Write([]string{r.UID, r.ID, r.Nature, i64(r.AcheteurID), r.AcheteurNom, i64(r.TitulaireID),
			r.TitulaireTypeIdentifiant, r.TitulaireNom, r.Objet, m, r.CodeCPV, r.Procedure, r.Techniques,
			i64(r.DureeMois), day(r.DateNotification), day(r.DatePublicationDonnees), r.FormePrix,
			r.ConsiderationsSociales, r.ConsiderationsEnvironnementales, i64(r.LieuExecutionCode),
			r.LieuExecutionTypeCode, strconv.FormatInt(r.ModificationID, 10), strconv.FormatBool(r.DonneesActuelles),
			r.SourceDataset, r.SourceFile})
		return err == nil
	})
	if err != nil {
		return err
	}
	cw.Flush()
	return cw.Error()
}

// TableRows yields about n rows of generated contracts in the tabular
// layout, deterministically from seed: one to three holders, a third of
// contracts modified once (a row per holder for each state), buyer SIRETs
// and postal codes with leading zeros (lost in the integer columns).
func TableRows(n int, seed int64) func(yield func(TableRow) bool) {
	return func(yield func(TableRow) bool) {
		r := rand.New(rand.NewPCG(uint64(seed), 0x7ab1e))
		emitted := 0
		for c := 0; emitted < n; c++ {
			buyer := int64(1_000_000_000_000 + r.IntN(9_000_000_000_000)) // 13 digits: a leading zero lost
			if r.IntN(2) == 0 {
				buyer += 20_000_000_000_000
			}
			id := fmt.Sprintf("G%08d", c)
			uid := fmt.Sprintf("%014d%s", buyer, id)
			amount := float64(10_000 + r.IntN(2_000_000))
			dur := int64(pick(r, durations))
			cp := int64(1000 + r.IntN(8000)) // a 4-digit postal code: 0xxxx
			notif := Day(time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, r.IntN(700)).Format("2006-01-02"))
			pub := *notif + int32(r.IntN(30))
			social := ""
			switch r.IntN(6) {
			case 0:
				social = "Clause sociale"
			case 1:
				social = "Clause sociale, Marché réservé"
			default:
				social = "Pas de considération sociale"
			}
			nh := 1 + r.IntN(3)
			holders := make([]int64, nh)
			for i := range holders {
				holders[i] = int64(1_000_000_000_000 + r.IntN(90_000_000_000_000))
			}
			states := 1
			if r.IntN(3) == 0 {
				states = 2
			}
			for s := 0; s < states; s++ {
				m, d, p := amount, dur, pub
				if s > 0 {
					m, d, p = amount*1.1, dur+6, pub+60
				}
				for h := range holders {
					row := TableRow{UID: uid, ID: id, Nature: pick(r, natures), AcheteurID: &buyer,
						AcheteurNom: "Commune " + strconv.Itoa(c%5000), TitulaireID: &holders[h],
						TitulaireTypeIdentifiant: "SIRET", TitulaireNom: "Entreprise " + strconv.FormatInt(holders[h]%100000, 10),
						Objet: "Travaux de voirie lot " + strconv.Itoa(c%40), Montant: &m, CodeCPV: "45233140",
						Procedure: pick(r, procedures), DureeMois: &d, DateNotification: notif, DatePublicationDonnees: &p,
						FormePrix: "Forfaitaire", ConsiderationsSociales: social,
						ConsiderationsEnvironnementales: "Pas de considération environnementale",
						LieuExecutionCode:               &cp, LieuExecutionTypeCode: "Code postal", ModificationID: int64(s),
						DonneesActuelles: s == states-1, SourceDataset: "gen", SourceFile: "https://example.org/gen.json"}
					if !yield(row) {
						return
					}
					emitted++
				}
			}
		}
	}
}
