package main

import (
	"bufio"
	"errors"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/vigie-data/vigie/internal/chserver"
)

// buildVigie compiles the binary once per test run.
func buildVigie(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "vigie")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

func requireClickHouse(t *testing.T) {
	if _, err := chserver.FindBinary(); errors.Is(err, chserver.ErrNoBinary) {
		if os.Getenv("CI") == "true" {
			t.Fatal(err)
		}
		t.Skipf("integration test skipped: %v", err)
	}
}

func cleanEnv(extra ...string) []string {
	var env []string
	for _, e := range os.Environ() {
		if !strings.HasPrefix(e, "VIGIE_") {
			env = append(env, e)
		}
	}
	return append(env, extra...)
}

// TestUpStopsOnSIGTERMAndKeepsData runs 'vigie up' as a user would, stops
// it with SIGTERM, and checks the managed server went with it and that a
// second 'vigie up' on the same directory finds the migrated database.
func TestUpStopsOnSIGTERMAndKeepsData(t *testing.T) {
	requireClickHouse(t)
	bin := buildVigie(t)
	data := t.TempDir()
	pipelines := t.TempDir() // no pipelines: nothing fetched from outside

	for round := 1; round <= 2; round++ {
		cmd := exec.Command(bin, "up", "--data", data, "--addr", "127.0.0.1:0", "--pipelines", pipelines)
		cmd.Env = cleanEnv()
		stderr, _ := cmd.StderrPipe()
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		lines := make(chan string, 100)
		go func() {
			sc := bufio.NewScanner(stderr)
			for sc.Scan() {
				lines <- sc.Text()
			}
			close(lines)
		}()
		var log []string
		ready := false
		timeout := time.After(90 * time.Second)
		for !ready {
			select {
			case l, ok := <-lines:
				if !ok {
					t.Fatalf("round %d: vigie up ended early:\n%s", round, strings.Join(log, "\n"))
				}
				log = append(log, l)
				if round == 2 && strings.Contains(l, "migration applied") {
					t.Errorf("round 2 applied a migration again: %s", l)
				}
				ready = strings.Contains(l, "API and pages listening")
			case <-timeout:
				cmd.Process.Kill()
				t.Fatalf("round %d: vigie up API not listening in 90 s:\n%s", round, strings.Join(log, "\n"))
			}
		}
		if round == 1 && !strings.Contains(strings.Join(log, "\n"), "migration applied") {
			t.Errorf("round 1 applied no migration:\n%s", strings.Join(log, "\n"))
		}
		pidb, err := os.ReadFile(filepath.Join(data, "clickhouse", "vigie.pid"))
		if err != nil {
			t.Fatal(err)
		}
		chPid, _ := strconv.Atoi(strings.TrimSpace(string(pidb)))

		start := time.Now()
		cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan error, 1)
		go func() {
			for range lines {
			}
			done <- cmd.Wait()
		}()
		select {
		case err := <-done:
			if err != nil {
				t.Fatalf("round %d: vigie up exited with %v after SIGTERM", round, err)
			}
		case <-time.After(40 * time.Second):
			cmd.Process.Kill()
			t.Fatalf("round %d: vigie up still running 40 s after SIGTERM", round)
		}
		t.Logf("round %d: stopped %v after SIGTERM", round, time.Since(start).Round(time.Millisecond))
		if err := syscall.Kill(chPid, 0); err == nil {
			t.Fatalf("round %d: managed ClickHouse (pid %d) still running after vigie exited", round, chPid)
		}
	}
}

func TestUsageErrors(t *testing.T) {
	bin := buildVigie(t)
	cases := []struct {
		args []string
		code int
		want *regexp.Regexp
	}{
		{[]string{"nosuch"}, 2, regexp.MustCompile(`unknown command "nosuch"`)},
		{[]string{"migrate", "--nosuch"}, 2, regexp.MustCompile(`flag provided but not defined: -nosuch`)},
		{[]string{"status", "--clickhouse", "http://127.0.0.1:1/x"}, 1, regexp.MustCompile(`native protocol`)},
		{[]string{"status", "--clickhouse", "clickhouse://127.0.0.1:1/vigie"}, 1, regexp.MustCompile(`unreachable at 127.0.0.1:1`)},
		{[]string{"migrate", "extra"}, 2, regexp.MustCompile(`unexpected argument "extra"`)},
	}
	for _, c := range cases {
		cmd := exec.Command(bin, c.args...)
		cmd.Env = cleanEnv()
		out, err := cmd.CombinedOutput()
		var ee *exec.ExitError
		code := 0
		if errors.As(err, &ee) {
			code = ee.ExitCode()
		}
		if code != c.code || !c.want.Match(out) {
			t.Errorf("vigie %v: exit %d, output %q; want exit %d matching %s", c.args, code, out, c.code, c.want)
		}
		if strings.Contains(string(out), "goroutine ") {
			t.Errorf("vigie %v printed a stack trace", c.args)
		}
	}
	out, err := exec.Command(bin, "help").CombinedOutput()
	if err != nil || !strings.Contains(string(out), "migrate") || !strings.Contains(string(out), "VIGIE_CLICKHOUSE") {
		t.Errorf("vigie help: %v %s", err, out)
	}
}

func TestNoClickHouseBinaryIsAClearError(t *testing.T) {
	bin := buildVigie(t)
	cmd := exec.Command(bin, "status", "--data", t.TempDir())
	cmd.Env = cleanEnv("PATH="+t.TempDir(), "VIGIE_CLICKHOUSE_SERVER="+filepath.Join(t.TempDir(), "clickhouse-server"))
	out, _ := cmd.CombinedOutput()
	if !strings.Contains(string(out), "apt-get install clickhouse-server") || !strings.Contains(string(out), "VIGIE_CLICKHOUSE") {
		t.Errorf("no binary: got %q", out)
	}
}

// A port already in use is a one-line error naming the address, before
// any pipeline starts, and serve (like up) stops its managed ClickHouse.
func TestServePortInUse(t *testing.T) {
	requireClickHouse(t)
	bin := buildVigie(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	data := t.TempDir()
	cmd := exec.Command(bin, "serve", "--data", data, "--addr", ln.Addr().String(), "--pipelines", t.TempDir())
	cmd.Env = cleanEnv()
	out, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 1 || !strings.Contains(string(out), "API listen on "+ln.Addr().String()) {
		t.Fatalf("serve on a busy port: %v\n%s", err, out)
	}
	if strings.Contains(string(out), "scheduler starting") {
		t.Errorf("the scheduler started before the port was checked:\n%s", out)
	}
	if _, err := os.Stat(filepath.Join(data, "clickhouse", "vigie.pid")); err == nil {
		t.Errorf("managed ClickHouse left running (vigie.pid still there)")
	}
}
