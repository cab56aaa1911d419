package store

import (
	"context"
	"fmt"
	"strconv"
	"strings"
)

// tenderState remembers for a moment the signature of the tables the
// open-tender feed reads (see dataState).
type tenderState struct {
	state dataState
}

// TendersState names the data OpenTenders answers from: per table
// (notices, lots, detections) and partition, the newest block number of
// its active parts. Inserts raise it, merges keep it, and no code path
// mutates rows in place, so an unchanged state means unchanged data: the
// same TenderQuery (with the same DeadlineAfter) gets the same answer.
// At most freshnessTTL old, and re-read after every write by this
// process (Store.wrote).
func (s *Store) TendersState(ctx context.Context) (string, error) {
	return s.tenders.state.get(ctx, s.checkTendersState)
}

func (s *Store) checkTendersState(ctx context.Context) (string, error) {
	rows, err := s.conn.Query(withTimeout(ctx, 10), `SELECT table, partition_id, max(max_block_number)
		FROM system.parts WHERE database = ? AND table IN ('notices', 'lots', 'detections') AND active
		GROUP BY table, partition_id ORDER BY table, partition_id`, s.database)
	if err != nil {
		return "", fmt.Errorf("tenders state: %w", err)
	}
	defer rows.Close()
	var b strings.Builder
	for rows.Next() {
		var t, p string
		var n int64
		if err := rows.Scan(&t, &p, &n); err != nil {
			return "", fmt.Errorf("tenders state: %w", err)
		}
		b.WriteString(t + "/" + p + ":" + strconv.FormatInt(n, 10) + ";")
	}
	if err := rows.Err(); err != nil {
		return "", fmt.Errorf("tenders state: %w", err)
	}
	return b.String(), nil
}
