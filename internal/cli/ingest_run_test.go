package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vigie-data/vigie/internal/config"
	"github.com/vigie-data/vigie/internal/store"
	"github.com/vigie-data/vigie/internal/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// 'vigie ingest' goes through the runner: the run is recorded in
// ingest_runs under "ingest:<source>", and the summary printed is the
// source's, without a checkpoint.
func TestIngestByHandIsRecorded(t *testing.T) {
	dsn := storetest.DSN(t)
	var out, errb bytes.Buffer
	env := &Env{Config: &config.Config{ClickHouse: dsn}, Stdout: &out, Stderr: &errb}
	file := filepath.Join("..", "..", "testdata", "decp", "variants-2022.json")
	if code := run([]string{"ingest", "decp", "--file", file, "--json"}, env); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	var sum map[string]any
	if err := json.Unmarshal(out.Bytes(), &sum); err != nil {
		t.Fatalf("summary %q: %v", out.String(), err)
	}
	if _, ok := sum["checkpoint"]; ok || sum["source"] != "variants-2022" || sum["records_read"].(float64) == 0 {
		t.Errorf("summary %v: want the file's, without a checkpoint", sum)
	}
	st, err := store.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	rs, err := st.Runs(context.Background(), "ingest:decp", 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 1 || rs[0].Status != "ok" || rs[0].Source != "decp" || float64(rs[0].RecordsRead) != sum["records_read"].(float64) {
		t.Errorf("runs recorded %+v: want one ok run of decp with the summary's counts", rs)
	}
	if cp, found, _ := st.LoadCheckpoint(context.Background(), "ingest:decp"); found {
		t.Errorf("a run by hand saved a checkpoint: %+v", cp)
	}
	if strings.Contains(errb.String(), "panic") {
		t.Errorf("stderr: %s", errb.String())
	}
}
