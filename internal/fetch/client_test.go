package fetch

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"
)

func fastClient() *Client {
	c := New(1000, 10)
	c.BaseBackoff = time.Millisecond
	c.MaxBackoff = 50 * time.Millisecond
	return c
}

func TestRetriesOn500And429ThenSucceeds(t *testing.T) {
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("User-Agent") != UserAgent {
			t.Errorf("User-Agent %q", r.Header.Get("User-Agent"))
		}
		switch n.Add(1) {
		case 1:
			w.WriteHeader(500)
		case 2:
			w.Header().Set("Retry-After", "0")
			w.WriteHeader(429)
		default:
			w.Write([]byte("ok"))
		}
	}))
	defer srv.Close()
	b, err := fastClient().Get(context.Background(), srv.URL)
	if err != nil || string(b) != "ok" || n.Load() != 3 {
		t.Fatalf("got %q, %v after %d requests", b, err, n.Load())
	}
}

func TestGivesUpWithTheReason(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(503) }))
	defer srv.Close()
	c := fastClient()
	c.MaxAttempts = 3
	_, err := c.Get(context.Background(), srv.URL)
	var se *StatusError
	if !errors.As(err, &se) || se.Status != 503 {
		t.Fatalf("want a 503 StatusError, got %v", err)
	}
}

func TestNoRetryOn404(t *testing.T) {
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { n.Add(1); w.WriteHeader(404) }))
	defer srv.Close()
	_, err := fastClient().Get(context.Background(), srv.URL)
	if err == nil || n.Load() != 1 {
		t.Fatalf("404: err %v after %d requests", err, n.Load())
	}
}

func TestTruncatedBodyIsRetried(t *testing.T) {
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			w.Header().Set("Content-Length", "100")
			w.Write([]byte("short"))
			return
		}
		w.Write([]byte("whole"))
	}))
	defer srv.Close()
	b, err := fastClient().Get(context.Background(), srv.URL)
	if err != nil || string(b) != "whole" {
		t.Fatalf("got %q, %v", b, err)
	}
}

func TestConditionalGet(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("If-None-Match") == `"v1"` {
			w.WriteHeader(304)
			return
		}
		w.Header().Set("ETag", `"v1"`)
		w.Write([]byte("body"))
	}))
	defer srv.Close()
	c := fastClient()
	resp, err := c.Open(context.Background(), srv.URL, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.Validators.ETag != `"v1"` {
		t.Fatalf("etag %q", resp.Validators.ETag)
	}
	if _, err := c.Open(context.Background(), srv.URL, &resp.Validators); !errors.Is(err, ErrNotModified) {
		t.Fatalf("want ErrNotModified, got %v", err)
	}
}

func TestRetryAfter(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	cases := map[string]time.Duration{"Retry-After=7": 7 * time.Second, "X-RateLimit-Reset=1700000030": 30 * time.Second, "X-RateLimit-Reset=12": 12 * time.Second, "": 0}
	for in, want := range cases {
		h := http.Header{}
		if in != "" {
			k, v, _ := cut(in)
			h.Set(k, v)
		}
		if got := retryAfter(h, now); got != want {
			t.Errorf("%s: %v, want %v", in, got, want)
		}
	}
}

func cut(s string) (string, string, bool) {
	for i := range s {
		if s[i] == '=' {
			return s[:i], s[i+1:], true
		}
	}
	return s, "", false
}

func TestRateLimitPerHost(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("x")) }))
	defer srv.Close()
	c := New(20, 1)
	start := time.Now()
	for i := 0; i < 5; i++ {
		if _, err := c.Get(context.Background(), srv.URL); err != nil {
			t.Fatal(err)
		}
	}
	// 5 requests at 20/s with burst 1 need at least 4 intervals of 50 ms.
	if el := time.Since(start); el < 190*time.Millisecond {
		t.Fatalf("5 requests took %v: the limit was not applied", el)
	}
}
