package reprocess

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/vigie-data/vigie/internal/clause"
	"github.com/vigie-data/vigie/internal/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// A contract detected by an older detector version is detected again from
// its stored object; a second run finds nothing left to do.
func TestRunRedetectsStale(t *testing.T) {
	st := storetest.New(t)
	ctx := context.Background()
	if err := st.InsertForTest(ctx, "contracts", []string{"uid", "buyer_siret", "contract_id", "object", "detector_version", "version", "partition_year"},
		[]any{"u1", "s1", "c1", "Marché réservé aux entreprises adaptées et aux ESAT (article L. 2113-12)", uint32(0), uint64(1), uint16(2024)}); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	c, err := Run(ctx, st, 10, &out)
	if err != nil {
		t.Fatal(err)
	}
	if c.Contracts != 1 || !strings.Contains(out.String(), "re-detected 1 contracts") {
		t.Errorf("counts %+v, output %q: want 1 contract", c, out.String())
	}
	subs, err := st.StaleSubjects(ctx, "contract", clause.Version, "", 10)
	if err != nil || len(subs) != 0 {
		t.Errorf("still stale after the run: %+v, %v", subs, err)
	}
	if c, err := Run(ctx, st, 10, &out); err != nil || c.Contracts != 0 {
		t.Errorf("second run %+v, %v: want nothing to do", c, err)
	}
}
