package boamp

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/vigie-data/vigie/internal/store/storetest"
)

// A correction read before the notice it corrects is applied when the
// notice arrives; a cancellation read after is applied to the stored one.
func TestLinksInAnyOrder(t *testing.T) {
	st := storetest.New(t)
	ctx := context.Background()
	b, err := os.ReadFile(fixture(t, "api-page-shapes.json"))
	if err != nil {
		t.Fatal(err)
	}
	var p struct {
		Results []json.RawMessage `json:"results"`
	}
	if err := json.Unmarshal(b, &p); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	write := func(name string, recs ...json.RawMessage) string {
		body, _ := json.Marshal(recs)
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, body, 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	correction, original := p.Results[1], p.Results[0]
	if _, err := IngestFiles(ctx, st, []string{write("1.json", correction)}, Options{}); err != nil {
		t.Fatal(err)
	}
	if _, err := IngestFiles(ctx, st, []string{write("2.json", original)}, Options{}); err != nil {
		t.Fatal(err)
	}
	n, lots, err := st.Notice(ctx, "26-90010")
	if err != nil || n == nil {
		t.Fatalf("26-90010: %v", err)
	}
	if want := utc("2026-03-09T11:00:00Z"); n.Deadline == nil || !n.Deadline.Equal(want) {
		t.Errorf("deadline = %v, want the corrected %v", n.Deadline, want)
	}
	if len(n.CorrectedBy) != 1 || n.CorrectedBy[0] != "26-90011" {
		t.Errorf("corrected_by = %v", n.CorrectedBy)
	}
	// Now a cancellation of the stored notice: a new version, lots carried.
	var cancel map[string]any
	json.Unmarshal(p.Results[2], &cancel)
	cancel["annonce_lie"] = []string{"26-90010"}
	cancel["idweb"] = "26-90099"
	cb, _ := json.Marshal(cancel)
	if _, err := IngestFiles(ctx, st, []string{write("3.json", cb)}, Options{}); err != nil {
		t.Fatal(err)
	}
	n2, lots2, err := st.Notice(ctx, "26-90010")
	if err != nil || n2 == nil {
		t.Fatalf("26-90010: %v", err)
	}
	if !n2.Cancelled || n2.Version <= n.Version {
		t.Errorf("after cancellation: cancelled %v, version %d (was %d)", n2.Cancelled, n2.Version, n.Version)
	}
	if len(lots2) != len(lots) || len(lots2) != 2 {
		t.Errorf("lots after cancellation: %d, before %d, want 2", len(lots2), len(lots))
	}
	if n2.Deadline == nil || !n2.Deadline.Equal(*n.Deadline) || len(n2.CorrectedBy) != 1 {
		t.Errorf("cancellation lost the correction: %v %v", n2.Deadline, n2.CorrectedBy)
	}
}
