package store_test

import (
	"context"
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/vigie-data/vigie/internal/store"
	"github.com/vigie-data/vigie/internal/store/storetest"
)

// genContract is a contract version as the property test writes it, and
// the model the answers are checked against.
type genContract struct {
	siret, id, dep, cpv, procedure, nature, theme, source string
	notified                                              *time.Time
	amount                                                *float64
	declared                                              [5]*uint8 // social_clause, social_criterion, reserved, env_clause, env_criterion
	labels                                                []string
	version                                               uint64
}

var genDeclared = []string{"declared_social_clause", "declared_social_criterion", "declared_reserved",
	"declared_env_clause", "declared_env_criterion"}

var genCols = append([]string{"uid", "buyer_siret", "buyer_siren", "buyer_name", "contract_id", "key_hash", "notification_date",
	"departement", "region", "cpv", "cpv_division", "theme", "procedure", "nature", "amount", "detected_labels", "source",
	"version", "partition_year"}, genDeclared...)

func (c genContract) row() []any {
	h := fnv.New64a()
	h.Write([]byte(c.siret + "\x00" + c.id))
	py := uint16(0)
	if c.notified != nil {
		py = uint16(c.notified.Year())
	}
	r := []any{c.siret + c.id, c.siret, c.siret[:9], "Buyer " + c.siret, c.id, h.Sum64(), c.notified, c.dep, "R" + c.dep,
		c.cpv, c.cpv[:2], c.theme, c.procedure, c.nature, c.amount, c.labels, c.source, c.version, py}
	for _, d := range c.declared {
		r = append(r, d)
	}
	return r
}

// genRandom draws a contract version: few values per dimension, so that
// groups hold several contracts and filters match some.
func genRandom(r *rand.Rand, siret, id string, version uint64) genContract {
	pick := func(v ...string) string { return v[r.IntN(len(v))] }
	c := genContract{siret: siret, id: id, version: version,
		dep: pick("75", "13", "69", ""), cpv: pick("45000000", "45230000", "79000000", "90910000"),
		procedure: pick("Appel d'offres ouvert", "Procédure adaptée"), nature: pick("Marché", "Accord-cadre"),
		theme: pick("habitat", "alimentation", ""), source: pick("decp", "decp-aife")}
	if r.IntN(10) > 0 {
		d := time.Date(2021+r.IntN(3), time.Month(1+r.IntN(12)), 1+r.IntN(28), 0, 0, 0, 0, time.UTC)
		c.notified = &d
	}
	if r.IntN(8) > 0 {
		a := float64(100 * (1 + r.IntN(50)))
		c.amount = &a
	}
	for i := range c.declared {
		if v := r.IntN(3); v < 2 {
			u := uint8(v)
			c.declared[i] = &u
		}
	}
	for _, l := range []string{"social_clause", "env_clause", "reserved_insertion", "social_criterion"} {
		if r.IntN(5) == 0 {
			c.labels = append(c.labels, l)
		}
	}
	return c
}

// expected computes the answer of q from the current versions, in Go.
func expected(current map[string]genContract, q store.IndicatorQuery) map[string]store.IndicatorRow {
	f := q.Filter
	out := map[string]store.IndicatorRow{}
	for _, c := range current {
		switch {
		case f.Departement != "" && c.dep != f.Departement,
			f.Theme != "" && c.theme != f.Theme,
			f.Source != "" && c.source != f.Source,
			f.BuyerSiret != "" && c.siret != f.BuyerSiret,
			f.Procedure != "" && c.procedure != f.Procedure,
			f.Nature != "" && c.nature != f.Nature,
			f.CPVPrefix != "" && !strings.HasPrefix(c.cpv, f.CPVPrefix),
			f.MinAmount != nil && (c.amount == nil || *c.amount < *f.MinAmount),
			f.MaxAmount != nil && (c.amount == nil || *c.amount > *f.MaxAmount),
			!f.From.IsZero() && (c.notified == nil || c.notified.Before(f.From)),
			!f.To.IsZero() && (c.notified == nil || c.notified.After(f.To)):
			continue
		}
		var keys []string
		for _, g := range q.GroupBy {
			k := "unknown"
			switch g {
			case "year":
				if c.notified != nil {
					k = fmt.Sprint(c.notified.Year())
				}
			case "departement":
				if c.dep != "" {
					k = c.dep
				}
			case "theme":
				if c.theme != "" {
					k = c.theme
				}
			case "procedure":
				k = c.procedure
			case "buyer":
				k = c.siret
			case "cpv_division":
				k = c.cpv[:2]
			}
			keys = append(keys, k)
		}
		key := strings.Join(keys, "|")
		row, ok := out[key]
		if !ok {
			row = store.IndicatorRow{Keys: keys, Measures: map[string]store.Measure{}}
		}
		amount := 0.0
		if c.amount != nil {
			amount = *c.amount
			row.AmountKnown++
		}
		row.Contracts++
		row.Amount += amount
		for _, ind := range store.Indicators {
			m := row.Measures[ind.Name]
			yes, unknown := false, false
			for _, col := range ind.Declared {
				for i, d := range genDeclared {
					if d == col {
						yes = yes || c.declared[i] != nil && *c.declared[i] == 1
						unknown = unknown || c.declared[i] == nil
					}
				}
			}
			det := false
			for _, l := range ind.Detected {
				for _, have := range c.labels {
					det = det || l == have
				}
			}
			if yes {
				m.DeclaredCount++
				m.DeclaredAmount += amount
			} else if unknown {
				m.DeclaredUnknown++
			}
			if det {
				m.DetectedCount++
				m.DetectedAmount += amount
			}
			row.Measures[ind.Name] = m
		}
		out[key] = row
	}
	return out
}

// TestRollupsIncrementalEqualRecomputation writes random batches — new
// contracts, newer versions that move them between groups, older and
// repeated versions that change nothing — takes them in with
// UpdateRollups (sometimes two batches in one step, once after a step
// that crashed halfway, once compacted), and checks after every step that every origin
// (month rollup, rollup, facts) answers, for filters of every kind,
// exactly what the current versions give.
func TestRollupsIncrementalEqualRecomputation(t *testing.T) {
	st := storetest.New(t)
	ctx := context.Background()
	r := rand.New(rand.NewPCG(18, 1))
	sirets := []string{"11111111100011", "22222222200022", "33333333300033"}
	current := map[string]genContract{}
	var keys []string
	nextID := 0
	min, max := 1000.0, 3000.0
	queries := []store.IndicatorQuery{
		{GroupBy: []string{"year"}}, // month rollup
		{GroupBy: []string{"theme", "year"}, Filter: store.ContractFilter{Source: "decp"}}, // month rollup
		{GroupBy: []string{"departement", "year"}},                                         // rollup
		{GroupBy: []string{"year"}, Filter: store.ContractFilter{Departement: "75"}},       // rollup
		{GroupBy: []string{"year"}, Filter: store.ContractFilter{MinAmount: &min}},         // facts
		{GroupBy: []string{"departement"}, Filter: store.ContractFilter{MaxAmount: &max, CPVPrefix: "452"}},
		{GroupBy: []string{"buyer", "procedure"}, Filter: store.ContractFilter{Nature: "Marché"}},
		{GroupBy: []string{"cpv_division"}, Filter: store.ContractFilter{From: *date("2022-02-10"), To: *date("2023-06-20")}},
		{GroupBy: []string{"year"}, Filter: store.ContractFilter{BuyerSiret: sirets[1], Procedure: "Procédure adaptée", Theme: "habitat"}},
	}
	check := func(step int) {
		t.Helper()
		for _, q := range queries {
			res, err := st.Indicators(ctx, q)
			if err != nil {
				t.Fatalf("step %d %v: %v", step, q, err)
			}
			if res.Origin == "contracts" {
				t.Fatalf("step %d: answered from contracts", step)
			}
			want := expected(current, q)
			got := map[string]store.IndicatorRow{}
			for _, row := range res.Rows {
				got[strings.Join(row.Keys, "|")] = row
			}
			if len(got) != len(want) {
				t.Fatalf("step %d %+v (%s): %d groups, want %d", step, q, res.Origin, len(got), len(want))
			}
			for k, w := range want {
				g := got[k]
				if g.Contracts != w.Contracts || g.AmountKnown != w.AmountKnown || math.Abs(g.Amount-w.Amount) > 1e-6 {
					t.Fatalf("step %d %+v (%s) group %s: %d contracts %v amount, want %d %v", step, q.GroupBy, res.Origin, k,
						g.Contracts, g.Amount, w.Contracts, w.Amount)
				}
				for _, ind := range store.Indicators {
					gm, wm := g.Measures[ind.Name], w.Measures[ind.Name]
					wm.DeclaredKnownAll = w.Contracts - wm.DeclaredUnknown
					if gm.DeclaredCount != wm.DeclaredCount || gm.DeclaredUnknown != wm.DeclaredUnknown || gm.DetectedCount != wm.DetectedCount ||
						math.Abs(gm.DeclaredAmount-wm.DeclaredAmount) > 1e-6 || math.Abs(gm.DetectedAmount-wm.DetectedAmount) > 1e-6 {
						t.Fatalf("step %d %+v (%s) group %s %s: %+v, want %+v", step, q.GroupBy, res.Origin, k, ind.Name, gm, wm)
					}
				}
			}
		}
	}
	for step := 1; step <= 12; step++ {
		var rows [][]any
		batches := 1 + r.IntN(2)
		for b := 0; b < batches; b++ {
			for i := 0; i < 40+r.IntN(40); i++ {
				switch k := r.IntN(10); {
				case k < 4 || len(keys) == 0: // a new contract
					nextID++
					c := genRandom(r, sirets[r.IntN(len(sirets))], fmt.Sprintf("C%04d", nextID), uint64(1+r.IntN(3)))
					keys = append(keys, c.siret+c.id)
					current[c.siret+c.id] = c
					rows = append(rows, c.row())
				case k < 8: // a newer version, anything may change
					old := current[keys[r.IntN(len(keys))]]
					c := genRandom(r, old.siret, old.id, old.version+1+uint64(r.IntN(2)))
					current[c.siret+c.id] = c
					rows = append(rows, c.row())
				case k < 9: // the same version again (a re-ingestion)
					rows = append(rows, current[keys[r.IntN(len(keys))]].row())
				default: // an older version arriving late: ignored
					old := current[keys[r.IntN(len(keys))]]
					if old.version > 1 {
						rows = append(rows, genRandom(r, old.siret, old.id, old.version-1).row())
					}
				}
			}
			// Rows of one batch arrive in any order: the model keeps the
			// newest version, as the table does.
			r.Shuffle(len(rows), func(i, j int) { rows[i], rows[j] = rows[j], rows[i] })
			if err := st.InsertForTest(ctx, "contracts", genCols, rows...); err != nil {
				t.Fatal(err)
			}
			rows = rows[:0]
		}
		if step == 6 {
			// A step that crashed after writing some rows: they belong to
			// an epoch never committed, which readers and the next step
			// must ignore.
			if err := storetest.Exec(ctx, st, `INSERT INTO contract_facts (epoch, key_hash, buyer_siret, contract_id, version, month, departement, theme, source, contracts, amount_sum, social_decl)
				SELECT max(epoch) + 1, 0, 'X', 'X', 1, 202201, '75', 'habitat', 'decp', 1, 1e9, 1 FROM contract_facts`); err != nil {
				t.Fatal(err)
			}
			if err := storetest.Exec(ctx, st, `INSERT INTO contract_rollup (epoch, month, departement, region, theme, source, contracts, amount_sum)
				SELECT max(epoch) + 1, 202201, '75', 'R75', 'habitat', 'decp', 5, 1e9 FROM contract_facts`); err != nil {
				t.Fatal(err)
			}
		}
		res, err := st.UpdateRollups(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if res.Epoch == 0 || res.Full != (step == 1) {
			t.Fatalf("step %d: %+v", step, res)
		}
		check(step)
		if step == 9 {
			// Compaction keeps the net content only, and the answers.
			state, _ := st.ContractsState(ctx)
			if err := st.CompactRollups(ctx); err != nil {
				t.Fatal(err)
			}
			if n, err := st.CountForTest(ctx, "contract_facts"); err != nil || n != uint64(len(current)) {
				t.Fatalf("after compaction, %d facts rows for %d contracts (%v)", n, len(current), err)
			}
			if after, _ := st.ContractsState(ctx); after != state {
				t.Fatalf("compaction changed the state: %s → %s", state, after)
			}
			check(step)
		}
	}
	// Nothing written since: no step, same state.
	if res, err := st.UpdateRollups(ctx); err != nil || res.Epoch != 0 {
		t.Fatalf("idle step: %+v %v", res, err)
	}
	t.Logf("%d contracts after 12 steps", len(current))
}
