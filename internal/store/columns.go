package store

import (
	"context"
	"fmt"
	"strings"
)

// insertColumns writes one batch given column by column (each data[i] a
// slice holding every row's value of columns[i]). Column-wise appends skip
// the per-row boxing of insert, which matters for the million-row loads of
// the DECP ingestion.
func (s *Store) insertColumns(ctx context.Context, table string, columns []string, data []any) error {
	if len(columns) != len(data) {
		return fmt.Errorf("insert into %s: %d columns but %d slices", table, len(columns), len(data))
	}
	b, err := s.conn.PrepareBatch(ctx, "INSERT INTO "+table+" ("+strings.Join(columns, ", ")+")")
	if err != nil {
		return fmt.Errorf("insert into %s: %w", table, err)
	}
	for i, d := range data {
		if err := b.Column(i).Append(d); err != nil {
			_ = b.Abort()
			return fmt.Errorf("insert into %s, column %s: %w", table, columns[i], err)
		}
	}
	if err := b.Send(); err != nil {
		return fmt.Errorf("insert into %s: %w", table, err)
	}
	s.wrote(table) // the API's answer cache keys by the data state (rollups.go)
	return nil
}
