package store

import "github.com/vigie-data/vigie/internal/clause"

// EvidenceRows is the detector's evidence as detection rows hold it: the
// one conversion from clause.Evidence (an offset below 0, none, is 0).
func EvidenceRows(ev []clause.Evidence) []EvidenceRow {
	rows := make([]EvidenceRow, len(ev))
	for i, e := range ev {
		rows[i] = EvidenceRow{Label: e.Label, Origin: e.Origin, Field: e.Field, Text: e.Text,
			Start: uint32(max(e.Start, 0)), End: uint32(max(e.End, 0)), Negative: e.Negative}
	}
	return rows
}

// Evidence is the detector's evidence of stored rows, the converse of
// EvidenceRows.
func Evidence(rows []EvidenceRow) []clause.Evidence {
	ev := make([]clause.Evidence, len(rows))
	for i, e := range rows {
		ev[i] = clause.Evidence{Label: e.Label, Origin: e.Origin, Field: e.Field, Text: e.Text,
			Start: int(e.Start), End: int(e.End), Negative: e.Negative}
	}
	return ev
}
