package store

import "context"

// QueryRowForTest reads one row, for the external tests of this package.
func QueryRowForTest(ctx context.Context, s *Store, q string, dest ...any) error {
	return s.conn.QueryRow(withTimeout(ctx, 60), q).Scan(dest...)
}
