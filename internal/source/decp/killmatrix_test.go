package decp

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"

	"github.com/vigie-data/vigie/internal/source/decp/decpgen"
	"github.com/vigie-data/vigie/internal/store"
	"github.com/vigie-data/vigie/internal/store/storetest"
)

// The kill matrix: the real binary ('vigie ingest decp --file') is killed
// with SIGKILL at several points of a generated load, then run again to
// the end, and every data table, read with FINAL, must equal an
// uninterrupted run's. ClickHouse 18.16 writes the blocks it received of
// an INSERT whose connection drops, and makes them visible only once it
// has written them: a re-run started at once may not see them yet, one
// started later does. Both are tried.
func TestKillMatrix(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and kills the vigie binary")
	}
	bin := filepath.Join(t.TempDir(), "vigie")
	if out, err := exec.Command("go", "build", "-o", bin, "github.com/vigie-data/vigie/cmd/vigie").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	input := filepath.Join(t.TempDir(), "decp-gen.json")
	f, err := os.Create(input)
	if err != nil {
		t.Fatal(err)
	}
	if err := decpgen.GenerateFormat(f, 14000, 1, decpgen.Format2022); err != nil {
		t.Fatal(err)
	}
	f.Close()
	server := newServerWatch(t)
	bg := context.Background()

	refDSN := storetest.DSN(t)
	if out, err := ingestCmd(bin, refDSN, input, "").CombinedOutput(); err != nil {
		t.Fatalf("uninterrupted run: %v\n%s", err, out)
	}
	ref := openStore(t, refDSN)
	want := snapshotData(t, ref)
	stored, err := ref.CountForTest(bg, "contracts")
	if err != nil {
		t.Fatal(err)
	}

	const commit = "3000" // records per commit, for the points after a commit
	cases := []struct {
		name   string
		commit string                  // VIGIE_DECP_COMMIT_RECORDS ("": the default, one commit at the end)
		until  func(*store.Store) bool // the point of the kill
		settle bool                    // wait for the killed INSERTs to be written before the re-run
		mayEnd bool                    // the run may end before the kill lands (its last steps are short)
	}{
		{"one block sent, re-run at once", "", server.sent(4096), false, false},
		{"two blocks sent, re-run at once", "", server.sent(2 * 4096), false, false},
		{"two blocks sent, re-run once written", "", server.sent(2 * 4096), true, false},
		{"first commit, re-run at once", commit, committed(1), false, false},
		{"half committed, re-run once written", commit, committed(stored / 2), true, false},
		{"all committed, re-run at once", commit, committed(stored), false, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dsn := storetest.DSN(t)
			st := openStore(t, dsn)
			cmd := ingestCmd(bin, dsn, input, tc.commit)
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			landed := false
			deadline := time.Now().Add(2 * time.Minute)
		poll:
			for time.Now().Before(deadline) {
				select {
				case <-done:
					break poll
				default:
				}
				if tc.until(st) {
					cmd.Process.Kill()
					landed = <-done != nil
					break
				}
				time.Sleep(2 * time.Millisecond)
			}
			switch {
			case !landed && tc.mayEnd:
				t.Log("the run ended before the kill landed")
			case !landed:
				cmd.Process.Kill()
				t.Fatalf("the run ended before the point of the kill")
			}
			if tc.settle {
				server.settle(t)
			}
			if out, err := ingestCmd(bin, dsn, input, tc.commit).CombinedOutput(); err != nil {
				t.Fatalf("re-run: %v\n%s", err, out)
			}
			server.settle(t) // the killed INSERTs, whenever they land, must change nothing
			compareData(t, want, snapshotData(t, st))
		})
	}
}

// dataTables are the tables an ingestion writes (ingest_runs, run_commits
// and checkpoints record the runs themselves); volatile are their columns
// that differ from run to run.
var (
	dataTables = []string{"contracts", "contract_holders", "contract_modifications", "contract_subcontracts",
		"contract_sources", "detections", "raw_documents", "quarantine"}
	volatile = []string{"ingested_at", "detected_at", "fetched_at", "seen_at", "run_id", "quarantined_at"}
)

func snapshotData(t *testing.T, st *store.Store) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	for _, table := range dataTables {
		rows, err := st.Snapshot(context.Background(), table, volatile...)
		if err != nil {
			t.Fatal(err)
		}
		out[table] = rows
	}
	return out
}

// compareData reports each table that differs, with its first difference.
func compareData(t *testing.T, want, got map[string][]string) {
	t.Helper()
	for _, table := range dataTables {
		g, w := got[table], want[table]
		if reflect.DeepEqual(g, w) {
			continue
		}
		t.Errorf("%s: %d rows, uninterrupted run: %d", table, len(g), len(w))
		missing, extra := diff(w, g), diff(g, w)
		for i, r := range missing {
			if i == 3 {
				break
			}
			t.Errorf("  missing: %.200s", r)
		}
		for i, r := range extra {
			if i == 3 {
				break
			}
			t.Errorf("  extra:   %.200s", r)
		}
	}
}

// diff gives the rows of a not in b.
func diff(a, b []string) []string {
	in := map[string]int{}
	for _, r := range b {
		in[r]++
	}
	var out []string
	for _, r := range a {
		if in[r] > 0 {
			in[r]--
			continue
		}
		out = append(out, r)
	}
	return out
}

func ingestCmd(bin, dsn, input, commit string) *exec.Cmd {
	cmd := exec.Command(bin, "ingest", "decp", "--file", input)
	var env []string
	for _, e := range os.Environ() {
		if !strings.HasPrefix(e, "VIGIE_") {
			env = append(env, e)
		}
	}
	cmd.Env = append(env, "VIGIE_CLICKHOUSE="+dsn, "VIGIE_DATA="+filepath.Dir(input))
	if commit != "" {
		cmd.Env = append(cmd.Env, CommitRecordsEnv+"="+commit)
	}
	return cmd
}

func openStore(t *testing.T, dsn string) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// committed is the point where n contracts rows are visible.
func committed(n uint64) func(*store.Store) bool {
	return func(st *store.Store) bool {
		c, err := st.CountForTest(context.Background(), "contracts")
		return err == nil && c >= n // an error: not migrated yet
	}
}

// serverWatch reads the running queries of the test server.
type serverWatch struct {
	conn clickhouse.Conn
}

func newServerWatch(t *testing.T) *serverWatch {
	opts, err := clickhouse.ParseDSN(storetest.Server(t))
	if err != nil {
		t.Fatal(err)
	}
	conn, err := clickhouse.Open(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return &serverWatch{conn}
}

// sent is the point where an INSERT INTO contracts still open has sent n
// rows (the tests of this package run one at a time).
func (w *serverWatch) sent(n uint64) func(*store.Store) bool {
	return func(*store.Store) bool {
		var rows uint64
		err := w.conn.QueryRow(context.Background(),
			`SELECT max(written_rows) FROM system.processes WHERE query LIKE 'INSERT INTO contracts %'`).Scan(&rows)
		return err == nil && rows >= n
	}
}

// settle waits until the server runs no INSERT, twice half a second apart.
func (w *serverWatch) settle(t *testing.T) {
	t.Helper()
	quiet := 0
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(500 * time.Millisecond) {
		var n uint64
		if err := w.conn.QueryRow(context.Background(),
			`SELECT count() FROM system.processes WHERE query LIKE 'INSERT %'`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n > 0 {
			quiet = 0
			continue
		}
		if quiet++; quiet == 2 {
			return
		}
	}
	t.Fatal(fmt.Errorf("the server still runs INSERTs after a minute"))
}
