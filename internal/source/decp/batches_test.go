package decp

import (
	"bytes"
	"context"
	"testing"

	"github.com/vigie-data/vigie/internal/source/decp/decpgen"
	"github.com/vigie-data/vigie/internal/store/storetest"
)

// Batches overlap (a batch is looked up while the previous one's contracts
// are sent, and while earlier ones are being committed): a contract
// repeated in a later batch must still count as a duplicate, whatever the
// batch and commit sizes, the rows stored must be the same, and a second
// run changes nothing.
func TestSmallBatchesCountAsOne(t *testing.T) {
	var in bytes.Buffer
	if err := decpgen.Generate(&in, 2000, 11); err != nil {
		t.Fatal(err)
	}
	type counts struct{ contracts, holders, modifications, sources uint64 }
	ingestWith := func(batch int, commit int64, maxKeys int) (sums [2][4]int64, stored counts) {
		opts := Options{BatchSize: batch, CommitRecords: commit, MaxStoredKeys: maxKeys}
		st := storetest.New(t)
		for i := range sums {
			s, err := Ingest(context.Background(), st, bytes.NewReader(in.Bytes()), "gen.json", opts)
			if err != nil {
				t.Fatal(err)
			}
			sums[i] = [4]int64{s.RecordsRead, s.New, s.Updated, s.Duplicates}
		}
		s := stats(t, st)
		return sums, counts{s.Current, s.Holders, s.Modifications, s.Sources}
	}
	want, wantN := ingestWith(100000, 100000, -1)
	for _, c := range []struct {
		batch   int
		commit  int64
		maxKeys int // -1: every key looked up; else the stored keys are read first
	}{{37, 100000, -1}, {37, 150, -1}, {500, 700, -1}, {37, 150, 1 << 20}, {500, 700, 1 << 20}} {
		got, gotN := ingestWith(c.batch, c.commit, c.maxKeys)
		if got != want || gotN != wantN {
			t.Fatalf("batches of %d, commits every %d, stored keys read %v: runs %v, stored %+v; one batch: %v, %+v",
				c.batch, c.commit, c.maxKeys > 0, got, gotN, want, wantN)
		}
	}
	if want[0][3] == 0 || want[1][1] != 0 || want[1][2] != 0 {
		t.Fatalf("counts %v: want duplicates in the input, and nothing new or updated on the second run", want)
	}
}
