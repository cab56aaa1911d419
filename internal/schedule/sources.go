package schedule

// DefaultJobs returns the job of each source, bound to the ingestion
// packages.
func DefaultJobs() map[string]Job {
	return map[string]Job{}
}
