// Package api serves vigie's read-only HTTP API under /api/v1/: trends
// and breakdowns of DECP contracts, the open-tender feed for the ESS
// networks, buyer scorecards, definitions, listings and the OpenAPI
// document. Plain net/http; every handler reads through internal/store.
package api

import (
	"context"
	"log/slog"
	"math"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/vigie-data/vigie/internal/store"
)

// Options tune the server. Zero values take the defaults below.
type Options struct {
	MaxRows      int           // row limit of every query (default 10000)
	QueryTimeout time.Duration // per request, also ClickHouse's max_execution_time (default 20 s)
	RatePerIP    float64       // requests per second per client IP (default 20)
	Burst        int           // burst per client IP (default 40)
	BaseURL      string        // public base URL, for links in the Atom feed (default from the request)
	// TrustedProxies are the reverse proxies whose X-Forwarded-For names
	// the client (for the rate limit); others' headers are ignored.
	TrustedProxies []netip.Prefix
	// ExportTimeout bounds a CSV export without limit (default 10 min).
	ExportTimeout time.Duration
}

// Bounds of the answer cache: entries, and cost in rows (an indicator row
// holds about 1 KB, so about 100 MB at most).
const (
	cacheEntries = 2048
	cacheCost    = 100_000
)

// Server is the API handler.
type Server struct {
	st     *store.Store
	opts   Options
	mux    *http.ServeMux
	routes []route // registered patterns, for the OpenAPI check

	cache *answerCache // indicators and open tenders (cache.go)

	metrics      *apiMetrics
	extraMetrics http.Handler // mounted on /metrics by another component
	clock        stateClock   // when each data state was first seen (httpcache.go)

	contracts *listing[store.ContractCursor, store.ListedContract, Contract]
	notices   *listing[string, store.ListedNotice, Notice]

	limMu    sync.Mutex
	limiters map[string]*clientLimiter
	lastGC   time.Time
	handler  http.Handler
}

type route struct {
	Method, Path string
}

type clientLimiter struct {
	lim  *rate.Limiter
	seen time.Time
}

// New builds the API over st.
func New(st *store.Store, opts Options) *Server {
	if opts.MaxRows <= 0 {
		opts.MaxRows = 10000
	}
	if opts.QueryTimeout <= 0 {
		opts.QueryTimeout = 20 * time.Second
	}
	if opts.ExportTimeout <= 0 {
		opts.ExportTimeout = 10 * time.Minute
	}
	if opts.RatePerIP <= 0 {
		opts.RatePerIP = 20
	}
	if opts.Burst <= 0 {
		opts.Burst = 40
	}
	s := &Server{st: st, opts: opts, mux: http.NewServeMux(), limiters: map[string]*clientLimiter{}, metrics: newAPIMetrics(),
		cache: newAnswerCache(cacheEntries, cacheCost, opts.QueryTimeout)}
	s.bindListings()
	s.get("/api/v1/health", s.health)
	s.get("/api/v1/contracts/indicators", s.indicators)
	s.get("/api/v1/tenders/open", s.openTenders)
	s.get("/api/v1/buyers/{siret}/scorecard", s.scorecard)
	s.get("/api/v1/definitions", s.definitions)
	s.get("/api/v1/contracts", s.listContracts)
	s.get("/api/v1/notices", s.listNotices)
	s.get("/api/v1/reports/official", s.officialReport)
	s.get("/api/v1/suppliers/{siren}", s.supplier)
	s.get("/api/v1/exports/{file}", s.exportTable)
	s.get("/api/v1/openapi.json", s.openAPI)
	s.get("/metrics", s.serveMetrics)
	s.get("/api/{$}", s.reference)
	s.mux.HandleFunc("GET /api/assets/reference.css", referenceAsset)
	s.registerSchemas()
	s.mux.HandleFunc("/", s.notFoundOrMethod)
	s.handler = s.recoverer(s.instrument(gzipped(s.cors(s.rateLimit(s.mux)))))
	return s
}

func (s *Server) get(path string, h http.HandlerFunc) {
	s.mux.HandleFunc("GET "+path, h)
	s.routes = append(s.routes, route{"GET", path})
}

// Handle mounts an extra handler (the scheduler's /api/v1/pipelines and
// /metrics) behind the same middleware. pattern follows http.ServeMux.
func (s *Server) Handle(pattern string, h http.Handler) {
	if pattern == "GET /metrics" { // appended to the API's own series
		s.extraMetrics = h
		return
	}
	s.mux.Handle(pattern, h)
	method, path := "", pattern
	if i := indexByte(pattern, ' '); i > 0 {
		method, path = pattern[:i], pattern[i+1:]
	}
	s.routes = append(s.routes, route{method, path})
}

func indexByte(s string, c byte) int {
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			return i
		}
	}
	return -1
}

// ServeHTTP serves the API.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// Routes lists the registered method and path patterns.
func (s *Server) Routes() [][2]string {
	out := make([][2]string, len(s.routes))
	for i, r := range s.routes {
		out[i] = [2]string{r.Method, strings.TrimSuffix(r.Path, "{$}")}
	}
	return out
}

// queryContext bounds a request's queries.
func (s *Server) queryContext(r *http.Request) (context.Context, context.CancelFunc) {
	return context.WithTimeout(r.Context(), s.opts.QueryTimeout)
}

// cors opens GET to every origin, so that notebooks and dashboards in a
// browser can call the API; preflight requests are answered here.
func (s *Server) cors(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Access-Control-Allow-Origin", "*")
		h.Set("Access-Control-Allow-Methods", "GET, HEAD, OPTIONS")
		h.Set("Access-Control-Allow-Headers", "Accept, Content-Type")
		h.Set("Access-Control-Expose-Headers", "Link, Retry-After")
		if r.Method == http.MethodOptions {
			h.Set("Access-Control-Max-Age", "86400")
			w.WriteHeader(http.StatusNoContent)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// rateLimit gives each client IP a token bucket; over it, 429 with the
// seconds to wait in Retry-After.
func (s *Server) rateLimit(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		res := s.limiter(s.clientIP(r)).Reserve()
		if d := res.Delay(); !res.OK() || d > 0 {
			res.Cancel()
			secs := int(math.Ceil(d.Seconds()))
			if secs < 1 {
				secs = 1
			}
			w.Header().Set("Retry-After", strconv.Itoa(secs))
			writeError(w, http.StatusTooManyRequests, "", "rate limit exceeded: retry after "+strconv.Itoa(secs)+" s")
			return
		}
		next.ServeHTTP(w, r)
	})
}

func (s *Server) limiter(ip string) *rate.Limiter {
	s.limMu.Lock()
	defer s.limMu.Unlock()
	now := time.Now()
	if now.Sub(s.lastGC) > time.Minute {
		// Forget clients idle long enough for their bucket to be full.
		for k, c := range s.limiters {
			if now.Sub(c.seen) > 5*time.Minute {
				delete(s.limiters, k)
			}
		}
		s.lastGC = now
	}
	c := s.limiters[ip]
	if c == nil {
		c = &clientLimiter{lim: rate.NewLimiter(rate.Limit(s.opts.RatePerIP), s.opts.Burst)}
		s.limiters[ip] = c
	}
	c.seen = now
	return c.lim
}

func (s *Server) recoverer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				slog.Error("api: panic", "path", r.URL.Path, "panic", v)
				writeError(w, http.StatusInternalServerError, "", "internal error")
			}
		}()
		next.ServeHTTP(w, r)
	})
}
