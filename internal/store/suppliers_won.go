package store

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
)

// WonContract is a DECP contract a supplier holds (in its current
// version), with the supplier's share of the amount.
type WonContract struct {
	UID              string     `json:"uid"`
	BuyerSiret       string     `json:"buyer_siret"`
	BuyerName        string     `json:"buyer_name"`
	ContractID       string     `json:"contract_id"`
	Object           string     `json:"object"`
	NotificationDate *time.Time `json:"notification_date"`
	Amount           *float64   `json:"amount"`
	Holders          int        `json:"holders"`
	// AmountShare is the amount divided by the number of holders: DECP
	// does not say how co-contractors share a contract, so every holder
	// counts an equal part, everywhere vigie sums a supplier's amounts.
	AmountShare      *float64 `json:"amount_share"`
	HolderIDs        []string `json:"holder_ids"`
	DeclaredReserved *bool    `json:"declared_reserved"`
	DetectedLabels   []string `json:"detected_labels"`
}

// ContractsWonBy lists the contracts whose current version names a holder
// of SIREN siren (a SIRET of the unit, or the SIREN itself), newest
// notification first, at most limit.
func (s *Store) ContractsWonBy(ctx context.Context, siren string, limit int) ([]WonContract, error) {
	rows, err := s.conn.Query(queryCtx(ctx), `SELECT DISTINCT buyer_siret, uid FROM contract_holders
		WHERE substring(holder_id, 1, 9) = ? AND (length(holder_id) = 14 OR length(holder_id) = 9)`, siren)
	if err != nil {
		return nil, fmt.Errorf("contracts won: %w", err)
	}
	var buyers, uids []any
	seenBuyer := map[string]bool{}
	for rows.Next() {
		var b, u string
		if err := rows.Scan(&b, &u); err != nil {
			rows.Close()
			return nil, fmt.Errorf("contracts won: %w", err)
		}
		if !seenBuyer[b] {
			seenBuyer[b] = true
			buyers = append(buyers, b)
		}
		uids = append(uids, u)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("contracts won: %w", err)
	}
	if len(uids) == 0 {
		return nil, nil
	}
	// The holders of each contract's current version.
	q := `SELECT c.uid, c.buyer_siret, c.buyer_name, c.contract_id, c.object, c.notification_date, c.amount,
			c.declared_reserved, c.detected_labels, h.ids
		FROM (SELECT uid, buyer_siret, buyer_name, contract_id, object, notification_date, amount, declared_reserved,
				detected_labels, version AS contract_version
			FROM contracts FINAL WHERE buyer_siret IN ? AND uid IN ?) AS c
		ANY INNER JOIN (SELECT uid, contract_version, groupUniqArray(holder_id) AS ids FROM contract_holders
			WHERE uid IN ? GROUP BY uid, contract_version) AS h USING (uid, contract_version)`
	rows, err = s.conn.Query(queryCtx(ctx), q, clickhouse.GroupSet{Value: buyers}, clickhouse.GroupSet{Value: uids}, clickhouse.GroupSet{Value: uids})
	if err != nil {
		return nil, fmt.Errorf("contracts won: %w", err)
	}
	defer rows.Close()
	var out []WonContract
	for rows.Next() {
		var w WonContract
		var reserved *uint8
		if err := rows.Scan(&w.UID, &w.BuyerSiret, &w.BuyerName, &w.ContractID, &w.Object, &w.NotificationDate, &w.Amount,
			&reserved, &w.DetectedLabels, &w.HolderIDs); err != nil {
			return nil, fmt.Errorf("contracts won: %w", err)
		}
		// The supplier must still hold the current version.
		held := false
		for _, id := range w.HolderIDs {
			held = held || (len(id) >= 9 && id[:9] == siren)
		}
		if !held {
			continue
		}
		sort.Strings(w.HolderIDs)
		w.Holders = len(w.HolderIDs)
		if w.Amount != nil && w.Holders > 0 {
			share := *w.Amount / float64(w.Holders)
			w.AmountShare = &share
		}
		if reserved != nil {
			r := *reserved == 1
			w.DeclaredReserved = &r
		}
		out = append(out, w)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("contracts won: %w", err)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i].NotificationDate, out[j].NotificationDate
		if (a == nil) != (b == nil) {
			return b == nil
		}
		if a != nil && !a.Equal(*b) {
			return a.After(*b)
		}
		return out[i].UID < out[j].UID
	})
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}
