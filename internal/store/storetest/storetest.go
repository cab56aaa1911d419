// Package storetest gives integration tests a real ClickHouse: one
// throwaway managed server per test binary (the same code as vigie's
// managed server), and a fresh migrated database per test.
//
// Without a ClickHouse binary the tests skip, saying so, except when
// CI=true, where a missing ClickHouse fails them. VIGIE_TEST_CLICKHOUSE may
// name an existing server (a DSN) to use instead of starting one.
package storetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vigie-data/vigie/internal/chserver"
	"github.com/vigie-data/vigie/internal/store"
)

var (
	once    sync.Once
	server  *chserver.Server
	dir     string
	baseDSN string // DSN without the database
	initErr error
)

// Main wraps testing.M.Run so that the throwaway server is stopped and its
// directory removed when the package's tests end. Use it from TestMain:
//
//	func TestMain(m *testing.M) { storetest.Main(m) }
func Main(m *testing.M) {
	code := m.Run()
	Shutdown()
	os.Exit(code)
}

// Shutdown stops the throwaway server, if one was started.
func Shutdown() {
	if server != nil {
		server.Stop()
		server = nil
	}
	if dir != "" {
		os.RemoveAll(dir)
	}
}

func start() {
	if dsn := os.Getenv("VIGIE_TEST_CLICKHOUSE"); dsn != "" {
		baseDSN = strings.TrimRight(dsn, "/")
		if i := strings.LastIndex(baseDSN, "/"); i > len("clickhouse://") {
			baseDSN = baseDSN[:i]
		}
		return
	}
	if _, err := chserver.FindBinary(); err != nil {
		initErr = err
		return
	}
	dir, initErr = os.MkdirTemp("", "vigie-test-clickhouse-")
	if initErr != nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	server, initErr = chserver.Start(ctx, dir)
	if initErr == nil {
		baseDSN = fmt.Sprintf("clickhouse://default:@127.0.0.1:%d", server.TCPPort)
	}
}

// Server returns the throwaway server's base DSN (no database), skipping
// the test when no ClickHouse is available (failing it when CI=true).
func Server(t testing.TB) string {
	t.Helper()
	once.Do(start)
	if initErr != nil {
		if errors.Is(initErr, chserver.ErrNoBinary) && os.Getenv("CI") != "true" {
			t.Skipf("integration test skipped: %v", initErr)
		}
		t.Fatalf("throwaway ClickHouse: %v", initErr)
	}
	return baseDSN
}

var unsafe = regexp.MustCompile(`[^a-z0-9_]+`)

// DSN returns the DSN of a new, empty database for this test, dropped when
// the test ends.
func DSN(t testing.TB) string {
	t.Helper()
	base := Server(t)
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	name := unsafe.ReplaceAllString(strings.ToLower(t.Name()), "_")
	if len(name) > 40 {
		name = name[:40]
	}
	db := "t_" + name + "_" + hex.EncodeToString(b)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if st, err := store.Open(ctx, base+"/"+db); err == nil {
			_ = st.DropDatabase(ctx)
			st.Close()
		}
	})
	return base + "/" + db
}

// New returns a store on a fresh, migrated database for this test.
func New(t testing.TB) *store.Store {
	t.Helper()
	dsn := DSN(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	st, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatalf("open test store: %v", err)
	}
	if _, err := st.Migrate(ctx); err != nil {
		st.Close()
		t.Fatalf("migrate test store: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}
