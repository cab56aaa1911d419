package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/vigie-data/vigie/internal/store"
	"github.com/vigie-data/vigie/internal/store/storetest"
)

// What a contract stream sends, in several blocks and batches, is
// invisible until Commit, and the stream goes on after a commit. (What an
// aborted stream leaves depends on the server: 18.16 writes the blocks it
// received of an INSERT whose connection drops, current releases nothing;
// the DECP writer's run commits cover both.)
func TestContractStreamCommits(t *testing.T) {
	st := storetest.New(t)
	ctx := context.Background()
	count := func(table string) uint64 {
		t.Helper()
		n, err := st.CountForTest(ctx, table)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	batch := func(from, n int) *store.ContractBatch {
		b := &store.ContractBatch{}
		for i := from; i < from+n; i++ {
			id := fmt.Sprint("c", i)
			b.Contracts = append(b.Contracts, &store.ContractRow{UID: id, BuyerSiret: "21750001600019", ContractID: id, Version: 1, PartitionYear: 2024})
			b.Holders = append(b.Holders, store.HolderRow{UID: id, BuyerSiret: "21750001600019", ContractID: id, ContractVersion: 1, ID: "h"})
			b.Sources = append(b.Sources, store.ContractSourceRow{UID: id, BuyerSiret: "21750001600019", ContractID: id, Source: "test"})
		}
		return b
	}
	send := func(cs *store.ContractStream, b *store.ContractBatch) {
		t.Helper()
		if err := cs.WriteSideRows(ctx, b); err != nil {
			t.Fatal(err)
		}
		if err := cs.WriteContracts(ctx, b.Contracts); err != nil {
			t.Fatal(err)
		}
	}

	// 2 × 6 000 rows: blocks of 4 096 go to the server before the commit.
	cs := st.NewContractStream()
	send(cs, batch(0, 6000))
	send(cs, batch(6000, 6000))
	time.Sleep(500 * time.Millisecond) // let the server take the blocks in
	for _, table := range []string{"contracts", "contract_holders", "contract_sources"} {
		if n := count(table); n != 0 {
			t.Fatalf("%s: %d rows visible before the commit, want 0", table, n)
		}
	}
	if err := cs.Commit(); err != nil {
		t.Fatal(err)
	}
	send(cs, batch(12000, 10)) // the stream goes on after a commit
	if err := cs.Commit(); err != nil {
		t.Fatal(err)
	}
	for _, table := range []string{"contracts", "contract_holders", "contract_sources"} {
		if n := count(table); n != 12010 {
			t.Fatalf("%s: %d rows after the commits, want 12010", table, n)
		}
	}
}

// A raw stream sends each document as it comes and makes them visible
// at Commit.
func TestRawStream(t *testing.T) {
	st := storetest.New(t)
	ctx := context.Background()
	rs := st.NewRawStream()
	for i := range 3 {
		if err := rs.Write(ctx, store.RawDocument{Source: "test", DocKey: fmt.Sprint("d", i), Body: "x"}); err != nil {
			t.Fatal(err)
		}
	}
	if n, err := st.CountForTest(ctx, "raw_documents"); err != nil || n != 0 {
		t.Fatalf("%d raw documents visible before the commit (%v), want 0", n, err)
	}
	if err := rs.Commit(); err != nil {
		t.Fatal(err)
	}
	if n, err := st.CountForTest(ctx, "raw_documents"); err != nil || n != 3 {
		t.Fatalf("%d raw documents after the commit (%v), want 3", n, err)
	}
}
