package ingest

import (
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Progress reports a long run: a log line every few seconds (records, rate,
// ETA when the total is known) and, when w is a terminal, a progress bar
// redrawn in place. Safe for concurrent use; Add is cheap (one atomic).
type Progress struct {
	label  string
	total  atomic.Int64 // records or bytes expected; 0 = unknown
	done   atomic.Int64
	unit   string
	start  time.Time
	w      io.Writer
	tty    bool
	every  time.Duration
	stop   chan struct{}
	closed sync.Once
	wg     sync.WaitGroup
}

// NewProgress starts reporting on w (usually os.Stderr). unit names what is
// counted ("records", "bytes", "notices").
func NewProgress(w io.Writer, label, unit string) *Progress {
	p := &Progress{label: label, unit: unit, start: time.Now(), w: w, tty: isTerminal(w),
		every: 5 * time.Second, stop: make(chan struct{})}
	if p.tty {
		p.every = 200 * time.Millisecond
	}
	p.wg.Add(1)
	go p.loop()
	return p
}

// SetTotal sets the expected total (enables the ETA).
func (p *Progress) SetTotal(n int64) { p.total.Store(n) }

// Add counts n more units done.
func (p *Progress) Add(n int64) { p.done.Add(n) }

// Set sets the units done (e.g. bytes read so far).
func (p *Progress) Set(n int64) { p.done.Store(n) }

// Done stops reporting.
func (p *Progress) Done() {
	p.closed.Do(func() {
		close(p.stop)
		p.wg.Wait()
		if p.tty {
			fmt.Fprint(p.w, "\r\033[K")
		}
	})
}

func (p *Progress) loop() {
	defer p.wg.Done()
	t := time.NewTicker(p.every)
	defer t.Stop()
	lastLog := time.Now()
	for {
		select {
		case <-p.stop:
			return
		case <-t.C:
			if p.tty {
				fmt.Fprint(p.w, "\r\033[K"+p.bar())
			} else if time.Since(lastLog) >= 5*time.Second {
				lastLog = time.Now()
				p.log()
			}
		}
	}
}

func (p *Progress) rate() (done, total int64, perSec float64, eta time.Duration) {
	done, total = p.done.Load(), p.total.Load()
	el := time.Since(p.start).Seconds()
	if el > 0 {
		perSec = float64(done) / el
	}
	if total > 0 && perSec > 0 && done < total {
		eta = time.Duration(float64(total-done) / perSec * float64(time.Second)).Round(time.Second)
	}
	return
}

func (p *Progress) log() {
	done, total, r, eta := p.rate()
	args := []any{"done", done, "unit", p.unit, "per_second", int64(r)}
	if total > 0 {
		args = append(args, "total", total, "eta", eta.String())
	}
	slog.Info(p.label+": progress", args...)
}

func (p *Progress) bar() string {
	done, total, r, eta := p.rate()
	if total <= 0 {
		return fmt.Sprintf("%s: %d %s (%.0f/s)", p.label, done, p.unit, r)
	}
	frac := float64(done) / float64(total)
	if frac > 1 {
		frac = 1
	}
	const width = 30
	n := int(frac * width)
	return fmt.Sprintf("%s [%s%s] %3.0f%% %d/%d %s (%.0f/s, ETA %s)", p.label,
		strings.Repeat("=", n), strings.Repeat(" ", width-n), frac*100, done, total, p.unit, r, eta)
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
