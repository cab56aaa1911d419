// Package sqlfiles embeds the numbered ClickHouse migrations.
//
// Each file NNNN_name.sql holds statements separated by ';' at the end of a
// line. Every statement must run on ClickHouse 18.16 and on current
// releases: MergeTree family only, no window functions, no JSON/Map/Object
// types, no CODEC or TTL clauses.
package sqlfiles

import "embed"

// FS holds the migration files.
//
//go:embed *.sql
var FS embed.FS
