// Package fetch is the one HTTP client vigie uses for upstreams: a rate
// limit per host (shared by every pipeline of the process), a User-Agent
// naming vigie, timeouts, retries with backoff and jitter on 5xx and
// network errors, Retry-After / X-RateLimit-Reset honoured on 429, and
// conditional GET.
package fetch

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// DefaultIdleTimeout is how long a body read waits for the upstream's
// next bytes by default.
const DefaultIdleTimeout = 60 * time.Second

// UserAgent names vigie to upstreams.
const UserAgent = "vigie/0.1 (open-data pipeline on French public procurement; +https://github.com/vigie-data/vigie)"

// Client fetches upstream documents politely.
type Client struct {
	HTTP        *http.Client
	MaxAttempts int           // attempts per request, default 6
	BaseBackoff time.Duration // first retry delay, doubled each time, default 1 s
	MaxBackoff  time.Duration // cap on one delay (and on a Retry-After honoured), default 2 min
	// IdleTimeout bounds how long a read of a response body may wait for
	// the upstream's next bytes (default 60 s): a body that stalls ends
	// in an *IdleError instead of keeping the run waiting for ever.
	IdleTimeout time.Duration

	mu       sync.Mutex
	limiters map[string]*rate.Limiter
	rps      rate.Limit
	burst    int
}

// New returns a client allowing rps requests per second (burst burst) to
// each host.
func New(rps float64, burst int) *Client {
	if burst < 1 {
		burst = 1
	}
	return &Client{
		HTTP: &http.Client{
			Timeout: 0, // bodies may be large: per-request deadlines come from ctx and the transport
			Transport: &http.Transport{
				Proxy:                 http.ProxyFromEnvironment,
				ResponseHeaderTimeout: 60 * time.Second,
				IdleConnTimeout:       90 * time.Second,
				TLSHandshakeTimeout:   15 * time.Second,
				MaxIdleConnsPerHost:   4,
			},
		},
		MaxAttempts: 6,
		BaseBackoff: time.Second,
		MaxBackoff:  2 * time.Minute,
		IdleTimeout: DefaultIdleTimeout,
		limiters:    map[string]*rate.Limiter{},
		rps:         rate.Limit(rps),
		burst:       burst,
	}
}

// SetHostRate sets the limit for one host (a pipeline's rate/burst).
func (c *Client) SetHostRate(host string, rps float64, burst int) {
	if burst < 1 {
		burst = 1
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if l, ok := c.limiters[host]; ok {
		l.SetLimit(rate.Limit(rps))
		l.SetBurst(burst)
		return
	}
	c.limiters[host] = rate.NewLimiter(rate.Limit(rps), burst)
}

func (c *Client) limiter(host string) *rate.Limiter {
	c.mu.Lock()
	defer c.mu.Unlock()
	l, ok := c.limiters[host]
	if !ok {
		l = rate.NewLimiter(c.rps, c.burst)
		c.limiters[host] = l
	}
	return l
}

// Validators make a GET conditional; the server answers 304 when unchanged.
type Validators struct {
	ETag         string
	LastModified string
}

// ErrNotModified is returned by Open when the server answered 304.
var ErrNotModified = errors.New("not modified")

// StatusError is an HTTP answer that is not a success after the retries.
type StatusError struct {
	URL    string
	Status int
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("GET %s: HTTP %d %s", e.URL, e.Status, http.StatusText(e.Status))
}

// Response is an open upstream answer; the caller closes Body.
type Response struct {
	Body          io.ReadCloser
	ContentLength int64
	Validators    Validators // the server's, for the next conditional GET
	URL           string     // after redirects
	Header        http.Header
}

// Open GETs u and returns the body to stream, retrying until the response
// headers arrive with a success status. cond, when not nil, makes the
// request conditional (ErrNotModified on 304).
func (c *Client) Open(ctx context.Context, u string, cond *Validators) (*Response, error) {
	pu, err := url.Parse(u)
	if err != nil || (pu.Scheme != "http" && pu.Scheme != "https") {
		return nil, fmt.Errorf("invalid URL %q: want http(s)://", u)
	}
	lim := c.limiter(pu.Host)
	var lastErr error
	for attempt := 1; ; attempt++ {
		if err := lim.Wait(ctx); err != nil {
			return nil, err
		}
		req, reqCtx, cancel, err := newRequest(ctx, u)
		if err != nil {
			return nil, err
		}
		req.Header.Set("User-Agent", UserAgent)
		if cond != nil {
			if cond.ETag != "" {
				req.Header.Set("If-None-Match", cond.ETag)
			}
			if cond.LastModified != "" {
				req.Header.Set("If-Modified-Since", cond.LastModified)
			}
		}
		resp, err := c.HTTP.Do(req)
		if err != nil || resp.StatusCode < 200 || resp.StatusCode >= 300 {
			cancel(nil) // no body to stream: Go reads what is left of a small one
		}
		var wait time.Duration
		switch {
		case err != nil:
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			lastErr = fmt.Errorf("GET %s: %w", u, err)
			countStatus(pu.Host, 0)
		case resp.StatusCode == http.StatusNotModified:
			resp.Body.Close()
			countStatus(pu.Host, resp.StatusCode)
			return nil, ErrNotModified
		case resp.StatusCode >= 200 && resp.StatusCode < 300:
			countStatus(pu.Host, resp.StatusCode)
			return &Response{
				Body:          newIdleBody(resp.Body, c.IdleTimeout, u, reqCtx, cancel),
				ContentLength: resp.ContentLength,
				Validators:    Validators{ETag: resp.Header.Get("ETag"), LastModified: resp.Header.Get("Last-Modified")},
				URL:           resp.Request.URL.String(),
				Header:        resp.Header,
			}, nil
		case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500:
			countStatus(pu.Host, resp.StatusCode)
			wait = retryAfter(resp.Header, time.Now())
			io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
			resp.Body.Close()
			lastErr = &StatusError{URL: u, Status: resp.StatusCode}
		default: // other 4xx: retrying will not help
			countStatus(pu.Host, resp.StatusCode)
			resp.Body.Close()
			return nil, &StatusError{URL: u, Status: resp.StatusCode}
		}
		if attempt >= c.MaxAttempts {
			return nil, fmt.Errorf("giving up after %d attempts: %w", attempt, lastErr)
		}
		if wait == 0 {
			wait = c.backoff(attempt)
		}
		if wait > c.MaxBackoff {
			wait = c.MaxBackoff
		}
		slog.Warn("upstream retry", "url", u, "attempt", attempt, "wait", wait.String(), "reason", lastErr)
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, ctx.Err()
		case <-t.C:
		}
	}
}

// newRequest makes a GET with a context of its own, which the body's idle
// timer cancels; the caller cancels it once done with the response.
func newRequest(ctx context.Context, u string) (*http.Request, context.Context, context.CancelCauseFunc, error) {
	reqCtx, cancel := context.WithCancelCause(ctx)
	req, err := http.NewRequestWithContext(reqCtx, http.MethodGet, u, nil)
	if err != nil {
		cancel(nil)
		return nil, nil, nil, err
	}
	return req, reqCtx, cancel, nil
}

// Get reads a whole (small) document, such as an API page, retrying also
// when the body is cut short.
func (c *Client) Get(ctx context.Context, u string) ([]byte, error) {
	body, _, err := c.GetWithHeader(ctx, u)
	return body, err
}

// GetWithHeader is Get, with the response's header (its Content-Type
// declares the charset of a page).
func (c *Client) GetWithHeader(ctx context.Context, u string) ([]byte, http.Header, error) {
	var lastErr error
	for attempt := 1; attempt <= c.MaxAttempts; attempt++ {
		resp, err := c.Open(ctx, u, nil)
		if err != nil {
			return nil, nil, err
		}
		var buf bytes.Buffer
		_, err = io.Copy(&buf, resp.Body)
		resp.Body.Close()
		if err == nil && resp.ContentLength >= 0 && int64(buf.Len()) != resp.ContentLength {
			err = io.ErrUnexpectedEOF
		}
		if err == nil {
			return buf.Bytes(), resp.Header, nil
		}
		if ctx.Err() != nil {
			return nil, nil, ctx.Err()
		}
		lastErr = fmt.Errorf("GET %s: body cut short: %w", u, err)
		if attempt >= c.MaxAttempts {
			break // no wait after the last attempt
		}
		slog.Warn("upstream retry", "url", u, "attempt", attempt, "reason", lastErr)
		select {
		case <-ctx.Done():
			return nil, nil, ctx.Err()
		case <-time.After(c.backoff(attempt)):
		}
	}
	return nil, nil, fmt.Errorf("giving up after %d attempts: %w", c.MaxAttempts, lastErr)
}

// backoff is exponential with full jitter.
func (c *Client) backoff(attempt int) time.Duration {
	d := c.BaseBackoff << (attempt - 1)
	if d <= 0 || d > c.MaxBackoff {
		d = c.MaxBackoff
	}
	return d/2 + time.Duration(rand.Int64N(int64(d/2)+1))
}

// retryAfter reads how long the server asks us to wait: Retry-After in
// seconds or as a date, else X-RateLimit-Reset (epoch seconds, or seconds
// to wait when small). Zero when none is given.
func retryAfter(h http.Header, now time.Time) time.Duration {
	if v := strings.TrimSpace(h.Get("Retry-After")); v != "" {
		if s, err := strconv.Atoi(v); err == nil && s >= 0 {
			return time.Duration(s) * time.Second
		}
		if t, err := http.ParseTime(v); err == nil && t.After(now) {
			return t.Sub(now)
		}
	}
	if v := strings.TrimSpace(h.Get("X-RateLimit-Reset")); v != "" {
		if s, err := strconv.ParseInt(v, 10, 64); err == nil {
			if s > 1_000_000_000 { // an epoch
				if d := time.Unix(s, 0).Sub(now); d > 0 {
					return d
				}
				return 0
			}
			return time.Duration(s) * time.Second
		}
		if t, err := time.Parse(time.RFC3339, v); err == nil && t.After(now) {
			return t.Sub(now)
		}
	}
	return 0
}
