package boamp

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/url"
	"strconv"
	"time"

	"github.com/vigie-data/vigie/internal/fetch"
)

// API limits of the Opendatasoft Explore v2.1 /records endpoint.
const (
	pageSize    = 100    // records per page, the maximum
	recordsCap  = 10_000 // offset+limit beyond this is refused: use exports
	pageRetries = 3      // re-reads of a page that is not valid JSON
)

type page struct {
	TotalCount int               `json:"total_count"`
	Results    []json.RawMessage `json:"results"`
}

// apiDay reads one publication day: pages of /records ordered by idweb,
// or the /exports stream when the day holds more than /records can page.
func apiDay(ctx context.Context, s *sink, c *fetch.Client, base string, d time.Time) error {
	where := "dateparution = date'" + d.Format("2006-01-02") + "'"
	seen := map[string]bool{}
	first, err := getPage(ctx, c, recordsURL(base, where, 0))
	if err != nil {
		return err
	}
	total := first.TotalCount
	if total > recordsCap {
		if err := exportDay(ctx, s, c, base, where, seen); err != nil {
			return err
		}
	} else {
		p := first
		for offset := 0; ; {
			u := recordsURL(base, where, offset)
			if err := pageRecords(ctx, s, p, u, offset, seen); err != nil {
				return err
			}
			offset += len(p.Results)
			if len(p.Results) == 0 || offset >= total {
				break
			}
			if p, err = getPage(ctx, c, recordsURL(base, where, offset)); err != nil {
				return err
			}
		}
	}
	if len(seen) < total {
		// The dataset is refreshed twice a day; a record may move during a
		// walk. The next run re-reads recent days.
		slog.Warn("boamp API: fewer notices than announced", "day", d.Format("2006-01-02"), "total_count", total, "read", len(seen))
	}
	return nil
}

func recordsURL(base, where string, offset int) string {
	q := url.Values{}
	q.Set("where", where)
	q.Set("order_by", "idweb")
	q.Set("limit", strconv.Itoa(pageSize))
	q.Set("offset", strconv.Itoa(offset))
	return base + "/records?" + q.Encode()
}

// getPage reads one page; fetch retries 429s, 5xx and short bodies, and a
// body that still does not parse is read again a few times.
func getPage(ctx context.Context, c *fetch.Client, u string) (*page, error) {
	var lastErr error
	for attempt := 0; attempt < pageRetries; attempt++ {
		body, err := c.Get(ctx, u)
		if err != nil {
			return nil, err
		}
		var p page
		if err := json.Unmarshal(body, &p); err != nil {
			lastErr = fmt.Errorf("page %s: %w", u, err)
			slog.Warn("boamp API: unreadable page, reading it again", "url", u, "reason", err)
			continue
		}
		return &p, nil
	}
	return nil, lastErr
}

func pageRecords(ctx context.Context, s *sink, p *page, u string, offset int, seen map[string]bool) error {
	for i, raw := range p.Results {
		pos := "record " + strconv.Itoa(offset+i)
		n, err := ParseRecord(raw)
		if err != nil {
			if err := s.bad(ctx, raw, u, pos, err); err != nil {
				return err
			}
			continue
		}
		if seen[n.ID] {
			// Pages shifted under us: the record was already read.
			s.sum.RecordsRead++
			s.sum.Duplicates++
			continue
		}
		seen[n.ID] = true
		if err := s.add(ctx, n, raw, "boamp-api-json", u, pos); err != nil {
			return err
		}
	}
	return nil
}

// exportDay streams /exports/json for a window; a stream cut short is
// read again from the start, the records already read being skipped.
func exportDay(ctx context.Context, s *sink, c *fetch.Client, base, where string, seen map[string]bool) error {
	q := url.Values{}
	q.Set("where", where)
	q.Set("order_by", "idweb")
	u := base + "/exports/json?" + q.Encode()
	var lastErr error
	for attempt := 1; attempt <= max(c.MaxAttempts, 1); attempt++ {
		err := exportOnce(ctx, s, c, u, seen)
		if err == nil {
			return nil
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		var cut *cutError
		if !asCut(err, &cut) {
			return err
		}
		lastErr = err
		slog.Warn("boamp API: export cut short, reading it again", "url", u, "attempt", attempt, "reason", err)
	}
	return fmt.Errorf("giving up on export: %w", lastErr)
}

type cutError struct{ err error }

func (e *cutError) Error() string { return "stream cut short: " + e.err.Error() }

func asCut(err error, target **cutError) bool {
	c, ok := err.(*cutError)
	if ok {
		*target = c
	}
	return ok
}

func exportOnce(ctx context.Context, s *sink, c *fetch.Client, u string, seen map[string]bool) error {
	resp, err := c.Open(ctx, u, nil)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	d := json.NewDecoder(resp.Body)
	if t, err := d.Token(); err != nil || t != json.Delim('[') {
		return &cutError{fmt.Errorf("export is not a JSON array (%v)", err)}
	}
	for i := 0; d.More(); i++ {
		var raw json.RawMessage
		if err := d.Decode(&raw); err != nil {
			return &cutError{err}
		}
		n, err := ParseRecord(raw)
		if err != nil {
			// A readable record that is wrong is quarantined once.
			var probe struct {
				IDWeb string `json:"idweb"`
			}
			_ = json.Unmarshal(raw, &probe)
			if probe.IDWeb != "" && seen["bad:"+probe.IDWeb] {
				continue
			}
			seen["bad:"+probe.IDWeb] = true
			if err := s.bad(ctx, raw, u, "record "+strconv.Itoa(i), err); err != nil {
				return err
			}
			continue
		}
		if seen[n.ID] {
			continue
		}
		seen[n.ID] = true
		if err := s.add(ctx, n, raw, "boamp-api-json", u, "record "+strconv.Itoa(i)); err != nil {
			return err
		}
	}
	if _, err := d.Token(); err != nil {
		return &cutError{err}
	}
	return nil
}
