package api

import (
	"bytes"
	"container/list"
	"context"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// answerCache keeps recent answers of the expensive endpoints (indicators,
// open tenders) and makes concurrent identical requests share one
// computation: a dashboard's 50 viewers asking the same trend cost one
// ClickHouse query.
//
// Why a cached answer is never stale or wrong: every key contains the
// validated, normalized query AND the state of the data the answer was
// computed from (store.ContractsState / store.TendersState: per partition,
// the newest block number of the tables read — an insert changes it, a
// merge does not, nothing mutates rows in place). Data that changed gives
// a new key, so an old answer is simply never asked for again and ages
// out of the LRU. The state is read before the computation; since data
// only moves forward, the answer reflects at least that state. Answers
// computed from another state than the key's (a refresh raced the
// computation) are returned but not kept.
//
// The cache is bounded by entries and by cost (rows), least recently used
// evicted first.
type answerCache struct {
	maxEntries int
	maxCost    int
	timeout    time.Duration // of a computation, detached from the requester

	mu      sync.Mutex
	entries map[string]*cacheEntry
	lru     list.List // completed entries, most recently used first
	cost    int

	computations atomic.Int64 // computations started: misses not coalesced

	// slots admits computations: at most cap(slots) query ClickHouse at
	// once, the others wait their turn in order. On 2 cores, 50 distinct
	// queries at once each take 25 times longer and all finish late;
	// admitted a few at a time, the first ones finish early.
	slots chan struct{}
}

// maxComputations bounds the concurrent computations of one cache.
const maxComputations = 4

type cacheEntry struct {
	key  string
	done chan struct{} // closed when val/err are set
	val  any
	err  error
	cost int
	elem *list.Element // in lru when kept
}

// computeFunc computes an answer: the value, its cost (about its rows)
// and whether it may be kept for later requests with the same key.
type computeFunc func(ctx context.Context) (val any, cost int, keep bool, err error)

func newAnswerCache(maxEntries, maxCost int, timeout time.Duration) *answerCache {
	return &answerCache{maxEntries: maxEntries, maxCost: maxCost, timeout: timeout, entries: map[string]*cacheEntry{},
		slots: make(chan struct{}, maxComputations)}
}

// get returns the answer for key: kept, being computed for another
// request (then it waits for it), or computed now. The computation runs
// detached from ctx's cancellation (bounded by the cache's timeout) so
// that a client going away does not fail the others waiting for it; ctx
// only bounds how long this caller waits. Errors are not kept.
func (c *answerCache) get(ctx context.Context, key string, compute computeFunc) (any, error) {
	c.mu.Lock()
	e := c.entries[key]
	if e != nil && e.elem != nil {
		c.lru.MoveToFront(e.elem)
		c.mu.Unlock()
		return e.val, nil
	}
	if e == nil {
		e = &cacheEntry{key: key, done: make(chan struct{})}
		c.entries[key] = e
		c.computations.Add(1)
		go c.run(context.WithoutCancel(ctx), e, compute)
	}
	c.mu.Unlock()
	select {
	case <-e.done:
		return e.val, e.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func (c *answerCache) run(ctx context.Context, e *cacheEntry, compute computeFunc) {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	var val any
	var cost int
	var keep bool
	var err error
	select {
	case c.slots <- struct{}{}:
		val, cost, keep, err = compute(ctx)
		<-c.slots
	case <-ctx.Done():
		err = ctx.Err()
	}
	if cost < 1 {
		cost = 1
	}
	c.mu.Lock()
	e.val, e.err, e.cost = val, err, cost
	if err != nil || !keep || cost > c.maxCost {
		delete(c.entries, e.key)
	} else {
		e.elem = c.lru.PushFront(e)
		c.cost += cost
		for c.lru.Len() > c.maxEntries || c.cost > c.maxCost {
			old := c.lru.Remove(c.lru.Back()).(*cacheEntry)
			delete(c.entries, old.key)
			c.cost -= old.cost
		}
	}
	c.mu.Unlock()
	close(e.done)
}

// len is the number of kept answers.
func (c *answerCache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.lru.Len()
}

// renderedAnswer is a kept answer with its rendered bodies (a few
// variants: format and query-string spelling), so that a cache hit costs
// a copy, not an encoding; concurrent requests for a variant not yet
// rendered wait for one rendering. The answer itself is never modified.
type renderedAnswer[T any] struct {
	res    T
	mu     sync.Mutex
	bodies map[string]*renderedBody
}

type renderedBody struct {
	once sync.Once
	resp bufferedResponse
}

const maxRenderedVariants = 4

// serve writes the body rendered for variant, rendering it first if needed.
func (a *renderedAnswer[T]) serve(w http.ResponseWriter, variant string, render func(http.ResponseWriter)) {
	a.mu.Lock()
	b := a.bodies[variant]
	if b == nil {
		b = &renderedBody{}
		if a.bodies == nil {
			a.bodies = map[string]*renderedBody{}
		}
		if len(a.bodies) < maxRenderedVariants {
			a.bodies[variant] = b
		}
	}
	a.mu.Unlock()
	b.once.Do(func() {
		b.resp = bufferedResponse{header: http.Header{}, status: http.StatusOK}
		render(&b.resp)
	})
	for k, v := range b.resp.header {
		w.Header()[k] = append([]string(nil), v...)
	}
	w.WriteHeader(b.resp.status)
	_, _ = w.Write(b.resp.body.Bytes())
}

// bufferedResponse records a response to replay it.
type bufferedResponse struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (b *bufferedResponse) Header() http.Header         { return b.header }
func (b *bufferedResponse) WriteHeader(status int)      { b.status = status }
func (b *bufferedResponse) Write(p []byte) (int, error) { return b.body.Write(p) }
