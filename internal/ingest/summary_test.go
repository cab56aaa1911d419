package ingest

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

// The --json summary is a contract: these keys must stay.
func TestSummaryJSONKeys(t *testing.T) {
	var buf bytes.Buffer
	s := Summary{Source: "decp", RecordsRead: 10, Contracts: 8, New: 5, Updated: 2, Duplicates: 1, Quarantined: 2, Seconds: 1.5}
	if err := s.Print(&buf, true); err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(buf.Bytes(), &m); err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]float64{"records_read": 10, "contracts": 8, "new": 5, "updated": 2, "duplicates": 1, "quarantined": 2, "seconds": 1.5} {
		if got, ok := m[k].(float64); !ok || got != want {
			t.Errorf("%s = %v, want %v", k, m[k], want)
		}
	}
	if strings.Count(buf.String(), "\n") != 1 {
		t.Errorf("summary is not one line: %q", buf.String())
	}
}

func TestSummaryAddAndLine(t *testing.T) {
	a := Summary{Source: "boamp", RecordsRead: 3, Notices: 3, New: 3}
	a.Add(Summary{RecordsRead: 2, Notices: 2, Updated: 1, Duplicates: 1, Quarantined: 1})
	if a.RecordsRead != 5 || a.Notices != 5 || a.New != 3 || a.Updated != 1 || a.Duplicates != 1 || a.Quarantined != 1 {
		t.Fatalf("Add: %+v", a)
	}
	var buf bytes.Buffer
	a.Print(&buf, false)
	if got := buf.String(); !strings.Contains(got, "5 records read, 5 notices: 3 new, 1 updated, 1 duplicates, 1 quarantined") {
		t.Errorf("line: %q", got)
	}
}

func TestProgressBar(t *testing.T) {
	var buf bytes.Buffer
	p := NewProgress(&buf, "decp", "records")
	p.SetTotal(100)
	p.Add(50)
	bar := p.bar()
	p.Done()
	if !strings.Contains(bar, " 50%") || !strings.Contains(bar, "50/100 records") {
		t.Errorf("bar: %q", bar)
	}
}
