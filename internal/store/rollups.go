package store

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"
)

// rollupCache remembers for a moment whether contract_facts and the
// rollups match the contracts table (see dataState), so that 50
// concurrent requests do not each ask system.parts.
type rollupCache struct {
	state   dataState  // "rollup:" or "contracts:" and the contracts signature
	refresh sync.Mutex // one RefreshRollups at a time per process
}

// wrote tells the freshness checks that this process wrote into table:
// the next check reads system.parts again instead of trusting the last
// one, so an ingestion run by this process (the scheduler of 'vigie
// serve') is seen by the API's next request, not freshnessTTL later.
// Writes by other processes are seen within freshnessTTL.
func (s *Store) wrote(table string) {
	switch table {
	case "contracts":
		s.rollups.state.invalidate()
	case "notices", "lots", "detections":
		s.tenders.state.invalidate()
	}
}

// contractsSignature describes the contracts table's data: per partition,
// the newest block number among its active parts. Inserts raise it,
// merges keep it, dropped partitions remove their entry.
func (s *Store) contractsSignature(ctx context.Context) (string, error) {
	rows, err := s.conn.Query(withTimeout(ctx, 10), `SELECT partition_id, max(max_block_number)
		FROM system.parts WHERE database = ? AND table = 'contracts' AND active
		GROUP BY partition_id ORDER BY partition_id`, s.database)
	if err != nil {
		return "", fmt.Errorf("contracts signature: %w", err)
	}
	defer rows.Close()
	var b strings.Builder
	for rows.Next() {
		var p string
		var n int64
		if err := rows.Scan(&p, &n); err != nil {
			return "", fmt.Errorf("contracts signature: %w", err)
		}
		b.WriteString(p + ":" + strconv.FormatInt(n, 10) + ";")
	}
	return b.String(), rows.Err()
}

// RollupsFresh says whether the derived tables match the contracts table.
func (s *Store) RollupsFresh(ctx context.Context) (bool, error) {
	fresh, _, err := s.rollupState(ctx)
	return fresh, err
}

// ContractsState names the contracts data that Indicators answers from
// right now: whether it reads the derived tables ("rollup:") or the
// contracts table ("contracts:"), and the contracts signature. Two calls
// returning the same state get the same Indicators answers for the same
// query, so the API keys its answer cache by it. Signatures only move
// forward (block numbers grow), so a state never comes back after it
// changed. Like RollupsFresh, it is at most freshnessTTL old.
func (s *Store) ContractsState(ctx context.Context) (string, error) {
	return s.rollups.state.get(ctx, s.checkContractsState)
}

// rollupState is RollupsFresh with the contracts signature it compared.
func (s *Store) rollupState(ctx context.Context) (bool, string, error) {
	st, err := s.ContractsState(ctx)
	if err != nil {
		return false, "", err
	}
	if sig, ok := strings.CutPrefix(st, "rollup:"); ok {
		return true, sig, nil
	}
	return false, strings.TrimPrefix(st, "contracts:"), nil
}

func (s *Store) checkContractsState(ctx context.Context) (string, error) {
	cur, err := s.contractsSignature(ctx)
	if err != nil {
		return "", err
	}
	var built string
	var n uint64
	if err := s.conn.QueryRow(withTimeout(ctx, 10),
		`SELECT argMax(signature, version), count() FROM rollup_state WHERE name = 'contracts'`).Scan(&built, &n); err != nil {
		return "", fmt.Errorf("rollup state: %w", err)
	}
	if n > 0 && built == cur {
		return "rollup:" + cur, nil
	}
	return "contracts:" + cur, nil
}

// RefreshRollups rebuilds contract_facts, contract_rollup and
// contract_rollup_month from the
// current version of every contract and swaps them in. Ingestion and the
// pipelines call it after a run that wrote contracts; until then the API
// answers from the contracts table (correct, slower). Safe to call at any
// time: readers see either the old or the new tables.
func (s *Store) RefreshRollups(ctx context.Context) error {
	s.rollups.refresh.Lock()
	defer s.rollups.refresh.Unlock()
	// The signature is taken first: rows inserted during the rebuild make
	// the result stale at once, never wrongly fresh.
	sig, err := s.contractsSignature(ctx)
	if err != nil {
		return err
	}
	ctx = withTimeout(ctx, 3600)
	stmts := []string{
		"DROP TABLE IF EXISTS contract_facts_next",
		"DROP TABLE IF EXISTS contract_rollup_next",
		"DROP TABLE IF EXISTS contract_rollup_month_next",
		"CREATE TABLE contract_facts_next AS contract_facts",
		"CREATE TABLE contract_rollup_next AS contract_rollup",
		"CREATE TABLE contract_rollup_month_next AS contract_rollup_month",
		// FINAL without WHERE keeps exactly the newest version of each
		// contract, merging on read in key order (low memory).
		"INSERT INTO contract_facts_next (" + strings.Join(factColumnNames(), ", ") + ") SELECT " +
			strings.Join(factExprs(), ", ") + " FROM contracts FINAL",
		"INSERT INTO contract_rollup_next (month, departement, region, theme, source, " + strings.Join(measureColumns(), ", ") +
			") SELECT month, departement, region, theme, source, " + sumAll(measureColumns()) +
			" FROM contract_facts_next GROUP BY month, departement, region, theme, source",
		"INSERT INTO contract_rollup_month_next (month, theme, source, " + strings.Join(measureColumns(), ", ") +
			") SELECT month, theme, source, " + sumAll(measureColumns()) +
			" FROM contract_rollup_next GROUP BY month, theme, source",
		// One RENAME swaps all three: a reader sees the old set or the new.
		"RENAME TABLE contract_facts TO contract_facts_old, contract_facts_next TO contract_facts, " +
			"contract_rollup TO contract_rollup_old, contract_rollup_next TO contract_rollup, " +
			"contract_rollup_month TO contract_rollup_month_old, contract_rollup_month_next TO contract_rollup_month",
		"DROP TABLE IF EXISTS contract_facts_old",
		"DROP TABLE IF EXISTS contract_rollup_old",
		"DROP TABLE IF EXISTS contract_rollup_month_old",
	}
	for _, q := range stmts {
		if err := s.conn.Exec(ctx, q); err != nil {
			return fmt.Errorf("refresh rollups: %s: %w", strings.SplitN(q, " (", 2)[0], err)
		}
	}
	if err := s.insert(ctx, "rollup_state", []string{"name", "signature", "refreshed_at", "version"},
		[]any{"contracts", sig, time.Now().UTC().Truncate(time.Second), uint64(time.Now().UnixNano())}); err != nil {
		return fmt.Errorf("refresh rollups: %w", err)
	}
	s.rollups.state.invalidate()
	return nil
}

// factColumnNames are the names factExprs produce, in order.
func factColumnNames() []string {
	exprs := factExprs()
	out := make([]string, len(exprs))
	for i, e := range exprs {
		if j := strings.LastIndex(e, " AS "); j >= 0 {
			out[i] = e[j+4:]
		} else {
			out[i] = e
		}
	}
	return out
}

func sumAll(cols []string) string {
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i] = "sum(" + c + ")"
	}
	return strings.Join(out, ", ")
}
