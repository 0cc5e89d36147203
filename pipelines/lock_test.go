package pipelines

import (
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

func discardLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func TestLockIsExclusiveAndNamesTheHolder(t *testing.T) {
	db := filepath.Join(t.TempDir(), "pacer.duckdb")
	first, err := AcquireLock(db, "run")
	if err != nil {
		t.Fatal(err)
	}
	_, err = AcquireLock(db, "sync")
	if !errors.Is(err, ErrLocked) {
		t.Fatalf("second lock: got %v, want ErrLocked", err)
	}
	if !strings.Contains(err.Error(), "pid "+strconv.Itoa(os.Getpid())) || !strings.Contains(err.Error(), "pacer run") {
		t.Errorf("error does not name the holder: %v", err)
	}
	if err := first.Release(); err != nil {
		t.Fatal(err)
	}
	again, err := AcquireLock(db, "run")
	if err != nil {
		t.Fatalf("lock after release: %v", err)
	}
	again.Release()
}
