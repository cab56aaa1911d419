package storetest

import (
	"context"
	"fmt"

	"github.com/ClickHouse/clickhouse-go/v2"

	"github.com/vigie-data/vigie/internal/store"
)

// Exec runs one statement on st's database through a connection of its
// own: benchmarks fill tables with INSERT ... SELECT FROM system.numbers,
// tests truncate them. The store has no such door into its database;
// what is written this way, st sees as another process's writes.
func Exec(ctx context.Context, st *store.Store, query string, args ...any) error {
	if baseDSN == "" {
		return fmt.Errorf("storetest.Exec: no test server (use storetest.New)")
	}
	opts, err := clickhouse.ParseDSN(baseDSN + "/" + st.Database())
	if err != nil {
		return err
	}
	conn, err := clickhouse.Open(opts)
	if err != nil {
		return err
	}
	defer conn.Close()
	ctx = clickhouse.Context(ctx, clickhouse.WithSettings(clickhouse.Settings{"max_execution_time": 3600}))
	return conn.Exec(ctx, query, args...)
}
