package store

import (
	"context"
	"fmt"
	"reflect"
	"sort"
	"strings"
)

// Snapshot returns the current rows of table (FINAL: replaced versions
// removed), each written as one line of its column values, sorted, without
// the columns named in exclude (times and versions that differ between two
// ingestions of the same input). Two ingestions that stored the same data
// give equal snapshots: tests use it to show that re-running loses and
// duplicates nothing. Meant for test-sized tables.
func (s *Store) Snapshot(ctx context.Context, table string, exclude ...string) ([]string, error) {
	if !identRe.MatchString(table) {
		return nil, fmt.Errorf("snapshot: invalid table name %q", table)
	}
	cols, err := s.Columns(ctx, table)
	if err != nil {
		return nil, err
	}
	skip := map[string]bool{}
	for _, e := range exclude {
		skip[e] = true
	}
	var names []string
	for _, c := range cols {
		if !skip[c.Name] && identRe.MatchString(c.Name) {
			names = append(names, c.Name)
		}
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("snapshot: table %s has no column left", table)
	}
	rows, err := s.conn.Query(withTimeout(ctx, 60), "SELECT "+strings.Join(names, ", ")+" FROM "+table+" FINAL")
	if err != nil {
		return nil, fmt.Errorf("snapshot %s: %w", table, err)
	}
	defer rows.Close()
	types := rows.ColumnTypes()
	var out []string
	for rows.Next() {
		vals := make([]any, len(types))
		for i, ct := range types {
			vals[i] = reflect.New(ct.ScanType()).Interface()
		}
		if err := rows.Scan(vals...); err != nil {
			return nil, fmt.Errorf("snapshot %s: %w", table, err)
		}
		parts := make([]string, len(vals))
		for i, v := range vals {
			parts[i] = names[i] + "=" + fmt.Sprint(deref(reflect.ValueOf(v).Elem()))
		}
		out = append(out, strings.Join(parts, "\t"))
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("snapshot %s: %w", table, err)
	}
	sort.Strings(out)
	return out, nil
}

// deref prints nullable values by value, not by address.
func deref(v reflect.Value) any {
	for v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return "NULL"
		}
		v = v.Elem()
	}
	return v.Interface()
}
