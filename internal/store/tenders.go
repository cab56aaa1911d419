package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/vigie-data/vigie/internal/clause"
)

// TenderQuery selects open notices for the ESS networks' feed.
type TenderQuery struct {
	DeadlineAfter time.Time // deadline strictly after
	Labels        []string  // clause labels; a lot or notice carrying any matches
	Departement   string
	Departements  []string // any of (with Departement, both must hold)
	CPVPrefix     string
	BuyerSiret    string
	BuyerSiren    string
	Words         []string // each must appear in the object (case-insensitive)
	Limit         int
}

// TenderLot is a lot of an open notice that matches the labels.
type TenderLot struct {
	Number   string            `json:"lot_number"`
	Title    string            `json:"title"`
	CPV      []string          `json:"cpv"`
	Labels   []string          `json:"labels"`
	Evidence []clause.Evidence `json:"evidence"`
}

// Tender is an open notice with its matching lots.
type Tender struct {
	NoticeID        string            `json:"notice_id"`
	Source          string            `json:"source"`
	URL             string            `json:"url"`
	BuyerName       string            `json:"buyer_name"`
	BuyerSiret      string            `json:"buyer_siret"`
	Object          string            `json:"object"`
	PublicationDate time.Time         `json:"publication_date"`
	Deadline        time.Time         `json:"deadline"`
	Departements    []string          `json:"departements"`
	CPV             []string          `json:"cpv"`
	Labels          []string          `json:"labels"` // the notice's own labels (declared or detected)
	Evidence        []clause.Evidence `json:"evidence"`
	Lots            []TenderLot       `json:"lots"`
}

// expandLabels makes "reserved" also match its kinds.
func expandLabels(labels []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, l := range labels {
		ls := []string{l}
		if l == clause.Reserved {
			ls = []string{clause.Reserved, clause.ReservedDisability, clause.ReservedInsertion, clause.ReservedESS}
		}
		for _, x := range ls {
			if !seen[x] {
				seen[x] = true
				out = append(out, x)
			}
		}
	}
	return out
}

// labelMatch is an SQL condition: array expression arr has any of labels.
// Labels are checked against the fixed vocabulary before they are written
// into the query.
func labelMatch(arr string, labels []string) (string, error) {
	var conds []string
	for _, l := range labels {
		ok := false
		for _, k := range clause.AllLabels {
			ok = ok || k == l
		}
		if !ok {
			return "", fmt.Errorf("unknown label %q", l)
		}
		conds = append(conds, "has("+arr+", '"+l+"')")
	}
	return "(" + strings.Join(conds, " OR ") + ")", nil
}

// OpenTendersSQL is OpenTenders computed by one ClickHouse query with the
// filters in SQL: the path taken when the open set is larger than
// MaxTenderSet, and the reference the in-memory filtering is tested
// against.
func (s *Store) OpenTendersSQL(ctx context.Context, q TenderQuery) ([]Tender, bool, error) {
	labels := expandLabels(q.Labels)
	if len(labels) == 0 {
		return nil, false, fmt.Errorf("open tenders: no labels")
	}
	noticeMatch, err := labelMatch("n_labels", labels)
	if err != nil {
		return nil, false, err
	}
	lotMatch, err := labelMatch("labels", labels)
	if err != nil {
		return nil, false, err
	}
	after := q.DeadlineAfter.UTC().Format("2006-01-02 15:04:05")
	var conds []string
	// Candidates: any version with a deadline after the bound (PREWHERE:
	// the wide columns are read only for them). The current version is
	// then checked again (a correction may move the deadline).
	// Arguments in placeholder order: the three candidate subqueries, the
	// current deadline, the filters, the limit.
	args := []any{after, after, after, after}
	if q.Departement != "" {
		conds = append(conds, "has(departements, ?)")
		args = append(args, q.Departement)
	}
	if len(q.Departements) > 0 {
		conds = append(conds, "hasAny(departements, ?)")
		args = append(args, q.Departements)
	}
	if q.CPVPrefix != "" {
		conds = append(conds, "arrayExists(c -> startsWith(c, ?), cpv)")
		args = append(args, q.CPVPrefix)
	}
	if q.BuyerSiret != "" {
		conds = append(conds, "buyer_siret = ?")
		args = append(args, q.BuyerSiret)
	}
	if q.BuyerSiren != "" {
		conds = append(conds, "substring(buyer_siret, 1, 9) = ?")
		args = append(args, q.BuyerSiren)
	}
	for _, w := range q.Words {
		conds = append(conds, "positionCaseInsensitiveUTF8(object, ?) > 0")
		args = append(args, w)
	}
	extra := ""
	if len(conds) > 0 {
		extra = " AND " + strings.Join(conds, " AND ")
	}
	limit := q.Limit
	if limit <= 0 {
		limit = 1000
	}
	args = append(args, limit+1)
	query := `SELECT notice_id, source, url, buyer_name, buyer_siret, object, publication_date, assumeNotNull(deadline),
		departements, cpv, n_labels, lots
	FROM (
		SELECT notice_id,
			tupleElement(t, 1) AS source, tupleElement(t, 2) AS url, tupleElement(t, 3) AS buyer_name,
			tupleElement(t, 4) AS buyer_siret, tupleElement(t, 5) AS object, tupleElement(t, 6) AS publication_date,
			tupleElement(t, 7) AS deadline, tupleElement(t, 8) AS departements, tupleElement(t, 9) AS cpv,
			tupleElement(t, 10) AS cancelled, arrayDistinct(arrayConcat(tupleElement(t, 11), tupleElement(t, 12))) AS n_labels
		FROM (
			SELECT notice_id, argMax(tuple(source, url, buyer_name, buyer_siret, object, publication_date, deadline,
				departements, cpv, cancelled, declared_labels, detected_labels), version) AS t
			FROM notices PREWHERE notice_id IN (SELECT notice_id FROM notices WHERE deadline > toDateTime(?))
			GROUP BY notice_id)
	) ANY LEFT JOIN (
		SELECT notice_id, groupArray(tuple(lot_number, title, cpv, labels)) AS lots
		FROM (
			SELECT notice_id, lot_number, any(title) AS title, any(cpv) AS cpv,
				arrayDistinct(arrayConcat(any(declared_labels), any(detected_labels),
					if(any(ifNull(reserved, 0)) = 1, ['reserved'], emptyArrayString()))) AS labels
			FROM lots
			PREWHERE notice_id IN (SELECT notice_id FROM notices WHERE deadline > toDateTime(?))
			WHERE (notice_id, version) IN (SELECT notice_id, max(version) FROM lots
					WHERE notice_id IN (SELECT notice_id FROM notices WHERE deadline > toDateTime(?)) GROUP BY notice_id)
			GROUP BY notice_id, lot_number)
		WHERE ` + lotMatch + `
		GROUP BY notice_id
	) USING notice_id
	WHERE cancelled = 0 AND deadline > toDateTime(?) AND (` + noticeMatch + ` OR notEmpty(lots))` + extra + `
	ORDER BY deadline, notice_id
	LIMIT ?`
	rows, err := s.conn.Query(queryCtx(ctx), query, args...)
	if err != nil {
		return nil, false, fmt.Errorf("open tenders: %w", err)
	}
	defer rows.Close()
	var out []Tender
	truncated := false
	for rows.Next() {
		var t Tender
		var lots [][]any
		if err := rows.Scan(&t.NoticeID, &t.Source, &t.URL, &t.BuyerName, &t.BuyerSiret, &t.Object, &t.PublicationDate,
			&t.Deadline, &t.Departements, &t.CPV, &t.Labels, &lots); err != nil {
			return nil, false, fmt.Errorf("open tenders: %w", err)
		}
		if len(out) == limit {
			truncated = true
			break
		}
		t.Labels = keepKnown(t.Labels)
		t.Evidence = []clause.Evidence{}
		t.Lots = []TenderLot{}
		for _, l := range lots {
			lot := TenderLot{Evidence: []clause.Evidence{}}
			lot.Number, _ = l[0].(string)
			lot.Title, _ = l[1].(string)
			lot.CPV, _ = l[2].([]string)
			ls, _ := l[3].([]string)
			lot.Labels = keepKnown(ls)
			t.Lots = append(t.Lots, lot)
		}
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, false, fmt.Errorf("open tenders: %w", err)
	}
	return out, truncated, s.AttachTenderEvidence(ctx, out)
}

// keepKnown orders labels as the vocabulary does and drops others.
func keepKnown(ls []string) []string {
	out := []string{}
	for _, k := range clause.AllLabels {
		for _, l := range ls {
			if l == k {
				out = append(out, k)
				break
			}
		}
	}
	return out
}

// AttachTenderEvidence adds the detector's current evidence to notices and
// lots. It reads the detections of these notices only, by primary key
// (subject ids: the notice id, "<notice>#<lot>", or the lot number).
func (s *Store) AttachTenderEvidence(ctx context.Context, ts []Tender) error {
	if len(ts) == 0 {
		return nil
	}
	ids := make([]any, len(ts))
	var subjects []any
	seen := map[string]bool{}
	subject := func(id string) {
		if !seen[id] {
			seen[id] = true
			subjects = append(subjects, id)
		}
	}
	byID := map[string]*Tender{}
	for i := range ts {
		ids[i] = ts[i].NoticeID
		byID[ts[i].NoticeID] = &ts[i]
		subject(ts[i].NoticeID)
		for _, l := range ts[i].Lots {
			subject(ts[i].NoticeID + "#" + l.Number)
			subject(l.Number)
		}
	}
	rows, err := s.conn.Query(queryCtx(ctx), `SELECT subject_kind, subject_id, notice_id,
			argMax(evidence.label, version), argMax(evidence.origin, version), argMax(evidence.field, version),
			argMax(evidence.text, version), argMax(evidence.start, version), argMax(evidence.end, version),
			argMax(evidence.negative, version)
		FROM detections WHERE subject_kind IN ('notice', 'lot') AND subject_id IN ? AND notice_id IN ?
		GROUP BY subject_kind, subject_id, notice_id`, clickhouse.GroupSet{Value: subjects}, clickhouse.GroupSet{Value: ids})
	if err != nil {
		return fmt.Errorf("tender evidence: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var kind, subject, notice string
		var label, origin, field, text []string
		var start, end []uint32
		var negative []uint8
		if err := rows.Scan(&kind, &subject, &notice, &label, &origin, &field, &text, &start, &end, &negative); err != nil {
			return fmt.Errorf("tender evidence: %w", err)
		}
		t := byID[notice]
		if t == nil {
			continue
		}
		var ev []clause.Evidence
		for i := range label {
			// A structured or written "no" stays visible, flagged, beside
			// what the labels rest on: a declared "no" against a detected
			// "yes" is itself a finding.
			ev = append(ev, clause.Evidence{Label: label[i], Origin: origin[i], Field: field[i], Text: text[i],
				Start: int(start[i]), End: int(end[i]), Negative: i < len(negative) && negative[i] != 0})
		}
		if kind == "notice" {
			t.Evidence = append(t.Evidence, ev...)
			continue
		}
		for j := range t.Lots {
			if lotSubject(subject, notice, t.Lots[j].Number) {
				t.Lots[j].Evidence = append(t.Lots[j].Evidence, ev...)
			}
		}
	}
	return rows.Err()
}

// lotSubject says whether a detection subject id names a lot: the lot
// number alone, or the notice id and lot number joined by a separator.
func lotSubject(subject, notice, lot string) bool {
	if subject == lot {
		return true
	}
	rest, ok := strings.CutPrefix(subject, notice)
	return ok && len(rest) > 1 && rest[1:] == lot
}
