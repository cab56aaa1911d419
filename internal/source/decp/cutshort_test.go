package decp

import (
	"bytes"
	"context"
	"io"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/vigie-data/vigie/internal/source/decp/decpgen"
	"github.com/vigie-data/vigie/internal/store/storetest"
)

// stallingReader gives the first n bytes of b, then tells cut and blocks
// until ctx ends: an input that stops coming mid-run.
type stallingReader struct {
	ctx context.Context
	b   []byte
	n   int
	cut chan struct{}
}

func (r *stallingReader) Read(p []byte) (int, error) {
	if r.n == 0 {
		if r.cut != nil {
			close(r.cut)
			r.cut = nil
		}
		<-r.ctx.Done()
		return 0, r.ctx.Err()
	}
	k := copy(p, r.b[:min(len(p), r.n)])
	r.b, r.n = r.b[k:], r.n-k
	return k, nil
}

// A run cut short after some commits, with INSERTs open (whose blocks
// ClickHouse 18.16 writes when their connection drops), then run again,
// ends with exactly the rows of an uninterrupted run.
func TestCutShortThenRerunEqualsUninterrupted(t *testing.T) {
	var in bytes.Buffer
	if err := decpgen.GenerateFormat(&in, 3000, 5, decpgen.Format2022); err != nil {
		t.Fatal(err)
	}
	opts := Options{BatchSize: 200, CommitRecords: 500}
	bg := context.Background()

	ref := storetest.New(t)
	if _, err := Ingest(bg, ref, bytes.NewReader(in.Bytes()), "gen.json", opts); err != nil {
		t.Fatal(err)
	}

	st := storetest.New(t)
	ctx, cancel := context.WithCancel(bg)
	r := &stallingReader{ctx: ctx, b: in.Bytes(), n: in.Len() * 6 / 10, cut: make(chan struct{})}
	cut := r.cut
	done := make(chan error, 1)
	go func() {
		_, err := Ingest(ctx, st, io.Reader(r), "gen.json", opts)
		done <- err
	}()
	<-cut
	// Let what was read reach the server, some of it committed.
	deadline := time.Now().Add(10 * time.Second)
	for {
		n, err := st.CountForTest(bg, "contracts")
		if err != nil {
			t.Fatal(err)
		}
		if n > 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(200 * time.Millisecond)
	cancel()
	if err := <-done; err == nil {
		t.Fatal("the run cut short ended without an error")
	}
	partial, err := st.CountForTest(bg, "contracts")
	if err != nil {
		t.Fatal(err)
	}
	all, err := ref.CountForTest(bg, "contracts")
	if err != nil {
		t.Fatal(err)
	}
	if partial == 0 || partial >= all {
		t.Fatalf("the cut did not land mid-run: %d contracts rows stored of %d", partial, all)
	}
	t.Logf("cut short with %d of %d contracts rows stored", partial, all)

	if _, err := Ingest(bg, st, bytes.NewReader(in.Bytes()), "gen.json", opts); err != nil {
		t.Fatal(err)
	}
	volatile := []string{"ingested_at", "detected_at", "fetched_at", "seen_at", "run_id"}
	for _, table := range []string{"contracts", "contract_holders", "contract_modifications", "contract_sources",
		"detections", "raw_documents", "quarantine"} {
		got, err := st.Snapshot(bg, table, volatile...)
		if err != nil {
			t.Fatal(err)
		}
		want, err := ref.Snapshot(bg, table, volatile...)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s after a run cut short and a re-run: %d rows, uninterrupted: %d", table, len(got), len(want))
			for i := 0; i < len(got) && i < len(want); i++ {
				if got[i] != want[i] {
					g, w := strings.Split(got[i], "\t"), strings.Split(want[i], "\t")
					for j := range g {
						if j < len(w) && g[j] != w[j] {
							t.Errorf("first difference, row %d: got %s, want %s", i, g[j], w[j])
						}
					}
					break
				}
			}
		}
	}
}
