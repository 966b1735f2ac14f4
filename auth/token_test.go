package auth

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

var (
	testSecret = []byte("0123456789abcdef0123456789abcdef")
	testNow    = time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
)

// provider is an OpenID provider's JWKS endpoint for tests; its keys can be
// rotated, and it can go down.
type provider struct {
	mu    sync.Mutex
	keys  []map[string]any
	down  bool
	reads atomic.Int32
	srv   *httptest.Server
}

func newProvider(t *testing.T) *provider {
	p := &provider{}
	p.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.reads.Add(1)
		p.mu.Lock()
		defer p.mu.Unlock()
		if p.down {
			http.Error(w, "down", http.StatusServiceUnavailable)
			return
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"keys": p.keys})
	}))
	t.Cleanup(p.srv.Close)
	return p
}

func (p *provider) set(down bool, keys ...map[string]any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.keys, p.down = keys, down
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

func rsaJWK(kid string, k *rsa.PrivateKey) map[string]any {
	return map[string]any{"kty": "RSA", "kid": kid, "use": "sig", "alg": "RS256",
		"n": b64(k.N.Bytes()), "e": b64(big.NewInt(int64(k.E)).Bytes())}
}

func ecJWK(kid string, k *ecdsa.PrivateKey) map[string]any {
	pt, _ := k.PublicKey.Bytes()
	return map[string]any{"kty": "EC", "kid": kid, "crv": "P-256", "x": b64(pt[1:33]), "y": b64(pt[33:])}
}

func edJWK(kid string, k ed25519.PrivateKey) map[string]any {
	return map[string]any{"kty": "OKP", "kid": kid, "crv": "Ed25519", "x": b64(k.Public().(ed25519.PublicKey))}
}

type keys struct {
	rsa *rsa.PrivateKey
	ec  *ecdsa.PrivateKey
	ed  ed25519.PrivateKey
}

func newKeys(t *testing.T) keys {
	r, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	e, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	_, d, _ := ed25519.GenerateKey(rand.Reader)
	return keys{r, e, d}
}

func claims(mod func(jwt.MapClaims)) jwt.MapClaims {
	c := jwt.MapClaims{"sub": "u-17", "name": "Hoàng Thị Mai", "iss": "thidua", "aud": "thidua",
		"iat": testNow.Unix(), "exp": testNow.Add(time.Hour).Unix(), "roles": map[string]any{"lang-son": "editor"}}
	if mod != nil {
		mod(c)
	}
	return c
}

func sign(t *testing.T, m jwt.SigningMethod, kid string, key crypto.PrivateKey, c jwt.MapClaims) string {
	t.Helper()
	return signHeader(t, m, kid, key, c, nil)
}

// signHeader signs c with extra header parameters.
func signHeader(t *testing.T, m jwt.SigningMethod, kid string, key crypto.PrivateKey, c jwt.MapClaims, header map[string]any) string {
	t.Helper()
	tok := jwt.NewWithClaims(m, c)
	if kid != "" {
		tok.Header["kid"] = kid
	}
	for k, v := range header {
		tok.Header[k] = v
	}
	s, err := tok.SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func newTestVerifier(t *testing.T, ks *KeySet, mod func(*VerifierConfig)) *Verifier {
	cfg := VerifierConfig{Secret: testSecret, Keys: ks, Issuer: "thidua", Audience: "thidua",
		Now: func() time.Time { return testNow }}
	if mod != nil {
		mod(&cfg)
	}
	v, err := NewVerifier(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// Every attack of RFC 8725 that applies here is refused.
func TestTokenHygiene(t *testing.T) {
	k := newKeys(t)
	p := newProvider(t)
	p.set(false, rsaJWK("r1", k.rsa))
	ks := NewKeySet(KeySetConfig{URL: p.srv.URL, Logger: quiet(), Now: func() time.Time { return testNow }})
	v := newTestVerifier(t, ks, nil)

	hs := func(mod func(jwt.MapClaims)) string {
		return sign(t, jwt.SigningMethodHS256, "", testSecret, claims(mod))
	}
	crit := func(h map[string]any) string {
		return signHeader(t, jwt.SigningMethodHS256, "", testSecret, claims(nil), h)
	}
	good := hs(nil)
	parts := strings.Split(good, ".")
	pubPEM := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: must(x509.MarshalPKIXPublicKey(&k.rsa.PublicKey))})
	big := strings.Repeat("a", MaxTokenBytes)
	// A signature whose last base64 character has unused bits set decodes,
	// leniently, to the same bytes: a non-canonical encoding.
	sig := parts[2]
	last := strings.IndexByte("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", sig[len(sig)-1])
	nonCanonical := parts[0] + "." + parts[1] + "." + sig[:len(sig)-1] +
		string("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"[last|1])

	refused := map[string]string{
		"alg none":                            "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0." + parts[1] + ".",
		"alg none, signed":                    sign(t, jwt.SigningMethodNone, "", jwt.UnsafeAllowNoneSignatureType, claims(nil)),
		"HS256 keyed with the RSA public key": sign(t, jwt.SigningMethodHS256, "r1", pubPEM, claims(nil)),
		"HS384":                               sign(t, jwt.SigningMethodHS384, "", testSecret, claims(nil)),
		"RS256 with an unknown key":           sign(t, jwt.SigningMethodRS256, "r1", must(rsa.GenerateKey(rand.Reader, 2048)), claims(nil)),
		"RS256 without kid":                   sign(t, jwt.SigningMethodRS256, "", k.rsa, claims(nil)),
		"ES256 signed, kid of the RSA key":    sign(t, jwt.SigningMethodES256, "r1", k.ec, claims(nil)),
		"tampered payload":                    parts[0] + "." + b64([]byte(`{"sub":"u-17","roles":{"*":"admin"},"iss":"thidua","aud":"thidua","exp":9999999999}`)) + "." + parts[2],
		"stripped signature":                  parts[0] + "." + parts[1] + ".",
		"two parts":                           parts[0] + "." + parts[1],
		"missing exp":                         hs(func(c jwt.MapClaims) { delete(c, "exp") }),
		"exp past the leeway":                 hs(func(c jwt.MapClaims) { c["exp"] = testNow.Add(-31 * time.Second).Unix() }),
		"future iat":                          hs(func(c jwt.MapClaims) { c["iat"] = testNow.Add(5 * time.Minute).Unix() }),
		"future nbf":                          hs(func(c jwt.MapClaims) { c["nbf"] = testNow.Add(5 * time.Minute).Unix() }),
		"wrong iss":                           hs(func(c jwt.MapClaims) { c["iss"] = "evil" }),
		"missing iss":                         hs(func(c jwt.MapClaims) { delete(c, "iss") }),
		"missing aud":                         hs(func(c jwt.MapClaims) { delete(c, "aud") }),
		"foreign aud":                         hs(func(c jwt.MapClaims) { c["aud"] = []string{"other-app"} }),
		"non-canonical base64":                nonCanonical,
		"padded base64":                       parts[0] + "." + parts[1] + "=." + parts[2],
		"oversized":                           hs(func(c jwt.MapClaims) { c["pad"] = big }),
		"unknown role":                        hs(func(c jwt.MapClaims) { c["roles"] = map[string]any{"lang-son": "superuser"} }),
		"roles not an object":                 hs(func(c jwt.MapClaims) { c["roles"] = []string{"editor"} }),
		"role not a string":                   hs(func(c jwt.MapClaims) { c["roles"] = map[string]any{"lang-son": 3} }),
		"malformed scope":                     hs(func(c jwt.MapClaims) { c["roles"] = map[string]any{"Lạng Sơn": "editor"} }),
		"no subject":                          hs(func(c jwt.MapClaims) { delete(c, "sub") }),
		"name not a string":                   hs(func(c jwt.MapClaims) { c["name"] = 7 }),
		"exp not a number":                    hs(func(c jwt.MapClaims) { c["exp"] = "tomorrow" }),
		// RFC 7515 §4.1.11: we understand no extension, so any crit refuses.
		"crit naming an extension":           crit(map[string]any{"crit": []string{"b64"}, "b64": false}),
		"crit naming an absent extension":    crit(map[string]any{"crit": []string{"urn:example:x"}}),
		"crit naming a registered parameter": crit(map[string]any{"crit": []string{"alg"}}),
		"crit naming several":                crit(map[string]any{"crit": []string{"exp", "urn:example:x"}, "exp": 1}),
		"crit empty":                         crit(map[string]any{"crit": []string{}}),
		"crit a string":                      crit(map[string]any{"crit": "b64"}),
		"crit null":                          crit(map[string]any{"crit": nil}),
		"crit not strings":                   crit(map[string]any{"crit": []any{1, true}}),
		"crit an object":                     crit(map[string]any{"crit": map[string]any{"b64": true}}),
		"crit, provider key":                 signHeader(t, jwt.SigningMethodRS256, "r1", k.rsa, claims(nil), map[string]any{"crit": []string{"urn:example:x"}}),
		"crit, hand-written header":          hsRaw(t, `{"alg":"HS256","typ":"JWT","crit":["urn:example:x"]}`, parts[1]),
		"crit escaped, hand-written header":  hsRaw(t, `{"alg":"HS256","typ":"JWT","cr\u0069t":["urn:example:x"]}`, parts[1]),
		"crit duplicated, last null":         hsRaw(t, `{"alg":"HS256","crit":["urn:example:x"],"crit":null}`, parts[1]),
	}
	if nonCanonical == good {
		t.Fatal("the non-canonical variant equals the token")
	}
	mw := Middleware(v, quiet())(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("a refused token reached the handler as %+v", FromContext(r.Context()))
	}))
	for name, tok := range refused {
		if p, err := v.Verify(context.Background(), tok); err == nil {
			t.Errorf("%s: accepted as %+v", name, p)
		}
		rec := httptest.NewRecorder()
		req := httptest.NewRequest(http.MethodPost, "/graphql", nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		mw.ServeHTTP(rec, req)
		if rec.Code != http.StatusUnauthorized || rec.Header().Get("WWW-Authenticate") != `Bearer error="invalid_token"` ||
			!strings.Contains(rec.Body.String(), `"code":"UNAUTHENTICATED"`) {
			t.Errorf("%s: HTTP %d %q %s", name, rec.Code, rec.Header().Get("WWW-Authenticate"), rec.Body)
		}
	}

	accepted := map[string]string{
		"HS256":                    good,
		"exp within the leeway":    hs(func(c jwt.MapClaims) { c["exp"] = testNow.Add(-20 * time.Second).Unix() }),
		"aud among several":        hs(func(c jwt.MapClaims) { c["aud"] = []string{"other", "thidua"} }),
		"RS256 from the provider":  sign(t, jwt.SigningMethodRS256, "r1", k.rsa, claims(nil)),
		"no roles (authenticated)": hs(func(c jwt.MapClaims) { delete(c, "roles") }),
	}
	for name, tok := range accepted {
		if _, err := v.Verify(context.Background(), tok); err != nil {
			t.Errorf("%s: refused: %v", name, err)
		}
	}
	pr, err := v.Verify(context.Background(), good)
	if err != nil || pr.Subject != "u-17" || pr.Name != "Hoàng Thị Mai" || pr.RoleIn("lang-son") != Editor || pr.RoleIn("cao-bang") != None {
		t.Errorf("principal %+v, %v", pr, err)
	}
}

// hsRaw signs a hand-written header and a payload (both as the token's
// parts) with the test secret.
func hsRaw(t *testing.T, header, payload string) string {
	t.Helper()
	signing := b64([]byte(header)) + "." + payload
	sig, err := jwt.SigningMethodHS256.Sign(signing, testSecret)
	if err != nil {
		t.Fatal(err)
	}
	return signing + "." + b64(sig)
}

// Principal.Expires is the token's exp, whatever the key, also within the
// leeway after it.
func TestPrincipalExpires(t *testing.T) {
	k := newKeys(t)
	p := newProvider(t)
	p.set(false, edJWK("d1", k.ed))
	ks := NewKeySet(KeySetConfig{URL: p.srv.URL, Logger: quiet(), Now: func() time.Time { return testNow }})
	v := newTestVerifier(t, ks, nil)
	for name, tc := range map[string]struct {
		exp time.Time
		m   jwt.SigningMethod
		kid string
		key crypto.PrivateKey
	}{
		"HS256, in an hour":        {testNow.Add(time.Hour), jwt.SigningMethodHS256, "", testSecret},
		"HS256, in eight hours":    {testNow.Add(8 * time.Hour), jwt.SigningMethodHS256, "", testSecret},
		"HS256, within the leeway": {testNow.Add(-20 * time.Second), jwt.SigningMethodHS256, "", testSecret},
		"EdDSA, in twenty minutes": {testNow.Add(20 * time.Minute), jwt.SigningMethodEdDSA, "d1", k.ed},
	} {
		tok := sign(t, tc.m, tc.kid, tc.key, claims(func(c jwt.MapClaims) { c["exp"] = tc.exp.Unix() }))
		pr, err := v.Verify(context.Background(), tok)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if !pr.Expires.Equal(tc.exp) {
			t.Errorf("%s: Expires %v, want %v", name, pr.Expires, tc.exp)
		}
	}
	// Issue's tokens too (the token command).
	tok, err := Issue(IssueConfig{Secret: testSecret, Issuer: "thidua", Audience: "thidua", Subject: "u",
		Roles: map[string]string{"*": "viewer"}, TTL: 8 * time.Hour, Now: testNow})
	if err != nil {
		t.Fatal(err)
	}
	if pr, err := v.Verify(context.Background(), tok); err != nil || !pr.Expires.Equal(testNow.Add(8*time.Hour)) {
		t.Errorf("issued token: %+v, %v", pr, err)
	}
}

// A key the provider publishes right after the start-up read, or right after
// a scheduled read, is accepted on first sight: those reads do not use up
// the unknown-kid allowance. Unknown kids are still limited to one read per
// window. The key set's clock never moves here, so no window ever ends.
func TestJWKSNewKeyAfterScheduledRead(t *testing.T) {
	k := newKeys(t)
	p := newProvider(t)
	p.set(false, rsaJWK("r1", k.rsa))
	ks := NewKeySet(KeySetConfig{URL: p.srv.URL, Logger: quiet(), Now: func() time.Time { return testNow },
		MinRefresh: 30 * time.Second})
	v := newTestVerifier(t, ks, func(c *VerifierConfig) { c.Secret = nil })
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	// Start-up read, as server.go does.
	if err := ks.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	if n := p.reads.Load(); n != 1 {
		t.Fatalf("start-up: %d reads, want 1", n)
	}
	// The provider publishes a new key; a token signed with it comes at once.
	k2 := newKeys(t)
	p.set(false, rsaJWK("r1", k.rsa), ecJWK("e2", k2.ec))
	if _, err := v.Verify(ctx, sign(t, jwt.SigningMethodES256, "e2", k2.ec, claims(nil))); err != nil {
		t.Fatalf("key published after the start-up read: %v", err)
	}
	if n := p.reads.Load(); n != 2 {
		t.Errorf("%d reads after the new key, want 2", n)
	}
	// A flood of made-up kids: that read used up the window, so none more.
	before := p.reads.Load()
	for i := 0; i < 20; i++ {
		_, _ = v.Verify(ctx, sign(t, jwt.SigningMethodES256, fmt.Sprintf("made-up-%d", i), k2.ec, claims(nil)))
	}
	if n := p.reads.Load() - before; n > 1 {
		t.Errorf("20 unknown-kid tokens read the provider %d times, want at most 1", n)
	}

	// Scheduled reads (Run) go on regardless of the window, and leave the
	// allowance alone.
	k3 := newKeys(t)
	p.set(false, edJWK("d3", k3.ed))
	go ks.Run(ctx, 10*time.Millisecond)
	deadline := time.Now().Add(5 * time.Second)
	for {
		if _, ok := ks.cached("d3"); ok {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("scheduled reads did not pick up the provider's new key")
		}
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	if _, err := v.Verify(context.Background(), sign(t, jwt.SigningMethodEdDSA, "d3", k3.ed, claims(nil))); err != nil {
		t.Errorf("key read on schedule: %v", err)
	}
}

// Several scheduled reads in a row leave the allowance whole: a key
// published right after them is accepted at once, and a flood of made-up
// kids then reads at most once. A flood first takes the window, and a key
// published in it waits for the next window (or scheduled read).
func TestJWKSNewKeyRightAfterScheduledRead(t *testing.T) {
	k := newKeys(t)
	p := newProvider(t)
	p.set(false, rsaJWK("r1", k.rsa))
	clock := testNow
	var mu sync.Mutex
	now := func() time.Time { mu.Lock(); defer mu.Unlock(); return clock }
	advance := func(d time.Duration) { mu.Lock(); clock = clock.Add(d); mu.Unlock() }
	ks := NewKeySet(KeySetConfig{URL: p.srv.URL, Logger: quiet(), Now: now})
	v := newTestVerifier(t, ks, func(c *VerifierConfig) { c.Secret = nil })
	ctx := context.Background()
	for i := 0; i < 3; i++ { // start-up and two scheduled reads, no time passing
		if err := ks.Refresh(ctx); err != nil {
			t.Fatal(err)
		}
	}
	k2 := newKeys(t)
	p.set(false, rsaJWK("r1", k.rsa), rsaJWK("r2", k2.rsa))
	if _, err := v.Verify(ctx, sign(t, jwt.SigningMethodRS256, "r2", k2.rsa, claims(nil))); err != nil {
		t.Fatalf("key published after a scheduled read: %v", err)
	}
	before := p.reads.Load()
	for i := 0; i < 20; i++ {
		_, _ = v.Verify(ctx, sign(t, jwt.SigningMethodRS256, fmt.Sprintf("nope-%d", i), k2.rsa, claims(nil)))
	}
	if n := p.reads.Load() - before; n > 1 {
		t.Errorf("20 unknown-kid tokens read the provider %d times, want at most 1", n)
	}

	// A new window: a flood reads exactly once, ...
	advance(30 * time.Second)
	before = p.reads.Load()
	for i := 0; i < 20; i++ {
		_, _ = v.Verify(ctx, sign(t, jwt.SigningMethodRS256, fmt.Sprintf("flood-%d", i), k2.rsa, claims(nil)))
	}
	if n := p.reads.Load() - before; n != 1 {
		t.Errorf("20 unknown-kid tokens in a new window read the provider %d times, want 1", n)
	}
	// ... a key published now waits, ...
	k3 := newKeys(t)
	p.set(false, rsaJWK("r3", k3.rsa))
	tok := sign(t, jwt.SigningMethodRS256, "r3", k3.rsa, claims(nil))
	advance(29 * time.Second)
	if _, err := v.Verify(ctx, tok); err == nil {
		t.Error("a key published inside a flooded window was read before the window ended")
	}
	// ... until the window ends.
	advance(time.Second)
	if _, err := v.Verify(ctx, tok); err != nil {
		t.Errorf("key after the window: %v", err)
	}
}

// Provider keys of every supported kind verify tokens; keys rotate; the
// provider going down does not stop cached keys; unknown kids do not make
// the verifier hammer the provider.
func TestJWKSRotationAndOutage(t *testing.T) {
	k := newKeys(t)
	p := newProvider(t)
	p.set(false, rsaJWK("r1", k.rsa), ecJWK("e1", k.ec), edJWK("d1", k.ed))
	clock := testNow
	var mu sync.Mutex
	now := func() time.Time { mu.Lock(); defer mu.Unlock(); return clock }
	advance := func(d time.Duration) { mu.Lock(); clock = clock.Add(d); mu.Unlock() }
	ks := NewKeySet(KeySetConfig{URL: p.srv.URL, Logger: quiet(), Now: now, MinRefresh: 30 * time.Second})
	v := newTestVerifier(t, ks, func(c *VerifierConfig) { c.Secret = nil })
	ctx := context.Background()

	for name, tok := range map[string]string{
		"RS256": sign(t, jwt.SigningMethodRS256, "r1", k.rsa, claims(nil)),
		"ES256": sign(t, jwt.SigningMethodES256, "e1", k.ec, claims(nil)),
		"EdDSA": sign(t, jwt.SigningMethodEdDSA, "d1", k.ed, claims(nil)),
	} {
		if _, err := v.Verify(ctx, tok); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	if n := p.reads.Load(); n != 1 {
		t.Errorf("provider read %d times for three known keys, want 1 (cached)", n)
	}
	if _, err := v.Verify(ctx, sign(t, jwt.SigningMethodHS256, "", testSecret, claims(nil))); err == nil {
		t.Error("HS256 accepted by a verifier without a secret")
	}

	// Rotation: the provider adds r2 and drops r1.
	k2 := newKeys(t)
	p.set(false, rsaJWK("r2", k2.rsa))
	advance(time.Minute)
	if _, err := v.Verify(ctx, sign(t, jwt.SigningMethodRS256, "r2", k2.rsa, claims(nil))); err != nil {
		t.Fatalf("token with the new key: %v", err)
	}
	if _, err := v.Verify(ctx, sign(t, jwt.SigningMethodRS256, "r1", k.rsa, claims(nil))); err == nil {
		t.Error("token with the retired key still accepted")
	}

	// Unknown kids are rate-limited: a burst reads the provider at most once.
	before := p.reads.Load()
	for i := 0; i < 20; i++ {
		_, _ = v.Verify(ctx, sign(t, jwt.SigningMethodRS256, "nope", k2.rsa, claims(nil)))
	}
	if n := p.reads.Load() - before; n > 1 {
		t.Errorf("20 unknown-kid tokens read the provider %d times, want at most 1", n)
	}

	// Outage: cached keys keep working, and a failed refresh keeps them.
	p.set(true)
	advance(time.Hour)
	if err := ks.Refresh(ctx); err == nil {
		t.Error("refresh from a down provider reported success")
	}
	if _, err := v.Verify(ctx, sign(t, jwt.SigningMethodRS256, "r2", k2.rsa, claims(nil))); err != nil {
		t.Errorf("cached key during the outage: %v", err)
	}
}

func TestNestedRolesClaim(t *testing.T) {
	v := newTestVerifier(t, nil, func(c *VerifierConfig) { c.RolesClaim = "app_metadata.thidua.roles" })
	tok := sign(t, jwt.SigningMethodHS256, "", testSecret, claims(func(c jwt.MapClaims) {
		delete(c, "roles")
		c["app_metadata"] = map[string]any{"thidua": map[string]any{"roles": map[string]any{"*": "viewer"}}}
	}))
	p, err := v.Verify(context.Background(), tok)
	if err != nil || p.RoleIn("son-la") != Viewer {
		t.Fatalf("nested claim: %+v %v", p, err)
	}
	v = newTestVerifier(t, nil, func(c *VerifierConfig) { c.RolesClaim = "https://thidua.example/roles" })
	tok = sign(t, jwt.SigningMethodHS256, "", testSecret, claims(func(c jwt.MapClaims) {
		delete(c, "roles")
		c["https://thidua.example/roles"] = map[string]any{"dien-bien": "admin"}
	}))
	if p, err := v.Verify(context.Background(), tok); err != nil || p.RoleIn("dien-bien") != Admin {
		t.Fatalf("namespaced claim: %+v %v", p, err)
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// FuzzVerify: no input panics the verifier, and none but a token signed
// with the secret passes it.
func FuzzVerify(f *testing.F) {
	v, err := NewVerifier(VerifierConfig{Secret: testSecret, Issuer: "thidua", Audience: "thidua",
		Now: func() time.Time { return testNow }})
	if err != nil {
		f.Fatal(err)
	}
	good, _ := Issue(IssueConfig{Secret: testSecret, Issuer: "thidua", Audience: "thidua", Subject: "u",
		Roles: map[string]string{"lang-son": "editor"}, TTL: time.Hour, Now: testNow})
	f.Add(good)
	f.Add("eyJhbGciOiJub25lIn0.eyJzdWIiOiJ1In0.")
	f.Add("a.b.c")
	f.Add(strings.Repeat("A", 9000))
	f.Fuzz(func(t *testing.T, tok string) {
		p, err := v.Verify(context.Background(), tok)
		if err == nil && tok != good {
			// Only re-encodings of the good token could pass; none may
			// differ from it.
			t.Fatalf("accepted a token that is not the issued one: %q as %+v", tok, p)
		}
	})
}

// An HS256 token verified once is not verified again for a minute (the
// same principal is returned), and never past its exp (with Leeway); a
// token with another signature is checked on its own.
func TestVerifiedTokensKept(t *testing.T) {
	var mu sync.Mutex
	clock := testNow
	v := newTestVerifier(t, nil, func(c *VerifierConfig) {
		c.Now = func() time.Time { mu.Lock(); defer mu.Unlock(); return clock }
	})
	advance := func(d time.Duration) { mu.Lock(); clock = clock.Add(d); mu.Unlock() }
	ctx := t.Context()
	tok := sign(t, jwt.SigningMethodHS256, "", testSecret, claims(nil))
	p1, err := v.Verify(ctx, tok)
	if err != nil {
		t.Fatal(err)
	}
	if p2, err := v.Verify(ctx, tok); err != nil || p2 != p1 {
		t.Errorf("the same token again: %p %v, want the kept %p", p2, err, p1)
	}
	// Another signature over the same claims is its own token.
	forged := tok[:strings.LastIndex(tok, ".")+1] + "AAAA" + tok[strings.LastIndex(tok, ".")+5:]
	if _, err := v.Verify(ctx, forged); err == nil {
		t.Error("a token with another signature was accepted")
	}
	advance(verifiedFor + time.Second)
	p3, err := v.Verify(ctx, tok)
	if err != nil || p3 == p1 {
		t.Errorf("after %s: %p %v, want the token verified again", verifiedFor, p3, err)
	}
	// Past exp and Leeway: refused, kept or not.
	advance(time.Hour + Leeway - verifiedFor)
	if _, err := v.Verify(ctx, tok); err == nil {
		t.Error("an expired token was accepted")
	}
}
