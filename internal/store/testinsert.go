package store

import "context"

// InsertForTest writes rows into a table with named columns. Only tests
// and benchmarks use it, to set up exact rows the queries must count;
// the sources write through their own store functions.
func (s *Store) InsertForTest(ctx context.Context, table string, columns []string, rows ...[]any) error {
	return s.insert(ctx, table, columns, rows...)
}

// CountForTest counts the rows of a table as stored (no FINAL).
func (s *Store) CountForTest(ctx context.Context, table string) (uint64, error) {
	var n uint64
	err := s.conn.QueryRow(withTimeout(ctx, 60), "SELECT count() FROM "+table).Scan(&n)
	return n, err
}
