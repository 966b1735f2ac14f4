package main

import (
	"context"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
)

// gcHeadroom is how far the heap may grow past its live data between two
// collections. Go's default (GOGC=100) lets it grow by the live heap's own
// size: a few tens of MB here, which every request's garbage fills in
// milliseconds, so the collector ran all the time (a fifth of a 50-award
// page's CPU at 1,000 awards, bench/LAYERS.md). A fixed headroom keeps the
// memory bound (live + 64 MiB) and GOGC=100 once the live heap is larger
// than the headroom (100,000 awards), so big data sets keep their memory.
const gcHeadroom = 64 << 20

// GOGC bounds for the tuner.
const minGCPercent, maxGCPercent = 100, 800

// tuneGC sets GOGC after every collection so that the next one comes
// after about headroom bytes of allocation (within the bounds), until ctx
// ends. It does nothing when GOGC is set in the environment: the
// operator's setting stands.
func tuneGC(ctx context.Context, gogc string, headroom uint64) {
	if gogc != "" {
		return
	}
	sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	current := 100
	// A finalizer runs once a collection has found its object unreachable:
	// each run sets GOGC and arms the next one.
	type sentinel struct{ _ *int }
	var onGC func(*sentinel)
	onGC = func(*sentinel) {
		if ctx.Err() != nil {
			return
		}
		metrics.Read(sample)
		if sample[0].Value.Kind() == metrics.KindUint64 {
			if pct := gcPercent(sample[0].Value.Uint64(), headroom); pct != current {
				debug.SetGCPercent(pct)
				current = pct
			}
		}
		runtime.SetFinalizer(&sentinel{}, onGC)
	}
	runtime.SetFinalizer(&sentinel{}, onGC)
}

// gcPercent is the GOGC that lets a heap of live bytes grow by headroom,
// within the bounds, in steps of 10 (no change for every small drift).
func gcPercent(live, headroom uint64) int {
	if live == 0 {
		return maxGCPercent
	}
	pct := int(headroom*100/live) / 10 * 10
	return max(minGCPercent, min(maxGCPercent, pct))
}
