package store

import (
	"context"
	"fmt"
	"strings"
)

// insert writes rows into table through a native-protocol batch. Columns
// are always named: clickhouse-go batches without a column list fail on
// ClickHouse 18.16, and an INSERT ... VALUES sent through Exec hangs there.
func (s *Store) insert(ctx context.Context, table string, columns []string, rows ...[]any) error {
	if len(rows) == 0 {
		return nil
	}
	b, err := s.conn.PrepareBatch(ctx, "INSERT INTO "+table+" ("+strings.Join(columns, ", ")+")")
	if err != nil {
		return fmt.Errorf("insert into %s: %w", table, err)
	}
	for i, r := range rows {
		if err := b.Append(r...); err != nil {
			_ = b.Abort()
			return fmt.Errorf("insert into %s, row %d: %w", table, i, err)
		}
	}
	if err := b.Send(); err != nil {
		return fmt.Errorf("insert into %s: %w", table, err)
	}
	s.wrote(table) // the API's answer cache keys by the data state (rollups.go)
	return nil
}
