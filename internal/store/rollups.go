package store

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// The API's derived tables (contract_facts, contract_rollup,
// contract_rollup_month; sql/0009) are kept current by steps, each of
// which reads only what was written since the last one (see UpdateRollups).
// Readers sum the rows of committed steps ("epochs"): the last consistent
// state, which may lag the contracts table by one step, and is never
// waited for.

// rollupCache holds what this process knows of the derived tables.
type rollupCache struct {
	state dataState  // ContractsState
	sig   dataState  // contracts signature, for freshness
	step  sync.Mutex // one UpdateRollups at a time per process

	nudge chan struct{} // a write to contracts wakes MaintainRollups

	// seenCurrent is when the committed state was last seen to hold every
	// stored contract (unix ns): how stale an answer may be is bounded by
	// the time since.
	seenCurrent atomic.Int64
}

// wrote tells the freshness checks that this process wrote into table:
// the next check reads system.parts again instead of trusting the last
// one, so an ingestion run by this process (the scheduler of 'vigie
// serve') is seen by the API's next request, not freshnessTTL later, and
// the rollup maintainer starts its next step at once.
// Writes by other processes are seen within freshnessTTL.
func (s *Store) wrote(table string) {
	switch table {
	case "contracts":
		s.rollups.state.invalidate()
		s.rollups.sig.invalidate()
		select {
		case s.rollups.nudge <- struct{}{}:
		default:
		}
	case "notices", "lots", "detections":
		s.tenders.state.invalidate()
	}
}

// contractsSignature describes the contracts table's data: per partition,
// the newest block number among its active parts, and the newest of all
// (block numbers are numbered per table). Inserts raise it, merges keep
// it, dropped partitions remove their entry.
func (s *Store) contractsSignature(ctx context.Context) (string, uint64, error) {
	rows, err := s.conn.Query(withTimeout(ctx, 10), `SELECT partition_id, max(max_block_number)
		FROM system.parts WHERE database = ? AND table = 'contracts' AND active
		GROUP BY partition_id ORDER BY partition_id`, s.database)
	if err != nil {
		return "", 0, fmt.Errorf("contracts signature: %w", err)
	}
	defer rows.Close()
	var b strings.Builder
	var top uint64
	for rows.Next() {
		var p string
		var n int64
		if err := rows.Scan(&p, &n); err != nil {
			return "", 0, fmt.Errorf("contracts signature: %w", err)
		}
		b.WriteString(p + ":" + strconv.FormatInt(n, 10) + ";")
		top = max(top, uint64(n))
	}
	return b.String(), top, rows.Err()
}

// rollupCommit is a row of rollup_commits: a completed step.
type rollupCommit struct {
	Epoch     uint64
	Watermark uint64
	Signature string
	Aborted   []uint64
	AsOf      time.Time
}

// lastCommit reads the newest completed step; nil when none completed.
func (s *Store) lastCommit(ctx context.Context) (*rollupCommit, error) {
	rows, err := s.conn.Query(withTimeout(ctx, 10), `SELECT epoch, watermark, signature, aborted, as_of
		FROM rollup_commits ORDER BY epoch DESC LIMIT 1`)
	if err != nil {
		return nil, fmt.Errorf("rollup commits: %w", err)
	}
	defer rows.Close()
	if !rows.Next() {
		return nil, rows.Err()
	}
	var c rollupCommit
	if err := rows.Scan(&c.Epoch, &c.Watermark, &c.Signature, &c.Aborted, &c.AsOf); err != nil {
		return nil, fmt.Errorf("rollup commits: %w", err)
	}
	return &c, nil
}

// visible is the condition on epoch that keeps the rows of the commit's
// state: the completed epochs up to it, minus those a crash left.
func (c *rollupCommit) visible() string {
	cond := "epoch <= " + strconv.FormatUint(c.Epoch, 10)
	if len(c.Aborted) > 0 {
		cond += " AND epoch NOT IN (" + joinUints(c.Aborted) + ")"
	}
	return cond
}

func joinUints(v []uint64) string {
	s := make([]string, len(v))
	for i, n := range v {
		s[i] = strconv.FormatUint(n, 10)
	}
	return strings.Join(s, ",")
}

// encode and parseCommitState carry a commit in a ContractsState string.
func (c *rollupCommit) encode() string {
	return "epoch:" + strconv.FormatUint(c.Epoch, 10) + "/" + joinUints(c.Aborted) + "/" +
		strconv.FormatInt(c.AsOf.Unix(), 10) + "/" + c.Signature
}

func parseCommitState(st string) (*rollupCommit, bool) {
	rest, ok := strings.CutPrefix(st, "epoch:")
	if !ok {
		return nil, false
	}
	parts := strings.SplitN(rest, "/", 4)
	if len(parts) != 4 {
		return nil, false
	}
	var c rollupCommit
	var err error
	if c.Epoch, err = strconv.ParseUint(parts[0], 10, 64); err != nil {
		return nil, false
	}
	for _, a := range strings.Split(parts[1], ",") {
		if a == "" {
			continue
		}
		n, err := strconv.ParseUint(a, 10, 64)
		if err != nil {
			return nil, false
		}
		c.Aborted = append(c.Aborted, n)
	}
	sec, err := strconv.ParseInt(parts[2], 10, 64)
	if err != nil {
		return nil, false
	}
	c.AsOf, c.Signature = time.Unix(sec, 0).UTC(), parts[3]
	return &c, true
}

// ContractsState names the contracts data that Indicators answers from
// right now: "epoch:…" once the derived tables hold a completed step (the
// step's number, and what it was read from), else "contracts:" and the
// contracts signature (the answers then come from the contracts table).
// Two calls returning the same state get the same Indicators answers for
// the same query, so the API keys its answer cache by it; a write to
// contracts does not change it, only the step that takes the write in.
// States only move forward. At most freshnessTTL old.
func (s *Store) ContractsState(ctx context.Context) (string, error) {
	return s.rollups.state.get(ctx, s.checkContractsState)
}

func (s *Store) checkContractsState(ctx context.Context) (string, error) {
	c, err := s.lastCommit(ctx)
	if err != nil {
		return "", err
	}
	if c != nil {
		return c.encode(), nil
	}
	sig, _, err := s.contractsSignature(ctx)
	if err != nil {
		return "", err
	}
	return "contracts:" + sig, nil
}

// Freshness says how current the answers of Indicators are.
type Freshness struct {
	Epoch   uint64    // the completed step answers come from; 0: none yet (answers read contracts)
	AsOf    time.Time // every contract stored before it is counted
	Current bool      // no contract was stored since (checked at most freshnessTTL ago)
	// Behind bounds how old the answers may be when not Current: the
	// time since the state was last seen to hold every stored contract.
	Behind time.Duration
}

// ContractsFreshness says how current the data Indicators reads is.
func (s *Store) ContractsFreshness(ctx context.Context) (Freshness, error) {
	st, err := s.ContractsState(ctx)
	if err != nil {
		return Freshness{}, err
	}
	c, ok := parseCommitState(st)
	if !ok {
		return Freshness{AsOf: time.Now().UTC(), Current: true}, nil
	}
	sig, err := s.rollups.sig.get(ctx, func(ctx context.Context) (string, error) {
		sig, _, err := s.contractsSignature(ctx)
		return sig, err
	})
	if err != nil {
		return Freshness{}, err
	}
	f := Freshness{Epoch: c.Epoch, AsOf: c.AsOf, Current: sig == c.Signature}
	now := time.Now()
	if f.Current {
		s.rollups.seenCurrent.Store(now.UnixNano())
		return f, nil
	}
	seen := time.Unix(0, s.rollups.seenCurrent.Load())
	if seen.Before(c.AsOf) {
		seen = c.AsOf
	}
	f.Behind = max(now.Sub(seen), 0)
	return f, nil
}

// RollupsFresh says whether the derived tables hold every stored contract.
func (s *Store) RollupsFresh(ctx context.Context) (bool, error) {
	f, err := s.ContractsFreshness(ctx)
	return err == nil && f.Epoch > 0 && f.Current, err
}

// StepResult says what one UpdateRollups did.
type StepResult struct {
	Epoch   uint64 // the step committed (0: nothing to do)
	Full    bool   // the first step: every contract was read
	Changed uint64 // facts rows written (retractions and additions)
	Took    time.Duration
}

// Memory tables one step works in; dropped before and after it.
const (
	stageKeys    = "rollup_stage_keys"
	stageDesired = "rollup_stage_desired"
	stageLive    = "rollup_stage_live"
)

// UpdateRollups brings the derived tables up to the contracts stored now,
// in one step that is committed whole or not at all:
//  1. the contracts written since the last step: the keys in parts whose
//     newest block is above the last watermark (a merge keeps the block
//     numbers, so a merged part is read again: harmless, only slower);
//  2. for those keys, the facts of the current version (desired) and the
//     facts the tables hold (live: rows whose signed sum is not zero);
//  3. a retraction of every live row not desired, and every desired row
//     not live, written into contract_facts with the step's epoch, then
//     their sums into the rollups;
//  4. a row in rollup_commits: readers move to the new epoch.
//
// A crash before 4 leaves rows of an epoch never committed: the next step
// lists it as aborted (readers skip it) and works out the same changes
// again, since the live rows it compares with exclude it. The first step
// reads every contract. Safe to call at any time; one step at a time per
// process (run it in one process: 'vigie serve' does).
func (s *Store) UpdateRollups(ctx context.Context) (StepResult, error) {
	s.rollups.step.Lock()
	defer s.rollups.step.Unlock()
	start := time.Now()
	var res StepResult
	// The watermark is read first: rows written during the step are
	// above it and the next step reads them (again, if this one saw them).
	sig, top, err := s.contractsSignature(ctx)
	if err != nil {
		return res, err
	}
	asOf := time.Now().UTC().Truncate(time.Second)
	last, err := s.lastCommit(ctx)
	if err != nil {
		return res, err
	}
	if last != nil && last.Signature == sig {
		s.rollups.seenCurrent.Store(start.UnixNano())
		return res, nil
	}
	ctx = withTimeout(ctx, 3600)
	cur := &rollupCommit{Signature: sig, Watermark: top, AsOf: asOf}
	if last != nil {
		cur.Epoch, cur.Aborted = last.Epoch, append([]uint64(nil), last.Aborted...)
	}
	var highest uint64
	for _, t := range []string{"contract_facts", "contract_rollup", "contract_rollup_month"} {
		var m uint64
		if err := s.conn.QueryRow(ctx, "SELECT max(epoch) FROM "+t).Scan(&m); err != nil {
			return res, fmt.Errorf("update rollups: last epoch of %s: %w", t, err)
		}
		highest = max(highest, m)
	}
	for e := cur.Epoch + 1; e <= highest; e++ {
		cur.Aborted = append(cur.Aborted, e)
	}
	cur.Epoch = max(cur.Epoch, highest) + 1
	res.Epoch, res.Full = cur.Epoch, last == nil
	epoch := strconv.FormatUint(cur.Epoch, 10)
	cols := strings.Join(factColumnNames(), ", ")

	exec := func(stmts ...string) error {
		for _, q := range stmts {
			if err := s.conn.Exec(ctx, q); err != nil {
				return fmt.Errorf("update rollups: %s: %w", strings.SplitN(q, " (", 2)[0], err)
			}
		}
		return nil
	}
	drops := []string{"DROP TABLE IF EXISTS " + stageKeys, "DROP TABLE IF EXISTS " + stageDesired, "DROP TABLE IF EXISTS " + stageLive}
	defer func() {
		for _, q := range drops {
			_ = s.conn.Exec(ctx, q)
		}
	}()
	// Large steps (the first, a bulk re-ingestion) go in slices of the
	// contracts by key_hash: every statement stays well within the
	// client's read timeout on a loaded server, with bounded memory.
	chunks := uint64(1)
	if last == nil {
		chunks = 16
	} else {
		if err := exec(append(drops, "CREATE TABLE "+stageKeys+" (key_hash UInt64) ENGINE = Memory",
			// The part name is partition_min_max_level[_mutation].
			"INSERT INTO "+stageKeys+" (key_hash) SELECT DISTINCT key_hash FROM contracts"+
				" WHERE toUInt64(splitByChar('_', _part)[3]) > "+strconv.FormatUint(last.Watermark, 10))...); err != nil {
			return res, err
		}
		var keys uint64
		if err := s.conn.QueryRow(ctx, "SELECT count() FROM "+stageKeys).Scan(&keys); err != nil {
			return res, fmt.Errorf("update rollups: %w", err)
		}
		chunks = min(max(keys/100_000, 1), 64)
	}
	rollupCols := strings.Join(rollupMeasures(), ", ")
	for i := uint64(0); i < chunks; i++ {
		slice := "key_hash % " + strconv.FormatUint(chunks, 10) + " = " + strconv.FormatUint(i, 10)
		var stmts []string
		if last == nil {
			stmts = []string{"INSERT INTO contract_facts (" + cols + ") SELECT " + strings.Join(factExprs(epoch), ", ") +
				" FROM " + currentContracts(factSourceColumns, slice)}
		} else {
			keys := "key_hash IN (SELECT key_hash FROM " + stageKeys + ") AND " + slice
			stmts = []string{drops[1], drops[2],
				"CREATE TABLE " + stageDesired + " AS contract_facts ENGINE = Memory",
				"CREATE TABLE " + stageLive + " AS contract_facts ENGINE = Memory",
				"INSERT INTO " + stageDesired + " (" + cols + ") SELECT " + strings.Join(factExprs(epoch), ", ") +
					" FROM " + currentContracts(factSourceColumns, keys),
				"INSERT INTO " + stageLive + " (" + cols + ") SELECT " + strings.Join(liveExprs(epoch), ", ") +
					" FROM contract_facts WHERE " + keys + " AND " + last.visible() +
					" GROUP BY key_hash, buyer_siret, contract_id, version, labels_hash HAVING contracts != 0",
				"INSERT INTO contract_facts (" + cols + ") SELECT " + strings.Join(retractExprs(), ", ") + " FROM " + stageLive +
					" WHERE (buyer_siret, contract_id, version, labels_hash) NOT IN" +
					" (SELECT buyer_siret, contract_id, version, labels_hash FROM " + stageDesired + ")",
				"INSERT INTO contract_facts (" + cols + ") SELECT " + cols + " FROM " + stageDesired +
					" WHERE (buyer_siret, contract_id, version, labels_hash) NOT IN" +
					" (SELECT buyer_siret, contract_id, version, labels_hash FROM " + stageLive + ")",
			}
		}
		stmts = append(stmts, "INSERT INTO contract_rollup (epoch, month, departement, region, theme, source, "+rollupCols+
			") SELECT epoch, month, departement, region, theme, source, "+strings.Join(measureSums(false), ", ")+
			" FROM contract_facts WHERE epoch = "+epoch+" AND "+slice+" GROUP BY epoch, month, departement, region, theme, source")
		if err := exec(stmts...); err != nil {
			return res, err
		}
	}
	if err := exec("INSERT INTO contract_rollup_month (epoch, month, theme, source, " + rollupCols +
		") SELECT epoch, month, theme, source, " + strings.Join(measureSums(true), ", ") +
		" FROM contract_rollup WHERE epoch = " + epoch + " GROUP BY epoch, month, theme, source"); err != nil {
		return res, err
	}

	if err := s.conn.QueryRow(ctx, "SELECT count() FROM contract_facts WHERE epoch = "+epoch).Scan(&res.Changed); err != nil {
		return res, fmt.Errorf("update rollups: %w", err)
	}
	if err := s.insert(ctx, "rollup_commits", []string{"epoch", "watermark", "signature", "aborted", "as_of", "committed_at", "changed"},
		[]any{cur.Epoch, cur.Watermark, cur.Signature, cur.Aborted, cur.AsOf, time.Now().UTC(), res.Changed}); err != nil {
		return res, fmt.Errorf("update rollups: commit: %w", err)
	}
	s.rollups.seenCurrent.Store(start.UnixNano())
	s.rollups.state.invalidate()
	res.Took = time.Since(start)
	return res, nil
}

// MaintainRollups runs UpdateRollups after every write to contracts by
// this process, and every interval for writes by other processes, until
// ctx ends, and compacts the derived tables when steps have made them
// twice as large as their net content (CompactRollups). An answer
// includes a write at most about interval plus one step later (a step
// over 10 000 new contracts: see the README).
func (s *Store) MaintainRollups(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		res, err := s.UpdateRollups(ctx)
		switch {
		case err != nil:
			if ctx.Err() == nil {
				slog.Warn("API rollups", "err", err)
			}
		case res.Epoch > 0:
			slog.Info("API rollups updated", "epoch", res.Epoch, "full", res.Full, "rows", res.Changed,
				"took", res.Took.Round(time.Millisecond))
			if grown, err := s.rollupsGrown(ctx); err == nil && grown {
				start := time.Now()
				if err := s.CompactRollups(ctx); err != nil {
					slog.Warn("API rollups compaction", "err", err)
				} else {
					slog.Info("API rollups compacted", "took", time.Since(start).Round(time.Millisecond))
				}
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-s.rollups.nudge:
		}
	}
}

// rollupsGrown says whether the derived tables hold more than twice the
// rows of their net content: every step adds a retraction and a new row
// per changed contract, and rows per touched group to the rollups.
func (s *Store) rollupsGrown(ctx context.Context) (bool, error) {
	var facts, live, rollup, groups uint64
	err := s.conn.QueryRow(withTimeout(ctx, 60), `SELECT
		(SELECT count() FROM contract_facts), (SELECT sum(contracts) FROM contract_facts),
		(SELECT count() FROM contract_rollup), (SELECT count() FROM (SELECT DISTINCT month, departement, region, theme, source FROM contract_rollup))`).
		Scan(&facts, &live, &rollup, &groups)
	if err != nil {
		return false, fmt.Errorf("rollup sizes: %w", err)
	}
	return facts > 2*live+1000 || rollup > 2*groups+1000, nil
}

// CompactRollups rewrites the derived tables with their net content at
// the last committed step: one row per current contract version, one per
// rollup group, all of that epoch; retractions, the rows they cancel and
// the rows of aborted epochs go. The sums are the same, so readers (of
// the old tables or the new: one RENAME swaps them) get the same answers
// and the state, and the answer cache, stay. Steps wait meanwhile.
func (s *Store) CompactRollups(ctx context.Context) error {
	s.rollups.step.Lock()
	defer s.rollups.step.Unlock()
	last, err := s.lastCommit(ctx)
	if err != nil || last == nil {
		return err
	}
	ctx = withTimeout(ctx, 3600)
	epoch := strconv.FormatUint(last.Epoch, 10)
	cols := strings.Join(factColumnNames(), ", ")
	rollupCols := strings.Join(rollupMeasures(), ", ")
	var sums []string
	for _, m := range rollupMeasures() {
		sums = append(sums, "sum("+m+")")
	}
	tables := []string{"contract_facts", "contract_rollup", "contract_rollup_month"}
	var stmts, swap []string
	for _, t := range tables {
		stmts = append(stmts, "DROP TABLE IF EXISTS "+t+"_compact", "CREATE TABLE "+t+"_compact AS "+t)
		swap = append(swap, t+" TO "+t+"_old, "+t+"_compact TO "+t)
	}
	stmts = append(stmts,
		"INSERT INTO contract_facts_compact ("+cols+") SELECT "+strings.Join(liveExprs(epoch), ", ")+
			" FROM contract_facts WHERE "+last.visible()+
			" GROUP BY key_hash, buyer_siret, contract_id, version, labels_hash HAVING contracts != 0",
		"INSERT INTO contract_rollup_compact (epoch, month, departement, region, theme, source, "+rollupCols+
			") SELECT "+epoch+", month, departement, region, theme, source, "+strings.Join(sums, ", ")+
			" FROM contract_rollup WHERE "+last.visible()+" GROUP BY month, departement, region, theme, source HAVING sum(contracts) != 0",
		"INSERT INTO contract_rollup_month_compact (epoch, month, theme, source, "+rollupCols+
			") SELECT "+epoch+", month, theme, source, "+strings.Join(sums, ", ")+
			" FROM contract_rollup_month WHERE "+last.visible()+" GROUP BY month, theme, source HAVING sum(contracts) != 0",
		"RENAME TABLE "+strings.Join(swap, ", "),
	)
	for _, t := range tables {
		stmts = append(stmts, "DROP TABLE IF EXISTS "+t+"_old")
	}
	for _, q := range stmts {
		if err := s.conn.Exec(ctx, q); err != nil {
			return fmt.Errorf("compact rollups: %s: %w", strings.SplitN(q, " (", 2)[0], err)
		}
	}
	return nil
}

// factColumnNames are the names factExprs produce, in order.
func factColumnNames() []string {
	exprs := factExprs("0")
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

// liveExprs sum a contribution's rows in contract_facts (grouped by its
// identity) back into one row.
func liveExprs(epoch string) []string {
	var out []string
	for _, c := range factColumnNames() {
		switch {
		case c == "epoch":
			// Not "AS epoch": the alias would replace the column in WHERE.
			out = append(out, "toUInt64("+epoch+") AS step_epoch")
		case c == "key_hash" || c == "buyer_siret" || c == "contract_id" || c == "version" || c == "labels_hash":
			out = append(out, c)
		case isFactMeasure(c):
			out = append(out, "sum("+c+") AS "+c)
		default:
			out = append(out, "any("+c+") AS "+c)
		}
	}
	return out
}

// retractExprs negate a live row's measures.
func retractExprs() []string {
	var out []string
	for _, c := range factColumnNames() {
		if isFactMeasure(c) {
			if c == "amount_sum" {
				out = append(out, "-amount_sum")
			} else {
				out = append(out, "toInt8(-"+c+")")
			}
		} else {
			out = append(out, c)
		}
	}
	return out
}

func isFactMeasure(c string) bool {
	for _, m := range factMeasures() {
		if m == c {
			return true
		}
	}
	return false
}

// RefreshRollups brings the derived tables up to the contracts stored now
// (one UpdateRollups step), for callers that only need that.
func (s *Store) RefreshRollups(ctx context.Context) error {
	_, err := s.UpdateRollups(ctx)
	return err
}

// StateAsOf gives, for a ContractsState read from the derived tables,
// the time before which every stored contract is counted.
func StateAsOf(state string) (time.Time, bool) {
	c, ok := parseCommitState(state)
	if !ok {
		return time.Time{}, false
	}
	return c.AsOf, true
}
