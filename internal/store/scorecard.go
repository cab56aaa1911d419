package store

import (
	"context"
	"fmt"
)

// The buyer scorecard's contract figures are Indicators grouped by year
// with a buyer filter; this file adds what comes from notices.

// BuyerPublications counts, per publication year, the notices (current
// version, not cancelled) a buyer published. buyerSiret or buyerSiren
// selects the buyer (the first one set). Also returns the buyer's most
// recent name seen on a notice.
func (s *Store) BuyerPublications(ctx context.Context, buyerSiret, buyerSiren string) (map[string]uint64, string, error) {
	col, v := "buyer_siret", buyerSiret
	if v == "" {
		col, v = "substring(buyer_siret, 1, 9)", buyerSiren
	}
	// Candidates by buyer first (cheap), then the current version of each
	// candidate checked again: a correction may have changed the buyer.
	q := `SELECT toString(toYear(tupleElement(t, 1))) AS y, count(), argMax(tupleElement(t, 3), tupleElement(t, 1))
		FROM (SELECT notice_id, argMax(tuple(publication_date, buyer_siret, buyer_name, cancelled), version) AS t
		      FROM notices WHERE notice_id IN (SELECT notice_id FROM notices WHERE ` + col + ` = ?)
		      GROUP BY notice_id)
		WHERE tupleElement(t, 4) = 0 AND ` + replaceCol(col) + ` = ?
		GROUP BY y ORDER BY y`
	rows, err := s.conn.Query(queryCtx(ctx), q, v, v)
	if err != nil {
		return nil, "", fmt.Errorf("buyer publications: %w", err)
	}
	defer rows.Close()
	out := map[string]uint64{}
	name := ""
	for rows.Next() {
		var y, n string
		var c uint64
		if err := rows.Scan(&y, &c, &n); err != nil {
			return nil, "", fmt.Errorf("buyer publications: %w", err)
		}
		out[y] = c
		if n != "" {
			name = n
		}
	}
	return out, name, rows.Err()
}

// replaceCol points a notices column expression at the de-duplicated tuple.
func replaceCol(col string) string {
	if col == "buyer_siret" {
		return "tupleElement(t, 2)"
	}
	return "substring(tupleElement(t, 2), 1, 9)"
}

// BuyerName is the buyer's name on its most recent contract ("" if none).
func (s *Store) BuyerName(ctx context.Context, buyerSiret, buyerSiren string) (string, error) {
	col, v := "buyer_siret", buyerSiret
	if v == "" {
		col, v = "buyer_siren", buyerSiren
	}
	var name string
	var n uint64
	err := s.conn.QueryRow(queryCtx(ctx), `SELECT argMax(buyer_name, version), count() FROM contracts WHERE `+col+` = ?`, v).Scan(&name, &n)
	if err != nil {
		return "", fmt.Errorf("buyer name: %w", err)
	}
	return name, nil
}
