package store

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
)

// Re-detection ('vigie reprocess'): read the stored subjects whose
// detection is older than the detector, and write their new findings.

// StaleSubject is a stored contract or notice whose detection is older
// than the detector, with what re-detection needs: its texts and the
// declared part of its current detection (kept as is).
type StaleSubject struct {
	Kind     string            // "contract" or "notice"
	ID       string            // contract uid, notice id
	NoticeID string            // notice id (notices)
	Texts    map[string]string // stored text column → text
	Declared []EvidenceRow     // declared evidence of the current detection
	// DeclaredLabels and DeclaredNegative of the current detection.
	DeclaredLabels, DeclaredNegative []string
	Lots                             []StaleLot // a notice's lots (current version)
	// DeclaredRaw is a contract's declared_raw: a contract whose only
	// declarations are negative has no detections row (the DECP
	// ingestion writes none), its declared evidence is rebuilt from this.
	DeclaredRaw []string
}

// StaleLot is a lot of a stale notice.
type StaleLot struct {
	Number                           string
	Texts                            map[string]string
	Declared                         []EvidenceRow
	DeclaredLabels, DeclaredNegative []string
}

// Stored text columns that detection reads, per table.
var (
	ContractTextColumns = []string{"object"}
	NoticeTextColumns   = []string{"object", "execution_conditions", "participation_conditions", "award_criteria", "additional_info"}
	LotTextColumns      = []string{"title", "description", "execution_conditions", "award_criteria"}
)

// StaleSubjects returns up to limit current contracts ("contract") or
// notices ("notice") whose detector_version is below version, with ids
// after the cursor, in id order.
func (s *Store) StaleSubjects(ctx context.Context, kind string, version uint32, after string, limit int) ([]StaleSubject, error) {
	var q string
	var cols []string
	switch kind {
	case "contract":
		cols = ContractTextColumns
		q = "SELECT uid, " + strings.Join(cols, ", ") + ", declared_raw FROM contracts FINAL WHERE detector_version < ? AND uid > ? ORDER BY uid LIMIT ?"
	case "notice":
		cols = NoticeTextColumns
		q = "SELECT notice_id, " + strings.Join(cols, ", ") + " FROM notices FINAL WHERE detector_version < ? AND notice_id > ? ORDER BY notice_id LIMIT ?"
	default:
		return nil, fmt.Errorf("stale subjects: unknown kind %q", kind)
	}
	rows, err := s.conn.Query(withTimeout(ctx, 120), q, version, after, uint64(limit))
	if err != nil {
		return nil, fmt.Errorf("stale %ss: %w", kind, err)
	}
	defer rows.Close()
	var out []StaleSubject
	for rows.Next() {
		vals := make([]string, len(cols)+1)
		ptrs := make([]any, len(vals), len(vals)+1)
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		var declaredRaw []string
		if kind == "contract" {
			ptrs = append(ptrs, &declaredRaw)
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, fmt.Errorf("stale %ss: %w", kind, err)
		}
		sub := StaleSubject{Kind: kind, ID: vals[0], Texts: map[string]string{}, DeclaredRaw: declaredRaw}
		if kind == "notice" {
			sub.NoticeID = vals[0]
		}
		for i, c := range cols {
			sub.Texts[c] = vals[i+1]
		}
		out = append(out, sub)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("stale %ss: %w", kind, err)
	}
	if len(out) == 0 {
		return nil, nil
	}
	if kind == "notice" {
		if err := s.staleLots(ctx, out); err != nil {
			return nil, err
		}
	}
	if err := s.declaredEvidence(ctx, out); err != nil {
		return nil, err
	}
	return out, nil
}

func (s *Store) staleLots(ctx context.Context, subs []StaleSubject) error {
	ids := make([]any, len(subs))
	at := map[string]int{}
	for i, sub := range subs {
		ids[i] = sub.ID
		at[sub.ID] = i
	}
	q := "SELECT notice_id, lot_number, " + strings.Join(LotTextColumns, ", ") +
		" FROM lots FINAL WHERE notice_id IN ? ORDER BY notice_id, lot_number"
	rows, err := s.conn.Query(withTimeout(ctx, 120), q, clickhouse.GroupSet{Value: ids})
	if err != nil {
		return fmt.Errorf("lots of stale notices: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		vals := make([]string, len(LotTextColumns)+2)
		ptrs := make([]any, len(vals))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return fmt.Errorf("lots of stale notices: %w", err)
		}
		l := StaleLot{Number: vals[1], Texts: map[string]string{}}
		for i, c := range LotTextColumns {
			l.Texts[c] = vals[i+2]
		}
		i := at[vals[0]]
		subs[i].Lots = append(subs[i].Lots, l)
	}
	return rows.Err()
}

// declaredEvidence fills the declared evidence of subjects (and their
// lots) from their current detections rows.
func (s *Store) declaredEvidence(ctx context.Context, subs []StaleSubject) error {
	type ref struct {
		sub int
		lot int // -1: the subject itself
	}
	refs := map[string]ref{}
	var kinds, ids []any
	for i, sub := range subs {
		refs[sub.Kind+"\x00"+sub.ID] = ref{i, -1}
		ids = append(ids, sub.ID)
		for j, l := range sub.Lots {
			id := sub.ID + "#" + l.Number
			refs["lot\x00"+id] = ref{i, j}
			ids = append(ids, id)
		}
	}
	kinds = []any{subs[0].Kind, "lot"}
	q := `SELECT subject_kind, subject_id, declared_labels, declared_negative, evidence.label, evidence.origin, evidence.field, evidence.text, evidence.start, evidence.end, evidence.negative
		FROM detections FINAL WHERE subject_kind IN ? AND subject_id IN ?`
	rows, err := s.conn.Query(withTimeout(ctx, 120), q, clickhouse.GroupSet{Value: kinds}, clickhouse.GroupSet{Value: ids})
	if err != nil {
		return fmt.Errorf("current detections: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var kind, id string
		var dl, dn, label, origin, field, text []string
		var start, end []uint32
		var negative []uint8
		if err := rows.Scan(&kind, &id, &dl, &dn, &label, &origin, &field, &text, &start, &end, &negative); err != nil {
			return fmt.Errorf("current detections: %w", err)
		}
		r, ok := refs[kind+"\x00"+id]
		if !ok {
			continue
		}
		var ev []EvidenceRow
		for i := range label {
			if origin[i] == "declared" {
				ev = append(ev, EvidenceRow{Label: label[i], Origin: origin[i], Field: field[i], Text: text[i], Start: start[i], End: end[i],
					Negative: i < len(negative) && negative[i] != 0})
			}
		}
		if r.lot < 0 {
			subs[r.sub].Declared, subs[r.sub].DeclaredLabels, subs[r.sub].DeclaredNegative = ev, dl, dn
		} else {
			l := &subs[r.sub].Lots[r.lot]
			l.Declared, l.DeclaredLabels, l.DeclaredNegative = ev, dl, dn
		}
	}
	return rows.Err()
}

// Relabel is the new detection of one subject: its detections row and the
// detected labels to put on its contracts/notices/lots row.
type Relabel struct {
	Detection DetectionRow
	Labels    []string
}

// WriteRedetections stores new findings: the detections rows, then a new
// version of each subject's row (contracts, notices, lots) with the new
// detected_labels and detector_version. Rows are copied whole, so that
// every other column stays what it was; versions go up by one so that the
// copies replace the originals.
func (s *Store) WriteRedetections(ctx context.Context, kind string, subjects, lots []Relabel, detectorVersion uint32) error {
	now := time.Now().UTC().Truncate(time.Second)
	var dets []DetectionRow
	for _, r := range append(append([]Relabel{}, subjects...), lots...) {
		d := r.Detection
		d.DetectorVersion, d.DetectedAt = detectorVersion, now
		dets = append(dets, d)
	}
	// Detection versions must pass the stored ones: take the current
	// version of each subject's detection and add one.
	if err := s.bumpDetectionVersions(ctx, dets); err != nil {
		return err
	}
	if err := s.writeDetections(ctx, dets); err != nil {
		return err
	}
	switch kind {
	case "contract":
		return s.relabel(ctx, "contracts", "uid", subjects, true, detectorVersion)
	case "notice":
		if err := s.relabel(ctx, "lots", "concat(notice_id, '#', lot_number)", lots, false, detectorVersion); err != nil {
			return err
		}
		return s.relabel(ctx, "notices", "notice_id", subjects, true, detectorVersion)
	}
	return fmt.Errorf("write re-detections: unknown kind %q", kind)
}

func (s *Store) bumpDetectionVersions(ctx context.Context, dets []DetectionRow) error {
	if len(dets) == 0 {
		return nil
	}
	ids := make([]any, len(dets))
	for i, d := range dets {
		ids[i] = d.SubjectKind + "\x00" + d.SubjectID
	}
	q := `SELECT concat(subject_kind, '\0', subject_id), max(version) FROM detections
		WHERE concat(subject_kind, '\0', subject_id) IN ? GROUP BY subject_kind, subject_id`
	rows, err := s.conn.Query(withTimeout(ctx, 120), q, clickhouse.GroupSet{Value: ids})
	if err != nil {
		return fmt.Errorf("detection versions: %w", err)
	}
	defer rows.Close()
	cur := map[string]uint64{}
	for rows.Next() {
		var k string
		var v uint64
		if err := rows.Scan(&k, &v); err != nil {
			return fmt.Errorf("detection versions: %w", err)
		}
		cur[k] = v
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("detection versions: %w", err)
	}
	for i := range dets {
		if v, ok := cur[dets[i].SubjectKind+"\x00"+dets[i].SubjectID]; ok && dets[i].Version <= v {
			dets[i].Version = v + 1
		}
	}
	return nil
}

// relabel copies the current rows of table whose key expression is one of
// the relabelled subjects, with new detected labels (and detector version
// where the table has one) and the version plus one.
func (s *Store) relabel(ctx context.Context, table, keyExpr string, subs []Relabel, hasDetectorVersion bool, detectorVersion uint32) error {
	if len(subs) == 0 {
		return nil
	}
	labels := map[string][]string{}
	ids := make([]any, len(subs))
	for i, r := range subs {
		labels[r.Detection.SubjectID] = nonNil(r.Labels)
		ids[i] = r.Detection.SubjectID
	}
	q := "SELECT " + keyExpr + " AS vigie_key, * FROM " + table + " FINAL WHERE " + keyExpr + " IN ?"
	rows, err := s.conn.Query(withTimeout(ctx, 120), q, clickhouse.GroupSet{Value: ids})
	if err != nil {
		return fmt.Errorf("read %s to relabel: %w", table, err)
	}
	defer rows.Close()
	types := rows.ColumnTypes()
	cols := make([]string, 0, len(types)-1)
	for _, t := range types[1:] {
		cols = append(cols, t.Name())
	}
	var out [][]any
	for rows.Next() {
		ptrs := make([]any, len(types))
		for i, t := range types {
			ptrs[i] = reflect.New(t.ScanType()).Interface()
		}
		if err := rows.Scan(ptrs...); err != nil {
			return fmt.Errorf("read %s to relabel: %w", table, err)
		}
		key := *(ptrs[0].(*string))
		row := make([]any, len(cols))
		for i := range cols {
			v := reflect.ValueOf(ptrs[i+1]).Elem().Interface()
			switch cols[i] {
			case "detected_labels":
				v = labels[key]
			case "detector_version":
				if hasDetectorVersion {
					v = detectorVersion
				}
			case "version":
				v = v.(uint64) + 1
			}
			row[i] = v
		}
		out = append(out, row)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read %s to relabel: %w", table, err)
	}
	if err := s.insert(ctx, table, cols, out...); err != nil {
		return fmt.Errorf("relabel %s: %w", table, err)
	}
	return nil
}
