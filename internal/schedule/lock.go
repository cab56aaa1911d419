package schedule

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// A run holds its pipeline's lock: a file in the data directory, locked
// with flock, so that the processes sharing that directory (and so its
// managed ClickHouse) — 'vigie serve' and a 'vigie run' beside it — never
// run one pipeline twice. The system releases the lock when the process
// ends, however it ends, so a kill -9 leaves nothing to clean. Processes
// on other machines sharing an external ClickHouse are not covered: give
// them one data directory on a shared file system, or one scheduler.

// LockedError is a pipeline already run by another process.
type LockedError struct {
	Pipeline string
	Holder   string // what the holder wrote: pid, run id, start
}

func (e *LockedError) Error() string {
	msg := fmt.Sprintf("pipeline %s is already running in another process", e.Pipeline)
	if e.Holder != "" {
		msg += " (" + e.Holder + ")"
	}
	return msg
}

// Is makes a LockedError an ErrRunning.
func (e *LockedError) Is(target error) bool { return target == ErrRunning }

// runLock is a held pipeline lock.
type runLock struct {
	f      *os.File
	shared bool
}

// share turns a held lock into a shared one.
func (l *runLock) share() error {
	l.shared = true
	l.f.Truncate(0)
	return share(l.f)
}

func lockPath(dir, pipeline string) string {
	return filepath.Join(dir, strings.ReplaceAll(pipeline, string(filepath.Separator), "_")+".lock")
}

// lockShared takes a lock that runs by hand of one source share ('vigie
// ingest decp' twice at once is allowed, as before): alone is true when
// no other process held it, so that the runs recorded running under the
// name are dead.
func lockShared(dir, name string) (l *runLock, alone bool, err error) {
	l, err = lockPipeline(dir, name)
	if err == nil {
		return l, true, nil
	}
	if !errors.Is(err, ErrRunning) {
		return nil, false, err
	}
	f, err := os.OpenFile(lockPath(dir, name), os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, false, fmt.Errorf("run lock: %w", err)
	}
	// Another run by hand may be turning its lock from exclusive to
	// shared: wait a moment for it.
	for try := 0; ; try++ {
		err := share(f)
		if err == nil {
			break
		}
		if !errors.Is(err, errLocked) || try == 50 {
			f.Close()
			return nil, false, fmt.Errorf("run lock %s: %w", f.Name(), err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	return &runLock{f: f, shared: true}, false, nil
}

// lockPipeline takes the pipeline's lock without waiting: a *LockedError
// when another process holds it.
func lockPipeline(dir, pipeline string) (*runLock, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("pipeline locks: %w", err)
	}
	f, err := os.OpenFile(lockPath(dir, pipeline), os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("pipeline lock: %w", err)
	}
	if err := tryLock(f); err != nil {
		holder, _ := os.ReadFile(f.Name())
		f.Close()
		if errors.Is(err, errLocked) {
			return nil, &LockedError{Pipeline: pipeline, Holder: strings.TrimSpace(string(holder))}
		}
		return nil, fmt.Errorf("pipeline lock %s: %w", f.Name(), err)
	}
	return &runLock{f: f}, nil
}

// describe writes who holds the lock, for the message another process
// gets.
func (l *runLock) describe(runID string, started time.Time) {
	if l.shared {
		return
	}
	l.f.Truncate(0)
	l.f.WriteAt([]byte(fmt.Sprintf("pid %d, run %s, started %s\n", os.Getpid(), runID, started.UTC().Format(time.RFC3339))), 0)
}

func (l *runLock) release() {
	if !l.shared {
		l.f.Truncate(0)
	}
	unlock(l.f)
	l.f.Close()
}
