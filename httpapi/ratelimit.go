package httpapi

import (
	"context"
	"fmt"
	"math"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"sync"
	"time"

	lru "github.com/hashicorp/golang-lru/v2/simplelru"
	"golang.org/x/time/rate"

	"github.com/thidua/thidua/auth"
	"github.com/thidua/thidua/domain"
)

// RateLimit is a token bucket per key: RPS requests a second on average,
// Burst at once. RPS 0 is no limit.
type RateLimit struct {
	RPS   float64
	Burst int
}

// maxLimiterKeys bounds the limiter's memory: past it the least recently
// seen key is forgotten (its next request starts with a full bucket).
const maxLimiterKeys = 100_000

// limiter keeps one token bucket per key; buckets idle longer than ttl
// (by then they are full again) are dropped.
type limiter struct {
	limit rate.Limit
	burst int
	ttl   time.Duration
	now   func() time.Time

	mu   sync.Mutex
	keys *lru.LRU[string, *bucket]
}

type bucket struct {
	lim  *rate.Limiter
	seen time.Time
}

func newLimiter(rl RateLimit) *limiter {
	if rl.RPS <= 0 {
		return nil
	}
	burst := rl.Burst
	if burst <= 0 {
		burst = max(1, int(math.Ceil(rl.RPS)))
	}
	// A bucket refills in burst/RPS; keep it a little longer, at least a minute.
	ttl := max(time.Minute, 2*time.Duration(float64(burst)/rl.RPS*float64(time.Second)))
	keys, _ := lru.NewLRU[string, *bucket](maxLimiterKeys, nil)
	return &limiter{limit: rate.Limit(rl.RPS), burst: burst, ttl: ttl, now: time.Now, keys: keys}
}

// allow takes a token for key; when there is none it returns how long
// until there will be.
func (l *limiter) allow(key string) (time.Duration, bool) {
	now := l.now()
	l.mu.Lock()
	for {
		_, b, ok := l.keys.GetOldest()
		if !ok || now.Sub(b.seen) < l.ttl {
			break
		}
		l.keys.RemoveOldest()
	}
	b, ok := l.keys.Get(key)
	if !ok {
		b = &bucket{lim: rate.NewLimiter(l.limit, l.burst)}
		l.keys.Add(key, b)
	}
	b.seen = now
	l.mu.Unlock()
	res := b.lim.ReserveN(now, 1)
	if d := res.DelayFrom(now); d > 0 {
		res.CancelAt(now)
		return d, false
	}
	return 0, true
}

func (l *limiter) len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.keys.Len()
}

// limitBy refuses a request over the limit of the key keyOf gives it ("" is
// not limited) with 429, Retry-After and RATE_LIMITED.
func limitBy(l *limiter, keyOf func(*http.Request) string, next http.Handler) http.Handler {
	if l == nil {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if key := keyOf(r); key != "" {
			if wait, ok := l.allow(key); !ok {
				secs, msg := retryIn(wait)
				w.Header().Set("Retry-After", strconv.Itoa(secs))
				writeError(w, domain.CodeRateLimited, msg)
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// retryIn is the whole seconds (at least one) a refused caller waits, and
// the message that says so.
func retryIn(wait time.Duration) (int, string) {
	secs := max(1, int(math.Ceil(wait.Seconds())))
	return secs, fmt.Sprintf("too many requests; retry in %d s", secs)
}

// operationLimitKey holds, in a WebSocket connection's context, the check
// each of its operations passes (withOperationLimits).
type operationLimitKey struct{}

// withOperationLimits makes every operation of a long-lived connection (a
// WebSocket) count against the same limits as a request over HTTP: the
// connection's address, and its caller's subject once connection_init has
// said who it is. The transport asks AllowOperation for each.
func withOperationLimits(byAddress, bySubject *limiter, next http.Handler) http.Handler {
	if byAddress == nil && bySubject == nil {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		addr := clientAddress(r)
		check := func(ctx context.Context) error {
			keys := []struct {
				l   *limiter
				key string
			}{{byAddress, addr}, {bySubject, subjectKey(auth.FromContext(ctx))}}
			for _, k := range keys {
				if k.l == nil || k.key == "" {
					continue
				}
				if wait, ok := k.l.allow(k.key); !ok {
					_, msg := retryIn(wait)
					return &domain.Error{Code: domain.CodeRateLimited, Message: msg}
				}
			}
			return nil
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), operationLimitKey{}, check)))
	})
}

// AllowOperation counts one operation of the WebSocket connection ctx
// belongs to against its rate limits: nil, or a RATE_LIMITED error that
// says when to retry. Outside a limited connection it allows everything.
func AllowOperation(ctx context.Context) error {
	if check, ok := ctx.Value(operationLimitKey{}).(func(context.Context) error); ok {
		return check(ctx)
	}
	return nil
}

// connLimit counts the open connections (WebSockets) of each client
// address, so that one address cannot take every connection the process
// allows.
type connLimit struct {
	max  int
	mu   sync.Mutex
	open map[string]int
}

func newConnLimit(n int) *connLimit {
	if n <= 0 {
		return nil
	}
	return &connLimit{max: n, open: map[string]int{}}
}

func (c *connLimit) acquire(key string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.open[key] >= c.max {
		return false
	}
	c.open[key]++
	return true
}

func (c *connLimit) release(key string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.open[key]--; c.open[key] <= 0 {
		delete(c.open, key)
	}
}

// limitConnections refuses a connection over its address's limit with 429
// RATE_LIMITED before it is upgraded; the place is held until the
// connection ends (the handler returns).
func limitConnections(c *connLimit, keyOf func(*http.Request) string, next http.Handler) http.Handler {
	if c == nil {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key := keyOf(r)
		if !c.acquire(key) {
			w.Header().Set("Retry-After", "10")
			writeError(w, domain.CodeRateLimited, fmt.Sprintf("too many connections from this address (limit %d)", c.max))
			return
		}
		defer c.release(key)
		next.ServeHTTP(w, r)
	})
}

// clientAddress is the key of a caller's address: the IP of the connection
// (an IPv6 client by its /64, which one host usually holds whole).
func clientAddress(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return host
	}
	ip = ip.Unmap()
	if ip.Is6() {
		p, _ := ip.Prefix(64)
		return p.String()
	}
	return ip.String()
}

// tokenSubject is the key of an authenticated caller ("" when anonymous).
func tokenSubject(r *http.Request) string { return subjectKey(auth.FromContext(r.Context())) }

func subjectKey(p *auth.Principal) string {
	if p != nil {
		return "sub:" + p.Subject
	}
	return ""
}
