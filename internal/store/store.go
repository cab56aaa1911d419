// Package store owns vigie's ClickHouse: the connection (native protocol),
// migrations, batched writes and the queries. No other package talks SQL.
package store

import (
	"context"
	"errors"
	"fmt"
	"net"
	"regexp"
	"strings"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
)

// Store is a connection to vigie's database.
type Store struct {
	conn     driver.Conn
	database string
	addr     string
	rollups  rollupCache // freshness of the API's derived tables (rollups.go)
	tenders  tenderState // signature of the open-tender tables (tenderstate.go)
}

var identRe = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// Open connects to the server named by dsn (a clickhouse-go DSN such as
// clickhouse://default:@127.0.0.1:9000/vigie), creating the database if
// it does not exist.
func Open(ctx context.Context, dsn string) (*Store, error) {
	opts, err := clickhouse.ParseDSN(dsn)
	if err != nil {
		return nil, fmt.Errorf("invalid ClickHouse DSN %q: %w (expected clickhouse://user:password@host:9000/database)", maskDSN(dsn), err)
	}
	if opts.Protocol != clickhouse.Native {
		return nil, fmt.Errorf("invalid ClickHouse DSN %q: vigie speaks the native protocol (clickhouse://host:9000/db), not HTTP", maskDSN(dsn))
	}
	db := opts.Auth.Database
	if db == "" {
		db = "vigie"
	}
	if !identRe.MatchString(db) {
		return nil, fmt.Errorf("invalid ClickHouse database name %q: letters, digits and _ only", db)
	}
	if opts.DialTimeout == 0 || opts.DialTimeout > 10*time.Second {
		opts.DialTimeout = 10 * time.Second
	}
	if opts.MaxOpenConns == 0 {
		opts.MaxOpenConns = 32
	}
	if opts.MaxIdleConns == 0 {
		opts.MaxIdleConns = 16
	}
	addr := strings.Join(opts.Addr, ",")

	// Connect to the server's default database first: ours may not exist yet.
	opts.Auth.Database = "default"
	boot, err := clickhouse.Open(opts)
	if err != nil {
		return nil, connErr(addr, err)
	}
	if err := boot.Ping(ctx); err != nil {
		boot.Close()
		return nil, connErr(addr, err)
	}
	if err := boot.Exec(ctx, "CREATE DATABASE IF NOT EXISTS "+db); err != nil {
		boot.Close()
		return nil, fmt.Errorf("create database %s on %s: %w", db, addr, err)
	}
	boot.Close()

	opts.Auth.Database = db
	conn, err := clickhouse.Open(opts)
	if err != nil {
		return nil, connErr(addr, err)
	}
	if err := conn.Ping(ctx); err != nil {
		conn.Close()
		return nil, connErr(addr, err)
	}
	st := &Store{conn: conn, database: db, addr: addr}
	st.rollups.nudge = make(chan struct{}, 1)
	return st, nil
}

func connErr(addr string, err error) error {
	var ne net.Error
	var ex *clickhouse.Exception
	switch {
	case errors.As(err, &ex):
		return fmt.Errorf("ClickHouse at %s refused the connection: %s (check the user and password in VIGIE_CLICKHOUSE)", addr, ex.Message)
	case errors.As(err, &ne), strings.Contains(err.Error(), "connection refused"):
		return fmt.Errorf("ClickHouse unreachable at %s: %v (is the server running? unset VIGIE_CLICKHOUSE to let vigie start its own)", addr, err)
	}
	return fmt.Errorf("ClickHouse at %s: %w", addr, err)
}

// Close closes the connection pool.
func (s *Store) Close() error { return s.conn.Close() }

// Database is the name of vigie's database.
func (s *Store) Database() string { return s.database }

// Addr is the server address, for messages.
func (s *Store) Addr() string { return s.addr }

// Ping checks the server answers.
func (s *Store) Ping(ctx context.Context) error { return s.conn.Ping(ctx) }

// ServerVersion is the server's version string, e.g. "18.16.1".
func (s *Store) ServerVersion(ctx context.Context) (string, error) {
	var v string
	if err := s.conn.QueryRow(ctx, "SELECT version()").Scan(&v); err != nil {
		return "", fmt.Errorf("server version: %w", err)
	}
	return v, nil
}

// withTimeout gives a query a server-side time limit as well as a context.
func withTimeout(ctx context.Context, seconds int) context.Context {
	return clickhouse.Context(ctx, clickhouse.WithSettings(clickhouse.Settings{
		"max_execution_time": seconds,
	}))
}
