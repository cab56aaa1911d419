package store

import (
	"context"
	"fmt"
)

// TableInfo is a table of vigie's database with its row count.
type TableInfo struct {
	Name string
	Rows uint64
}

// Tables lists vigie's tables with their row counts (rows as stored, before
// de-duplication of replaced versions).
func (s *Store) Tables(ctx context.Context) ([]TableInfo, error) {
	rows, err := s.conn.Query(ctx, `SELECT name FROM system.tables WHERE database = ? ORDER BY name`, s.database)
	if err != nil {
		return nil, fmt.Errorf("list tables: %w", err)
	}
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			rows.Close()
			return nil, err
		}
		names = append(names, n)
	}
	rows.Close()
	out := make([]TableInfo, 0, len(names))
	for _, n := range names {
		var c uint64
		if !identRe.MatchString(n) {
			continue
		}
		if err := s.conn.QueryRow(ctx, "SELECT count() FROM "+n).Scan(&c); err != nil {
			return nil, fmt.Errorf("count %s: %w", n, err)
		}
		out = append(out, TableInfo{Name: n, Rows: c})
	}
	return out, nil
}

// Column is a column of a table, as the server describes it.
type Column struct {
	Name string
	Type string
}

// Columns describes a table of vigie's database.
func (s *Store) Columns(ctx context.Context, table string) ([]Column, error) {
	rows, err := s.conn.Query(ctx, `SELECT name, type FROM system.columns WHERE database = ? AND table = ?`, s.database, table)
	if err != nil {
		return nil, fmt.Errorf("describe %s: %w", table, err)
	}
	defer rows.Close()
	var out []Column
	for rows.Next() {
		var c Column
		if err := rows.Scan(&c.Name, &c.Type); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// DropDatabase removes vigie's database and everything in it (tests).
func (s *Store) DropDatabase(ctx context.Context) error {
	return s.conn.Exec(ctx, "DROP DATABASE IF EXISTS "+s.database)
}
