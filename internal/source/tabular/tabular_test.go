package tabular

import (
	"archive/zip"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"
)

func readAll(t *testing.T, r Reader) [][]string {
	t.Helper()
	var out [][]string
	for {
		row, err := r.Next()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, append([]string(nil), row...))
	}
}

func write(t *testing.T, name string, b []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// A FINESS-like file: Latin-1, ";", a first line that is not a header, no
// header at all, rows of several kinds.
func TestCSVLatin1NoHeader(t *testing.T) {
	latin1 := []byte("finess;etalab;95;2026-11-30\nstructureet;750000001;750000002;ESAT LES ATELIERS;ESAT Les Ateliers d'\xc9l\xe9onore\n")
	p := write(t, "finess.csv", latin1)
	r, format, err := Open(p, Options{NoHeader: true, SkipLines: 1, Columns: []string{"1", "4"}})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if format != FormatCSV {
		t.Fatalf("format %s", format)
	}
	got := readAll(t, r)
	want := [][]string{{"750000001", "ESAT Les Ateliers d'Éléonore"}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %q, want %q", got, want)
	}
}

// A SIRENE-like CSV, gzipped then zipped, with a BOM, columns picked by
// name in another order than the file's, and a missing column left out.
func TestCSVCompressedColumnsByName(t *testing.T) {
	csvText := "\xef\xbb\xbfsiren,etat,nom\n016750697,A,ETS J VIRLY S A\n017051186,C,\"PENNEQUIN, INVEST\"\n"
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte(csvText))
	zw.Close()
	var zb bytes.Buffer
	z := zip.NewWriter(&zb)
	w, _ := z.Create("StockUniteLegale_utf8.csv")
	w.Write([]byte(csvText))
	z.Close()
	for name, b := range map[string][]byte{"plain.csv": []byte(csvText), "file.csv.gz": gz.Bytes(), "file.zip": zb.Bytes()} {
		r, _, err := Open(write(t, name, b), Options{Columns: []string{"nom", "siren", "absent"}})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !reflect.DeepEqual(r.Columns(), []string{"nom", "siren"}) {
			t.Errorf("%s: columns %v", name, r.Columns())
		}
		got := readAll(t, r)
		want := [][]string{{"ETS J VIRLY S A", "016750697"}, {"PENNEQUIN, INVEST", "017051186"}}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: got %q", name, got)
		}
		r.Close()
	}
}

func TestNotATable(t *testing.T) {
	if _, _, err := Open(write(t, "x.bin", []byte{0, 1, 2, 3, 0, 0}), Options{}); !errors.Is(err, ErrNotTable) {
		t.Fatalf("binary file: %v", err)
	}
	if _, _, err := Open(write(t, "empty.csv", nil), Options{}); !errors.Is(err, ErrNotTable) {
		t.Fatalf("empty file: %v", err)
	}
}

type typedRow struct {
	Siren   string  `parquet:"siren"`
	Etat    *string `parquet:"etat,optional"`
	Debut   *int32  `parquet:"date_debut,optional,date"` // days since 1970, as pyarrow writes a DATE
	Tranche int32   `parquet:"tranche"`
	ESS     *bool   `parquet:"est_ess,optional"`
	Score   float64 `parquet:"score"`
}

// Parquet with several row groups and small pages, typed columns (dates,
// integers, booleans, nulls): every value comes out as text, in row order,
// only the columns asked for.
func TestParquetTypedColumns(t *testing.T) {
	var buf bytes.Buffer
	w := parquet.NewGenericWriter[typedRow](&buf, parquet.MaxRowsPerRowGroup(700), parquet.PageBufferSize(512))
	var want [][]string
	for i := 0; i < 2500; i++ {
		r := typedRow{Siren: fmt.Sprintf("%09d", i), Tranche: int32(i % 50), Score: float64(i) / 4}
		etat, ess, debut := "", "", ""
		if i%3 != 0 {
			s := "A"
			if i%7 == 0 {
				s = "C"
			}
			r.Etat, etat = &s, s
		}
		if i%5 == 0 {
			d := time.Date(2019, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, i)
			days := int32(d.Unix() / 86400)
			r.Debut, debut = &days, d.Format("2006-01-02")
		}
		if i%4 != 1 {
			b := i%2 == 0
			r.ESS, ess = &b, fmt.Sprint(b)
		}
		if _, err := w.Write([]typedRow{r}); err != nil {
			t.Fatal(err)
		}
		want = append(want, []string{ess, r.Siren, debut, etat, fmt.Sprint(r.Tranche)})
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	r, format, err := Open(write(t, "t.parquet", buf.Bytes()), Options{Columns: []string{"est_ess", "siren", "date_debut", "etat", "tranche"}})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if format != FormatParquet {
		t.Fatalf("format %s", format)
	}
	got := readAll(t, r)
	if len(got) != len(want) {
		t.Fatalf("%d rows, want %d", len(got), len(want))
	}
	for i := range want {
		if !reflect.DeepEqual(got[i], want[i]) {
			t.Fatalf("row %d: got %q, want %q", i, got[i], want[i])
		}
	}
}
