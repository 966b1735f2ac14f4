package auth

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// MaxTokenBytes caps the size of a bearer token.
const MaxTokenBytes = 8 << 10

// Leeway is the clock skew allowed on exp, nbf and iat.
const Leeway = 30 * time.Second

// VerifierConfig configures token verification.
type VerifierConfig struct {
	Secret     []byte           // HS256 key; nil: HS256 is refused
	Keys       *KeySet          // an OpenID provider's keys (RS256, ES256, EdDSA); nil: none
	Issuer     string           // required iss
	Audience   string           // required in aud
	RolesClaim string           // dotted path of the roles object; "roles" when empty
	Now        func() time.Time // clock; time.Now when nil
}

// Verifier checks bearer tokens and turns them into principals.
type Verifier struct {
	cfg    VerifierConfig
	parser *jwt.Parser

	// The principals of HS256 tokens verified lately, by the token itself
	// (its signature included): a front-end sends the same token with
	// every request, and checking it again cost 5.5 µs and 68 allocations
	// each time (a tenth of a small request's CPU). An entry serves until
	// the token expires (with Leeway, as the parser allows), for at most
	// verifiedFor. A provider's tokens (JWKS) are checked every time: a key
	// withdrawn from its set refuses its tokens at once.
	mu       sync.RWMutex
	verified map[string]verifiedToken
}

type verifiedToken struct {
	p     *Principal
	until time.Time
}

const (
	verifiedFor = time.Minute
	maxVerified = 10000 // then the map starts over
)

// NewVerifier returns a verifier for HS256 tokens signed with cfg.Secret
// and for tokens signed with the keys of cfg.Keys. Only those algorithms
// are accepted.
func NewVerifier(cfg VerifierConfig) (*Verifier, error) {
	var algs []string
	if len(cfg.Secret) > 0 {
		algs = append(algs, "HS256")
	}
	if cfg.Keys != nil {
		algs = append(algs, "RS256", "ES256", "EdDSA")
	}
	if len(algs) == 0 {
		return nil, errors.New("no JWT secret and no JWKS: no token could be verified")
	}
	if cfg.Issuer == "" || cfg.Audience == "" {
		return nil, errors.New("JWT issuer and audience are required")
	}
	if cfg.RolesClaim == "" {
		cfg.RolesClaim = "roles"
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Verifier{cfg: cfg, verified: map[string]verifiedToken{}, parser: jwt.NewParser(
		jwt.WithValidMethods(algs),
		jwt.WithIssuer(cfg.Issuer),
		jwt.WithAudience(cfg.Audience),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
		jwt.WithLeeway(Leeway),
		jwt.WithTimeFunc(cfg.Now),
		jwt.WithStrictDecoding(),
	)}, nil
}

// Verify checks a token and returns its principal. Any error means the token
// must be refused; its text is for logs. The principal is shared by every
// request that sends the same token: read it, never change it.
func (v *Verifier) Verify(ctx context.Context, token string) (*Principal, error) {
	if len(token) > MaxTokenBytes {
		return nil, errors.New("token too large")
	}
	now := v.cfg.Now()
	v.mu.RLock()
	t, ok := v.verified[token]
	v.mu.RUnlock()
	if ok && now.Before(t.until) {
		return t.p, nil
	}
	var secret bool
	p, err := v.verify(ctx, token, &secret)
	if err != nil || !secret {
		return p, err
	}
	until := now.Add(verifiedFor)
	if exp := p.Expires.Add(Leeway); exp.Before(until) {
		until = exp
	}
	v.mu.Lock()
	if len(v.verified) >= maxVerified {
		clear(v.verified)
	}
	v.verified[token] = verifiedToken{p: p, until: until}
	v.mu.Unlock()
	return p, nil
}

// verify checks a token with the parser, its signature included, and sets
// secret when it was signed with the HS256 secret.
func (v *Verifier) verify(ctx context.Context, token string, secret *bool) (*Principal, error) {
	claims := jwt.MapClaims{}
	_, err := v.parser.ParseWithClaims(token, claims, func(t *jwt.Token) (any, error) {
		// We understand no extension header parameter, so a token that marks
		// any as critical must be refused (RFC 7515 §4.1.11); an empty or
		// malformed crit is not allowed either. Checked before the key is
		// looked up, so that such a token never makes us read the provider.
		if _, ok := t.Header["crit"]; ok {
			return nil, errors.New("token header has crit: no extension is understood")
		}
		// The key follows from the algorithm, never the other way round:
		// HS256 only ever gets the secret, the others only provider keys.
		alg := t.Method.Alg()
		if alg == "HS256" {
			*secret = true
			return v.cfg.Secret, nil
		}
		kid, _ := t.Header["kid"].(string)
		if kid == "" {
			return nil, errors.New("token has no kid")
		}
		return v.cfg.Keys.key(ctx, kid, alg)
	})
	if err != nil {
		return nil, err
	}
	sub, _ := claims["sub"].(string)
	if strings.TrimSpace(sub) == "" {
		return nil, errors.New("token has no subject")
	}
	exp, err := claims.GetExpirationTime()
	if err != nil || exp == nil { // the parser requires exp; never expected
		return nil, errors.New("token has no valid exp")
	}
	p := &Principal{Subject: sub, Expires: exp.Time, Roles: map[string]Role{}}
	if name, ok := claims["name"]; ok {
		s, ok := name.(string)
		if !ok {
			return nil, errors.New("name claim is not a string")
		}
		p.Name = s
	}
	raw, ok := lookup(claims, v.cfg.RolesClaim)
	if !ok {
		return p, nil // authenticated, with no roles
	}
	roles, ok := raw.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("claim %s is not an object", v.cfg.RolesClaim)
	}
	for scope, r := range roles {
		name, ok := r.(string)
		if !ok || !ValidScope(scope) {
			return nil, fmt.Errorf("malformed role for scope %q", scope)
		}
		role, err := ParseRole(name)
		if err != nil {
			return nil, err
		}
		p.Roles[scope] = role
	}
	return p, nil
}

// lookup follows a dotted path into nested claims. A key that itself holds
// dots (a namespaced claim such as "https://thidua.example/roles") is tried
// whole first.
func lookup(claims map[string]any, path string) (any, bool) {
	if v, ok := claims[path]; ok {
		return v, true
	}
	head, rest, found := strings.Cut(path, ".")
	if !found {
		return nil, false
	}
	next, ok := claims[head].(map[string]any)
	if !ok {
		return nil, false
	}
	return lookup(next, rest)
}

// IssueConfig describes a development token.
type IssueConfig struct {
	Secret           []byte
	Issuer, Audience string
	Subject, Name    string
	Roles            map[string]string
	TTL              time.Duration
	Now              time.Time
}

// Issue signs an HS256 token (the `token` command and tests).
func Issue(c IssueConfig) (string, error) {
	claims := jwt.MapClaims{
		"sub": c.Subject, "iss": c.Issuer, "aud": c.Audience,
		"iat": c.Now.Unix(), "exp": c.Now.Add(c.TTL).Unix(), "roles": c.Roles,
	}
	if c.Name != "" {
		claims["name"] = c.Name
	}
	return jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString(c.Secret)
}
