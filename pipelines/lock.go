package pipelines

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"syscall"
	"time"
)

// ErrLocked is returned by AcquireLock when another run holds the lock; the
// CLI exits 75 (EX_TEMPFAIL) so that cron and Airflow retry later.
var ErrLocked = errors.New("another pacer run holds the lock")

// Holder describes the process holding a lock.
type Holder struct {
	PID     int       `json:"pid"`
	Host    string    `json:"host"`
	Command string    `json:"command"`
	Started time.Time `json:"started"`
}

// Lock is an exclusive advisory lock on a warehouse (flock on <db>.lock).
// The kernel releases it when the process dies, so a crash never leaves a
// stale lock.
type Lock struct {
	f    *os.File
	path string
}

// AcquireLock takes the lock for the warehouse at dbPath without waiting.
// When another process holds it, the error wraps ErrLocked and names the
// holder.
func AcquireLock(dbPath, command string) (*Lock, error) {
	path := dbPath + ".lock"
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		defer f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			var h Holder
			b, _ := os.ReadFile(path)
			if json.Unmarshal(b, &h) == nil && h.PID != 0 {
				return nil, fmt.Errorf("%w: pid %d on %s (pacer %s, started %s); retry when it has finished",
					ErrLocked, h.PID, h.Host, h.Command, h.Started.Format(time.RFC3339))
			}
			return nil, fmt.Errorf("%w on %s", ErrLocked, dbPath)
		}
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	host, _ := os.Hostname()
	b, _ := json.Marshal(Holder{PID: os.Getpid(), Host: host, Command: command, Started: time.Now().UTC()})
	if err := f.Truncate(0); err == nil {
		_, _ = f.WriteAt(append(b, '\n'), 0)
	}
	return &Lock{f: f, path: path}, nil
}

// Release frees the lock.
func (l *Lock) Release() error {
	if l == nil || l.f == nil {
		return nil
	}
	_ = l.f.Truncate(0)
	err := syscall.Flock(int(l.f.Fd()), syscall.LOCK_UN)
	return errors.Join(err, l.f.Close())
}
