package api

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strings"
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
	case errors.Is(err, context.DeadlineExceeded) || strings.Contains(err.Error(), "TIMEOUT_EXCEEDED") ||
		strings.Contains(err.Error(), "Timeout exceeded"):
		writeError(w, http.StatusGatewayTimeout, "", "the query took too long; narrow the filters")
	default:
		slog.Error("api", "path", r.URL.Path, "err", err)
		writeError(w, http.StatusInternalServerError, "", "internal error: the database query failed")
	}
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		slog.Debug("api: write", "err", err)
	}
}

func writeCSV(w http.ResponseWriter, name string, header []string, rows [][]string) {
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`.csv"`)
	cw := csv.NewWriter(w)
	_ = cw.Write(header)
	_ = cw.WriteAll(rows)
}

// format is the representation asked for: the format parameter, else
// Accept: text/csv (or application/atom+xml where allowed), else JSON.
func format(r *http.Request, allowed ...string) (string, error) {
	if f := r.URL.Query().Get("format"); f != "" {
		for _, a := range allowed {
			if f == a {
				return f, nil
			}
		}
		return "", badParam("format", "must be one of "+strings.Join(allowed, ", "))
	}
	accept := r.Header.Get("Accept")
	for _, a := range allowed {
		switch {
		case a == "csv" && strings.Contains(accept, "text/csv"):
			return "csv", nil
		case a == "atom" && strings.Contains(accept, "application/atom+xml"):
			return "atom", nil
		}
	}
	return "json", nil
}
