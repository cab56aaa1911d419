package fetch

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"
)

// IdleError is a response body that sent nothing for longer than the
// client's IdleTimeout: a stalled upstream.
type IdleError struct {
	URL  string
	Idle time.Duration
}

func (e *IdleError) Error() string {
	return fmt.Sprintf("GET %s: body stalled: no data for %s", e.URL, e.Idle)
}

// idleBody cancels its request when one Read waits longer than idle for
// the upstream. The timer runs only while a Read is blocked, so a slow
// reader (a writer busy with the store) never counts as a stalled
// upstream.
type idleBody struct {
	rc     io.ReadCloser
	url    string
	idle   time.Duration
	ctx    context.Context
	cancel context.CancelCauseFunc
	timer  *time.Timer
	once   sync.Once
}

var errBodyIdle = errors.New("idle")

func newIdleBody(rc io.ReadCloser, idle time.Duration, url string, ctx context.Context, cancel context.CancelCauseFunc) io.ReadCloser {
	b := &idleBody{rc: rc, url: url, idle: idle, ctx: ctx, cancel: cancel}
	if idle > 0 {
		b.timer = time.AfterFunc(idle, func() { cancel(errBodyIdle) })
		b.timer.Stop()
	}
	return b
}

func (b *idleBody) Read(p []byte) (int, error) {
	if b.timer != nil {
		b.timer.Reset(b.idle)
	}
	n, err := b.rc.Read(p)
	if b.timer != nil {
		b.timer.Stop()
	}
	if err != nil && err != io.EOF && errors.Is(context.Cause(b.ctx), errBodyIdle) {
		err = &IdleError{URL: b.url, Idle: b.idle}
	}
	return n, err
}

func (b *idleBody) Close() error {
	err := b.rc.Close()
	b.once.Do(func() {
		if b.timer != nil {
			b.timer.Stop()
		}
		b.cancel(nil)
	})
	return err
}
