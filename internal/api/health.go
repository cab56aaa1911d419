package api

import (
	"net/http"
	"time"
)

// Health is the answer of /api/v1/health.
type Health struct {
	Status       string           `json:"status" desc:"ok, or degraded (then the status is 503)"`
	ClickHouse   HealthClickHouse `json:"clickhouse"`
	NewestData   map[string]any   `json:"newest_data,omitempty" desc:"per source, the newest date of its data (YYYY-MM-DD), null when none, or {error}"`
	RollupsFresh *bool            `json:"rollups_fresh,omitempty"`
}

// HealthClickHouse says whether ClickHouse answers.
type HealthClickHouse struct {
	Reachable bool    `json:"reachable"`
	Version   *string `json:"version,omitempty"`
	Error     *string `json:"error,omitempty"`
}

// health answers 200 with ClickHouse's reachability and the newest data
// per source; 503 when ClickHouse does not answer.
func (s *Server) health(w http.ResponseWriter, r *http.Request) {
	if begin(w, r, nil) == nil {
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	ctx, cancel := s.queryContext(r)
	defer cancel()
	out := Health{Status: "ok", ClickHouse: HealthClickHouse{Reachable: true}}
	if err := s.st.Ping(ctx); err != nil {
		out.Status = "degraded"
		out.ClickHouse = HealthClickHouse{Reachable: false, Error: str(err.Error())}
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(http.StatusServiceUnavailable)
		writeJSON(w, out)
		return
	}
	if v, err := s.st.ServerVersion(ctx); err == nil {
		out.ClickHouse.Version = str(v)
	}
	newest := map[string]any{}
	for _, src := range []string{"decp", "boamp"} {
		t, err := s.st.NewestData(ctx, src)
		switch {
		case err != nil:
			newest[src] = map[string]any{"error": err.Error()}
		case t.IsZero():
			newest[src] = nil
		default:
			newest[src] = t.Format(time.DateOnly)
		}
	}
	out.NewestData = newest
	if fresh, err := s.st.RollupsFresh(ctx); err == nil {
		out.RollupsFresh = &fresh
	}
	writeJSON(w, out)
}
