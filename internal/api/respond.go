package api

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"

	"github.com/vigie-data/vigie/internal/store"
)

// apiError is the JSON body of every error.
type apiError struct {
	Error     string `json:"error"`
	Parameter string `json:"parameter,omitempty"`
}

func writeError(w http.ResponseWriter, status int, param, msg string) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(apiError{Error: msg, Parameter: param})
}

// paramError is a bad request naming the parameter at fault.
type paramError struct{ param, msg string }

func (e *paramError) Error() string { return e.param + ": " + e.msg }

func badParam(param, format string) error { return &paramError{param, format} }

// fail answers an error: 400 for a parameter, 504 for a timeout, 500 else.
func fail(w http.ResponseWriter, r *http.Request, err error) {
	var pe *paramError
	switch {
	case errors.As(err, &pe):
		writeError(w, http.StatusBadRequest, pe.param, "invalid parameter "+pe.param+": "+pe.msg)
	case store.IsTimeout(err):
		writeError(w, http.StatusGatewayTimeout, "", "the query took too long; narrow the filters")
	default:
		slog.Error("api", "path", r.URL.Path, "err", err)
		writeError(w, http.StatusInternalServerError, "", "internal error: the database query failed")
	}
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	writeJSONBody(w, v)
}

func writeJSONBody(w http.ResponseWriter, v any) {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		slog.Debug("api: write", "err", err)
	}
}
