package api_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"io"
	"net/url"
	"testing"

	"github.com/parquet-go/parquet-go"

	"github.com/vigie-data/vigie/internal/api"
	"github.com/vigie-data/vigie/internal/export"
	"github.com/vigie-data/vigie/internal/source/decp"
	"github.com/vigie-data/vigie/internal/source/decp/decpgen"
	"github.com/vigie-data/vigie/internal/store/storetest"
)

// An export holds exactly the contracts the indicators count for the
// same filters, and reads back whole as CSV (encoding/csv) and as Parquet
// (parquet-go), identifiers with their leading zeros.
func TestExportsMatchIndicators(t *testing.T) {
	ctx := context.Background()
	st := storetest.New(t)
	var gen bytes.Buffer
	if err := decpgen.GenerateFormat(&gen, 3000, 3, decpgen.Format2022); err != nil {
		t.Fatal(err)
	}
	if _, err := decp.Ingest(ctx, st, &gen, "generated.json", decp.Options{}); err != nil {
		t.Fatal(err)
	}
	srv := api.New(st, api.Options{RatePerIP: 1000, Burst: 1000})

	for _, filter := range []string{"", "from=2021-01-01&to=2023-12-31", "min_amount=40000&theme=habitat", "cpv=45"} {
		var ind struct {
			Rows []struct {
				Contracts uint64 `json:"contracts"`
			} `json:"rows"`
		}
		getJSON(t, srv, "/api/v1/contracts/indicators?group_by=year&"+filter, &ind)
		var want uint64
		for _, r := range ind.Rows {
			want += r.Contracts
		}
		if want == 0 {
			t.Fatalf("filter %q: no contract, the test proves nothing", filter)
		}

		res := get(t, srv, "/api/v1/exports/contracts.csv?"+filter)
		body, _ := io.ReadAll(res.Body)
		if res.StatusCode != 200 {
			t.Fatalf("csv export %q: %d %s", filter, res.StatusCode, body)
		}
		recs, err := csv.NewReader(bytes.NewReader(body)).ReadAll()
		if err != nil {
			t.Fatalf("csv export %q: %v", filter, err)
		}
		if got := uint64(len(recs) - 1); got != want {
			t.Errorf("filter %q: csv export has %d rows, the indicators count %d", filter, got, want)
		}
		col := map[string]int{}
		for i, h := range recs[0] {
			col[h] = i
		}
		res = get(t, srv, "/api/v1/exports/contracts.parquet?"+filter)
		body, _ = io.ReadAll(res.Body)
		if res.StatusCode != 200 {
			t.Fatalf("parquet export %q: %d %s", filter, res.StatusCode, body)
		}
		rows, err := parquet.Read[export.Contract](bytes.NewReader(body), int64(len(body)))
		if err != nil {
			t.Fatalf("parquet export %q: %v", filter, err)
		}
		if uint64(len(rows)) != want {
			t.Errorf("filter %q: parquet export has %d rows, the indicators count %d", filter, len(rows), want)
		}
		// The same rows in both, in the same order.
		for i, r := range rows {
			if r.UID != recs[i+1][col["uid"]] || r.BuyerSiret != recs[i+1][col["buyer_siret"]] {
				t.Fatalf("row %d: parquet uid %q, csv uid %q", i, r.UID, recs[i+1][col["uid"]])
			}
		}
	}

	// Every column is typed; identifiers are strings.
	var pkg export.Package
	getJSON(t, srv, "/api/v1/exports/datapackage.json", &pkg)
	types := map[string]string{}
	for _, r := range pkg.Resources {
		if r.Name == "contracts-csv" {
			for _, f := range r.Schema.Fields {
				types[f.Name] = f.Type
				if f.Description == "" || f.DescriptionEN == "" {
					t.Errorf("field %s has no description", f.Name)
				}
			}
		}
	}
	for name, typ := range map[string]string{"buyer_siret": "string", "cpv": "string", "amount": "number", "notification_date": "date",
		"declared_reserved": "boolean", "detected_labels": "array", "version": "string"} {
		if types[name] != typ {
			t.Errorf("%s: type %q, want %q", name, types[name], typ)
		}
	}

	for u, status := range map[string]int{
		"/api/v1/exports/contracts.xml":                                          404,
		"/api/v1/exports/buyers.csv":                                             404,
		"/api/v1/exports/contracts.csv?labels=reserved":                          400,
		"/api/v1/exports/notices.csv?min_amount=1":                               400,
		"/api/v1/exports/contracts.csv?from=2021-13-01":                          400,
		"/api/v1/exports/suppliers.csv?classed=true":                             200,
		"/api/v1/exports/lots.parquet?departement=69":                            200,
		"/api/v1/exports/notices.csv?" + url.Values{"q": {"nettoyage"}}.Encode(): 200,
	} {
		if res := get(t, srv, u); res.StatusCode != status {
			b, _ := io.ReadAll(res.Body)
			t.Errorf("GET %s: %d, want %d (%s)", u, res.StatusCode, status, b)
		}
	}
	_ = json.Valid
}
