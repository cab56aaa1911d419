package fetch

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// stallingUpstream sends its headers and half the body, then nothing
// until the client goes away.
func stallingUpstream(requests *atomic.Int64) *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		w.Header().Set("Content-Length", "2000")
		w.WriteHeader(http.StatusOK)
		w.Write([]byte(strings.Repeat("x", 1000)))
		w.(http.Flusher).Flush()
		<-r.Context().Done()
	}))
}

// A body that stalls is cut after IdleTimeout and read again, as the
// retry policy says; after the last attempt Get gives up with the reason.
func TestStalledBodyIsTimedOutAndRetried(t *testing.T) {
	var requests atomic.Int64
	srv := stallingUpstream(&requests)
	defer srv.Close()
	c := fastClient()
	c.MaxAttempts = 3
	c.IdleTimeout = 100 * time.Millisecond
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err := c.Get(ctx, srv.URL)
	var ie *IdleError
	if !errors.As(err, &ie) || !strings.Contains(err.Error(), "giving up after 3 attempts") {
		t.Fatalf("err %v: want a stalled body, given up after 3 attempts", err)
	}
	if n := requests.Load(); n != 3 {
		t.Errorf("%d requests, want 3", n)
	}
}

// A stream opened with Open is cut too: the reader gets an *IdleError.
func TestStalledStreamEnds(t *testing.T) {
	var requests atomic.Int64
	srv := stallingUpstream(&requests)
	defer srv.Close()
	c := fastClient()
	c.IdleTimeout = 100 * time.Millisecond
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	resp, err := c.Open(ctx, srv.URL, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	var ie *IdleError
	if !errors.As(err, &ie) || len(b) != 1000 {
		t.Errorf("read %d bytes, err %v: want the 1000 sent, then an *IdleError", len(b), err)
	}
}

// The idle timer runs only while a read waits for the upstream: a reader
// slower than IdleTimeout between reads is not cut.
func TestSlowReaderIsNotIdle(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(strings.Repeat("y", 64<<10)))
	}))
	defer srv.Close()
	c := fastClient()
	c.IdleTimeout = 50 * time.Millisecond
	resp, err := c.Open(context.Background(), srv.URL, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	buf := make([]byte, 16<<10)
	total := 0
	for {
		n, err := resp.Body.Read(buf)
		total += n
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("after %d bytes: %v", total, err)
		}
		time.Sleep(120 * time.Millisecond) // busy writing what was read
	}
	if total != 64<<10 {
		t.Errorf("read %d bytes, want %d", total, 64<<10)
	}
}

// After the last failed attempt, Get returns at once: no backoff is
// waited that no attempt follows (with a 10 s backoff, the 3 s context
// would end first).
func TestGivesUpAtOnceAfterTheLastAttempt(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "100")
		w.Write([]byte("short"))
	}))
	defer srv.Close()
	c := fastClient()
	c.MaxAttempts = 1
	c.BaseBackoff = 20 * time.Second
	c.MaxBackoff = 20 * time.Second
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	_, err := c.Get(ctx, srv.URL)
	if err == nil || errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "giving up after 1 attempts") {
		t.Errorf("err %v: want the cut body, at once", err)
	}
}
