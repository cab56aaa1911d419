package api

import (
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/cespare/xxhash/v2"
)

// Conditional requests. An answer is a function of the request and of
// the data state the answer cache already tracks (store.ContractsState,
// store.TendersState): the ETag is a hash of both, so a client holding
// the answer gets a 304 without a query being run. Last-Modified is when
// this process first saw the state: never earlier than the data's real
// change, so a 304 on If-Modified-Since is never wrong (after a restart a
// client just gets one 200 more).

// maxAge lets caches reuse an answer for a minute without asking: the
// data changes a few times a day, and a minute is what a dashboard
// tolerates.
const maxAge = 60

type stateClock struct {
	mu   sync.Mutex
	seen map[string]time.Time
}

// since is when state was first seen (bounded memory: old states are
// forgotten, and then count as seen now).
func (c *stateClock) since(state string) time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.seen == nil {
		c.seen = map[string]time.Time{}
	}
	t, ok := c.seen[state]
	if !ok {
		if len(c.seen) > 256 {
			clear(c.seen)
		}
		t = time.Now().UTC().Truncate(time.Second)
		c.seen[state] = t
	}
	return t
}

// notModified sets the validators of an answer computed from state (and
// variant, what else it depends on) and answers 304 when the client's
// copy is current.
func (s *Server) notModified(w http.ResponseWriter, r *http.Request, state, variant string) bool {
	h := xxhash.New()
	for _, p := range []string{state, variant, r.URL.Path, r.URL.RawQuery, r.Header.Get("Accept")} {
		_, _ = h.WriteString(p)
		_, _ = h.WriteString("\x00")
	}
	etag := `"` + strconv.FormatUint(h.Sum64(), 36) + `"`
	mod := s.clock.since(state)
	hdr := w.Header()
	hdr.Set("ETag", etag)
	hdr.Set("Last-Modified", mod.Format(http.TimeFormat))
	hdr.Set("Cache-Control", "public, max-age="+strconv.Itoa(maxAge))
	hdr.Add("Vary", "Accept, Accept-Encoding")
	match := false
	if inm := r.Header.Get("If-None-Match"); inm != "" {
		for _, t := range strings.Split(inm, ",") {
			t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
			match = match || t == etag || t == "*"
		}
	} else if ims, err := http.ParseTime(r.Header.Get("If-Modified-Since")); err == nil {
		match = !mod.After(ims)
	}
	if match {
		w.WriteHeader(http.StatusNotModified)
	}
	return match
}
