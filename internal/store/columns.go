package store

import (
	"context"
	"fmt"
	"reflect"
	"strings"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
)

// insertChunk is the number of rows sent per block of a column-wise
// insert. The driver's column buffers are reused from block to block, so
// the memory a large insert takes is that of one chunk, not of the whole
// batch (the server squashes the blocks of one INSERT into its parts).
const insertChunk = 4096

// insertColumns writes one batch given column by column (each data[i] a
// slice holding every row's value of columns[i]). Column-wise appends skip
// the per-row boxing of insert, which matters for the million-row loads of
// the DECP ingestion.
func (s *Store) insertColumns(ctx context.Context, table string, columns []string, data []any) error {
	if len(columns) != len(data) {
		return fmt.Errorf("insert into %s: %d columns but %d slices", table, len(columns), len(data))
	}
	if len(data) == 0 {
		return nil
	}
	vals := make([]reflect.Value, len(data))
	n := -1
	for i, d := range data {
		vals[i] = reflect.ValueOf(d)
		if vals[i].Kind() != reflect.Slice || (n >= 0 && vals[i].Len() != n) {
			return fmt.Errorf("insert into %s: column %s is not a slice of the batch's length", table, columns[i])
		}
		n = vals[i].Len()
	}
	b, err := s.conn.PrepareBatch(ctx, "INSERT INTO "+table+" ("+strings.Join(columns, ", ")+")")
	if err != nil {
		return fmt.Errorf("insert into %s: %w", table, err)
	}
	for lo := 0; lo < n; lo += insertChunk {
		hi := min(lo+insertChunk, n)
		for i := range vals {
			d := data[i]
			if lo > 0 || hi < n {
				d = vals[i].Slice(lo, hi).Interface()
			}
			if err := appendColumn(b.Column(i), d); err != nil {
				_ = b.Abort()
				return fmt.Errorf("insert into %s, column %s: %w", table, columns[i], err)
			}
		}
		if hi < n {
			if err := b.Flush(); err != nil {
				_ = b.Abort()
				return fmt.Errorf("insert into %s: %w", table, err)
			}
		}
	}
	if err := b.Send(); err != nil {
		return fmt.Errorf("insert into %s: %w", table, err)
	}
	s.wrote(table) // the API's answer cache keys by the data state (rollups.go)
	return nil
}

// appendColumn appends a chunk of one column. Arrays go row by row: the
// driver appends a typed row ([]string) without reflection, while a whole
// [][]string goes through reflection and boxes every element.
func appendColumn(c driver.BatchColumn, d any) error {
	switch v := d.(type) {
	case [][]string:
		return appendRows(c, v)
	case [][]uint32:
		return appendRows(c, v)
	case [][]uint8:
		return appendRows(c, v)
	}
	return c.Append(d)
}

func appendRows[T any](c driver.BatchColumn, rows [][]T) error {
	for _, r := range rows {
		if err := c.AppendRow(r); err != nil {
			return err
		}
	}
	return nil
}
