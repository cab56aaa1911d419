package decp

import (
	"bytes"
	"context"
	"testing"

	"github.com/vigie-data/vigie/internal/source/decp/decpgen"
	"github.com/vigie-data/vigie/internal/store/storetest"
)

// Batches overlap (a batch is looked up while the previous one's contracts
// are written): a contract repeated in the next batch must still count as
// a duplicate, whatever the batch size, and a second run changes nothing.
func TestSmallBatchesCountAsOne(t *testing.T) {
	var in bytes.Buffer
	if err := decpgen.Generate(&in, 2000, 11); err != nil {
		t.Fatal(err)
	}
	ingestWith := func(batch int) (sums [2][4]int64, contracts uint64) {
		defer func(n int) { BatchSize = n }(BatchSize)
		BatchSize = batch
		st := storetest.New(t)
		for i := range sums {
			s, err := Ingest(context.Background(), st, bytes.NewReader(in.Bytes()), "gen.json", Options{})
			if err != nil {
				t.Fatal(err)
			}
			sums[i] = [4]int64{s.RecordsRead, s.New, s.Updated, s.Duplicates}
		}
		return sums, stats(t, st).Current
	}
	want, wantN := ingestWith(100000)
	got, gotN := ingestWith(37)
	if got != want || gotN != wantN {
		t.Fatalf("batches of 37: runs %v, %d contracts; one batch: %v, %d contracts", got, gotN, want, wantN)
	}
	if want[0][3] == 0 || want[1][1] != 0 || want[1][2] != 0 {
		t.Fatalf("counts %v: want duplicates in the input, and nothing new or updated on the second run", want)
	}
}
