package store

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// Listings: the rows behind a figure, current versions only, in key order,
// paged with a cursor (the last key of the previous page).

// ListedContract is one contract as listed, with its provenance.
type ListedContract struct {
	UID                     string     `json:"uid"`
	BuyerSiret              string     `json:"buyer_siret"`
	BuyerSiren              string     `json:"buyer_siren"`
	BuyerName               string     `json:"buyer_name"`
	ContractID              string     `json:"contract_id"`
	Kind                    string     `json:"kind"`
	Nature                  string     `json:"nature"`
	Object                  string     `json:"object"`
	CPV                     string     `json:"cpv"`
	CPVDivision             string     `json:"cpv_division"`
	Theme                   string     `json:"theme"`
	Procedure               string     `json:"procedure"`
	Departement             string     `json:"departement"`
	Region                  string     `json:"region"`
	NotificationDate        *time.Time `json:"notification_date"`
	PublicationDate         *time.Time `json:"publication_date"`
	Amount                  *float64   `json:"amount"`
	DeclaredSocialClause    *uint8     `json:"declared_social_clause"`
	DeclaredSocialCriterion *uint8     `json:"declared_social_criterion"`
	DeclaredReserved        *uint8     `json:"declared_reserved"`
	DeclaredEnvClause       *uint8     `json:"declared_env_clause"`
	DeclaredEnvCriterion    *uint8     `json:"declared_env_criterion"`
	DetectedLabels          []string   `json:"detected_labels"`
	QualityFlags            []string   `json:"quality_flags"`
	Source                  string     `json:"source"`
	Origin                  string     `json:"origin"`
	Position                string     `json:"position"`
	Version                 uint64     `json:"version"`
	IngestedAt              time.Time  `json:"ingested_at"`
}

var listedContractColumns = []string{"uid", "buyer_siren", "buyer_name", "kind", "nature", "object", "cpv", "cpv_division",
	"theme", "procedure", "departement", "region", "notification_date", "publication_date", "amount",
	"declared_social_clause", "declared_social_criterion", "declared_reserved", "declared_env_clause", "declared_env_criterion",
	"detected_labels", "quality_flags", "source", "origin", "position", "version", "ingested_at"}

// ContractCursor is the key after which a page starts.
type ContractCursor struct {
	BuyerSiret string `json:"s"`
	ContractID string `json:"c"`
}

// ListContracts returns up to limit contracts matching f after cursor
// (nil: from the start), ordered by (buyer_siret, contract_id), and
// whether more follow.
func (s *Store) ListContracts(ctx context.Context, f ContractFilter, after *ContractCursor, limit int) ([]ListedContract, bool, error) {
	kf, args := f.keyFilter()
	if after != nil {
		c := "(buyer_siret > ? OR (buyer_siret = ? AND contract_id > ?))"
		if kf != "" {
			kf += " AND "
		}
		kf += c
		args = append(args, after.BuyerSiret, after.BuyerSiret, after.ContractID)
	}
	where, wargs := f.where(false)
	args = append(args, wargs...)
	args = append(args, limit+1)
	cols := append([]string{"buyer_siret", "contract_id"}, listedContractColumns...)
	q := "SELECT " + strings.Join(cols, ", ") + " FROM (SELECT *, amount AS amount_value FROM " +
		currentContracts(listedContractColumns, kf) + ")" + where + " ORDER BY buyer_siret, contract_id LIMIT ?"
	rows, err := s.conn.Query(queryCtx(ctx), q, args...)
	if err != nil {
		return nil, false, fmt.Errorf("list contracts: %w", err)
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
			return nil, false, fmt.Errorf("list contracts: %w", err)
		}
		if len(out) == limit {
			return out, true, nil
		}
		out = append(out, r)
	}
	return out, false, rows.Err()
}

// NoticeFilter selects notices; zero values do not filter.
type NoticeFilter struct {
	From, To    time.Time // publication date, inclusive
	Departement string
	CPVPrefix   string
	BuyerSiret  string
	BuyerSiren  string
	Labels      []string // declared or detected, any of
	Words       []string // in the object
}

// ListedNotice is one notice as listed, with its provenance.
type ListedNotice struct {
	NoticeID        string     `json:"notice_id"`
	Source          string     `json:"source"`
	Format          string     `json:"format"`
	Kind            string     `json:"kind"`
	Family          string     `json:"family"`
	PublicationDate time.Time  `json:"publication_date"`
	Deadline        *time.Time `json:"deadline"`
	BuyerName       string     `json:"buyer_name"`
	BuyerSiret      string     `json:"buyer_siret"`
	Departements    []string   `json:"departements"`
	CPV             []string   `json:"cpv"`
	Procedure       string     `json:"procedure"`
	Object          string     `json:"object"`
	URL             string     `json:"url"`
	Cancelled       uint8      `json:"cancelled"`
	DeclaredLabels  []string   `json:"declared_labels"`
	DetectedLabels  []string   `json:"detected_labels"`
	Origin          string     `json:"origin"`
	Position        string     `json:"position"`
	Version         uint64     `json:"version"`
	IngestedAt      time.Time  `json:"ingested_at"`
}

var listedNoticeColumns = []string{"source", "format", "kind", "family", "publication_date", "deadline", "buyer_name",
	"buyer_siret", "departements", "cpv", "procedure", "object", "url", "cancelled", "declared_labels", "detected_labels",
	"origin", "position", "version", "ingested_at"}

// ListNotices returns up to limit notices matching f with notice_id after
// the cursor ("" from the start), in notice_id order, and whether more follow.
func (s *Store) ListNotices(ctx context.Context, f NoticeFilter, after string, limit int) ([]ListedNotice, bool, error) {
	var sel []string
	for i, c := range listedNoticeColumns {
		sel = append(sel, fmt.Sprintf("tupleElement(t, %d) AS %s", i+1, c))
	}
	var conds []string
	var args []any
	inner := ""
	if after != "" {
		inner = " WHERE notice_id > ?" // identity: safe before de-duplication
		args = append(args, after)
	}
	add := func(c string, a ...any) { conds = append(conds, c); args = append(args, a...) }
	if !f.From.IsZero() {
		add("publication_date >= toDate(?)", f.From.Format("2006-01-02"))
	}
	if !f.To.IsZero() {
		add("publication_date <= toDate(?)", f.To.Format("2006-01-02"))
	}
	if f.Departement != "" {
		add("has(departements, ?)", f.Departement)
	}
	if f.CPVPrefix != "" {
		add("arrayExists(c -> startsWith(c, ?), cpv)", f.CPVPrefix)
	}
	if f.BuyerSiret != "" {
		add("buyer_siret = ?", f.BuyerSiret)
	}
	if f.BuyerSiren != "" {
		add("substring(buyer_siret, 1, 9) = ?", f.BuyerSiren)
	}
	for _, w := range f.Words {
		add("positionCaseInsensitiveUTF8(object, ?) > 0", w)
	}
	if len(f.Labels) > 0 {
		m, err := labelMatch("arrayConcat(declared_labels, detected_labels)", expandLabels(f.Labels))
		if err != nil {
			return nil, false, fmt.Errorf("list notices: %w", err)
		}
		conds = append(conds, m)
	}
	where := ""
	if len(conds) > 0 {
		where = " WHERE " + strings.Join(conds, " AND ")
	}
	args = append(args, limit+1)
	q := "SELECT notice_id, " + strings.Join(listedNoticeColumns, ", ") + " FROM (SELECT notice_id, " + strings.Join(sel, ", ") +
		" FROM (SELECT notice_id, argMax(tuple(" + strings.Join(listedNoticeColumns, ", ") + "), version) AS t FROM notices" + inner +
		" GROUP BY notice_id))" + where + " ORDER BY notice_id LIMIT ?"
	rows, err := s.conn.Query(queryCtx(ctx), q, args...)
	if err != nil {
		return nil, false, fmt.Errorf("list notices: %w", err)
	}
	defer rows.Close()
	var out []ListedNotice
	for rows.Next() {
		var r ListedNotice
		if err := rows.Scan(&r.NoticeID, &r.Source, &r.Format, &r.Kind, &r.Family, &r.PublicationDate, &r.Deadline,
			&r.BuyerName, &r.BuyerSiret, &r.Departements, &r.CPV, &r.Procedure, &r.Object, &r.URL, &r.Cancelled,
			&r.DeclaredLabels, &r.DetectedLabels, &r.Origin, &r.Position, &r.Version, &r.IngestedAt); err != nil {
			return nil, false, fmt.Errorf("list notices: %w", err)
		}
		if len(out) == limit {
			return out, true, nil
		}
		out = append(out, r)
	}
	return out, false, rows.Err()
}
