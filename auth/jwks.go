package auth

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"net/http"
	"sync"
	"time"
)

// KeySet is the signing keys of an OpenID provider, read from its JWKS URL.
// Keys are cached; the set is read again on a schedule (Run, Refresh) and
// when a token names an unknown kid, at most once per MinRefresh. The two
// are separate: a scheduled or start-up read does not use up the unknown-kid
// allowance, so a key published just after such a read is accepted on first
// sight. When the provider is down, the cached keys keep working.
type KeySet struct {
	url        string
	client     *http.Client
	logger     *slog.Logger
	minRefresh time.Duration
	now        func() time.Time

	mu          sync.RWMutex
	keys        map[string]jwk // by kid
	fetched     time.Time      // last successful read
	unknownRead time.Time      // last read attempt triggered by an unknown kid

	refreshMu sync.Mutex // one read at a time
}

type jwk struct {
	alg string // the alg the key is for (RS256, ES256, EdDSA)
	key crypto.PublicKey
}

// KeySetConfig configures a KeySet.
type KeySetConfig struct {
	URL        string
	Client     *http.Client     // default: 5 s timeout
	MinRefresh time.Duration    // least time between reads for unknown kids; default 30 s
	Logger     *slog.Logger     // default: slog.Default()
	Now        func() time.Time // default: time.Now
}

// NewKeySet returns a key set for cfg.URL; it reads nothing yet.
func NewKeySet(cfg KeySetConfig) *KeySet {
	if cfg.Client == nil {
		cfg.Client = &http.Client{Timeout: 5 * time.Second}
	}
	if cfg.MinRefresh == 0 {
		cfg.MinRefresh = 30 * time.Second
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &KeySet{url: cfg.URL, client: cfg.Client, logger: cfg.Logger, minRefresh: cfg.MinRefresh,
		now: cfg.Now, keys: map[string]jwk{}}
}

// Refresh reads the key set now. On failure the cached keys stay.
func (s *KeySet) Refresh(ctx context.Context) error {
	s.refreshMu.Lock()
	defer s.refreshMu.Unlock()
	return s.refresh(ctx)
}

func (s *KeySet) refresh(ctx context.Context) error {
	keys, err := s.fetch(ctx)
	if err != nil {
		return fmt.Errorf("jwks %s: %w", s.url, err)
	}
	s.mu.Lock()
	s.keys, s.fetched = keys, s.now()
	s.mu.Unlock()
	return nil
}

// Run refreshes the keys every interval until ctx ends.
func (s *KeySet) Run(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := s.Refresh(ctx); err != nil && ctx.Err() == nil {
				s.logger.WarnContext(ctx, "JWKS refresh failed; keeping the cached keys", "err", err)
			}
		}
	}
}

// key returns the key for kid and alg, reading the set again (rate-limited)
// when kid is unknown.
func (s *KeySet) key(ctx context.Context, kid, alg string) (crypto.PublicKey, error) {
	if k, ok := s.cached(kid); ok {
		return k.check(alg)
	}
	s.refreshMu.Lock()
	if _, ok := s.cached(kid); !ok {
		// Only reads for unknown kids count against the allowance, and an
		// attempt counts whether it succeeds or not (a provider that is
		// down is not hammered either).
		s.mu.Lock()
		now := s.now()
		due := s.unknownRead.IsZero() || now.Sub(s.unknownRead) >= s.minRefresh
		if due {
			s.unknownRead = now
		}
		s.mu.Unlock()
		if due {
			if err := s.refresh(ctx); err != nil {
				s.logger.WarnContext(ctx, "JWKS refresh for an unknown key failed", "kid", kid, "err", err)
			}
		}
	}
	s.refreshMu.Unlock()
	k, ok := s.cached(kid)
	if !ok {
		return nil, fmt.Errorf("unknown key id %q", kid)
	}
	return k.check(alg)
}

func (s *KeySet) cached(kid string) (jwk, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	k, ok := s.keys[kid]
	return k, ok
}

func (k jwk) check(alg string) (crypto.PublicKey, error) {
	if k.alg != alg {
		return nil, fmt.Errorf("key is for %s, token says %s", k.alg, alg)
	}
	return k.key, nil
}

// maxJWKSBytes caps the size of a key set document.
const maxJWKSBytes = 1 << 20

func (s *KeySet) fetch(ctx context.Context) (map[string]jwk, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.url, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/json")
	res, err := s.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("status %d", res.StatusCode)
	}
	var doc struct {
		Keys []map[string]any `json:"keys"`
	}
	if err := json.NewDecoder(io.LimitReader(res.Body, maxJWKSBytes)).Decode(&doc); err != nil {
		return nil, fmt.Errorf("decode: %w", err)
	}
	keys := map[string]jwk{}
	for _, raw := range doc.Keys {
		kid, _ := raw["kid"].(string)
		if use, ok := raw["use"].(string); kid == "" || ok && use != "sig" {
			continue
		}
		k, err := parseJWK(raw)
		if err != nil {
			s.logger.WarnContext(ctx, "JWKS key skipped", "kid", kid, "err", err)
			continue
		}
		keys[kid] = k
	}
	if len(keys) == 0 {
		return nil, errors.New("no usable signing keys")
	}
	return keys, nil
}

// parseJWK reads an RSA (RS256), EC P-256 (ES256) or Ed25519 (EdDSA) key.
func parseJWK(raw map[string]any) (jwk, error) {
	b := func(name string) ([]byte, error) {
		s, _ := raw[name].(string)
		if s == "" {
			return nil, fmt.Errorf("missing %s", name)
		}
		return base64.RawURLEncoding.DecodeString(s)
	}
	alg, _ := raw["alg"].(string)
	want := func(a string) error {
		if alg != "" && alg != a {
			return fmt.Errorf("unsupported alg %s", alg)
		}
		return nil
	}
	kty, _ := raw["kty"].(string)
	crv, _ := raw["crv"].(string)
	switch kty {
	case "RSA":
		if err := want("RS256"); err != nil {
			return jwk{}, err
		}
		n, err := b("n")
		if err != nil {
			return jwk{}, err
		}
		e, err := b("e")
		if err != nil {
			return jwk{}, err
		}
		key := &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(new(big.Int).SetBytes(e).Int64())}
		if key.N.BitLen() < 2048 || key.E < 3 {
			return jwk{}, errors.New("RSA key too weak")
		}
		return jwk{alg: "RS256", key: key}, nil
	case "EC":
		if err := want("ES256"); err != nil {
			return jwk{}, err
		}
		if crv != "P-256" {
			return jwk{}, fmt.Errorf("unsupported curve %q", crv)
		}
		x, err := b("x")
		if err != nil {
			return jwk{}, err
		}
		y, err := b("y")
		if err != nil {
			return jwk{}, err
		}
		pt := append([]byte{4}, append(leftPad(x, 32), leftPad(y, 32)...)...)
		key, err := ecdsa.ParseUncompressedPublicKey(elliptic.P256(), pt)
		if err != nil {
			return jwk{}, err
		}
		return jwk{alg: "ES256", key: key}, nil
	case "OKP":
		if err := want("EdDSA"); err != nil {
			return jwk{}, err
		}
		if crv != "Ed25519" {
			return jwk{}, fmt.Errorf("unsupported curve %q", crv)
		}
		x, err := b("x")
		if err != nil {
			return jwk{}, err
		}
		if len(x) != ed25519.PublicKeySize {
			return jwk{}, errors.New("bad Ed25519 key size")
		}
		return jwk{alg: "EdDSA", key: ed25519.PublicKey(x)}, nil
	}
	return jwk{}, fmt.Errorf("unsupported key type %q", kty)
}

func leftPad(b []byte, n int) []byte {
	if len(b) >= n {
		return b
	}
	return append(make([]byte, n-len(b)), b...)
}
