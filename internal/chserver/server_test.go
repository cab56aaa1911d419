package chserver_test

import (
	"context"
	"errors"
	"os"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"

	"github.com/vigie-data/vigie/internal/chserver"
)

func requireBinary(t *testing.T) {
	if _, err := chserver.FindBinary(); errors.Is(err, chserver.ErrNoBinary) {
		if os.Getenv("CI") == "true" {
			t.Fatal(err)
		}
		t.Skipf("integration test skipped: %v", err)
	}
}

func TestManagedServerKeepsDataAcrossRestart(t *testing.T) {
	requireBinary(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	dir := t.TempDir()

	srv, err := chserver.Start(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	if !srv.Owned() {
		t.Fatal("first start should own the server")
	}
	exec := func(dsn, q string) {
		t.Helper()
		opts, _ := clickhouse.ParseDSN(dsn)
		conn, err := clickhouse.Open(opts)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		if err := conn.Exec(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	exec(srv.DSN("default"), "CREATE TABLE keep (x UInt32) ENGINE = MergeTree ORDER BY x")
	exec(srv.DSN("default"), "INSERT INTO keep (x) SELECT number FROM system.numbers LIMIT 7")

	// A second start on the same directory while it runs shares it.
	shared, err := chserver.Start(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	if shared.Owned() || shared.TCPPort != srv.TCPPort {
		t.Fatalf("second start: owned=%v port=%d, want shared port %d", shared.Owned(), shared.TCPPort, srv.TCPPort)
	}
	shared.Stop() // no-op for a shared server
	select {
	case <-srv.Exited():
		t.Fatal("stopping a shared handle stopped the server")
	case <-time.After(200 * time.Millisecond):
	}

	if err := srv.Stop(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-srv.Exited():
	default:
		t.Fatal("server still running after Stop")
	}

	again, err := chserver.Start(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer again.Stop()
	opts, _ := clickhouse.ParseDSN(again.DSN("default"))
	conn, err := clickhouse.Open(opts)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var n uint64
	if err := conn.QueryRow(ctx, "SELECT count() FROM keep").Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 7 {
		t.Fatalf("after restart: %d rows, want 7", n)
	}
}
