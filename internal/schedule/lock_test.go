package schedule

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/vigie-data/vigie/internal/ingest"
	"github.com/vigie-data/vigie/internal/source"
	"github.com/vigie-data/vigie/internal/store"
	"github.com/vigie-data/vigie/internal/store/storetest"
)

// TestHelperHoldLock is not a test: run as a child process with
// VIGIE_TEST_HOLD_LOCK=dir:pipeline, it holds that pipeline's lock, as
// another vigie running it would, until it is killed or its stdin closes.
func TestHelperHoldLock(t *testing.T) {
	spec := os.Getenv("VIGIE_TEST_HOLD_LOCK")
	if spec == "" {
		t.Skip("helper process")
	}
	dir, name, _ := strings.Cut(spec, ":")
	lk, err := lockPipeline(dir, name)
	if err != nil {
		fmt.Println("error:", err)
		os.Exit(1)
	}
	lk.describe("child-run", time.Now())
	fmt.Println("held")
	io.Copy(io.Discard, os.Stdin)
	lk.release()
	os.Exit(0)
}

// holdLock starts another process holding the pipeline's lock.
func holdLock(t *testing.T, dir, pipeline string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperHoldLock$")
	cmd.Env = append(os.Environ(), "VIGIE_TEST_HOLD_LOCK="+dir+":"+pipeline)
	stdin, _ := cmd.StdinPipe()
	out, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { stdin.Close(); cmd.Process.Kill(); cmd.Wait() })
	line, _ := bufio.NewReader(out).ReadString('\n')
	if strings.TrimSpace(line) != "held" {
		t.Fatalf("helper: %q", line)
	}
	return cmd
}

// A pipeline another process runs is refused, saying who runs it; once
// that process is killed (-9: nothing recorded, nothing cleaned), it runs.
func TestLockAcrossProcesses(t *testing.T) {
	st := storetest.New(t)
	dir := t.TempDir()
	ran := 0
	r := newTestRunner(st, map[string]job{"decp": func(ctx context.Context, run *source.Run) (ingest.Summary, error) {
		ran++
		return ingest.Summary{Source: "decp"}, nil
	}})
	r.LockDir = dir
	p := testPipeline(t, "decp", "decp", "@daily", "http://upstream.test/", 0)
	child := holdLock(t, dir, "decp")

	run, err := r.Run(context.Background(), p)
	if !errors.Is(err, ErrRunning) || ran != 0 || run.RunID != "" {
		t.Fatalf("run beside another process: %+v, err %v, source ran %d times; want refused", run, err, ran)
	}
	want := fmt.Sprintf("pipeline decp is already running in another process (pid %d, run child-run", child.Process.Pid)
	if !strings.Contains(err.Error(), want) {
		t.Errorf("message %q lacks %q", err, want)
	}
	if rs := runs(t, st, "decp"); len(rs) != 0 {
		t.Errorf("a refused run was recorded: %+v", rs)
	}

	child.Process.Kill()
	child.Wait()
	if run, err := r.Run(context.Background(), p); err != nil || run.Status != StatusOK || ran != 1 {
		t.Errorf("after the other process died: %+v, err %v", run, err)
	}
}

// A run left running by a killed process is recorded interrupted once no
// process holds its pipeline: when the pipeline runs next, and when the
// status is read. A run whose process is alive stays running.
func TestDeadRunRecordedInterrupted(t *testing.T) {
	st := storetest.New(t)
	ctx := context.Background()
	dir := t.TempDir()
	r := newTestRunner(st, map[string]job{"decp": func(ctx context.Context, run *source.Run) (ingest.Summary, error) {
		return ingest.Summary{Source: "decp"}, nil
	}})
	r.LockDir = dir
	started := time.Now().Add(-time.Hour).UTC().Truncate(time.Second)
	for _, name := range []string{"dead", "alive", "dead-too"} {
		if err := st.RecordRun(ctx, store.Run{RunID: name + "-1", Pipeline: name, Source: "decp", StartedAt: started,
			Status: StatusRunning, Version: uint64(started.UnixNano())}); err != nil {
			t.Fatal(err)
		}
	}
	holdLock(t, dir, "alive")
	ps := []Pipeline{
		testPipeline(t, "alive", "decp", "@daily", "http://upstream.test/", 0),
		testPipeline(t, "dead", "decp", "@daily", "http://upstream.test/", 0),
		testPipeline(t, "dead-too", "decp", "@daily", "http://upstream.test/", 0),
	}

	list, err := RunnerStatuses(ctx, r, ps, time.Now(), nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range list {
		want := StatusInterrupted
		if s.Name == "alive" {
			want = StatusRunning
		}
		if s.LastRun == nil || s.LastRun.Status != want {
			t.Errorf("%s: last run %+v, want %s", s.Name, s.LastRun, want)
		}
		if want == StatusInterrupted && (!strings.Contains(s.LastRun.Error, "killed?") || s.LastRun.FinishedAt == nil) {
			t.Errorf("%s: last run %+v: want an end and the reason", s.Name, s.LastRun)
		}
	}

	// The next run of a pipeline records its dead runs too.
	if err := st.RecordRun(ctx, store.Run{RunID: "dead-2", Pipeline: "dead", Source: "decp", StartedAt: started,
		Status: StatusRunning, Version: uint64(started.UnixNano())}); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Run(ctx, ps[1]); err != nil {
		t.Fatal(err)
	}
	for _, run := range runs(t, st, "dead") {
		if run.Status == StatusRunning {
			t.Errorf("run %s still running after the pipeline ran again", run.RunID)
		}
	}
}

// A run that outlives its pipeline's timeout fails, saying so, and the
// next turn is not blocked by it.
func TestRunDeadline(t *testing.T) {
	st := storetest.New(t)
	calls := 0
	r := newTestRunner(st, map[string]job{"boamp": func(ctx context.Context, run *source.Run) (ingest.Summary, error) {
		calls++
		<-ctx.Done() // a source stuck on something no other timeout catches
		return ingest.Summary{Source: "boamp", RecordsRead: 3}, ctx.Err()
	}})
	p := testPipeline(t, "stuck", "boamp", "@daily", "http://upstream.test/", 0)
	p.Timeout = 200 * time.Millisecond
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for i := 1; i <= 2; i++ {
		run, err := r.Run(ctx, p)
		if err == nil || run.Status != StatusFailed || !strings.Contains(run.Error, "deadline (timeout 200ms) passed") || run.RecordsRead != 3 {
			t.Fatalf("run %d: %+v, err %v; want failed on its deadline", i, run, err)
		}
	}
	if calls != 2 {
		t.Errorf("source ran %d times, want 2", calls)
	}
}
