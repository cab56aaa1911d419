package store

import (
	"context"
	"fmt"
)

// ContractStats counts the DECP tables, for status and tests.
type ContractStats struct {
	Current       uint64            // distinct contracts (current versions)
	Rows          uint64            // contract rows stored, versions not merged yet included
	Holders       uint64            // holder rows of current versions
	Modifications uint64            // distinct modifications
	Subcontracts  uint64            // sub-contracting act rows of current versions
	Sources       uint64            // distinct provenance rows
	Flags         map[string]uint64 // current contracts per quality flag
}

// ContractStats reads the counts.
func (s *Store) ContractStats(ctx context.Context) (ContractStats, error) {
	ctx = withTimeout(ctx, 120)
	st := ContractStats{Flags: map[string]uint64{}}
	queries := []struct {
		q   string
		dst *uint64
	}{
		{"SELECT count() FROM contracts FINAL", &st.Current},
		{"SELECT count() FROM contracts", &st.Rows},
		{`SELECT count() FROM contract_holders FINAL WHERE (buyer_siret, contract_id, contract_version) IN
			(SELECT buyer_siret, contract_id, version FROM contracts FINAL)`, &st.Holders},
		{"SELECT count() FROM contract_modifications FINAL", &st.Modifications},
		{`SELECT count() FROM contract_subcontracts FINAL WHERE (buyer_siret, contract_id, contract_version) IN
			(SELECT buyer_siret, contract_id, version FROM contracts FINAL)`, &st.Subcontracts},
		{"SELECT count() FROM contract_sources FINAL", &st.Sources},
	}
	for _, q := range queries {
		if err := s.conn.QueryRow(ctx, q.q).Scan(q.dst); err != nil {
			return st, fmt.Errorf("contract stats: %w", err)
		}
	}
	rows, err := s.conn.Query(ctx, "SELECT flag, count() FROM contracts FINAL ARRAY JOIN quality_flags AS flag GROUP BY flag")
	if err != nil {
		return st, fmt.Errorf("contract stats: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var f string
		var n uint64
		if err := rows.Scan(&f, &n); err != nil {
			return st, fmt.Errorf("contract stats: %w", err)
		}
		st.Flags[f] = n
	}
	return st, rows.Err()
}

// CurrentContract reads the current version of one contract (nil when
// not stored).
func (s *Store) CurrentContract(ctx context.Context, buyerSiret, contractID string) (*ContractRow, error) {
	rows, err := s.conn.Query(withTimeout(ctx, 60), `SELECT uid, buyer_siren, kind, nature, object, cpv, cpv_division,
		theme, procedure, departement, region, duration_months, notification_date, publication_date, amount,
		initial_amount, techniques, declared_social_clause, declared_social_criterion, declared_reserved,
		declared_env_clause, declared_env_criterion, detected_labels, quality_flags, schema_version, source,
		partition_year, version, content_hash
		FROM contracts FINAL WHERE buyer_siret = ? AND contract_id = ?`, buyerSiret, contractID)
	if err != nil {
		return nil, fmt.Errorf("read contract %s/%s: %w", buyerSiret, contractID, err)
	}
	defer rows.Close()
	if !rows.Next() {
		return nil, rows.Err()
	}
	r := &ContractRow{BuyerSiret: buyerSiret, ContractID: contractID}
	if err := rows.Scan(&r.UID, &r.BuyerSiren, &r.Kind, &r.Nature, &r.Object, &r.CPV, &r.CPVDivision, &r.Theme,
		&r.Procedure, &r.Departement, &r.Region, &r.DurationMonths, &r.NotificationDate, &r.PublicationDate,
		&r.Amount, &r.InitialAmount, &r.Techniques, &r.DeclaredSocialClause, &r.DeclaredSocialCriterion,
		&r.DeclaredReserved, &r.DeclaredEnvClause, &r.DeclaredEnvCriterion, &r.DetectedLabels, &r.QualityFlags,
		&r.SchemaVersion, &r.Source, &r.PartitionYear, &r.Version, &r.ContentHash); err != nil {
		return nil, fmt.Errorf("read contract %s/%s: %w", buyerSiret, contractID, err)
	}
	return r, nil
}

// CurrentSubcontracts reads the sub-contracting acts of the current
// version of one contract, in act id order.
func (s *Store) CurrentSubcontracts(ctx context.Context, buyerSiret, contractID string) ([]SubcontractRow, error) {
	rows, err := s.conn.Query(withTimeout(ctx, 60), `SELECT uid, contract_version, act_id, subcontractor_type,
		subcontractor_id, subcontractor_name, duration_months, notification_date, amount, price_variation, partition_year
		FROM contract_subcontracts FINAL
		WHERE buyer_siret = ? AND contract_id = ? AND contract_version IN
			(SELECT version FROM contracts FINAL WHERE buyer_siret = ? AND contract_id = ?)
		ORDER BY act_id`, buyerSiret, contractID, buyerSiret, contractID)
	if err != nil {
		return nil, fmt.Errorf("read subcontracts of %s/%s: %w", buyerSiret, contractID, err)
	}
	defer rows.Close()
	var out []SubcontractRow
	for rows.Next() {
		r := SubcontractRow{BuyerSiret: buyerSiret, ContractID: contractID}
		if err := rows.Scan(&r.UID, &r.ContractVersion, &r.ActID, &r.SubcontractorType, &r.SubcontractorID,
			&r.SubcontractorName, &r.DurationMonths, &r.NotificationDate, &r.Amount, &r.PriceVariation, &r.PartitionYear); err != nil {
			return nil, fmt.Errorf("read subcontracts of %s/%s: %w", buyerSiret, contractID, err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}
