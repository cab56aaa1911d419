package store

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// tenderState remembers for a moment the signature of the tables the
// open-tender feed reads, so that concurrent requests share one look at
// system.parts (same TTL as the rollups' freshness check).
type tenderState struct {
	mu      sync.Mutex
	checked time.Time
	sig     string
	gen     uint64 // writes.Load() when checked
	writes  atomic.Uint64
}

// TendersState names the data OpenTenders answers from: per table
// (notices, lots, detections) and partition, the newest block number of
// its active parts. Inserts raise it, merges keep it, and no code path
// mutates rows in place, so an unchanged state means unchanged data: the
// same TenderQuery (with the same DeadlineAfter) gets the same answer.
// Re-read at most every freshnessTTL, and after every write by this
// process (Store.wrote).
func (s *Store) TendersState(ctx context.Context) (string, error) {
	s.tenders.mu.Lock()
	defer s.tenders.mu.Unlock()
	gen := s.tenders.writes.Load()
	if time.Since(s.tenders.checked) < freshnessTTL && s.tenders.gen == gen {
		return s.tenders.sig, nil
	}
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
	s.tenders.sig = b.String()
	s.tenders.gen = gen
	s.tenders.checked = time.Now()
	return s.tenders.sig, nil
}
