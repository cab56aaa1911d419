// Package reprocess re-runs clause detection on the stored contracts,
// notices and lots that an older detector version detected, keeping what
// they declare.
package reprocess

import (
	"context"
	"fmt"
	"io"

	"github.com/vigie-data/vigie/internal/clause"
	"github.com/vigie-data/vigie/internal/source/decp"
	"github.com/vigie-data/vigie/internal/store"
)

// Counts is how many subjects a reprocess re-detected.
type Counts struct {
	Contracts, Notices, Lots int
}

// Run re-detects, batch by batch, the stored contracts (from their
// object) and notices and lots (from their stored text columns) whose
// detector_version is below clause.Version. Declared evidence is kept as
// stored; detected evidence and labels are replaced. Each batch is written
// before the next is read, so an interrupted run resumes where it stopped.
func Run(ctx context.Context, st *store.Store, batch int, w io.Writer) (Counts, error) {
	var c Counts
	for _, kind := range []string{"contract", "notice"} {
		after := ""
		for {
			if err := ctx.Err(); err != nil {
				return c, err
			}
			subs, err := st.StaleSubjects(ctx, kind, clause.Version, after, batch)
			if err != nil {
				return c, err
			}
			if len(subs) == 0 {
				break
			}
			var rel, lots []store.Relabel
			for _, sub := range subs {
				if kind == "contract" && sub.Declared == nil && sub.DeclaredLabels == nil && len(sub.DeclaredRaw) > 0 {
					// No detections row: its declarations were all negative.
					sub.Declared, sub.DeclaredLabels, sub.DeclaredNegative = declaredRows(sub.DeclaredRaw)
				}
				fields := fieldsOf(kind, sub.Texts, false)
				rel = append(rel, relabel(kind, sub.ID, sub.NoticeID, sub.Declared, sub.DeclaredLabels, sub.DeclaredNegative, fields))
				for _, l := range sub.Lots {
					lots = append(lots, relabel("lot", sub.ID+"#"+l.Number, sub.ID, l.Declared, l.DeclaredLabels, l.DeclaredNegative, fieldsOf("lot", l.Texts, true)))
				}
			}
			if err := st.WriteRedetections(ctx, kind, rel, lots, clause.Version); err != nil {
				return c, err
			}
			if kind == "contract" {
				c.Contracts += len(subs)
			} else {
				c.Notices += len(subs)
				c.Lots += len(lots)
			}
			after = subs[len(subs)-1].ID
		}
	}
	fmt.Fprintf(w, "detector version %d: re-detected %d contracts, %d notices, %d lots\n", clause.Version, c.Contracts, c.Notices, c.Lots)
	return c, nil
}

// fieldsOf names the stored text columns as detection names them at
// ingestion (internal/notice.Analyse, the DECP ingestion).
func fieldsOf(kind string, texts map[string]string, lot bool) []clause.Field {
	var cols []string
	switch kind {
	case "contract":
		cols = store.ContractTextColumns
	case "notice":
		cols = store.NoticeTextColumns
	default:
		cols = store.LotTextColumns
	}
	fields := make([]clause.Field, 0, len(cols))
	for _, c := range cols {
		name := c
		if lot && (c == "title" || c == "description") {
			name = "lot_" + c
		}
		fields = append(fields, clause.Field{Name: name, Text: texts[c]})
	}
	return fields
}

// relabel re-detects one subject; its declared labels and evidence are
// kept as stored.
func relabel(kind, id, noticeID string, declaredRows []store.EvidenceRow, dl, dn []string, fields []clause.Field) store.Relabel {
	detected := clause.DetectFields(fields)
	merged := clause.Merge(store.Evidence(declaredRows), detected)
	return store.Relabel{
		Detection: store.DetectionRow{SubjectKind: kind, SubjectID: id, NoticeID: noticeID,
			DeclaredLabels: dl, DeclaredNegative: dn, DetectedLabels: orEmpty(detected.Labels), Evidence: store.EvidenceRows(merged.Evidence), Version: 1},
		Labels: orEmpty(detected.Labels),
	}
}

// declaredRows rebuilds a contract's declared evidence from its stored
// declared_raw (decp.DeclaredEvidence), as detection rows hold it.
func declaredRows(declaredRaw []string) ([]store.EvidenceRow, []string, []string) {
	ev, labels, negative := decp.DeclaredEvidence(declaredRaw)
	return store.EvidenceRows(ev), orEmpty(labels), orEmpty(negative)
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
