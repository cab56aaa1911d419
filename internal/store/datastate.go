package store

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// freshnessTTL bounds how old a data-state check may be: a write by
// another process is seen at most this long after it (writes by this
// process at once, see Store.wrote).
const freshnessTTL = 2 * time.Second

// dataState caches the result of a check of what data some tables hold
// (a signature of their parts), so that concurrent requests share one
// look at system.parts. A value is used while it is younger than
// freshnessTTL — counted from the start of the check that produced it —
// and no write by this process happened since. Once it is older than
// half that, the next caller starts a check in the background while
// still getting the value: steady traffic never waits for a check, and
// never gets a value older than freshnessTTL.
type dataState struct {
	writes atomic.Uint64 // bumped by Store.wrote

	checkMu sync.Mutex // one check at a time

	mu         sync.Mutex
	val        string
	started    time.Time // start of the check that produced val
	gen        uint64    // writes when that check started
	refreshing bool
}

func (d *dataState) get(ctx context.Context, check func(context.Context) (string, error)) (string, error) {
	if v, ok := d.current(check); ok {
		return v, nil
	}
	d.checkMu.Lock()
	defer d.checkMu.Unlock()
	if v, ok := d.current(nil); ok { // another caller just checked
		return v, nil
	}
	return d.run(ctx, check)
}

// current gives the cached value if it may still be used; with check
// set, it starts the background check when the value is getting old.
func (d *dataState) current(check func(context.Context) (string, error)) (string, bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	age := time.Since(d.started)
	if d.started.IsZero() || age >= freshnessTTL || d.gen != d.writes.Load() {
		return "", false
	}
	if check != nil && age >= freshnessTTL/2 && !d.refreshing {
		d.refreshing = true
		go func() {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			d.checkMu.Lock()
			_, _ = d.run(ctx, check) // on error, the next caller checks again
			d.checkMu.Unlock()
			d.mu.Lock()
			d.refreshing = false
			d.mu.Unlock()
		}()
	}
	return d.val, true
}

// run checks; the caller holds checkMu.
func (d *dataState) run(ctx context.Context, check func(context.Context) (string, error)) (string, error) {
	gen, start := d.writes.Load(), time.Now()
	v, err := check(ctx)
	if err != nil {
		return "", err
	}
	d.mu.Lock()
	d.val, d.started, d.gen = v, start, gen
	d.mu.Unlock()
	return v, nil
}

// invalidate makes the next get check again.
func (d *dataState) invalidate() { d.writes.Add(1) }
