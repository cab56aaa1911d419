package store

import (
	"context"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"
	"time"

	sqlfiles "github.com/vigie-data/vigie/sql"
)

// Migration is one numbered file of sql/.
type Migration struct {
	Version    uint32
	Name       string
	Statements []string
}

// AppliedMigration is a row of schema_migrations.
type AppliedMigration struct {
	Version   uint32
	Name      string
	AppliedAt time.Time
}

const createMigrationsTable = `CREATE TABLE IF NOT EXISTS schema_migrations (
	version UInt32,
	name String,
	applied_at DateTime
) ENGINE = ReplacingMergeTree(applied_at) ORDER BY version`

// Migrations lists the embedded migrations in order.
func Migrations() ([]Migration, error) {
	entries, err := fs.ReadDir(sqlfiles.FS, ".")
	if err != nil {
		return nil, err
	}
	var out []Migration
	seen := map[uint32]string{}
	for _, e := range entries {
		name := e.Name()
		if !strings.HasSuffix(name, ".sql") {
			continue
		}
		num, _, ok := strings.Cut(name, "_")
		v, err := strconv.ParseUint(num, 10, 32)
		if !ok || err != nil {
			return nil, fmt.Errorf("migration %s: name must be NNNN_description.sql", name)
		}
		if prev, dup := seen[uint32(v)]; dup {
			return nil, fmt.Errorf("migrations %s and %s share version %d", prev, name, v)
		}
		seen[uint32(v)] = name
		body, err := fs.ReadFile(sqlfiles.FS, name)
		if err != nil {
			return nil, err
		}
		out = append(out, Migration{Version: uint32(v), Name: name, Statements: splitStatements(string(body))})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Version < out[j].Version })
	return out, nil
}

// splitStatements cuts a file at ';' ending a line; '--' comment lines go.
// ClickHouse 18.16 takes one statement per query.
func splitStatements(body string) []string {
	var out []string
	var cur strings.Builder
	for _, line := range strings.Split(body, "\n") {
		t := strings.TrimSpace(line)
		if strings.HasPrefix(t, "--") || (t == "" && cur.Len() == 0) {
			continue
		}
		cur.WriteString(line)
		cur.WriteByte('\n')
		if strings.HasSuffix(t, ";") {
			stmt := strings.TrimSuffix(strings.TrimSpace(cur.String()), ";")
			if stmt != "" {
				out = append(out, stmt)
			}
			cur.Reset()
		}
	}
	if stmt := strings.TrimSpace(cur.String()); stmt != "" {
		out = append(out, stmt)
	}
	return out
}

// Applied lists the migrations recorded in schema_migrations.
func (s *Store) Applied(ctx context.Context) ([]AppliedMigration, error) {
	if err := s.conn.Exec(ctx, createMigrationsTable); err != nil {
		return nil, fmt.Errorf("create schema_migrations: %w", err)
	}
	rows, err := s.conn.Query(ctx, `SELECT version, any(name), min(applied_at)
		FROM schema_migrations GROUP BY version ORDER BY version`)
	if err != nil {
		return nil, fmt.Errorf("read schema_migrations: %w", err)
	}
	defer rows.Close()
	var out []AppliedMigration
	for rows.Next() {
		var a AppliedMigration
		if err := rows.Scan(&a.Version, &a.Name, &a.AppliedAt); err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// Migrate applies the migrations not yet recorded, in order, and returns
// those it applied. Statements are idempotent (IF NOT EXISTS), so a
// migration cut short by a crash is simply run again.
func (s *Store) Migrate(ctx context.Context) ([]Migration, error) {
	all, err := Migrations()
	if err != nil {
		return nil, err
	}
	applied, err := s.Applied(ctx)
	if err != nil {
		return nil, err
	}
	done := map[uint32]bool{}
	for _, a := range applied {
		done[a.Version] = true
	}
	var ran []Migration
	for _, m := range all {
		if done[m.Version] {
			continue
		}
		for i, stmt := range m.Statements {
			if err := s.conn.Exec(ctx, stmt); err != nil {
				return ran, fmt.Errorf("migration %s, statement %d: %w", m.Name, i+1, err)
			}
		}
		if err := s.insert(ctx, "schema_migrations", []string{"version", "name", "applied_at"},
			[]any{m.Version, m.Name, time.Now().UTC().Truncate(time.Second)}); err != nil {
			return ran, fmt.Errorf("record migration %s: %w", m.Name, err)
		}
		ran = append(ran, m)
	}
	return ran, nil
}
