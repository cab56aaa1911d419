package api_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/vigie-data/vigie/internal/api"
	"github.com/vigie-data/vigie/internal/fetch"
	"github.com/vigie-data/vigie/internal/samples"
	"github.com/vigie-data/vigie/internal/source"
	"github.com/vigie-data/vigie/internal/source/decp"
	"github.com/vigie-data/vigie/internal/source/sirene"
	"github.com/vigie-data/vigie/internal/store/storetest"
)

func TestSupplier(t *testing.T) {
	ctx := context.Background()
	st := storetest.New(t)
	dir := filepath.Join(samples.RepoRoot(t), "testdata", "suppliers")
	run := &source.Run{ID: "t", Store: st, Files: []string{filepath.Join(dir, "sirene-stock.csv")}, Fetch: fetch.New(1, 1),
		Checkpoint: source.NewCheckpoint(nil, "t", "t", "")}
	if _, err := sirene.Source.Run(ctx, run); err != nil {
		t.Fatal(err)
	}
	if _, err := decp.IngestFile(ctx, st, filepath.Join(dir, "decp-holders.json"), decp.Options{}); err != nil {
		t.Fatal(err)
	}
	srv := api.New(st, api.Options{RatePerIP: 1000, Burst: 1000})

	var got struct {
		Siren     string   `json:"siren"`
		Known     bool     `json:"known"`
		Name      string   `json:"name"`
		Classes   []string `json:"classes"`
		Contracts []struct {
			ContractID  string   `json:"contract_id"`
			Holders     int      `json:"holders"`
			AmountShare *float64 `json:"amount_share"`
			Classes     []struct {
				Class string `json:"class"`
				Later bool   `json:"later"`
			} `json:"classes_at_notification"`
		} `json:"contracts"`
		Reserved []struct {
			ContractID string `json:"contract_id"`
		} `json:"reserved_awards"`
		Totals struct {
			Contracts   int     `json:"contracts"`
			AmountShare float64 `json:"amount_share"`
			Buyers      int     `json:"buyers"`
		} `json:"totals"`
	}
	// Asked by SIRET: the same unit.
	getJSON(t, srv, "/api/v1/suppliers/90000001900012", &got)
	if got.Siren != "900000019" || !got.Known || got.Name != "ASSOCIATION LES JARDINS DU LIEN" || len(got.Classes) != 1 || got.Classes[0] != "ess" {
		t.Fatalf("supplier: %+v", got)
	}
	// Newest first: the 2024 contract alone, then the 2023 one shared
	// with another holder (an equal half of 300 000).
	if len(got.Contracts) != 2 || got.Contracts[0].ContractID != "SUP-2024-1" || got.Contracts[1].ContractID != "SUP-2023-2" {
		t.Fatalf("contracts: %+v", got.Contracts)
	}
	c0, c1 := got.Contracts[0], got.Contracts[1]
	if c0.Holders != 1 || *c0.AmountShare != 100000 || c1.Holders != 2 || *c1.AmountShare != 150000 {
		t.Errorf("shares: %+v %+v", c0, c1)
	}
	// SIRENE knew the ESS flag on 2024-05-02: after the 2023 contract.
	if len(c0.Classes) != 1 || c0.Classes[0].Class != "ess" || c0.Classes[0].Later ||
		len(c1.Classes) != 1 || c1.Classes[0].Class != "ess" || !c1.Classes[0].Later {
		t.Errorf("classes at notification: %+v / %+v", c0.Classes, c1.Classes)
	}
	if len(got.Reserved) != 1 || got.Reserved[0].ContractID != "SUP-2024-1" {
		t.Errorf("reserved awards: %+v", got.Reserved)
	}
	if got.Totals.Contracts != 2 || got.Totals.AmountShare != 250000 || got.Totals.Buyers != 1 {
		t.Errorf("totals: %+v", got.Totals)
	}

	for url, status := range map[string]int{
		"/api/v1/suppliers/90000001":  400, // 8 digits
		"/api/v1/suppliers/abc":       400,
		"/api/v1/suppliers/999999999": 404, // nobody knows it
	} {
		if res := get(t, srv, url); res.StatusCode != status {
			t.Errorf("GET %s: %d, want %d", url, res.StatusCode, status)
		}
	}
}
