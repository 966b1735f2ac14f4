package main

import (
	"context"
	"runtime"
	"runtime/debug"
	"testing"
	"time"
)

func TestGCPercent(t *testing.T) {
	for _, c := range []struct {
		live, headroom uint64
		want           int
	}{
		{0, 96 << 20, maxGCPercent},
		{4 << 20, 96 << 20, maxGCPercent}, // a tiny heap: the upper bound
		{24 << 20, 96 << 20, 400},
		{40 << 20, 96 << 20, 240},
		{96 << 20, 96 << 20, 100},
		{300 << 20, 96 << 20, minGCPercent}, // a big heap keeps Go's default
	} {
		if got := gcPercent(c.live, c.headroom); got != c.want {
			t.Errorf("gcPercent(%d MiB, %d MiB) = %d, want %d", c.live>>20, c.headroom>>20, got, c.want)
		}
	}
}

// The tuner sets GOGC after a collection, and leaves an operator's GOGC
// alone.
func TestTuneGC(t *testing.T) {
	old := debug.SetGCPercent(100)
	defer debug.SetGCPercent(old)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	tuneGC(ctx, "150", 1<<40)
	runtime.GC()
	time.Sleep(50 * time.Millisecond)
	if got := debug.SetGCPercent(100); got != 100 {
		t.Fatalf("with GOGC set, GOGC became %d", got)
	}

	tuneGC(ctx, "", 1<<40) // a headroom far above the live heap: the upper bound
	deadline := time.Now().Add(5 * time.Second)
	for {
		runtime.GC()
		time.Sleep(10 * time.Millisecond)
		got := debug.SetGCPercent(100)
		if got == maxGCPercent {
			break
		}
		debug.SetGCPercent(got)
		if time.Now().After(deadline) {
			t.Fatalf("GOGC is %d after collections, want %d", got, maxGCPercent)
		}
	}
	cancel()
	runtime.GC()
	runtime.GC()
}
