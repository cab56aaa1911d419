package fetch

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"time"
)

// DownloadIdleTimeout ends a download attempt whose body sends nothing for
// that long; the next attempt resumes where it stopped.
var DownloadIdleTimeout = 2 * time.Minute

// Download fetches u whole into the file path, resuming a cut transfer
// with a Range request where the server allows it (206), and starting
// over where it does not. The file appears at path only once complete
// (it is written to path+".part", renamed at the end), so a reader never
// sees half a file, and an interrupted download leaves a previous file at
// path untouched until the new one is whole. cond makes the first request
// conditional (ErrNotModified on 304). It returns the server's validators.
func (c *Client) Download(ctx context.Context, u, path string, cond *Validators) (Validators, error) {
	pu, err := url.Parse(u)
	if err != nil || (pu.Scheme != "http" && pu.Scheme != "https") {
		return Validators{}, fmt.Errorf("invalid URL %q: want http(s)://", u)
	}
	part := path + ".part"
	f, err := os.OpenFile(part, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o644)
	if err != nil {
		return Validators{}, err
	}
	defer func() {
		f.Close()
		os.Remove(part) // gone once renamed; a failed download leaves no debris
	}()
	lim := c.limiter(pu.Host)
	var have int64
	var v Validators
	var lastErr error
	for attempt := 1; attempt <= max(c.MaxAttempts, 1); attempt++ {
		if attempt > 1 {
			wait := c.backoff(attempt - 1)
			slog.Warn("download retry", "url", u, "attempt", attempt, "have_bytes", have, "wait", wait.String(), "reason", lastErr)
			if err := sleep(ctx, wait); err != nil {
				return v, err
			}
		}
		if err := lim.Wait(ctx); err != nil {
			return v, err
		}
		done, err := c.downloadOnce(ctx, u, f, &have, &v, cond, pu.Host)
		if done {
			if err := f.Sync(); err != nil {
				return v, err
			}
			if err := f.Close(); err != nil {
				return v, err
			}
			return v, os.Rename(part, path)
		}
		var se *StatusError
		if errors.Is(err, ErrNotModified) || ctx.Err() != nil || (errors.As(err, &se) && se.Status < 500 && se.Status != http.StatusTooManyRequests) {
			if ctx.Err() != nil {
				return v, ctx.Err()
			}
			return v, err
		}
		lastErr = err
	}
	return v, fmt.Errorf("download %s: giving up after %d attempts (%d bytes received): %w", u, c.MaxAttempts, have, lastErr)
}

// downloadOnce makes one request, from byte *have on, and appends what
// arrives to f. done is true when the body was read to its end.
func (c *Client) downloadOnce(ctx context.Context, u string, f *os.File, have *int64, v *Validators, cond *Validators, host string) (done bool, err error) {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return false, err
	}
	req.Header.Set("User-Agent", UserAgent)
	if *have > 0 {
		req.Header.Set("Range", "bytes="+strconv.FormatInt(*have, 10)+"-")
		// Resume only the same version of the file.
		if v.ETag != "" {
			req.Header.Set("If-Range", v.ETag)
		} else if v.LastModified != "" {
			req.Header.Set("If-Range", v.LastModified)
		}
	} else if cond != nil {
		if cond.ETag != "" {
			req.Header.Set("If-None-Match", cond.ETag)
		}
		if cond.LastModified != "" {
			req.Header.Set("If-Modified-Since", cond.LastModified)
		}
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		countStatus(host, 0)
		return false, fmt.Errorf("GET %s: %w", u, err)
	}
	defer resp.Body.Close()
	countStatus(host, resp.StatusCode)
	switch {
	case resp.StatusCode == http.StatusNotModified:
		return false, ErrNotModified
	case resp.StatusCode == http.StatusPartialContent && *have > 0:
		// The rest of the same file.
	case resp.StatusCode == http.StatusOK:
		// The whole file (first request, or a server that ignores Range):
		// start over.
		if err := f.Truncate(0); err != nil {
			return false, err
		}
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			return false, err
		}
		*have = 0
		*v = Validators{ETag: resp.Header.Get("ETag"), LastModified: resp.Header.Get("Last-Modified")}
	default:
		return false, &StatusError{URL: u, Status: resp.StatusCode}
	}
	want := int64(-1)
	if resp.ContentLength >= 0 {
		want = *have + resp.ContentLength
	}
	// An idle body is cut so that the next attempt can resume.
	idle := time.AfterFunc(DownloadIdleTimeout, func() { cancel(errIdle) })
	defer idle.Stop()
	buf := make([]byte, 256<<10)
	for {
		n, rerr := resp.Body.Read(buf)
		if n > 0 {
			idle.Reset(DownloadIdleTimeout)
			if _, err := f.Write(buf[:n]); err != nil {
				return false, err
			}
			*have += int64(n)
		}
		if errors.Is(rerr, io.EOF) {
			if want >= 0 && *have != want {
				return false, fmt.Errorf("GET %s: body ends at %d of %d bytes", u, *have, want)
			}
			return true, nil
		}
		if rerr != nil {
			if context.Cause(ctx) == errIdle {
				return false, fmt.Errorf("GET %s: no data for %s: %w", u, DownloadIdleTimeout, errIdle)
			}
			return false, fmt.Errorf("GET %s: %w", u, rerr)
		}
	}
}

var errIdle = errors.New("upstream idle")

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
