package main

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/thidua/thidua/dbtest"
	"github.com/thidua/thidua/embeddb"
)

// freeAddr returns a loopback address with a free port.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// syncBuffer is a goroutine-safe writer for run's output.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// start runs the service with env until the test ends, and waits for /healthz.
func start(t *testing.T, env map[string]string) (base string, stop func() error) {
	t.Helper()
	base, stop, _ = startLogged(t, env)
	return base, stop
}

// startLogged is start, and returns what the service writes.
func startLogged(t *testing.T, env map[string]string) (base string, stop func() error, log *syncBuffer) {
	t.Helper()
	addr := freeAddr(t)
	env["ADDR"] = addr
	if _, ok := env[dbtest.EnvReadModel]; !ok { // CI's second run (children inherit it)
		env[dbtest.EnvReadModel] = os.Getenv(dbtest.EnvReadModel)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	out := &syncBuffer{}
	go func() { done <- run(ctx, nil, func(k string) string { return env[k] }, out, out) }()
	base = "http://" + addr
	deadline := time.Now().Add(60 * time.Second)
	for {
		res, err := http.Get(base + "/healthz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == 200 {
				break
			}
		}
		select {
		case err := <-done:
			cancel()
			t.Fatalf("run stopped before serving: %v\n%s", err, out.String())
		default:
		}
		if time.Now().After(deadline) {
			cancel()
			t.Fatalf("not healthy in time:\n%s", out.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	var once sync.Once
	var runErr error
	stop = func() error {
		once.Do(func() {
			cancel()
			select {
			case runErr = <-done:
			case <-time.After(30 * time.Second):
				runErr = fmt.Errorf("run did not return after cancel")
			}
		})
		return runErr
	}
	t.Cleanup(func() { _ = stop() })
	return base, stop, out
}

func query(t *testing.T, base, auth, q string) map[string]any {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, base+"/graphql", strings.NewReader(fmt.Sprintf(`{"query":%q}`, q)))
	req.Header.Set("Content-Type", "application/json")
	if auth != "" {
		req.Header.Set("Authorization", "Bearer "+auth)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	var out map[string]any
	if err := json.Unmarshal(raw, &out); err != nil || out["errors"] != nil {
		t.Fatalf("query %s: %s", q, raw)
	}
	return out["data"].(map[string]any)
}

func count(t *testing.T, base, auth, q, field string) int {
	t.Helper()
	d := query(t, base, auth, q)
	return int(d[field].(map[string]any)["totalCount"].(float64))
}

// The service starts on an empty data directory, loads the founding data,
// and on a second start reuses it without duplicating anything.
func TestRunEmbeddedTwice(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"DATA_DIR": dir, "LOG_LEVEL": "warn"}
	for i := 0; i < 2; i++ {
		base, stop := start(t, env)
		if n := count(t, base, "", `{ movements { totalCount } }`, "movements"); n != 4 {
			t.Errorf("start %d: movements = %d, want 4", i+1, n)
		}
		if n := count(t, base, "", `{ periodReviews { totalCount } }`, "periodReviews"); n != 1 {
			t.Errorf("start %d: reviews = %d, want 1", i+1, n)
		}
		// A write acknowledged before the restart is there after it: the
		// cluster viewer sees the unpublished movement made on the first start.
		if i == 0 {
			query(t, base, devToken(t, env, "lang-son=editor"), `mutation { createMovement(input: {title: "Thi đua Lạng Sơn", scope: PROVINCE, kind: ANNUAL, provinceId: "lang-son", published: false}) { id } }`)
		}
		if n := count(t, base, devToken(t, env, "*=viewer"), `{ movements { totalCount } }`, "movements"); n != 5 {
			t.Errorf("start %d: movements seen by a cluster viewer = %d, want 5", i+1, n)
		}
		res, err := http.Get(base + "/readyz")
		if err != nil || res.StatusCode != 200 {
			t.Errorf("readyz: %v %v", res, err)
		}
		if err := stop(); err != nil {
			t.Fatalf("run returned %v on shutdown", err)
		}
	}
}

// devToken mints a token with the `token` command, as a developer would.
func devToken(t *testing.T, env map[string]string, role string) string {
	t.Helper()
	var out strings.Builder
	if err := run(context.Background(), []string{"token", "-sub", "t", "-role", role},
		func(k string) string { return env[k] }, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(out.String())
}

// With MONGODB_URI the service uses that server and starts no embedded one.
func TestRunWithMongoURI(t *testing.T) {
	dir := t.TempDir()
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	db, err := embeddb.Start(context.Background(), dir, freeAddr(t), logger)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	unused := t.TempDir() + "/unused"
	base, stop := start(t, map[string]string{"MONGODB_URI": db.URI(), "MONGODB_DATABASE": "external", "DATA_DIR": unused, "LOG_LEVEL": "warn"})
	if n := count(t, base, "", `{ movements { totalCount } }`, "movements"); n != 4 {
		t.Errorf("movements = %d, want 4", n)
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(unused); !os.IsNotExist(err) {
		t.Errorf("DATA_DIR was used although MONGODB_URI was set (%v)", err)
	}
	entries, _ := os.ReadDir(dir)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if !strings.Contains(strings.Join(names, " "), "external") {
		t.Errorf("the external server holds %v, want the database 'external'", names)
	}
}

func TestProductionNeedsSettings(t *testing.T) {
	for _, c := range []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"APP_ENV": "production"}, "JWT_SECRET or JWT_JWKS_URL is required"},
		{map[string]string{"APP_ENV": "production", "JWT_SECRET": "short", "JWT_ISSUER": "i", "JWT_AUDIENCE": "a"}, "at least 32 bytes"},
		{map[string]string{"APP_ENV": "production", "JWT_SECRET": strings.Repeat("k", 32)}, "JWT_ISSUER and JWT_AUDIENCE"},
		{map[string]string{"APP_ENV": "staging"}, "APP_ENV"},
		{map[string]string{"REQUEST_TIMEOUT": "soon"}, "REQUEST_TIMEOUT"},
		{map[string]string{"READ_MODEL": "no"}, `READ_MODEL: "no" is not on or off`},
	} {
		err := run(context.Background(), nil, func(k string) string { return c.env[k] }, io.Discard, io.Discard)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: error %v, want %q", c.env, err, c.want)
		}
	}
	cfg, err := loadConfig(func(k string) string {
		return map[string]string{"APP_ENV": "production", "JWT_SECRET": strings.Repeat("k", 32), "JWT_ISSUER": "i", "JWT_AUDIENCE": "a"}[k]
	})
	if err != nil || cfg.Introspection || cfg.Playground {
		t.Errorf("production defaults: %+v %v (introspection and playground must be off)", cfg, err)
	}
}

func TestHelpListsSettings(t *testing.T) {
	var out strings.Builder
	err := run(context.Background(), []string{"-h"}, func(string) string { return "" }, &out, io.Discard)
	if err == nil {
		t.Fatal("-h should stop run with flag.ErrHelp")
	}
	for _, s := range settings {
		if !strings.Contains(out.String(), s.name) {
			t.Errorf("-h does not list %s", s.name)
		}
	}
}

// A token from an OpenID provider (RS256, key from its JWKS, roles in a
// namespaced claim) works with environment settings alone, in production.
func TestRunWithOpenIDProvider(t *testing.T) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	jwks := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = json.NewEncoder(w).Encode(map[string]any{"keys": []map[string]any{{
			"kty": "RSA", "kid": "idp-1", "use": "sig", "alg": "RS256",
			"n": base64.RawURLEncoding.EncodeToString(key.N.Bytes()),
			"e": base64.RawURLEncoding.EncodeToString(big.NewInt(int64(key.E)).Bytes()),
		}}})
	}))
	defer jwks.Close()
	base, _ := start(t, map[string]string{
		"APP_ENV": "production", "DATA_DIR": t.TempDir(), "LOG_LEVEL": "warn",
		"JWT_JWKS_URL": jwks.URL, "JWT_ISSUER": "https://idp.example/", "JWT_AUDIENCE": "thidua-api",
		"JWT_ROLES_CLAIM": "https://thidua.example/roles",
	})
	tok := jwt.NewWithClaims(jwt.SigningMethodRS256, jwt.MapClaims{
		"sub": "auth0|42", "name": "Lò Văn Púa", "iss": "https://idp.example/", "aud": []string{"thidua-api", "other"},
		"iat": time.Now().Unix(), "exp": time.Now().Add(time.Hour).Unix(),
		"https://thidua.example/roles": map[string]string{"son-la": "editor"},
	})
	tok.Header["kid"] = "idp-1"
	signed, err := tok.SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	d := query(t, base, signed, `{ me { subject name roles { scope role } } }`)
	me := d["me"].(map[string]any)
	if me["subject"] != "auth0|42" || fmt.Sprint(me["roles"]) != "[map[role:EDITOR scope:son-la]]" {
		t.Errorf("me = %v", me)
	}
	// And HS256 is not accepted: production has no secret here.
	hs, _ := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{"sub": "x", "iss": "https://idp.example/",
		"aud": "thidua-api", "exp": time.Now().Add(time.Hour).Unix()}).SignedString([]byte(devSecret))
	req, _ := http.NewRequest(http.MethodPost, base+"/graphql", strings.NewReader(`{"query":"{ me { subject } }"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+hs)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusUnauthorized {
		t.Errorf("HS256 token in a JWKS-only production service: %d, want 401", res.StatusCode)
	}
	// Production: no playground, no introspection, no suggestions.
	if res, err := http.Get(base + "/"); err == nil {
		res.Body.Close()
		if res.StatusCode != http.StatusNotFound {
			t.Errorf("playground in production: %d", res.StatusCode)
		}
	}
	for q, leak := range map[string]string{`{ __schema { types { name } } }`: "__Schema", `{ provinc { id } }`: "Did you mean"} {
		res, err := http.Post(base+"/graphql", "application/json", strings.NewReader(fmt.Sprintf(`{"query":%q}`, q)))
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if !strings.Contains(string(raw), `"errors"`) || strings.Contains(string(raw), leak) {
			t.Errorf("%s in production: %s", q, raw)
		}
	}
}

// A client that never finishes its headers is cut off at the read-header
// timeout instead of holding its connection.
func TestSlowClientIsCutOff(t *testing.T) {
	base, _ := start(t, map[string]string{"DATA_DIR": t.TempDir(), "LOG_LEVEL": "warn", "HTTP_READ_HEADER_TIMEOUT": "300ms"})
	conn, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.Write([]byte("POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Ty")); err != nil {
		t.Fatal(err)
	}
	_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	t0 := time.Now()
	buf := make([]byte, 512)
	for {
		if _, err := conn.Read(buf); err != nil {
			break // closed by the server (or our 5 s guard)
		}
	}
	if took := time.Since(t0); took > 2*time.Second {
		t.Errorf("a half-sent request held its connection for %v", took)
	}
}
