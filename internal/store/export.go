package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
)

// Full exports: every current row matching a filter, in key order, read
// by one streaming query (the driver hands rows over block by block), so
// that an export of millions of rows costs neither side more memory than
// a block. Conditions on non-key columns stay outside the FINAL subquery:
// run before versions are merged, they could let an older version stand
// in for a newer one.

// exportSettings let the server sort a large export on disk rather than
// in memory.
var exportSettings = clickhouse.Settings{
	"max_bytes_before_external_sort": 256 << 20,
	"max_execution_time":             3600,
}

func exportCtx(ctx context.Context) context.Context {
	return clickhouse.Context(ctx, clickhouse.WithSettings(exportSettings))
}

// StreamContracts calls fn for every current contract matching f, in
// (buyer_siret, contract_id) order.
func (s *Store) StreamContracts(ctx context.Context, f ContractFilter, fn func(*ListedContract) error) error {
	kf, args := f.keyFilter()
	if kf != "" {
		kf = " WHERE " + kf
	}
	where, wargs := f.where(false)
	args = append(args, wargs...)
	cols := append([]string{"buyer_siret", "contract_id"}, listedContractColumns...)
	q := "SELECT " + strings.Join(cols, ", ") + " FROM (SELECT " + strings.Join(cols, ", ") + ", amount AS amount_value FROM contracts FINAL" +
		kf + ")" + where + " ORDER BY buyer_siret, contract_id"
	rows, err := s.conn.Query(exportCtx(ctx), q, args...)
	if err != nil {
		return fmt.Errorf("export contracts: %w", err)
	}
	defer rows.Close()
	var r ListedContract
	for rows.Next() {
		if err := rows.Scan(&r.BuyerSiret, &r.ContractID, &r.UID, &r.BuyerSiren, &r.BuyerName, &r.Kind, &r.Nature, &r.Object,
			&r.CPV, &r.CPVDivision, &r.Theme, &r.Procedure, &r.Departement, &r.Region, &r.NotificationDate,
			&r.PublicationDate, &r.Amount, &r.DeclaredSocialClause, &r.DeclaredSocialCriterion, &r.DeclaredReserved,
			&r.DeclaredEnvClause, &r.DeclaredEnvCriterion, &r.DetectedLabels, &r.QualityFlags, &r.Source, &r.Origin,
			&r.Position, &r.Version, &r.IngestedAt); err != nil {
			return fmt.Errorf("export contracts: %w", err)
		}
		if err := fn(&r); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("export contracts: %w", err)
	}
	return nil
}

// StreamNotices calls fn for every current notice matching f, in
// notice_id order.
func (s *Store) StreamNotices(ctx context.Context, f NoticeFilter, fn func(*ListedNotice) error) error {
	where, args, err := f.where()
	if err != nil {
		return fmt.Errorf("export notices: %w", err)
	}
	cols := append([]string{"notice_id"}, listedNoticeColumns...)
	q := "SELECT " + strings.Join(cols, ", ") + " FROM (SELECT " + strings.Join(cols, ", ") + " FROM notices FINAL)" + where + " ORDER BY notice_id"
	rows, err := s.conn.Query(exportCtx(ctx), q, args...)
	if err != nil {
		return fmt.Errorf("export notices: %w", err)
	}
	defer rows.Close()
	var r ListedNotice
	for rows.Next() {
		if err := rows.Scan(&r.NoticeID, &r.Source, &r.Format, &r.Kind, &r.Family, &r.PublicationDate, &r.Deadline,
			&r.BuyerName, &r.BuyerSiret, &r.Departements, &r.CPV, &r.Procedure, &r.Object, &r.URL, &r.Cancelled,
			&r.DeclaredLabels, &r.DetectedLabels, &r.Origin, &r.Position, &r.Version, &r.IngestedAt); err != nil {
			return fmt.Errorf("export notices: %w", err)
		}
		if err := fn(&r); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("export notices: %w", err)
	}
	return nil
}

// ExportedLot is a lot of a current notice.
type ExportedLot struct {
	NoticeID            string
	LotNumber           string
	Title               string
	Description         string
	CPV                 []string
	Reserved            *uint8
	ExecutionConditions string
	AwardCriteria       string
	DeclaredLabels      []string
	DeclaredNegative    []string
	DetectedLabels      []string
	PublicationDate     time.Time
}

// StreamLots calls fn for every lot of the current notices matching f,
// in (notice_id, lot_number) order.
func (s *Store) StreamLots(ctx context.Context, f NoticeFilter, fn func(*ExportedLot) error) error {
	where, args, err := f.where()
	if err != nil {
		return fmt.Errorf("export lots: %w", err)
	}
	noticeCols := append([]string{"notice_id"}, listedNoticeColumns...)
	q := `SELECT notice_id, lot_number, title, description, cpv, reserved, execution_conditions, award_criteria,
			declared_labels, declared_negative, detected_labels, publication_date
		FROM lots FINAL
		WHERE notice_id IN (SELECT notice_id FROM (SELECT ` + strings.Join(noticeCols, ", ") + ` FROM notices FINAL)` + where + `)
		ORDER BY notice_id, lot_number`
	rows, err := s.conn.Query(exportCtx(ctx), q, args...)
	if err != nil {
		return fmt.Errorf("export lots: %w", err)
	}
	defer rows.Close()
	var r ExportedLot
	for rows.Next() {
		if err := rows.Scan(&r.NoticeID, &r.LotNumber, &r.Title, &r.Description, &r.CPV, &r.Reserved, &r.ExecutionConditions,
			&r.AwardCriteria, &r.DeclaredLabels, &r.DeclaredNegative, &r.DetectedLabels, &r.PublicationDate); err != nil {
			return fmt.Errorf("export lots: %w", err)
		}
		if err := fn(&r); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("export lots: %w", err)
	}
	return nil
}

// ExportedSupplier is a supplier as one source knows it, with the classes
// that the newest fact of some source says yes to.
type ExportedSupplier struct {
	SIREN         string
	Source        string
	Name          string
	Active        *uint8
	LegalCategory string
	KnownOn       time.Time
	Classes       []string
}

// StreamSuppliers calls fn for every supplier row (SIREN and source), in
// SIREN order; with classedOnly, only those in at least one class.
func (s *Store) StreamSuppliers(ctx context.Context, classedOnly bool, fn func(*ExportedSupplier) error) error {
	join := "ANY LEFT JOIN"
	if classedOnly {
		join = "ANY INNER JOIN"
	}
	q := `SELECT siren, source, name, active, legal_category, known_on, classes
		FROM (SELECT siren, source, name, active, legal_category, known_on FROM suppliers FINAL)
		` + join + ` (SELECT siren, groupUniqArray(class) AS classes FROM
			(SELECT siren, source, class, argMax(value, known_on) AS v FROM supplier_facts FINAL GROUP BY siren, source, class)
			WHERE v = 1 GROUP BY siren) USING (siren)
		ORDER BY siren, source`
	rows, err := s.conn.Query(exportCtx(ctx), q)
	if err != nil {
		return fmt.Errorf("export suppliers: %w", err)
	}
	defer rows.Close()
	var r ExportedSupplier
	for rows.Next() {
		if err := rows.Scan(&r.SIREN, &r.Source, &r.Name, &r.Active, &r.LegalCategory, &r.KnownOn, &r.Classes); err != nil {
			return fmt.Errorf("export suppliers: %w", err)
		}
		if err := fn(&r); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("export suppliers: %w", err)
	}
	return nil
}
