package store

import (
	"context"
	"fmt"
	"reflect"
	"strings"

	"github.com/ClickHouse/clickhouse-go/v2"
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
	st := s.newStream(table, columns)
	if err := st.append(ctx, data); err != nil {
		st.abort()
		return err
	}
	return st.commit()
}

// stream is one INSERT kept open across appends: rows go to the server
// in blocks of insertChunk as they come, the server squashes the blocks
// (streamSettings), and the rows become visible together when the stream
// is committed. An ingestion that keeps a stream per table between
// commits makes one part per table per commit, not one per batch (each
// part is merged again later), and reuses the driver's column buffers
// from block to block.
type stream struct {
	s       *Store
	table   string
	columns []string
	b       driver.Batch
	block   int // rows per block sent
	pending int // rows in the driver's block, not sent yet
}

// streamSettings keep the server from writing a part before the stream is
// committed (its defaults cut parts at 1 048 576 rows or 256 MiB): what a
// stream sends becomes visible at once, at the commit. Writers bound a
// stream by committing it every so often.
var streamSettings = clickhouse.Settings{
	"min_insert_block_size_rows":  1 << 40,
	"min_insert_block_size_bytes": 1 << 40,
}

func (s *Store) newStream(table string, columns []string) *stream {
	return &stream{s: s, table: table, columns: columns, block: insertChunk}
}

// append sends rows given column by column (each data[i] a slice holding
// every row's value of columns[i]).
func (st *stream) append(ctx context.Context, data []any) error {
	if len(st.columns) != len(data) {
		return fmt.Errorf("insert into %s: %d columns but %d slices", st.table, len(st.columns), len(data))
	}
	if len(data) == 0 {
		return nil
	}
	vals := make([]reflect.Value, len(data))
	n := -1
	for i, d := range data {
		vals[i] = reflect.ValueOf(d)
		if vals[i].Kind() != reflect.Slice || (n >= 0 && vals[i].Len() != n) {
			return fmt.Errorf("insert into %s: column %s is not a slice of the batch's length", st.table, st.columns[i])
		}
		n = vals[i].Len()
	}
	if n == 0 {
		return nil
	}
	if st.b == nil {
		b, err := st.s.conn.PrepareBatch(clickhouse.Context(ctx, clickhouse.WithSettings(streamSettings)),
			"INSERT INTO "+st.table+" ("+strings.Join(st.columns, ", ")+")")
		if err != nil {
			return fmt.Errorf("insert into %s: %w", st.table, err)
		}
		st.b, st.pending = b, 0
	}
	for lo := 0; lo < n; {
		hi := min(lo+st.block-st.pending, n)
		for i := range vals {
			d := data[i]
			if lo > 0 || hi < n {
				d = vals[i].Slice(lo, hi).Interface()
			}
			if err := appendColumn(st.b.Column(i), d); err != nil {
				return fmt.Errorf("insert into %s, column %s: %w", st.table, st.columns[i], err)
			}
		}
		st.pending += hi - lo
		lo = hi
		if st.pending == st.block {
			if err := st.b.Flush(); err != nil {
				return fmt.Errorf("insert into %s: %w", st.table, err)
			}
			st.pending = 0
		}
	}
	return nil
}

// flush sends the rows appended and not sent yet, before their block is
// full: a writer whose rows are large bounds what the driver holds.
func (st *stream) flush() error {
	if st.b == nil || st.pending == 0 {
		return nil
	}
	if err := st.b.Flush(); err != nil {
		return fmt.Errorf("insert into %s: %w", st.table, err)
	}
	st.pending = 0
	return nil
}

// commit ends the INSERT: what was appended becomes visible.
func (st *stream) commit() error {
	if st.b == nil {
		return nil
	}
	b := st.b
	st.b = nil
	if err := b.Send(); err != nil {
		return fmt.Errorf("insert into %s: %w", st.table, err)
	}
	st.s.wrote(st.table) // the API's answer cache keys by the data state (rollups.go)
	return nil
}

// abort ends the INSERT by closing its connection. Current ClickHouse
// releases then write nothing of it; 18.16 writes the blocks it received
// (the DECP writer's run commits cover both).
func (st *stream) abort() {
	if st.b != nil {
		_ = st.b.Abort()
		st.b = nil
	}
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
	var empty any = []T{} // most rows are empty: box it once, not per row
	for _, r := range rows {
		var err error
		if len(r) == 0 {
			err = c.AppendRow(empty)
		} else {
			err = c.AppendRow(r)
		}
		if err != nil {
			return err
		}
	}
	return nil
}
