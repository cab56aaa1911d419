package store_test

import (
	"context"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/vigie-data/vigie/internal/store"
	"github.com/vigie-data/vigie/internal/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// Tables every part of vigie relies on.
var requiredTables = []string{
	"schema_migrations", "raw_documents", "ingest_runs", "checkpoints", "quarantine",
	"contracts", "contract_holders", "contract_modifications", "contract_sources", "contract_subcontracts",
	"notices", "lots", "detections",
}

func TestMigrateEmptyThenNoop(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, storetest.DSN(t))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()

	all, err := store.Migrations()
	if err != nil {
		t.Fatal(err)
	}
	ran, err := st.Migrate(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(ran) != len(all) || len(all) == 0 {
		t.Fatalf("first migrate applied %d of %d migrations", len(ran), len(all))
	}
	again, err := st.Migrate(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(again) != 0 {
		t.Fatalf("second migrate applied %d migrations, want none", len(again))
	}
	applied, err := st.Applied(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(applied) != len(all) {
		t.Fatalf("schema_migrations has %d versions, want %d", len(applied), len(all))
	}
	for i, a := range applied {
		if a.Version != all[i].Version || a.Name != all[i].Name {
			t.Errorf("applied[%d] = %d %s, want %d %s", i, a.Version, a.Name, all[i].Version, all[i].Name)
		}
	}

	tables, err := st.Tables(ctx)
	if err != nil {
		t.Fatal(err)
	}
	have := map[string]bool{}
	for _, tb := range tables {
		have[tb.Name] = true
	}
	for _, name := range requiredTables {
		if !have[name] {
			t.Errorf("table %s missing after migration", name)
		}
	}

	// Every table has exactly the columns its CREATE statement names.
	for table, want := range declaredColumns(t, all) {
		cols, err := st.Columns(ctx, table)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, c := range cols {
			got = append(got, c.Name)
		}
		sort.Strings(got)
		sort.Strings(want)
		if strings.Join(got, ",") != strings.Join(want, ",") {
			t.Errorf("table %s columns:\n got  %v\n want %v", table, got, want)
		}
	}
}

var (
	dropRe   = regexp.MustCompile(`^DROP TABLE IF EXISTS (\w+)$`)
	createRe = regexp.MustCompile(`(?s)CREATE TABLE IF NOT EXISTS (\w+) \((.*)\)\s*ENGINE`)
	colRe    = regexp.MustCompile(`(?m)^\s{4}(\w+) [A-Z]`)
	nestedRe = regexp.MustCompile(`(?s)(\w+) Nested\((.*?)\n\s{4}\)`)
	innerRe  = regexp.MustCompile(`(?m)^\s{8}(\w+) [A-Z]`)
)

// declaredColumns reads the column names of each CREATE TABLE in the
// migrations, Nested columns expanded as ClickHouse does (name.sub).
func declaredColumns(t *testing.T, ms []store.Migration) map[string][]string {
	out := map[string][]string{}
	for _, m := range ms {
		for _, stmt := range m.Statements {
			if d := dropRe.FindStringSubmatch(stmt); d != nil {
				delete(out, d[1]) // a later migration replaces the table
				continue
			}
			mm := createRe.FindStringSubmatch(stmt)
			if mm == nil {
				continue
			}
			body := mm[2]
			var cols []string
			for _, n := range nestedRe.FindAllStringSubmatch(body, -1) {
				for _, sub := range innerRe.FindAllStringSubmatch(n[2], -1) {
					cols = append(cols, n[1]+"."+sub[1])
				}
				body = strings.Replace(body, n[0], "", 1)
			}
			for _, c := range colRe.FindAllStringSubmatch(body, -1) {
				cols = append(cols, c[1])
			}
			out[mm[1]] = cols
		}
	}
	if len(out) < len(requiredTables)-1 {
		t.Fatalf("parsed only %d CREATE TABLE statements", len(out))
	}
	return out
}

func TestSplitStatements(t *testing.T) {
	ms, err := store.Migrations()
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range ms {
		for _, s := range m.Statements {
			if strings.Contains(s, ";\n") || strings.HasPrefix(strings.TrimSpace(s), "--") {
				t.Errorf("%s: statement not split cleanly: %.60q", m.Name, s)
			}
		}
	}
}
