// Package ingest holds what every source's ingestion shares: the run
// summary printed by 'vigie ingest' and recorded per run, and progress
// reporting on long inputs.
package ingest

import (
	"encoding/json"
	"fmt"
	"io"
)

// Summary counts what one ingestion run did. Its JSON form is the contract
// of 'vigie ingest ... --json'.
type Summary struct {
	Source      string  `json:"source"`
	RecordsRead int64   `json:"records_read"` // records seen in the input, readable or not
	Contracts   int64   `json:"contracts"`
	Notices     int64   `json:"notices"`
	New         int64   `json:"new"`        // identities not stored before
	Updated     int64   `json:"updated"`    // stored before, content changed
	Duplicates  int64   `json:"duplicates"` // same identity and content already stored or seen
	Quarantined int64   `json:"quarantined"`
	Seconds     float64 `json:"seconds"`
	Checkpoint  string  `json:"checkpoint,omitempty"`
}

// Add accumulates another summary's counts (e.g. one file of several).
func (s *Summary) Add(o Summary) {
	s.RecordsRead += o.RecordsRead
	s.Contracts += o.Contracts
	s.Notices += o.Notices
	s.New += o.New
	s.Updated += o.Updated
	s.Duplicates += o.Duplicates
	s.Quarantined += o.Quarantined
}

// Print writes the summary: one JSON object with asJSON, else one line.
func (s Summary) Print(w io.Writer, asJSON bool) error {
	if asJSON {
		return json.NewEncoder(w).Encode(s)
	}
	things := ""
	switch {
	case s.Contracts > 0:
		things = fmt.Sprintf(", %d contracts", s.Contracts)
	case s.Notices > 0:
		things = fmt.Sprintf(", %d notices", s.Notices)
	}
	_, err := fmt.Fprintf(w, "%s: %d records read%s: %d new, %d updated, %d duplicates, %d quarantined in %.1fs\n",
		s.Source, s.RecordsRead, things, s.New, s.Updated, s.Duplicates, s.Quarantined, s.Seconds)
	return err
}
