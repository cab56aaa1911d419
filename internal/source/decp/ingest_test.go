package decp

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/vigie-data/vigie/internal/ingest"
	"github.com/vigie-data/vigie/internal/source/decp/decpparse"
	"github.com/vigie-data/vigie/internal/store"
	"github.com/vigie-data/vigie/internal/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// sharedData finds ../shared/data/decp beside the repository root.
func sharedData(t *testing.T) string {
	t.Helper()
	dir, _ := os.Getwd()
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			p := filepath.Join(dir, "..", "shared", "data", "decp")
			if _, err := os.Stat(p); err != nil {
				t.Skipf("real DECP samples not found at %s", p)
			}
			return p
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Skip("repository root not found")
		}
		dir = parent
	}
}

func ingestFile(t *testing.T, st *store.Store, path string, opts Options) ingest.Summary {
	t.Helper()
	sum, err := IngestFile(context.Background(), st, path, opts)
	if err != nil {
		t.Fatalf("ingest %s: %v", path, err)
	}
	return sum
}

func stats(t *testing.T, st *store.Store) store.ContractStats {
	t.Helper()
	s, err := st.ContractStats(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func fixture(name string) string { return filepath.Join("..", "..", "..", "testdata", "decp", name) }

func current(t *testing.T, st *store.Store, siret, id string) *store.ContractRow {
	t.Helper()
	c, err := st.CurrentContract(context.Background(), siret, id)
	if err != nil {
		t.Fatal(err)
	}
	if c == nil {
		t.Fatalf("contract %s/%s not stored", siret, id)
	}
	return c
}

func has(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}

func f64(p *float64) float64 {
	if p == nil {
		return -1
	}
	return *p
}

func flag8(p *uint8) string {
	if p == nil {
		return "null"
	}
	return string('0' + rune(*p))
}

func wantSummary(t *testing.T, name string, got ingest.Summary, read, contracts, new, updated, dups, quar int64) {
	t.Helper()
	if got.RecordsRead != read || got.Contracts != contracts || got.New != new || got.Updated != updated ||
		got.Duplicates != dups || got.Quarantined != quar {
		t.Errorf("%s: got read=%d contracts=%d new=%d updated=%d duplicates=%d quarantined=%d, want %d %d %d %d %d %d",
			name, got.RecordsRead, got.Contracts, got.New, got.Updated, got.Duplicates, got.Quarantined,
			read, contracts, new, updated, dups, quar)
	}
}

// Every real file: counts, de-duplication inside the file, flags,
// quarantine, and a second ingestion that changes nothing.
func TestRealFiles(t *testing.T) {
	root := sharedData(t)
	cases := []struct {
		file                              string
		read, contracts, dups, quarantine int64
		flags                             map[string]uint64
	}{
		{"real-2019/decp2019_data.gouv.fr_pes_2019-04-05.json", 1148, 1140, 8, 0, map[string]uint64{"amount_placeholder": 4}},
		{"real-2019/decp2019_e-marchespublics_2019-04-03.json", 470, 441, 29, 0, nil},
		// AIFE: 7 records without id and 1 without buyer are quarantined;
		// 188 keys repeat (258 extra records); 90 seven-digit CPVs, 3 one-digit.
		{"real-2019/decp2019_data.gouv.fr_aife_2019-04-04.json", 4530, 4264, 258, 8,
			map[string]uint64{"cpv_invalid": 3, "cpv_padded": 84, "mojibake": 3378}},
		{"real-2022/decp-13001845000028-2024-02-29-01.json", 1, 1, 0, 0, nil},
		{"real-2022/decp-13001845000028-2024-10-06-01.json", 17, 17, 0, 0, map[string]uint64{"amount_zero": 4}},
	}
	for _, tc := range cases {
		t.Run(filepath.Base(tc.file), func(t *testing.T) {
			st := storetest.New(t)
			path := filepath.Join(root, tc.file)
			first := ingestFile(t, st, path, Options{})
			wantSummary(t, "first", first, tc.read, tc.contracts, tc.contracts, 0, tc.dups, tc.quarantine)
			s1 := stats(t, st)
			if s1.Current != uint64(tc.contracts) {
				t.Errorf("current contracts = %d, want %d", s1.Current, tc.contracts)
			}
			for f, n := range tc.flags {
				if s1.Flags[f] != n {
					t.Errorf("flag %s on %d contracts, want %d (all: %v)", f, s1.Flags[f], n, s1.Flags)
				}
			}
			q, err := st.QuarantineCount(context.Background(), QuarantineSource)
			if err != nil || q != uint64(tc.quarantine) {
				t.Errorf("quarantine rows = %d (%v), want %d", q, err, tc.quarantine)
			}
			again := ingestFile(t, st, path, Options{})
			wantSummary(t, "again", again, tc.read, tc.contracts, 0, 0, tc.read-tc.quarantine, tc.quarantine)
			s2 := stats(t, st)
			if s2.Rows != s1.Rows || s2.Current != s1.Current || s2.Sources != s1.Sources || s2.Holders != s1.Holders ||
				s2.Subcontracts != s1.Subcontracts {
				t.Errorf("re-ingesting changed the tables: %+v then %+v", s1, s2)
			}
		})
	}
	t.Run("2022 Maximilien details", func(t *testing.T) {
		st := storetest.New(t)
		ingestFile(t, st, filepath.Join(root, "real-2022/decp-13001845000028-2024-02-29-01.json"), Options{})
		c := current(t, st, "13001845000028", "2024_D2F_2023S12323_33 962_01")
		if c.SchemaVersion != decpparse.Schema2022 || c.Departement != "93" || c.Region != "Île-de-France" ||
			c.CPV != "72210000" || c.CPVDivision != "72" || c.Procedure != decpparse.ProcAOOuvert {
			t.Errorf("got %+v", c)
		}
		// "considerationsSociales": [] is not given, not "declared none".
		if c.DeclaredSocialClause != nil || c.DeclaredEnvClause != nil {
			t.Errorf("empty considerations read as declared: %s %s", flag8(c.DeclaredSocialClause), flag8(c.DeclaredEnvClause))
		}
	})
	// The one acteSousTraitance of the file (no dureeMois, no
	// variationPrix) is stored with the contract's current version.
	t.Run("sub-contracting acts", func(t *testing.T) {
		st := storetest.New(t)
		ingestFile(t, st, filepath.Join(root, "real-2022/decp-13001845000028-2024-10-06-01.json"), Options{})
		if s := stats(t, st); s.Subcontracts != 1 {
			t.Errorf("%d sub-contracting acts stored, want 1", s.Subcontracts)
		}
		c := current(t, st, "13001845000028", "D2F2019S0000102")
		subs, err := st.CurrentSubcontracts(context.Background(), "13001845000028", "D2F2019S0000102")
		if err != nil {
			t.Fatal(err)
		}
		if len(subs) != 1 {
			t.Fatalf("subcontracts of D2F2019S0000102: %+v, want 1", subs)
		}
		a := subs[0]
		if a.ActID != "699" || a.SubcontractorType != "SIRET" || a.SubcontractorID != "44090956244090" ||
			f64(a.Amount) != 283333.33 || a.DurationMonths != nil || a.PriceVariation != "" ||
			a.NotificationDate == nil || a.NotificationDate.Format("2006-01-02") != "2018-11-13" ||
			a.ContractVersion != c.Version || a.PartitionYear != c.PartitionYear {
			t.Errorf("act %+v (contract version %d, partition %d)", a, c.Version, c.PartitionYear)
		}
	})
	t.Run("same contract from two channels counts once", func(t *testing.T) {
		st := storetest.New(t)
		path := filepath.Join(root, "real-2019/decp2019_data.gouv.fr_pes_2019-04-05.json")
		ingestFile(t, st, path, Options{Source: "pes"})
		s1 := stats(t, st)
		other := ingestFile(t, st, path, Options{Source: "consolidated"})
		s2 := stats(t, st)
		if other.New != 0 || s2.Current != s1.Current {
			t.Errorf("second channel added contracts: %+v", other)
		}
		if s2.Sources != 2*s1.Sources {
			t.Errorf("provenance rows %d after two channels, want %d", s2.Sources, 2*s1.Sources)
		}
	})
}

func TestOfficialExamples(t *testing.T) {
	root := sharedData(t)
	cases := []struct {
		file            string
		read, contracts int64
	}{
		{"official-examples/v1.5.0/json/paquet.json", 2, 2},
		{"official-examples/v1.5.0/json/paquet-avec-uid.json", 2, 2},
		{"official-examples/v1.5.0/json/mar-avec-modifications.json", 1, 1},
		{"official-examples/v1.5.0/json/cc-avec-modifications.json", 1, 1},
		{"official-examples/v1.5.0/xml/paquet.xml", 4, 4},
		{"official-examples/v1.5.0/xml/paquet-avec-uid.xml", 4, 4},
		{"official-examples/v1.5.0/xml/mar-avec-modifications.xml", 1, 1},
		{"official-examples/v1.5.0/xml/cc-avec-modifications.xml", 1, 1},
		{"official-examples/v2.0.x/json/marches_avec_modifications.json", 2, 2},
		{"official-examples/v2.0.x/json/marches_concessions.json", 4, 4},
		{"official-examples/v2.0.x/json/concessions.json", 2, 2},
		{"official-examples/v2.0.x/json/concessions_avec_modifications.json", 2, 2},
		{"official-examples/v2.0.x/xml/Marche.xml", 2, 1},                          // the same contract twice
		{"official-examples/v2.0.x/xml/Contrat-concession.xml", 2, 1},              // the same key twice
		{"official-examples/v2.0.x/xml/Contrat-concession-modification.xml", 2, 1}, // the same key twice
	}
	st := storetest.New(t)
	for _, tc := range cases {
		sum := ingestFile(t, st, filepath.Join(root, tc.file), Options{})
		if sum.RecordsRead != tc.read || sum.Contracts != tc.contracts || sum.Quarantined != 0 {
			t.Errorf("%s: %+v, want %d records, %d contracts", tc.file, sum, tc.read, tc.contracts)
		}
	}
	c := current(t, st, "21750001630066", "TEST2022")
	if flag8(c.DeclaredSocialClause) != "1" || flag8(c.DeclaredSocialCriterion) != "1" || flag8(c.DeclaredEnvClause) != "1" ||
		flag8(c.DeclaredEnvCriterion) != "0" || flag8(c.DeclaredReserved) != "0" {
		t.Errorf("TEST2022 considerations: %s %s %s %s %s", flag8(c.DeclaredSocialClause), flag8(c.DeclaredSocialCriterion),
			flag8(c.DeclaredEnvClause), flag8(c.DeclaredEnvCriterion), flag8(c.DeclaredReserved))
	}
	if _, err := IngestFile(context.Background(), st, filepath.Join(root, "schemas/format-commande-publique_1.5.0_marches.json"), Options{}); err == nil {
		t.Error("a JSON schema was ingested as DECP")
	}
}

// A run cut short may leave contracts rows without their side rows (on
// ClickHouse 18.16 an INSERT whose connection drops keeps what it
// received): the next run writes again the contracts of runs that did not
// end cleanly, and skips those of runs that did.
func TestRerunRepairsRunCutShort(t *testing.T) {
	st := storetest.New(t)
	ctx := context.Background()
	path := fixture("variants-2022.json")
	first := ingestFile(t, st, path, Options{RunID: "r1"})
	want := stats(t, st)
	if want.Holders == 0 {
		t.Fatal("the fixture has no holders")
	}
	truncate := func(tables ...string) {
		t.Helper()
		for _, table := range tables {
			if err := storetest.Exec(ctx, st, "TRUNCATE TABLE "+table); err != nil {
				t.Fatal(err)
			}
		}
	}

	// r1 as if cut short: its contracts are stored, its holders and its
	// commit are not.
	truncate("contract_holders", "run_commits")
	sum := ingestFile(t, st, path, Options{RunID: "r2"})
	if sum.New != 0 || sum.Duplicates != first.Contracts+first.Duplicates {
		t.Fatalf("re-run over a run cut short: %+v, want every contract a duplicate", sum)
	}
	if got := stats(t, st); got.Holders != want.Holders || got.Current != want.Current {
		t.Fatalf("after the re-run: %d holders of %d contracts, want %d of %d", got.Holders, got.Current, want.Holders, want.Current)
	}

	// r2 ended cleanly: its contracts are trusted and skipped.
	truncate("contract_holders")
	t.Logf("r3: %+v", ingestFile(t, st, path, Options{RunID: "r3"}))
	if got := stats(t, st); got.Holders != 0 {
		t.Fatalf("re-run over a clean run wrote %d holders again, want 0", got.Holders)
	}
}
