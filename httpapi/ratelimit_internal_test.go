package httpapi

import (
	"strconv"
	"testing"
	"time"
)

// The limiter forgets keys idle past their refill time, and never holds
// more than maxLimiterKeys.
func TestLimiterForgetsIdleKeys(t *testing.T) {
	l := newLimiter(RateLimit{RPS: 10, Burst: 20})
	clock := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	l.now = func() time.Time { return clock }
	for i := 0; i < 1000; i++ {
		l.allow("10.0.0." + strconv.Itoa(i))
	}
	if n := l.len(); n != 1000 {
		t.Fatalf("%d keys, want 1000", n)
	}
	clock = clock.Add(l.ttl / 2)
	l.allow("10.0.0.1") // still recent: kept
	clock = clock.Add(l.ttl/2 + time.Second)
	l.allow("10.0.1.1")
	if n := l.len(); n != 2 {
		t.Errorf("%d keys after the others went idle, want 2", n)
	}
	for i := 0; i < maxLimiterKeys+10; i++ {
		l.allow(strconv.Itoa(i))
	}
	if n := l.len(); n != maxLimiterKeys {
		t.Errorf("%d keys, want at most %d", n, maxLimiterKeys)
	}
	if newLimiter(RateLimit{}) != nil {
		t.Error("a zero RateLimit limits")
	}
}
