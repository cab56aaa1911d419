package schedule

import (
	"context"
	"time"

	"github.com/vigie-data/vigie/internal/ingest"
	"github.com/vigie-data/vigie/internal/source/boamp"
	"github.com/vigie-data/vigie/internal/source/decp"
)

// DefaultJobs returns the job of each source, bound to the ingestion
// packages.
func DefaultJobs() map[string]Job {
	return map[string]Job{
		SourceBOAMP: BOAMPAPIJob(func(ctx context.Context, rc *RunContext, since, until time.Time, onDay func(time.Time) error) (ingest.Summary, error) {
			return boamp.IngestAPI(ctx, rc.Store, rc.Fetch, rc.Pipeline.URL, since, until,
				boamp.Options{RunID: rc.RunID, Progress: rc.Progress, OnDayDone: onDay})
		}),
		SourceBOAMPArchive: BOAMPArchiveJob(func(ctx context.Context, rc *RunContext, day time.Time) (ingest.Summary, error) {
			return boamp.IngestArchiveDay(ctx, rc.Store, rc.Fetch, rc.Pipeline.URL, day,
				boamp.Options{RunID: rc.RunID, Progress: rc.Progress})
		}),
		// The provenance channel is left to decp, which derives it from the URL.
		SourceDECP: DECPJob(func(ctx context.Context, rc *RunContext, url string) (ingest.Summary, error) {
			return decp.IngestURL(ctx, rc.Store, rc.Fetch, url, decp.Options{RunID: rc.RunID, Progress: rc.Progress})
		}),
	}
}
