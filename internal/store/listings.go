package store

import (
	"context"
	"database/sql"
	"errors"
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

// ContractCursor is the key after which a page starts, or with Before
// the key before which it ends (a previous page).
type ContractCursor struct {
	BuyerSiret string `json:"s"`
	ContractID string `json:"c"`
	Before     bool   `json:"b,omitempty"`
}

// keyCond is the condition "(buyer_siret, contract_id) op key" on the
// sorting key (op is < or >, inclusive adds =), which ClickHouse's index
// uses to skip granules.
func keyCond(op string, inclusive bool, key *ContractCursor) (string, []any) {
	last := op
	if inclusive {
		last += "="
	}
	return "(buyer_siret " + op + " ? OR (buyer_siret = ? AND contract_id " + last + " ?))", []any{key.BuyerSiret, key.BuyerSiret, key.ContractID}
}

// ListContracts returns up to limit contracts matching f after cursor
// (nil: from the start; with Before: the limit contracts just before it),
// ordered by (buyer_siret, contract_id), and whether more follow in the
// direction of travel.
//
// A page is read in two steps, so that a page costs about its own rows
// instead of de-duplicating the whole table each time: the first finds
// the key of the (limit+1)-th stored row after the cursor among rows any
// version of which matches the filter (two key columns, a partial sort);
// the second computes the current versions of the keys in between only
// (a range of the sorting key) and applies the filter to them. When old
// versions matched but current ones do not, the range holds fewer than
// limit+1 rows: the next range is read, until enough or the end.
func (s *Store) ListContracts(ctx context.Context, f ContractFilter, cur *ContractCursor, limit int) ([]ListedContract, bool, error) {
	back := cur != nil && cur.Before
	var out []ListedContract
	from := cur
	for {
		bound, err := s.contractBound(ctx, f, from, back, limit+1)
		if err != nil {
			return nil, false, err
		}
		rows, err := s.contractRange(ctx, f, from, bound, back, limit+1-len(out))
		if err != nil {
			return nil, false, err
		}
		out = append(out, rows...)
		if len(out) > limit || bound == nil {
			break
		}
		from = bound
		from.Before = back
	}
	more := len(out) > limit
	if more {
		out = out[:limit]
	}
	if back {
		for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
			out[i], out[j] = out[j], out[i]
		}
	}
	return out, more, nil
}

// contractBound is the key of the n-th stored row after from (before it
// when back) whose some version matches f, or nil when fewer follow.
func (s *Store) contractBound(ctx context.Context, f ContractFilter, from *ContractCursor, back bool, n int) (*ContractCursor, error) {
	conds, args := f.keyFilter()
	if from != nil {
		op := ">"
		if back {
			op = "<"
		}
		c, a := keyCond(op, false, from)
		conds = joinAnd(conds, c)
		args = append(args, a...)
	}
	if conds != "" {
		conds = " WHERE " + conds
	}
	where, wargs := f.where(false)
	args = append(args, wargs...)
	args = append(args, n-1)
	order := "buyer_siret, contract_id"
	if back {
		order = "buyer_siret DESC, contract_id DESC"
	}
	q := "SELECT buyer_siret, contract_id FROM (SELECT buyer_siret, contract_id, " + strings.Join(filterColumns, ", ") +
		", amount AS amount_value FROM contracts" + conds + ")" + where + " ORDER BY " + order + " LIMIT 1 OFFSET ?"
	var b ContractCursor
	if err := s.conn.QueryRow(queryCtx(ctx), q, args...).Scan(&b.BuyerSiret, &b.ContractID); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, nil
		}
		return nil, fmt.Errorf("list contracts: page bound: %w", err)
	}
	return &b, nil
}

// filterColumns are the contract columns ContractFilter.where reads.
var filterColumns = []string{"buyer_siren", "notification_date", "departement", "region", "procedure", "nature", "theme", "source", "cpv"}

func joinAnd(a, b string) string {
	if a == "" {
		return b
	}
	return a + " AND " + b
}

// currentVersion is the condition selecting the current version of the
// rows of table matching the identity condition cond (non-empty): their
// key and version among the newest per key. Cheaper on every server than
// argMax over a tuple of all the listed columns, which cost 60 to 120 ms
// for a page of 100 even on 500 rows (ClickHouse 18.16). Two rows with
// the same key and version (an insert repeated before a merge) are one:
// callers add LIMIT 1 BY key.
func currentVersion(table, key, cond string) string {
	return cond + " AND (" + key + ", version) IN (SELECT " + key + ", max(version) FROM " + table + " WHERE " + cond + " GROUP BY " + key + ")"
}

// contractRange returns up to n current contracts matching f with keys
// after from and up to bound included (before from and down to bound
// when back; nil: no limit), in the direction of travel.
func (s *Store) contractRange(ctx context.Context, f ContractFilter, from, bound *ContractCursor, back bool, n int) ([]ListedContract, error) {
	kf, args := f.keyFilter()
	op, bop, order := ">", "<", "buyer_siret, contract_id"
	if back {
		op, bop, order = "<", ">", "buyer_siret DESC, contract_id DESC"
	}
	if from != nil {
		c, a := keyCond(op, false, from)
		kf = joinAnd(kf, c)
		args = append(args, a...)
	}
	if bound != nil {
		c, a := keyCond(bop, true, bound)
		kf = joinAnd(kf, c)
		args = append(args, a...)
	}
	if kf == "" {
		kf = "1"
	}
	where, wargs := f.where(false)
	args = append(args, args...) // the key range twice: rows, and their current versions
	args = append(args, wargs...)
	args = append(args, n)
	q := "SELECT " + strings.Join(append([]string{"buyer_siret", "contract_id"}, listedContractColumns...), ", ") +
		" FROM (SELECT buyer_siret, contract_id, " + strings.Join(listedContractColumns, ", ") + ", amount AS amount_value" +
		" FROM contracts WHERE " + currentVersion("contracts", "buyer_siret, contract_id", kf) + ")" + where +
		" ORDER BY " + order + " LIMIT 1 BY buyer_siret, contract_id LIMIT ?"
	rows, err := s.conn.Query(queryCtx(ctx), q, args...)
	if err != nil {
		return nil, fmt.Errorf("list contracts: %w", err)
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
			return nil, fmt.Errorf("list contracts: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// exportPage is how many rows an export reads per query: its memory on
// both sides is bounded by a page, whatever the table's size.
const exportPage = 5000

// EachContract calls fn for every contract matching f, in key order, read
// a page at a time (a CSV export streams them as they come).
func (s *Store) EachContract(ctx context.Context, f ContractFilter, fn func(*ListedContract) error) error {
	var cur *ContractCursor
	for {
		page, more, err := s.ListContracts(ctx, f, cur, exportPage)
		if err != nil {
			return err
		}
		for i := range page {
			if err := fn(&page[i]); err != nil {
				return err
			}
		}
		if !more || len(page) == 0 {
			return nil
		}
		last := page[len(page)-1]
		cur = &ContractCursor{BuyerSiret: last.BuyerSiret, ContractID: last.ContractID}
	}
}

// CountContracts is how many current contracts match f.
func (s *Store) CountContracts(ctx context.Context, f ContractFilter) (uint64, error) {
	kf, args := f.keyFilter()
	where, wargs := f.where(false)
	args = append(args, wargs...)
	var q string
	if where == "" {
		w := ""
		if kf != "" {
			w = " WHERE " + kf
		}
		q = "SELECT uniqExact(buyer_siret, contract_id) FROM contracts" + w
	} else {
		// The current versions of the keys some version of which matches
		// (a set as small as the filter is selective), then the filter on
		// them: argMax over every key cost seconds at 2 million contracts.
		if kf == "" {
			kf = "1"
		}
		_, kargs := f.keyFilter()
		inner := "SELECT " + strings.Join(append([]string{"buyer_siret", "contract_id"}, filterColumns...), ", ") +
			", amount AS amount_value FROM contracts WHERE " + kf
		cond := kf + " AND (buyer_siret, contract_id) IN (SELECT buyer_siret, contract_id FROM (" + inner + ")" + where + ")"
		condArgs := append(append(append([]any{}, kargs...), kargs...), wargs...)
		args = append(append(append([]any{}, condArgs...), condArgs...), wargs...)
		q = "SELECT uniqExact(buyer_siret, contract_id) FROM (SELECT " + strings.Join(append([]string{"buyer_siret", "contract_id"}, filterColumns...), ", ") +
			", amount AS amount_value FROM contracts WHERE " + currentVersion("contracts", "buyer_siret, contract_id", cond) + ")" + where
	}
	var n uint64
	if err := s.conn.QueryRow(queryCtx(ctx), q, args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("count contracts: %w", err)
	}
	return n, nil
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
	return s.ListNoticesPage(ctx, f, after, false, limit)
}

// ListNoticesPage is ListNotices in either direction: with before, the
// limit notices just before the cursor, still in notice_id order, and
// whether more precede. Pages are read in two steps, as ListContracts.
func (s *Store) ListNoticesPage(ctx context.Context, f NoticeFilter, cursor string, before bool, limit int) ([]ListedNotice, bool, error) {
	where, wargs, err := f.where()
	if err != nil {
		return nil, false, fmt.Errorf("list notices: %w", err)
	}
	op, bop, order := ">", "<=", "notice_id"
	if before {
		op, bop, order = "<", ">=", "notice_id DESC"
	}
	var out []ListedNotice
	from := cursor
	for {
		// The page bound: the (limit+1)-th stored row after from with some version matching.
		var conds string
		var args []any
		if from != "" {
			conds, args = " WHERE notice_id "+op+" ?", []any{from}
		}
		args = append(args, wargs...)
		args = append(args, limit)
		var bound string
		err := s.conn.QueryRow(queryCtx(ctx), "SELECT notice_id FROM (SELECT notice_id, "+strings.Join(listedNoticeColumns, ", ")+
			" FROM notices"+conds+")"+where+" ORDER BY "+order+" LIMIT 1 OFFSET ?", args...).Scan(&bound)
		last := errors.Is(err, sql.ErrNoRows)
		if err != nil && !last {
			return nil, false, fmt.Errorf("list notices: page bound: %w", err)
		}
		rows, err := s.noticeRange(ctx, where, wargs, from, op, bound, bop, order, limit+1-len(out))
		if err != nil {
			return nil, false, err
		}
		out = append(out, rows...)
		if len(out) > limit || last {
			break
		}
		from = bound
	}
	more := len(out) > limit
	if more {
		out = out[:limit]
	}
	if before {
		for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
			out[i], out[j] = out[j], out[i]
		}
	}
	return out, more, nil
}

// where is the filter over a notice's columns.
func (f NoticeFilter) where() (string, []any, error) {
	var conds []string
	var args []any
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
			return "", nil, err
		}
		conds = append(conds, m)
	}
	if len(conds) == 0 {
		return "", nil, nil
	}
	return " WHERE " + strings.Join(conds, " AND "), args, nil
}

// noticeRange returns up to n current notices matching where with
// notice_id op from (when from is set) and bop bound (when set).
func (s *Store) noticeRange(ctx context.Context, where string, wargs []any, from, op, bound, bop, order string, n int) ([]ListedNotice, error) {
	keys := []string{"1"}
	var args []any
	if from != "" {
		keys, args = append(keys, "notice_id "+op+" ?"), append(args, from)
	}
	if bound != "" {
		keys, args = append(keys, "notice_id "+bop+" ?"), append(args, bound)
	}
	args = append(args, args...) // the key range twice: rows, and their current versions
	args = append(args, wargs...)
	args = append(args, n)
	q := "SELECT notice_id, " + strings.Join(listedNoticeColumns, ", ") + " FROM (SELECT notice_id, " + strings.Join(listedNoticeColumns, ", ") +
		" FROM notices WHERE " + currentVersion("notices", "notice_id", strings.Join(keys, " AND ")) + ")" + where +
		" ORDER BY " + order + " LIMIT 1 BY notice_id LIMIT ?"
	rows, err := s.conn.Query(queryCtx(ctx), q, args...)
	if err != nil {
		return nil, fmt.Errorf("list notices: %w", err)
	}
	defer rows.Close()
	var out []ListedNotice
	for rows.Next() {
		var r ListedNotice
		if err := rows.Scan(&r.NoticeID, &r.Source, &r.Format, &r.Kind, &r.Family, &r.PublicationDate, &r.Deadline,
			&r.BuyerName, &r.BuyerSiret, &r.Departements, &r.CPV, &r.Procedure, &r.Object, &r.URL, &r.Cancelled,
			&r.DeclaredLabels, &r.DetectedLabels, &r.Origin, &r.Position, &r.Version, &r.IngestedAt); err != nil {
			return nil, fmt.Errorf("list notices: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// EachNotice calls fn for every notice matching f, in notice_id order,
// read a page at a time.
func (s *Store) EachNotice(ctx context.Context, f NoticeFilter, fn func(*ListedNotice) error) error {
	after := ""
	for {
		page, more, err := s.ListNoticesPage(ctx, f, after, false, exportPage)
		if err != nil {
			return err
		}
		for i := range page {
			if err := fn(&page[i]); err != nil {
				return err
			}
		}
		if !more || len(page) == 0 {
			return nil
		}
		after = page[len(page)-1].NoticeID
	}
}

// CountNotices is how many current notices match f.
func (s *Store) CountNotices(ctx context.Context, f NoticeFilter) (uint64, error) {
	where, args, err := f.where()
	if err != nil {
		return 0, fmt.Errorf("count notices: %w", err)
	}
	q := "SELECT uniqExact(notice_id) FROM notices"
	if where != "" {
		var sel []string
		for i, c := range listedNoticeColumns {
			sel = append(sel, fmt.Sprintf("tupleElement(t, %d) AS %s", i+1, c))
		}
		q = "SELECT count() FROM (SELECT notice_id, " + strings.Join(sel, ", ") + " FROM (SELECT notice_id, argMax(tuple(" +
			strings.Join(listedNoticeColumns, ", ") + "), version) AS t FROM notices GROUP BY notice_id))" + where
	}
	var n uint64
	if err := s.conn.QueryRow(queryCtx(ctx), q, args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("count notices: %w", err)
	}
	return n, nil
}

// ContractsTableState names the data of the contracts table itself (per
// partition, the newest block of its active parts): what the listings
// read. Unlike ContractsState, a write changes it at once. At most
// freshnessTTL old, and re-read after every write by this process.
func (s *Store) ContractsTableState(ctx context.Context) (string, error) {
	sig, err := s.rollups.sig.get(ctx, func(ctx context.Context) (string, error) {
		sig, _, err := s.contractsSignature(ctx)
		return sig, err
	})
	return "contracts:" + sig, err
}
