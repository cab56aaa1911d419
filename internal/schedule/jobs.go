package schedule

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/vigie-data/vigie/internal/fetch"
	"github.com/vigie-data/vigie/internal/ingest"
	"github.com/vigie-data/vigie/internal/source/datagouv"
)

// DayLayout is how BOAMP checkpoints (the last complete day) are written.
const DayLayout = "2006-01-02"

// BOAMP days are calendar days in UTC: the lookback (3 days) absorbs the
// hours between UTC and Paris time.
func dayOf(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

func checkpointDay(rc *RunContext) (time.Time, bool) {
	if rc.Checkpoint == "" {
		return time.Time{}, false
	}
	d, err := time.Parse(DayLayout, rc.Checkpoint)
	if err != nil {
		slog.Warn("checkpoint is not a day: ignored", "pipeline", rc.Pipeline.Name, "checkpoint", rc.Checkpoint)
		return time.Time{}, false
	}
	return d, true
}

// BOAMPAPIFunc ingests the BOAMP API notices published from since to
// until, calling onDay after each day's notices are committed, in
// increasing order.
type BOAMPAPIFunc func(ctx context.Context, rc *RunContext, since, until time.Time, onDay func(day time.Time) error) (ingest.Summary, error)

// BOAMPAPIJob re-reads from min(checkpoint, today - lookback) to now, and
// moves the checkpoint to each complete day (before today) once its
// notices are committed. Re-reading is harmless: notices are keyed by
// identity.
func BOAMPAPIJob(f BOAMPAPIFunc) Job {
	return func(ctx context.Context, rc *RunContext) (ingest.Summary, error) {
		today := dayOf(rc.Now)
		since := dayOf(today.Add(-rc.Pipeline.Lookback))
		last, ok := checkpointDay(rc)
		if ok && last.Before(since) {
			since = last
		}
		cp := rc.Checkpoint
		onDay := func(day time.Time) error {
			day = dayOf(day)
			if !day.Before(today) || (ok && !day.After(last)) {
				return nil // today is not complete; older days are behind the checkpoint already
			}
			if err := rc.Commit(ctx, day.Format(DayLayout)); err != nil {
				return err
			}
			last, ok, cp = day, true, day.Format(DayLayout)
			return nil
		}
		slog.Info("boamp: reading notices", "pipeline", rc.Pipeline.Name, "since", since.Format(DayLayout), "until", rc.Now.UTC().Format(time.RFC3339))
		sum, err := f(ctx, rc, since, rc.Now, onDay)
		sum.Checkpoint = cp
		return sum, err
	}
}

// BOAMPArchiveFunc ingests one day of the DILA archive.
type BOAMPArchiveFunc func(ctx context.Context, rc *RunContext, day time.Time) (ingest.Summary, error)

// BOAMPArchiveJob reads the archive day by day, from the day after the
// checkpoint (or today - lookback if earlier) to yesterday: a day's file
// is complete once published, so a checkpointed day is not read again.
func BOAMPArchiveJob(f BOAMPArchiveFunc) Job {
	return func(ctx context.Context, rc *RunContext) (ingest.Summary, error) {
		today := dayOf(rc.Now)
		since := dayOf(today.Add(-rc.Pipeline.Lookback))
		if last, ok := checkpointDay(rc); ok && last.AddDate(0, 0, 1).Before(since) {
			since = last.AddDate(0, 0, 1)
		}
		var sum ingest.Summary
		sum.Source = rc.Pipeline.Source
		sum.Checkpoint = rc.Checkpoint
		for day := since; day.Before(today); day = day.AddDate(0, 0, 1) {
			if err := ctx.Err(); err != nil {
				return sum, err
			}
			s, err := f(ctx, rc, day)
			sum.Add(s)
			if err != nil {
				return sum, fmt.Errorf("archive of %s: %w", day.Format(DayLayout), err)
			}
			if err := rc.Commit(ctx, day.Format(DayLayout)); err != nil {
				return sum, err
			}
			sum.Checkpoint = day.Format(DayLayout)
		}
		return sum, nil
	}
}

// DECPFunc ingests one DECP file.
type DECPFunc func(ctx context.Context, rc *RunContext, url string) (ingest.Summary, error)

// decpState is what the DECP checkpoint keeps of each file: enough to tell
// whether it changed since it was last ingested whole.
type decpState struct {
	URL          string `json:"url"`
	LastModified string `json:"last_modified,omitempty"`
	ETag         string `json:"etag,omitempty"`
}

// DECPJob ingests the pipeline's DECP files that changed since the last
// run. With resources set, url is a data.gouv.fr dataset API: the files
// are its resources that match, and a file is unchanged when its
// last_modified is. Otherwise url is the file itself, and a conditional GET
// (ETag / Last-Modified) tells. The checkpoint (JSON, by resource) moves
// after each file is committed whole.
func DECPJob(f DECPFunc) Job {
	return func(ctx context.Context, rc *RunContext) (ingest.Summary, error) {
		p := rc.Pipeline
		state := map[string]decpState{}
		if rc.Checkpoint != "" {
			if err := json.Unmarshal([]byte(rc.Checkpoint), &state); err != nil {
				slog.Warn("DECP checkpoint unreadable: every file is read again", "pipeline", p.Name, "error", err)
				state = map[string]decpState{}
			}
		}
		var resources []datagouv.Resource
		if p.resources != nil {
			rs, err := datagouv.Resolve(ctx, rc.Fetch, p.URL, p.resources)
			if err != nil {
				return ingest.Summary{Source: p.Source}, err
			}
			resources = rs
		} else {
			resources = []datagouv.Resource{{URL: p.URL, Title: p.URL}}
		}
		sum := ingest.Summary{Source: p.Source, Checkpoint: rc.Checkpoint}
		for _, r := range resources {
			key := r.ID
			if key == "" {
				key = r.URL
			}
			prev, seen := state[key]
			next := decpState{URL: r.URL, LastModified: r.LastModified}
			if r.ID != "" {
				if seen && prev.URL == r.URL && r.LastModified != "" && prev.LastModified == r.LastModified {
					slog.Info("DECP file unchanged since last ingested", "pipeline", p.Name, "file", r.Title, "last_modified", r.LastModified)
					continue
				}
			} else {
				var cond *fetch.Validators
				if seen && (prev.ETag != "" || prev.LastModified != "") {
					cond = &fetch.Validators{ETag: prev.ETag, LastModified: prev.LastModified}
				}
				resp, err := rc.Fetch.Open(ctx, r.URL, cond)
				if errors.Is(err, fetch.ErrNotModified) {
					slog.Info("DECP file unchanged since last ingested", "pipeline", p.Name, "url", r.URL)
					continue
				}
				if err != nil {
					return sum, err
				}
				// Only the validators are wanted here; the ingestion streams
				// the file itself.
				resp.Body.Close()
				next.ETag, next.LastModified = resp.Validators.ETag, resp.Validators.LastModified
			}
			slog.Info("DECP file to ingest", "pipeline", p.Name, "file", r.Title, "url", r.URL, "last_modified", next.LastModified)
			s, err := f(ctx, rc, r.URL)
			sum.Add(s)
			if err != nil {
				return sum, fmt.Errorf("%s: %w", r.Title, err)
			}
			state[key] = next
			b, _ := json.Marshal(state)
			if err := rc.Commit(ctx, string(b)); err != nil {
				return sum, err
			}
			sum.Checkpoint = string(b)
		}
		return sum, nil
	}
}
