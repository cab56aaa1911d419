package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"sort"
	"strings"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"

	"github.com/vigie-data/vigie/internal/clause"
	"github.com/vigie-data/vigie/internal/notice"
)

// NoticeDoc is a parsed notice with the document it was read from.
type NoticeDoc struct {
	Notice    *notice.Notice
	Raw       []byte // the API record JSON or the XML, stored in raw_documents
	RawFormat string // "boamp-api-json", "boamp-xml", "eforms-xml"
}

// NoticeCounts is what a write did.
type NoticeCounts struct {
	New, Updated, Duplicates int64
}

var noticeColumns = []string{"notice_id", "source", "format", "kind", "family", "publication_date", "deadline",
	"buyer_name", "buyer_siret", "departements", "cpv", "descriptors", "market_type", "procedure", "object",
	"execution_conditions", "participation_conditions", "award_criteria", "additional_info", "url",
	"parent_notice_id", "contract_folder_id", "cancelled", "corrected_by", "winners", "declared_labels",
	"declared_negative", "detected_labels", "detector_version", "origin", "position", "content_hash", "version", "ingested_at"}

var lotColumns = []string{"notice_id", "lot_number", "title", "description", "cpv", "reserved", "execution_conditions",
	"award_criteria", "declared_labels", "declared_negative", "detected_labels", "publication_date", "version"}

// noticeState is what the ingestion needs to know of a stored notice.
type noticeState struct {
	version uint64
	hash    uint64
}

// ContentHash is the hash of a notice's parsed content, without where it
// was read from: the same notice from the API or the archive hashes the same.
func ContentHash(n *notice.Notice) uint64 {
	c := *n
	c.Origin, c.Position, c.Detection = "", "", clause.Result{}
	c.Lots = make([]notice.Lot, len(n.Lots))
	for i, l := range n.Lots {
		l.Detection = clause.Result{}
		c.Lots[i] = l
	}
	b, _ := json.Marshal(&c)
	h := fnv.New64a()
	h.Write(b)
	return h.Sum64()
}

func (s *Store) noticeStates(ctx context.Context, ids []string) (map[string]noticeState, error) {
	out := map[string]noticeState{}
	if len(ids) == 0 {
		return out, nil
	}
	rows, err := s.conn.Query(withTimeout(ctx, 60),
		`SELECT notice_id, max(version), argMax(content_hash, version) FROM notices
		PREWHERE notice_id IN ? GROUP BY notice_id`, clickhouse.GroupSet{Value: anySlice(ids)})
	if err != nil {
		return nil, fmt.Errorf("read notice states: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var st noticeState
		if err := rows.Scan(&id, &st.version, &st.hash); err != nil {
			return nil, fmt.Errorf("read notice states: %w", err)
		}
		out[id] = st
	}
	return out, rows.Err()
}

func anySlice(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

// link is a correction or cancellation pointing at the notice it changes.
type link struct {
	id, parent, kind string
	published        time.Time
	deadline         *time.Time
}

// storedLinks reads the corrections and cancellations already stored
// that point at the given notices (they may have arrived first).
func (s *Store) storedLinks(ctx context.Context, ids []string) ([]link, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	rows, err := s.conn.Query(withTimeout(ctx, 60),
		`SELECT notice_id, argMax(parent_notice_id, version), argMax(kind, version),
			argMax(publication_date, version), argMax(deadline, version)
		FROM notices PREWHERE parent_notice_id IN ? GROUP BY notice_id`, clickhouse.GroupSet{Value: anySlice(ids)})
	if err != nil {
		return nil, fmt.Errorf("read notice links: %w", err)
	}
	defer rows.Close()
	var out []link
	for rows.Next() {
		var l link
		if err := rows.Scan(&l.id, &l.parent, &l.kind, &l.published, &l.deadline); err != nil {
			return nil, fmt.Errorf("read notice links: %w", err)
		}
		if l.kind == notice.KindCorrection || l.kind == notice.KindCancellation {
			out = append(out, l)
		}
	}
	return out, rows.Err()
}

// WriteNotices stores a batch of notices with their lots, detections and
// raw documents. Unchanged notices (same content hash) are counted as
// duplicates and not written again; changed ones get a higher version.
// Corrections and cancellations are applied to the notice they point at,
// whether it is in this batch, already stored, or arrives later.
func (s *Store) WriteNotices(ctx context.Context, docs []NoticeDoc) (NoticeCounts, error) {
	var c NoticeCounts
	if len(docs) == 0 {
		return c, nil
	}
	// Last one wins within a batch; an identical repeat is a duplicate.
	byID := map[string]int{}
	var keep []NoticeDoc
	hashes := map[string]uint64{}
	for _, d := range docs {
		h := ContentHash(d.Notice)
		if i, ok := byID[d.Notice.ID]; ok {
			if hashes[d.Notice.ID] == h {
				c.Duplicates++
				continue
			}
			keep[i] = d
			hashes[d.Notice.ID] = h
			continue
		}
		byID[d.Notice.ID] = len(keep)
		keep = append(keep, d)
		hashes[d.Notice.ID] = h
	}
	ids := make([]string, 0, len(keep))
	for _, d := range keep {
		ids = append(ids, d.Notice.ID)
	}
	states, err := s.noticeStates(ctx, ids)
	if err != nil {
		return c, err
	}
	version := uint64(time.Now().UnixNano())
	var write []NoticeDoc
	for _, d := range keep {
		st, ok := states[d.Notice.ID]
		switch {
		case !ok:
			c.New++
		case st.hash == hashes[d.Notice.ID]:
			c.Duplicates++
			continue
		default:
			c.Updated++
			if st.version >= version {
				version = st.version + 1
			}
		}
		write = append(write, d)
	}
	if len(write) == 0 {
		return c, nil
	}

	// Links: stored corrections/cancellations of the notices written now,
	// and those of this batch.
	writeIDs := make([]string, len(write))
	inBatch := map[string]*notice.Notice{}
	for i, d := range write {
		writeIDs[i] = d.Notice.ID
		inBatch[d.Notice.ID] = d.Notice
	}
	links, err := s.storedLinks(ctx, writeIDs)
	if err != nil {
		return c, err
	}
	for _, d := range write {
		n := d.Notice
		if (n.Kind == notice.KindCorrection || n.Kind == notice.KindCancellation) && n.ParentID != "" && n.ParentID != n.ID {
			links = append(links, link{id: n.ID, parent: n.ParentID, kind: n.Kind, published: n.PublicationDate, deadline: n.Deadline})
		}
	}
	sort.SliceStable(links, func(i, j int) bool { return links[i].published.Before(links[j].published) })
	corrected := map[string][]string{}
	cancelled := map[string]bool{}
	newDeadline := map[string]*time.Time{}
	var outside []string
	for _, l := range links {
		if l.kind == notice.KindCancellation {
			cancelled[l.parent] = true
		} else {
			corrected[l.parent] = appendUnique(corrected[l.parent], l.id)
			if l.deadline != nil {
				newDeadline[l.parent] = l.deadline
			}
		}
		if inBatch[l.parent] == nil {
			outside = appendUnique(outside, l.parent)
		}
	}

	now := time.Now().UTC().Truncate(time.Second)
	var nrows, lrows [][]any
	var dets []DetectionRow
	var raws []RawDocument
	for _, d := range write {
		n := d.Notice
		dl, dn, det := notice.Labels(n.Detection)
		deadline := n.Deadline
		if t := newDeadline[n.ID]; t != nil {
			deadline = t
		}
		var dlv *time.Time
		if deadline != nil {
			t := deadline.UTC().Truncate(time.Second)
			dlv = &t
		}
		nrows = append(nrows, []any{n.ID, n.Source, n.Format, n.Kind, n.Family, dateOf(n.PublicationDate), dlv,
			n.BuyerName, n.BuyerSIRET, nonNil(n.Departements), nonNil(n.CPV), nonNil(n.Descriptors), n.MarketType, n.Procedure, n.Object,
			n.ExecutionConds, n.ParticipConds, n.AwardCriteria, n.AdditionalInfo, n.URL,
			n.ParentID, n.ContractFolderID, boolU8(n.Cancelled || cancelled[n.ID]), nonNil(corrected[n.ID]), nonNil(n.Winners), nonNil(dl),
			nonNil(dn), nonNil(det), clause.Version, n.Origin, n.Position, hashes[n.ID], version, now})
		dets = append(dets, detectionRow("notice", n.ID, n.ID, n.Detection, dl, dn, det, version, now))
		for _, l := range n.Lots {
			ldl, ldn, ldet := notice.Labels(l.Detection)
			var reserved *uint8
			if l.Reserved != nil {
				v := boolU8(*l.Reserved)
				reserved = &v
			}
			lrows = append(lrows, []any{n.ID, l.Number, l.Title, l.Description, nonNil(l.CPV), reserved, l.ExecutionConds,
				l.AwardCriteria, nonNil(ldl), nonNil(ldn), nonNil(ldet), dateOf(n.PublicationDate), version})
			dets = append(dets, detectionRow("lot", n.ID+"#"+l.Number, n.ID, l.Detection, ldl, ldn, ldet, version, now))
		}
		if len(d.Raw) > 0 {
			sum := sha256.Sum256(d.Raw)
			raws = append(raws, RawDocument{Source: "boamp", DocKey: n.ID, Format: d.RawFormat, Origin: n.Origin,
				Position: n.Position, SHA256: hex.EncodeToString(sum[:]), FetchedAt: now, Body: string(d.Raw)})
		}
	}
	// Raw documents first: a notice is never stored without what it was read from.
	if err := s.WriteRawDocuments(ctx, raws); err != nil {
		return c, err
	}
	if err := s.insert(ctx, "lots", lotColumns, lrows...); err != nil {
		return c, err
	}
	if err := s.writeDetections(ctx, dets); err != nil {
		return c, err
	}
	if err := s.insert(ctx, "notices", noticeColumns, nrows...); err != nil {
		return c, err
	}
	for _, id := range outside {
		if err := s.applyLinks(ctx, id, cancelled[id], corrected[id], newDeadline[id], version+1); err != nil {
			return c, err
		}
	}
	return c, nil
}

// applyLinks rewrites a stored notice (and its current lots) with a new
// version: cancelled, corrections added, the corrected deadline. Done in
// the server (INSERT … SELECT): nothing to read back. A notice not stored
// yet is left alone; the link is applied when it arrives.
func (s *Store) applyLinks(ctx context.Context, id string, cancel bool, corrections []string, deadline *time.Time, version uint64) error {
	st, err := s.noticeStates(ctx, []string{id})
	if err != nil {
		return err
	}
	cur, ok := st[id]
	if !ok {
		return nil
	}
	if version <= cur.version {
		version = cur.version + 1
	}
	sel := make([]string, len(noticeColumns))
	args := []any{}
	for i, col := range noticeColumns {
		sel[i] = col
		switch col {
		case "cancelled":
			if cancel {
				sel[i] = "toUInt8(1)"
			}
		case "corrected_by":
			if len(corrections) > 0 {
				sel[i] = "arrayConcat(corrected_by, arrayFilter(x -> NOT has(corrected_by, x), CAST(? AS Array(String))))"
				args = append(args, corrections)
			}
		case "deadline":
			if deadline != nil {
				sel[i] = "toNullable(toDateTime(?, 'UTC'))"
				args = append(args, deadline.UTC().Format("2006-01-02 15:04:05"))
			}
		case "version":
			sel[i] = "toUInt64(?)"
			args = append(args, version)
		case "ingested_at":
			sel[i] = "now()"
		}
	}
	args = append(args, id, cur.version)
	q := "INSERT INTO notices (" + strings.Join(noticeColumns, ", ") + ") SELECT " + strings.Join(sel, ", ") +
		" FROM notices WHERE notice_id = ? AND version = ? LIMIT 1"
	if err := s.conn.Exec(withTimeout(ctx, 60), q, args...); err != nil {
		return fmt.Errorf("apply corrections to notice %s: %w", id, err)
	}
	lsel := make([]string, len(lotColumns))
	copy(lsel, lotColumns)
	lsel[len(lsel)-1] = "toUInt64(?)"
	q = "INSERT INTO lots (" + strings.Join(lotColumns, ", ") + ") SELECT " + strings.Join(lsel, ", ") +
		" FROM lots WHERE notice_id = ? AND version = ?"
	if err := s.conn.Exec(withTimeout(ctx, 60), q, version, id, cur.version); err != nil {
		return fmt.Errorf("carry lots of notice %s to its new version: %w", id, err)
	}
	return nil
}

func detectionRow(kind, id, noticeID string, r clause.Result, dl, dn, det []string, version uint64, at time.Time) DetectionRow {
	return DetectionRow{SubjectKind: kind, SubjectID: id, NoticeID: noticeID, DeclaredLabels: dl, DeclaredNegative: dn,
		DetectedLabels: det, Evidence: EvidenceRows(r.Evidence), DetectorVersion: clause.Version, DetectedAt: at, Version: version}
}

func dateOf(t time.Time) time.Time {
	if t.IsZero() {
		return time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

func boolU8(b bool) uint8 {
	if b {
		return 1
	}
	return 0
}

func appendUnique(list []string, v string) []string {
	for _, x := range list {
		if x == v {
			return list
		}
	}
	return append(list, v)
}

// StoredNotice is a notice as read back (current version), for tests and
// the API.
type StoredNotice struct {
	ID, Kind, Family, Format, BuyerName, BuyerSIRET, MarketType, Procedure string
	PublicationDate                                                        time.Time
	Deadline                                                               *time.Time
	Departements, CPV, Descriptors, Winners, CorrectedBy                   []string
	ParentID, ContractFolderID, Object, ExecutionConds, AwardCriteria      string
	Cancelled                                                              bool
	DeclaredLabels, DeclaredNegative, DetectedLabels                       []string
	Version                                                                uint64
}

// StoredLot is a lot as read back.
type StoredLot struct {
	Number, Title    string
	CPV              []string
	Reserved         *bool
	DeclaredLabels   []string
	DeclaredNegative []string
	DetectedLabels   []string
	ExecutionConds   string
}

// Notice reads the current version of a notice and its lots (nil when absent).
func (s *Store) Notice(ctx context.Context, id string) (*StoredNotice, []StoredLot, error) {
	var n StoredNotice
	var cancelled uint8
	err := s.conn.QueryRow(withTimeout(ctx, 30), `SELECT notice_id, kind, family, format, buyer_name, buyer_siret,
		market_type, procedure, publication_date, deadline, departements, cpv, descriptors, winners, corrected_by,
		parent_notice_id, contract_folder_id, object, execution_conditions, award_criteria, cancelled,
		declared_labels, declared_negative, detected_labels, version
		FROM notices FINAL WHERE notice_id = ?`, id).Scan(&n.ID, &n.Kind, &n.Family, &n.Format, &n.BuyerName, &n.BuyerSIRET,
		&n.MarketType, &n.Procedure, &n.PublicationDate, &n.Deadline, &n.Departements, &n.CPV, &n.Descriptors, &n.Winners, &n.CorrectedBy,
		&n.ParentID, &n.ContractFolderID, &n.Object, &n.ExecutionConds, &n.AwardCriteria, &cancelled,
		&n.DeclaredLabels, &n.DeclaredNegative, &n.DetectedLabels, &n.Version)
	if err != nil {
		if strings.Contains(err.Error(), "no rows") {
			return nil, nil, nil
		}
		return nil, nil, fmt.Errorf("read notice %s: %w", id, err)
	}
	n.Cancelled = cancelled == 1
	rows, err := s.conn.Query(withTimeout(ctx, 30), `SELECT lot_number, title, cpv, reserved, declared_labels,
		declared_negative, detected_labels, execution_conditions FROM lots FINAL WHERE notice_id = ? AND version = ?
		ORDER BY lot_number`, id, n.Version)
	if err != nil {
		return nil, nil, fmt.Errorf("read lots of %s: %w", id, err)
	}
	defer rows.Close()
	var lots []StoredLot
	for rows.Next() {
		var l StoredLot
		var r *uint8
		if err := rows.Scan(&l.Number, &l.Title, &l.CPV, &r, &l.DeclaredLabels, &l.DeclaredNegative, &l.DetectedLabels, &l.ExecutionConds); err != nil {
			return nil, nil, fmt.Errorf("read lots of %s: %w", id, err)
		}
		if r != nil {
			v := *r == 1
			l.Reserved = &v
		}
		lots = append(lots, l)
	}
	return &n, lots, rows.Err()
}

// NoticeCount counts distinct notices, for tests and status.
func (s *Store) NoticeCount(ctx context.Context) (uint64, error) {
	var n uint64
	if err := s.conn.QueryRow(withTimeout(ctx, 30), "SELECT uniqExact(notice_id) FROM notices").Scan(&n); err != nil {
		return 0, fmt.Errorf("count notices: %w", err)
	}
	return n, nil
}
