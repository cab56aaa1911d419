// Package chserver runs a private ClickHouse server for vigie when no
// external one is configured: its own data directory, loopback only, free
// ports. The same code starts throwaway servers for integration tests.
package chserver

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// ErrNoBinary is returned when no ClickHouse server executable is on PATH.
var ErrNoBinary = errors.New("no ClickHouse server binary found on PATH: " +
	"install one (Debian: apt-get install clickhouse-server; or the official single binary 'clickhouse'), " +
	"run 'docker compose up', or set VIGIE_CLICKHOUSE to an existing server")

// Server is a running managed ClickHouse.
type Server struct {
	Dir     string // $VIGIE_DATA/clickhouse
	TCPPort int
	cmd     *exec.Cmd
	exited  chan struct{}
	waitErr error
}

// FindBinary returns the command line that starts a server: the one named
// by VIGIE_CLICKHOUSE_SERVER, else 'clickhouse-server' or the single
// 'clickhouse' binary (as 'clickhouse server') on PATH, else in the sbin
// directories Debian's package uses, which a non-root PATH often lacks.
func FindBinary() ([]string, error) {
	if p := os.Getenv("VIGIE_CLICKHOUSE_SERVER"); p != "" {
		if st, err := os.Stat(p); err != nil || st.IsDir() {
			return nil, fmt.Errorf("VIGIE_CLICKHOUSE_SERVER=%s: not an executable file: %w", p, ErrNoBinary)
		}
		if filepath.Base(p) == "clickhouse" {
			return []string{p, "server"}, nil
		}
		return []string{p}, nil
	}
	if p, err := exec.LookPath("clickhouse-server"); err == nil {
		return []string{p}, nil
	}
	if p, err := exec.LookPath("clickhouse"); err == nil {
		return []string{p, "server"}, nil
	}
	for _, dir := range []string{"/usr/sbin", "/usr/local/sbin"} {
		p := filepath.Join(dir, "clickhouse-server")
		if st, err := os.Stat(p); err == nil && !st.IsDir() {
			return []string{p}, nil
		}
	}
	return nil, ErrNoBinary
}

// DSN is the clickhouse-go DSN for database db on this server.
func (s *Server) DSN(db string) string {
	return fmt.Sprintf("clickhouse://default:@127.0.0.1:%d/%s", s.TCPPort, db)
}

// Start writes a minimal configuration under dir and starts the server,
// waiting until it accepts native connections. Data already in dir is kept,
// so a later Start on the same dir finds it again.
func Start(ctx context.Context, dir string) (*Server, error) {
	bin, err := FindBinary()
	if err != nil {
		return nil, err
	}
	dir, err = filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	for _, sub := range []string{"data", "tmp", "user_files", "format_schemas", "log"} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o750); err != nil {
			return nil, fmt.Errorf("managed clickhouse: create %s: %w", dir, err)
		}
	}
	// Another vigie process (say 'vigie up') may already run the server of
	// this data directory: share it rather than fight over its lock.
	if port, ok := running(dir); ok {
		return &Server{Dir: dir, TCPPort: port, exited: make(chan struct{})}, nil
	}
	tcp, err := freePort()
	if err != nil {
		return nil, fmt.Errorf("managed clickhouse: no free port: %w", err)
	}
	if err := writeConfig(dir, tcp); err != nil {
		return nil, err
	}
	args := append(bin[1:], "--config-file="+filepath.Join(dir, "config.xml"))
	cmd := exec.Command(bin[0], args...)
	cmd.Dir = dir
	logf, err := os.OpenFile(filepath.Join(dir, "log", "stdout.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o640)
	if err != nil {
		return nil, err
	}
	cmd.Stdout, cmd.Stderr = logf, logf
	// The server must not outlive vigie, even on kill -9 of vigie.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM, Setpgid: true}
	if err := cmd.Start(); err != nil {
		logf.Close()
		return nil, fmt.Errorf("managed clickhouse: start %s: %w", bin[0], err)
	}
	s := &Server{Dir: dir, TCPPort: tcp, cmd: cmd, exited: make(chan struct{})}
	go func() {
		s.waitErr = cmd.Wait()
		logf.Close()
		close(s.exited)
	}()
	_ = os.WriteFile(filepath.Join(dir, "vigie.pid"), []byte(strconv.Itoa(cmd.Process.Pid)), 0o640)
	if err := s.waitReady(ctx, 60*time.Second); err != nil {
		_ = s.Stop()
		return nil, err
	}
	return s, nil
}

func (s *Server) waitReady(ctx context.Context, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(s.TCPPort))
	for {
		select {
		case <-s.exited:
			return fmt.Errorf("managed clickhouse exited during start-up (%v); see %s", s.waitErr, s.errLogHint())
		case <-ctx.Done():
			return ctx.Err()
		default:
		}
		c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
		if err == nil {
			c.Close()
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("managed clickhouse did not answer on %s within %s; see %s", addr, limit, s.errLogHint())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func (s *Server) errLogHint() string {
	p := filepath.Join(s.Dir, "log", "clickhouse-server.err.log")
	b, err := os.ReadFile(p)
	if err != nil || len(b) == 0 {
		return p
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	return p + ": " + lines[len(lines)-1]
}

// Exited is closed when the server process ends.
func (s *Server) Exited() <-chan struct{} { return s.exited }

// Owned tells whether this process started the server (and will stop it).
func (s *Server) Owned() bool { return s.cmd != nil }

// Stop sends SIGTERM and waits for the server to exit (SIGKILL after 30 s).
// A server shared with another vigie process is left running.
func (s *Server) Stop() error {
	if s.cmd == nil {
		return nil
	}
	select {
	case <-s.exited:
		return nil
	default:
	}
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.exited:
	case <-time.After(30 * time.Second):
		_ = s.cmd.Process.Kill()
		<-s.exited
	}
	_ = os.Remove(filepath.Join(s.Dir, "vigie.pid"))
	return nil
}

var tcpPortRe = regexp.MustCompile(`<tcp_port>(\d+)</tcp_port>`)

// running finds a live server started by another vigie on dir, and its port.
func running(dir string) (int, bool) {
	b, err := os.ReadFile(filepath.Join(dir, "vigie.pid"))
	if err != nil {
		return 0, false
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil || pid <= 0 {
		return 0, false
	}
	cmdline, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
	if err != nil || !strings.Contains(string(cmdline), filepath.Join(dir, "config.xml")) {
		return 0, false // gone, or the pid now belongs to another process
	}
	cfg, err := os.ReadFile(filepath.Join(dir, "config.xml"))
	if err != nil {
		return 0, false
	}
	m := tcpPortRe.FindSubmatch(cfg)
	if m == nil {
		return 0, false
	}
	port, _ := strconv.Atoi(string(m[1]))
	c, err := net.DialTimeout("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), time.Second)
	if err != nil {
		return 0, false
	}
	c.Close()
	return port, true
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
