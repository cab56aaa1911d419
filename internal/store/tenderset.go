package store

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/vigie-data/vigie/internal/clause"
)

// MaxTenderSet bounds the rows (notice versions) OpenTenderSet reads: a
// set is about 1 KB per notice with its lots, so at most some 100 MB.
// Beyond it OpenTenders runs the filtered SQL (OpenTendersSQL) instead.
const MaxTenderSet = 100_000

// OpenTenders lists notices whose deadline is after q.DeadlineAfter, not
// cancelled, with the notice itself or at least one lot carrying one of
// q.Labels; sorted by deadline. Returns whether the limit cut the list.
// It reads the open set (OpenTenderSet) and filters it here; beyond
// MaxTenderSet it asks ClickHouse to filter (OpenTendersSQL).
func (s *Store) OpenTenders(ctx context.Context, q TenderQuery) ([]Tender, bool, error) {
	set, ok, err := s.OpenTenderSet(ctx, q.DeadlineAfter, MaxTenderSet)
	if err != nil {
		return nil, false, err
	}
	if !ok {
		return s.OpenTendersSQL(ctx, q)
	}
	out, truncated, err := FilterTenders(set, q)
	if err != nil {
		return nil, false, err
	}
	return out, truncated, s.AttachTenderEvidence(ctx, out)
}

// OpenTenderSet is every open notice — current version not cancelled,
// deadline strictly after `after` (to the second) — that carries a known
// label itself or has a lot that does, with those lots, sorted by deadline
// and notice id; without evidence. FilterTenders answers any TenderQuery
// with a DeadlineAfter not before `after` from it, so that one read serves
// all filters. ok is false (and the set nil) when more than maxRows notice
// versions are candidates.
//
// Two narrow reads instead of one SQL with argMax and a join: the rows
// (all versions) of the notices that have a version with a deadline after
// the bound, and their lots; PREWHERE makes ClickHouse read the wide
// columns only for those. The current version of a notice is its highest
// version; the current lots of a notice are its lots at their highest
// version (as in OpenTendersSQL).
func (s *Store) OpenTenderSet(ctx context.Context, after time.Time, maxRows int) ([]Tender, bool, error) {
	bound := after.UTC().Format("2006-01-02 15:04:05")
	after = after.Truncate(time.Second)
	rows, err := s.conn.Query(queryCtx(ctx), `SELECT notice_id, version, source, url, buyer_name, buyer_siret, object,
			publication_date, deadline, departements, cpv, cancelled, declared_labels, detected_labels
		FROM notices PREWHERE notice_id IN (SELECT notice_id FROM notices WHERE deadline > toDateTime(?))
		LIMIT ?`, bound, maxRows+1)
	if err != nil {
		return nil, false, fmt.Errorf("open tender set: %w", err)
	}
	type version struct {
		t         Tender
		v         uint64
		cancelled uint8
		deadline  *time.Time
	}
	cur := map[string]*version{}
	n := 0
	for rows.Next() {
		if n++; n > maxRows {
			rows.Close()
			return nil, false, nil
		}
		var r version
		var declared, detected []string
		if err := rows.Scan(&r.t.NoticeID, &r.v, &r.t.Source, &r.t.URL, &r.t.BuyerName, &r.t.BuyerSiret, &r.t.Object,
			&r.t.PublicationDate, &r.deadline, &r.t.Departements, &r.t.CPV, &r.cancelled, &declared, &detected); err != nil {
			rows.Close()
			return nil, false, fmt.Errorf("open tender set: %w", err)
		}
		if old := cur[r.t.NoticeID]; old != nil && old.v >= r.v {
			continue
		}
		r.t.Labels = keepKnown(append(declared, detected...))
		cur[r.t.NoticeID] = &r
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, false, fmt.Errorf("open tender set: %w", err)
	}
	open := map[string]*Tender{}
	for id, r := range cur {
		if r.cancelled == 0 && r.deadline != nil && r.deadline.After(after) {
			r.t.Deadline = *r.deadline
			r.t.Lots = []TenderLot{}
			open[id] = &r.t
		}
	}
	if err := s.openTenderLots(ctx, bound, open); err != nil {
		return nil, false, err
	}
	out := make([]Tender, 0, len(open))
	for _, t := range open {
		if len(t.Labels) > 0 || len(t.Lots) > 0 {
			out = append(out, *t)
		}
	}
	slices.SortFunc(out, func(a, b Tender) int {
		if c := a.Deadline.Compare(b.Deadline); c != 0 {
			return c
		}
		return strings.Compare(a.NoticeID, b.NoticeID)
	})
	return out, true, nil
}

// openTenderLots adds to the open notices their current lots that carry a
// known label (a reserved lot carries "reserved").
func (s *Store) openTenderLots(ctx context.Context, bound string, open map[string]*Tender) error {
	rows, err := s.conn.Query(queryCtx(ctx), `SELECT notice_id, lot_number, version, title, cpv, reserved,
			declared_labels, detected_labels
		FROM lots PREWHERE notice_id IN (SELECT notice_id FROM notices WHERE deadline > toDateTime(?))`, bound)
	if err != nil {
		return fmt.Errorf("open tender lots: %w", err)
	}
	defer rows.Close()
	type lot struct {
		l TenderLot
		v uint64
	}
	lots := map[string][]lot{}
	for rows.Next() {
		var id string
		var r lot
		var reserved *uint8
		var declared, detected []string
		if err := rows.Scan(&id, &r.l.Number, &r.v, &r.l.Title, &r.l.CPV, &reserved, &declared, &detected); err != nil {
			return fmt.Errorf("open tender lots: %w", err)
		}
		if open[id] == nil {
			continue
		}
		labels := append(declared, detected...)
		if reserved != nil && *reserved == 1 {
			labels = append(labels, clause.Reserved)
		}
		r.l.Labels = keepKnown(labels)
		r.l.Evidence = []clause.Evidence{}
		lots[id] = append(lots[id], r)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("open tender lots: %w", err)
	}
	for id, ls := range lots {
		var top uint64
		for _, r := range ls {
			top = max(top, r.v)
		}
		t := open[id]
		seen := map[string]bool{}
		for _, r := range ls {
			if r.v == top && !seen[r.l.Number] && len(r.l.Labels) > 0 {
				seen[r.l.Number] = true
				t.Lots = append(t.Lots, r.l)
			}
		}
		slices.SortFunc(t.Lots, func(a, b TenderLot) int { return compareLotNumbers(a.Number, b.Number) })
	}
	return nil
}

// compareLotNumbers orders lot numbers as numbers when both are ("2"
// before "10"), as strings otherwise.
func compareLotNumbers(a, b string) int {
	x, errA := strconv.Atoi(a)
	y, errB := strconv.Atoi(b)
	if errA == nil && errB == nil && x != y {
		return x - y
	}
	return strings.Compare(a, b)
}

// FilterTenders answers q from a set given by OpenTenderSet for a bound
// not after q.DeadlineAfter: the same notices, lots and order as
// OpenTendersSQL (each condition below is the Go form of its SQL one).
// The items are new values (lots and evidence slices included), so the
// set can be shared by concurrent requests.
func FilterTenders(set []Tender, q TenderQuery) ([]Tender, bool, error) {
	labels := expandLabels(q.Labels)
	if len(labels) == 0 {
		return nil, false, fmt.Errorf("open tenders: no labels")
	}
	if _, err := labelMatch("labels", labels); err != nil {
		return nil, false, err
	}
	after := q.DeadlineAfter.Truncate(time.Second)
	limit := q.Limit
	if limit <= 0 {
		limit = 1000
	}
	words := make([]string, len(q.Words))
	for i, w := range q.Words {
		words[i] = strings.ToLower(w)
	}
	var out []Tender
	for i := range set {
		t := &set[i]
		if !t.Deadline.After(after) ||
			q.Departement != "" && !slices.Contains(t.Departements, q.Departement) ||
			len(q.Departements) > 0 && !hasAny(t.Departements, q.Departements) ||
			q.CPVPrefix != "" && !slices.ContainsFunc(t.CPV, func(c string) bool { return strings.HasPrefix(c, q.CPVPrefix) }) ||
			q.BuyerSiret != "" && t.BuyerSiret != q.BuyerSiret ||
			q.BuyerSiren != "" && !strings.HasPrefix(t.BuyerSiret, q.BuyerSiren) {
			continue
		}
		if len(words) > 0 {
			object := strings.ToLower(t.Object)
			if slices.ContainsFunc(words, func(w string) bool { return !strings.Contains(object, w) }) {
				continue
			}
		}
		var lots []TenderLot
		for _, l := range t.Lots {
			if hasAny(l.Labels, labels) {
				l.Evidence = []clause.Evidence{}
				lots = append(lots, l)
			}
		}
		if len(lots) == 0 && !hasAny(t.Labels, labels) {
			continue
		}
		if len(out) == limit {
			return out, true, nil
		}
		c := *t
		c.Lots = append([]TenderLot{}, lots...)
		c.Evidence = []clause.Evidence{}
		out = append(out, c)
	}
	return out, false, nil
}

func hasAny(have, want []string) bool {
	for _, w := range want {
		if slices.Contains(have, w) {
			return true
		}
	}
	return false
}
