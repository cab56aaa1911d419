package decp

import (
	"os"
	"runtime/debug"
)

// MemoryLimit is the soft memory limit that LimitMemory sets. With
// batches of BatchSize records the live heap of an ingestion stays near
// 100 MB whatever the input's size; the default collector would let the
// heap grow to twice that before collecting (peak RSS ~300 MB), the limit
// makes it collect earlier near the limit (~230 MB) for a few percent
// more GC CPU. It is soft: a heap that needs more still gets it.
const MemoryLimit = 220 << 20

// LimitMemory sets MemoryLimit as the process's soft memory limit, unless
// GOMEMLIMIT is set. Only for a process that does nothing but ingest
// ('vigie ingest decp', the benchmark): the limit is process-wide.
func LimitMemory() {
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(MemoryLimit)
	}
}
