package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
)

// Reads the web pages need beyond the API's: the buyer directory they
// search, a buyer's recent contracts, the texts evidence points into, and
// the coverage of the notices.

// DirectoryBuyer is one buyer as the search lists it.
type DirectoryBuyer struct {
	Siret     string
	Name      string
	Contracts uint64 // current contracts
	Notices   uint64 // notices published (any version)
}

// BuyerDirectory lists every buyer seen on a contract or a notice, with
// its latest name. The page search runs over it in memory: one read per
// data state instead of a scan of the contracts per keystroke.
func (s *Store) BuyerDirectory(ctx context.Context) ([]DirectoryBuyer, error) {
	q := `SELECT siret, argMax(name, at), sum(contracts), sum(notices) FROM (
			SELECT buyer_siret AS siret, argMax(buyer_name, version) AS name, max(version) AS at,
				uniqExact(contract_id) AS contracts, toUInt64(0) AS notices
			FROM contracts WHERE buyer_siret != '' GROUP BY buyer_siret
			UNION ALL
			SELECT buyer_siret AS siret, argMax(buyer_name, version) AS name, toUInt64(0) AS at,
				toUInt64(0) AS contracts, uniqExact(notice_id) AS notices
			FROM notices WHERE buyer_siret != '' GROUP BY buyer_siret)
		GROUP BY siret ORDER BY siret`
	rows, err := s.conn.Query(queryCtx(ctx), q)
	if err != nil {
		return nil, fmt.Errorf("buyer directory: %w", err)
	}
	defer rows.Close()
	var out []DirectoryBuyer
	for rows.Next() {
		var b DirectoryBuyer
		if err := rows.Scan(&b.Siret, &b.Name, &b.Contracts, &b.Notices); err != nil {
			return nil, fmt.Errorf("buyer directory: %w", err)
		}
		out = append(out, b)
	}
	return out, rows.Err()
}

// RecentContracts returns a buyer's most recently notified contracts
// (current versions), newest first; contracts without a date last.
func (s *Store) RecentContracts(ctx context.Context, buyerSiret, buyerSiren string, limit int) ([]ListedContract, error) {
	f := ContractFilter{BuyerSiret: buyerSiret, BuyerSiren: buyerSiren}
	kf, args := f.keyFilter()
	if kf == "" {
		return nil, fmt.Errorf("recent contracts: no buyer")
	}
	args = append(args, limit)
	cols := append([]string{"buyer_siret", "contract_id"}, listedContractColumns...)
	q := "SELECT " + strings.Join(cols, ", ") + " FROM " + currentContracts(listedContractColumns, kf) +
		" ORDER BY notification_date IS NULL, notification_date DESC, contract_id LIMIT ?"
	rows, err := s.conn.Query(queryCtx(ctx), q, args...)
	if err != nil {
		return nil, fmt.Errorf("recent contracts: %w", err)
	}
	defer rows.Close()
	var out []ListedContract
	for rows.Next() {
		var r ListedContract
		if err := rows.Scan(&r.BuyerSiret, &r.ContractID, &r.UID, &r.BuyerSiren, &r.BuyerName, &r.Kind, &r.Nature, &r.Object,
			&r.CPV, &r.CPVDivision, &r.Theme, &r.Procedure, &r.Departement, &r.Region, &r.NotificationDate,
			&r.PublicationDate, &r.Amount, &r.DeclaredSocialClause, &r.DeclaredSocialCriterion, &r.DeclaredReserved,
			&r.DeclaredEnvClause, &r.DeclaredEnvCriterion, &r.DetectedLabels, &r.QualityFlags, &r.Source, &r.Origin,
			&r.Position, &r.Version, &r.IngestedAt); err != nil {
			return nil, fmt.Errorf("recent contracts: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// NoticeTexts returns the text fields detection read, by evidence field
// name ("object", "lot[2]/lot_description", ...), for each notice id
// (current versions): what a page needs to show the sentence around an
// evidence span.
func (s *Store) NoticeTexts(ctx context.Context, ids []string) (map[string]map[string]string, error) {
	out := map[string]map[string]string{}
	if len(ids) == 0 {
		return out, nil
	}
	set := clickhouse.GroupSet{Value: anySlice(ids)}
	rows, err := s.conn.Query(queryCtx(ctx), `SELECT notice_id, argMax(object, version), argMax(execution_conditions, version),
			argMax(participation_conditions, version), argMax(award_criteria, version), argMax(additional_info, version)
		FROM notices WHERE notice_id IN ? GROUP BY notice_id`, set)
	if err != nil {
		return nil, fmt.Errorf("notice texts: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, obj, exec, part, award, info string
		if err := rows.Scan(&id, &obj, &exec, &part, &award, &info); err != nil {
			return nil, fmt.Errorf("notice texts: %w", err)
		}
		out[id] = map[string]string{"object": obj, "execution_conditions": exec, "participation_conditions": part,
			"award_criteria": award, "additional_info": info}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("notice texts: %w", err)
	}
	lrows, err := s.conn.Query(queryCtx(ctx), `SELECT notice_id, lot_number, argMax(title, version), argMax(description, version),
			argMax(execution_conditions, version), argMax(award_criteria, version)
		FROM lots WHERE notice_id IN ? GROUP BY notice_id, lot_number`, set)
	if err != nil {
		return nil, fmt.Errorf("lot texts: %w", err)
	}
	defer lrows.Close()
	for lrows.Next() {
		var id, lot, title, desc, exec, award string
		if err := lrows.Scan(&id, &lot, &title, &desc, &exec, &award); err != nil {
			return nil, fmt.Errorf("lot texts: %w", err)
		}
		m := out[id]
		if m == nil {
			m = map[string]string{}
			out[id] = m
		}
		p := "lot[" + lot + "]/"
		m[p+"lot_title"], m[p+"lot_description"], m[p+"execution_conditions"], m[p+"award_criteria"] = title, desc, exec, award
	}
	return out, lrows.Err()
}

// YearCount is a count for a year ("unknown" when there is none).
type YearCount struct {
	Year  string
	Count uint64
}

// NoticeCoverage counts the notices (current versions, cancelled ones
// included) by publication year, and says when the newest was ingested.
func (s *Store) NoticeCoverage(ctx context.Context) ([]YearCount, time.Time, error) {
	rows, err := s.conn.Query(queryCtx(ctx), `SELECT toString(toYear(publication_date)) AS y, uniqExact(notice_id), max(ingested_at)
		FROM notices GROUP BY y ORDER BY y`)
	if err != nil {
		return nil, time.Time{}, fmt.Errorf("notice coverage: %w", err)
	}
	defer rows.Close()
	var out []YearCount
	var newest time.Time
	for rows.Next() {
		var yc YearCount
		var at time.Time
		if err := rows.Scan(&yc.Year, &yc.Count, &at); err != nil {
			return nil, time.Time{}, fmt.Errorf("notice coverage: %w", err)
		}
		if at.After(newest) {
			newest = at
		}
		out = append(out, yc)
	}
	return out, newest, rows.Err()
}
