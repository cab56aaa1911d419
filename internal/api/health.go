package api

import (
	"net/http"
	"time"
)

// health answers 200 with ClickHouse's reachability and the newest data
// per source; 503 when ClickHouse does not answer.
func (s *Server) health(w http.ResponseWriter, r *http.Request) {
	if begin(w, r, nil) == nil {
		return
	}
	ctx, cancel := s.queryContext(r)
	defer cancel()
	out := map[string]any{"status": "ok", "clickhouse": map[string]any{"reachable": true}}
	if err := s.st.Ping(ctx); err != nil {
		out["status"] = "degraded"
		out["clickhouse"] = map[string]any{"reachable": false, "error": err.Error()}
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(http.StatusServiceUnavailable)
		writeJSON(w, out)
		return
	}
	if v, err := s.st.ServerVersion(ctx); err == nil {
		out["clickhouse"] = map[string]any{"reachable": true, "version": v}
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
	out["newest_data"] = newest
	if fresh, err := s.st.RollupsFresh(ctx); err == nil {
		out["rollups_fresh"] = fresh
	}
	writeJSON(w, out)
}
