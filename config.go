package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/thidua/thidua/domain"
	"github.com/thidua/thidua/httpapi"
)

// loadRouteRules reads ROUTE_RULES: a JSON file of the dossier route's
// rules the law's text did not confirm — which proposals need a public
// notice and how long, and the ranking chains a decision may lower a form
// along: {"notice": {"forms", "awardTypes", "minWorkingDays", "basis"},
// "ranks": [[...]]}. What it leaves out keeps domain.DefaultRouteRules.
func loadRouteRules(path string) (domain.RouteRules, error) {
	r := domain.DefaultRouteRules
	b, err := os.ReadFile(path)
	if err != nil {
		return r, err
	}
	var raw struct {
		Notice *struct {
			Forms          []string `json:"forms"`
			AwardTypes     []string `json:"awardTypes"`
			MinWorkingDays int      `json:"minWorkingDays"`
			Basis          string   `json:"basis"`
		} `json:"notice"`
		Ranks [][]string `json:"ranks"`
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&raw); err != nil {
		return r, err
	}
	if n := raw.Notice; n != nil {
		if n.MinWorkingDays < 1 || n.MinWorkingDays > 60 {
			return r, fmt.Errorf("notice.minWorkingDays %d: between 1 and 60", n.MinWorkingDays)
		}
		r.Notice = domain.NoticeRule{Forms: n.Forms, AwardTypes: n.AwardTypes, MinWorkingDays: n.MinWorkingDays, Basis: n.Basis}
	}
	if raw.Ranks != nil {
		for i, chain := range raw.Ranks {
			if len(chain) < 2 {
				return r, fmt.Errorf("ranks[%d]: a chain names at least two award types", i)
			}
		}
		r.Ranks = raw.Ranks
	}
	return r, nil
}

// loadPrerequisites reads ELIGIBILITY_RULES: "none" (no rule), or a JSON
// file of rules: [{"awardTypeId", "class", "needs": [...], "needsClass",
// "times", "consecutive", "period", "within", "exclusive", "adjacent",
// "minBallotShare", "basis", "unconfirmed"}] (domain.Prerequisite).
func loadPrerequisites(v string) ([]domain.Prerequisite, error) {
	if v == "none" {
		return []domain.Prerequisite{}, nil
	}
	b, err := os.ReadFile(v)
	if err != nil {
		return nil, err
	}
	var raw []struct {
		AwardTypeID string   `json:"awardTypeId"`
		Class       string   `json:"class"`
		Needs       []string `json:"needs"`
		NeedsClass  string   `json:"needsClass"`
		Times       int      `json:"times"`
		Consecutive bool     `json:"consecutive"`
		Period      int      `json:"period"`
		Within      int      `json:"within"`
		Exclusive   bool     `json:"exclusive"`
		Adjacent    bool     `json:"adjacent"`
		// The council's threshold, percent of all members.
		MinBallotShare float64 `json:"minBallotShare"`
		Basis          string  `json:"basis"`
		Unconfirmed    bool    `json:"unconfirmed"`
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&raw); err != nil {
		return nil, fmt.Errorf("%s: %w", v, err)
	}
	out := make([]domain.Prerequisite, len(raw))
	for i, r := range raw {
		ballot := len(r.Needs) == 0 && r.MinBallotShare > 0 && r.MinBallotShare <= 100
		if r.AwardTypeID == "" || !ballot && (len(r.Needs) == 0 || r.Times < 1) || r.MinBallotShare < 0 || r.MinBallotShare > 100 || r.Basis == "" {
			return nil, fmt.Errorf("%s: rule %d needs awardTypeId, needs and times ≥ 1 (or a minBallotShare of 0–100), and basis (the article)", v, i)
		}
		out[i] = domain.Prerequisite(r)
	}
	return out, nil
}

// setting is one environment variable the service reads.
type setting struct {
	name, def, help string
}

// settings lists every setting, in the order `-h` prints them. Defaults
// marked (development) apply only when APP_ENV=development.
var settings = []setting{
	{"ADDR", "127.0.0.1:8080 (development), :8080 (production)", "HTTP listen address; development's token secret is public, so by default only this machine reaches it (ADDR=:8080 serves the network)"},
	{"APP_ENV", "development", "development or production"},
	{"DATA_DIR", "./data", "where the embedded database keeps its SQLite files (when MONGODB_URI is empty)"},
	{"MONGODB_URI", "", "a MongoDB deployment to use instead of the embedded database"},
	{"EMBEDDED_DB_ADDR", "127.0.0.1:0", "where the embedded database listens (for mongosh or a benchmark's driver floor); keep it on loopback"},
	{"MONGODB_DATABASE", "thidua", "database name"},
	{"WRITER_LEASE_TTL", "30s", "on FerretDB, how long this process's writer lease lasts unless renewed (renewed every third of it); a killed writer's database can be taken over after it"},
	{"RESPONSE_CACHE", "on", "keep whole answers of queries read only from memory (the catalogue, the read model), each for its caller, until the data changes (on); off runs every query (to measure the executor, or to spend no memory on it)"},
	{"READ_MODEL", "on", "on FerretDB, answer lists from this process's in-memory read model (on) or from the database, as on MongoDB (off: slower; CI runs the tests so too)"},
	{"JWT_SECRET", devSecret + " (development)", "HS256 key for bearer tokens; production: at least 32 bytes, or unset to accept only JWKS tokens"},
	{"JWT_ISSUER", "thidua (development)", "required iss of tokens"},
	{"JWT_AUDIENCE", "thidua (development)", "required aud of tokens"},
	{"JWT_ROLES_CLAIM", "roles", "dotted path of the roles claim"},
	{"JWT_JWKS_URL", "", "JWKS URL of an OpenID provider; its RS256, ES256 and EdDSA keys verify tokens"},
	{"JWT_JWKS_REFRESH", "15m", "how often the JWKS is read again (also on an unknown kid, at most every 30s)"},
	{"GRAPHQL_INTROSPECTION", "true (development), false (production)", "allow schema introspection"},
	{"PLAYGROUND", "true (development), false (production)", "serve the GraphiQL playground at /"},
	{"GRAPHQL_COMPLEXITY_LIMIT", "5000", "largest query complexity; list fields count once per row of their page"},
	{"GRAPHQL_MAX_DEPTH", "10", "deepest selection nesting, counted through fragments (introspection exempt)"},
	{"GRAPHQL_MAX_ALIASES", "15", "most aliased fields in one operation (__typename counts)"},
	{"GRAPHQL_MAX_DIRECTIVES", "10", "most directive uses in one operation"},
	{"GRAPHQL_MAX_TOKENS", "3000", "most lexical tokens in the query text"},
	{"GRAPHQL_MAX_QUERY_BYTES", "16384", "longest query text"},
	{"GRAPHQL_MAX_FIELDS", "300", "most selections (fields and fragments) in the query text, counted before validation"},
	{"VOTE_MAJORITY", "0.5", "default share of a cluster's members a leader's ballots must exceed (a vote may set its own)"},
	{"REQUEST_TIMEOUT", "5s", "deadline of each request, database calls included"},
	{"COMMAND_TIMEOUT", "30s", "deadline of a mutation's command once it runs: it finishes (or undoes itself) whatever the client does, within this or the request's deadline, whichever is later"},
	{"DB_TIMEOUT", "30s", "client-side limit of each database operation that has no deadline of its own (the driver's operation timeout; 0: none)"},
	{"COMMIT_MARGIN", "5s", "how long past its command's deadline a MongoDB transaction's commit may wait for a majority; then its outcome is unknown and read back"},
	{"HTTP_READ_HEADER_TIMEOUT", "5s", "how long a client may take to send its request headers"},
	{"SHUTDOWN_TIMEOUT", "10s", "how long in-flight requests may finish after SIGINT/SIGTERM"},
	{"CATALOG_REFRESH", "30s", "how often provinces and catalogues are re-read from the database"},
	{"MAX_BODY_BYTES", "65536", "largest request body (but a file upload)"},
	{"UPLOAD_MAX_BYTES", "20971520", "largest attachment (a file uploaded to a dossier or decision)"},
	{"UPLOAD_CONCURRENCY", "8", "uploads received at once by the process; more are refused (503 SERVICE_UNAVAILABLE, Retry-After)"},
	{"UPLOAD_CONCURRENCY_PER_SUBJECT", "2", "uploads received at once for one token subject; more are refused (429 RATE_LIMITED, Retry-After)"},
	{"UPLOAD_TYPES", "application/pdf,image/jpeg,image/png,application/msword,...docx,application/vnd.ms-excel,...xlsx,...odt,...ods", "comma-separated content types attachments may have (found from their content); see docs/api-guide.md"},
	{"ELIGIBILITY_RULES", "the law's table (docs/domain.md)", "a JSON file of the eligibility rules checked when a dossier is submitted (docs/domain.md, \"Dossiers\"), or \"none\""},
	{"ROUTE_RULES", "the law's reading (docs/domain.md)", "a JSON file replacing the dossier route's unconfirmed rules: {\"notice\": {\"forms\", \"awardTypes\", \"minWorkingDays\", \"basis\"}, \"ranks\": [[award type ids, highest first]]} (docs/domain.md, \"Dossiers\")"},
	{"PUBLIC_HOLIDAYS", "", "comma-separated public holidays (YYYY-MM-DD, or MM-DD every year) a dossier's public notice does not count as working days, besides 01-01, 04-30, 05-01 and 09-02 (docs/domain.md, \"Dossiers\")"},
	{"CORS_ORIGINS", "any http://localhost:<port> and http://127.0.0.1:<port> (development); none (production)", "comma-separated exact origins (https://app.example.org) browsers may call the API from; setting it replaces the default"},
	{"RATE_LIMIT_RPS", "0 = off (development); 50 (production)", "requests a second per client address (IPv6: per /64), on average; over it: 429 RATE_LIMITED with Retry-After"},
	{"RATE_LIMIT_BURST", "100", "requests per client address allowed at once above RATE_LIMIT_RPS"},
	{"RATE_LIMIT_SUBJECT_RPS", "0 = off (development); 20 (production)", "requests a second per token subject, on average"},
	{"RATE_LIMIT_SUBJECT_BURST", "40", "requests per token subject allowed at once above RATE_LIMIT_SUBJECT_RPS"},
	{"WS_MAX_CONNECTIONS_PER_ADDRESS", "50", "WebSocket connections one client address (IPv6: /64) may hold open at once (the process allows 1000); over it: 429 RATE_LIMITED"},
	{"LOG_LEVEL", "info", "debug, info, warn or error"},
	{"PPROF_ADDR", "", "serve net/http/pprof on this address (e.g. 127.0.0.1:6060); empty: off"},
}

// devSecret is the development-only HS256 key; production refuses to start
// without a real one.
const devSecret = "thidua-development-secret-not-for-production"

type config struct {
	Addr, Env, DataDir, MongoURI, Database string
	JWTSecret, JWTIssuer, JWTAudience      string
	RolesClaim, JWKSURL                    string
	JWKSRefresh                            time.Duration
	Introspection, Playground              bool
	ComplexityLimit                        int
	MaxDepth, MaxAliases, MaxDirectives    int
	MaxTokens, MaxQueryBytes, MaxFields    int
	MaxConnectionsPerAddress               int
	RequestTimeout, ShutdownTimeout        time.Duration
	CommandTimeout                         time.Duration
	DBTimeout, CommitMargin                time.Duration
	ReadHeaderTimeout                      time.Duration
	CatalogRefresh                         time.Duration
	WriterLeaseTTL                         time.Duration
	ReadModel                              bool
	ResponseCache                          bool
	MaxBodyBytes                           int64
	Uploads                                domain.FileLimits
	UploadConcurrency, UploadsPerSubject   int
	Prerequisites                          []domain.Prerequisite
	Route                                  *domain.RouteRules
	VoteMajority                           float64
	LogLevel                               string
	EmbeddedAddr, PprofAddr                string
	CORSOrigins                            []string
	CORSLocalhost                          bool
	RateRPS, SubjectRPS                    float64
	RateBurst, SubjectBurst                int
}

func (c *config) production() bool { return c.Env == "production" }

func loadConfig(getenv func(string) string) (*config, error) {
	get := func(name, def string) string {
		if v := strings.TrimSpace(getenv(name)); v != "" {
			return v
		}
		return def
	}
	c := &config{
		Env:     get("APP_ENV", "development"),
		DataDir: get("DATA_DIR", "./data"), MongoURI: get("MONGODB_URI", ""),
		Database: get("MONGODB_DATABASE", "thidua"), RolesClaim: get("JWT_ROLES_CLAIM", "roles"),
		JWKSURL: get("JWT_JWKS_URL", ""), LogLevel: get("LOG_LEVEL", "info"),
		JWTSecret: getenv("JWT_SECRET"), EmbeddedAddr: get("EMBEDDED_DB_ADDR", "127.0.0.1:0"),
		PprofAddr: get("PPROF_ADDR", ""),
	}
	// Development signs tokens with a public secret: anyone who can reach
	// the port could mint a `*` admin token, so it listens on loopback
	// unless told otherwise (api.md).
	addr := "127.0.0.1:8080"
	if c.Env == "production" {
		addr = ":8080"
	}
	c.Addr = get("ADDR", addr)
	if c.Env != "development" && c.Env != "production" {
		return nil, fmt.Errorf("APP_ENV must be development or production, not %q", c.Env)
	}
	dev := !c.production()
	devDefault := func(v string) string {
		if dev {
			return v
		}
		return ""
	}
	c.JWTIssuer = get("JWT_ISSUER", devDefault("thidua"))
	c.JWTAudience = get("JWT_AUDIENCE", devDefault("thidua"))
	if c.JWTSecret == "" {
		c.JWTSecret = devDefault(devSecret)
	}
	var errs []error
	boolean := func(name string, def bool) bool {
		v := get(name, strconv.FormatBool(def))
		b, err := strconv.ParseBool(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %q is not true or false", name, v))
		}
		return b
	}
	duration := func(name, def string) time.Duration {
		v := get(name, def)
		d, err := time.ParseDuration(v)
		if err != nil || d < 0 {
			errs = append(errs, fmt.Errorf("%s: %q is not a duration such as 5s", name, v))
		}
		return d
	}
	onOff := func(name, def string) bool {
		v := get(name, def)
		if v != "on" && v != "off" {
			errs = append(errs, fmt.Errorf("%s: %q is not on or off", name, v))
		}
		return v == "on"
	}
	integer := func(name, def string) int64 {
		v := get(name, def)
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			errs = append(errs, fmt.Errorf("%s: %q is not a positive integer", name, v))
		}
		return n
	}
	c.Introspection = boolean("GRAPHQL_INTROSPECTION", dev)
	c.Playground = boolean("PLAYGROUND", dev)
	c.ComplexityLimit = int(integer("GRAPHQL_COMPLEXITY_LIMIT", "5000"))
	c.MaxDepth = int(integer("GRAPHQL_MAX_DEPTH", "10"))
	c.MaxAliases = int(integer("GRAPHQL_MAX_ALIASES", "15"))
	c.MaxDirectives = int(integer("GRAPHQL_MAX_DIRECTIVES", "10"))
	c.MaxTokens = int(integer("GRAPHQL_MAX_TOKENS", "3000"))
	c.MaxQueryBytes = int(integer("GRAPHQL_MAX_QUERY_BYTES", "16384"))
	c.MaxFields = int(integer("GRAPHQL_MAX_FIELDS", "300"))
	c.MaxConnectionsPerAddress = int(integer("WS_MAX_CONNECTIONS_PER_ADDRESS", "50"))
	c.RequestTimeout = duration("REQUEST_TIMEOUT", "5s")
	c.CommandTimeout = duration("COMMAND_TIMEOUT", "30s")
	c.DBTimeout = duration("DB_TIMEOUT", "30s")
	c.CommitMargin = duration("COMMIT_MARGIN", "5s")
	c.ShutdownTimeout = duration("SHUTDOWN_TIMEOUT", "10s")
	c.ReadHeaderTimeout = duration("HTTP_READ_HEADER_TIMEOUT", "5s")
	c.CatalogRefresh = duration("CATALOG_REFRESH", "30s")
	c.WriterLeaseTTL = duration("WRITER_LEASE_TTL", "30s")
	if c.WriterLeaseTTL > 0 && c.WriterLeaseTTL < time.Second {
		errs = append(errs, fmt.Errorf("WRITER_LEASE_TTL: %s is under 1s", c.WriterLeaseTTL))
	}
	c.ReadModel = onOff("READ_MODEL", "on")
	c.ResponseCache = onOff("RESPONSE_CACHE", "on")
	c.MaxBodyBytes = integer("MAX_BODY_BYTES", "65536")
	c.Uploads = domain.DefaultFileLimits()
	c.Uploads.MaxBytes = integer("UPLOAD_MAX_BYTES", "20971520")
	c.UploadConcurrency = int(integer("UPLOAD_CONCURRENCY", "8"))
	c.UploadsPerSubject = int(integer("UPLOAD_CONCURRENCY_PER_SUBJECT", "2"))
	if v := strings.TrimSpace(getenv("UPLOAD_TYPES")); v != "" {
		c.Uploads.Types = nil
		for _, t := range strings.Split(v, ",") {
			if t = strings.TrimSpace(t); !domain.KnownFileType(t) {
				errs = append(errs, fmt.Errorf("UPLOAD_TYPES: %q is not a type thidua can check", t))
			} else {
				c.Uploads.Types = append(c.Uploads.Types, t)
			}
		}
	}
	if v := strings.TrimSpace(getenv("ELIGIBILITY_RULES")); v != "" {
		rules, err := loadPrerequisites(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("ELIGIBILITY_RULES: %w", err))
		}
		c.Prerequisites = rules
	}
	route := domain.DefaultRouteRules
	if v := strings.TrimSpace(getenv("ROUTE_RULES")); v != "" {
		r, err := loadRouteRules(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("ROUTE_RULES: %w", err))
		} else {
			route = r
			c.Route = &route
		}
	}
	if v := strings.TrimSpace(getenv("PUBLIC_HOLIDAYS")); v != "" {
		route.Holidays = append([]string(nil), route.Holidays...)
		for _, h := range strings.Split(v, ",") {
			if h = strings.TrimSpace(h); domain.CheckHoliday(h) != nil {
				errs = append(errs, fmt.Errorf("PUBLIC_HOLIDAYS: %q is not a date (YYYY-MM-DD) nor a day of every year (MM-DD)", h))
			} else {
				route.Holidays = append(route.Holidays, h)
			}
		}
		c.Route = &route
	}
	c.JWKSRefresh = duration("JWT_JWKS_REFRESH", "15m")
	if v := get("CORS_ORIGINS", ""); v != "" {
		for _, o := range strings.Split(v, ",") {
			if strings.TrimSpace(o) == "" {
				continue
			}
			origin, ok := httpapi.ParseOrigin(o)
			if !ok {
				errs = append(errs, fmt.Errorf("CORS_ORIGINS: %q is not an origin such as https://app.example.org", strings.TrimSpace(o)))
				continue
			}
			c.CORSOrigins = append(c.CORSOrigins, origin)
		}
	} else {
		c.CORSLocalhost = dev
	}
	nonNegative := func(name, def string) float64 {
		v := get(name, def)
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || f < 0 || math.IsInf(f, 0) || math.IsNaN(f) {
			errs = append(errs, fmt.Errorf("%s: %q is not a number ≥ 0", name, v))
		}
		return f
	}
	prodDefault := func(v string) string {
		if dev {
			return "0"
		}
		return v
	}
	c.RateRPS = nonNegative("RATE_LIMIT_RPS", prodDefault("50"))
	c.RateBurst = int(integer("RATE_LIMIT_BURST", "100"))
	c.SubjectRPS = nonNegative("RATE_LIMIT_SUBJECT_RPS", prodDefault("20"))
	c.SubjectBurst = int(integer("RATE_LIMIT_SUBJECT_BURST", "40"))
	if v := get("VOTE_MAJORITY", "0.5"); v != "" {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || f <= 0 || f >= 1 {
			errs = append(errs, fmt.Errorf("VOTE_MAJORITY: %q is not a share between 0 and 1", v))
		}
		c.VoteMajority = f
	}
	if c.JWKSURL != "" && !strings.HasPrefix(c.JWKSURL, "https://") && !strings.HasPrefix(c.JWKSURL, "http://") {
		errs = append(errs, fmt.Errorf("JWT_JWKS_URL: %q is not an http(s) URL", c.JWKSURL))
	}
	if c.JWTSecret == "" && c.JWKSURL == "" {
		errs = append(errs, errors.New("JWT_SECRET or JWT_JWKS_URL is required in production"))
	} else if c.JWTSecret == "" {
		// JWKS tokens only.
	} else if !dev && len(c.JWTSecret) < 32 {
		errs = append(errs, errors.New("JWT_SECRET must be at least 32 bytes in production"))
	} else if !dev && c.JWTSecret == devSecret {
		errs = append(errs, errors.New("JWT_SECRET is the development secret; set a real one in production"))
	}
	if c.JWTIssuer == "" || c.JWTAudience == "" {
		errs = append(errs, errors.New("JWT_ISSUER and JWT_AUDIENCE are required in production"))
	}
	if c.JWKSRefresh == 0 {
		c.JWKSRefresh = 15 * time.Minute
	}
	if c.CatalogRefresh == 0 {
		c.CatalogRefresh = 30 * time.Second
	}
	if c.WriterLeaseTTL == 0 {
		c.WriterLeaseTTL = 30 * time.Second
	}
	return c, errors.Join(errs...)
}

func printSettings(w io.Writer) {
	fmt.Fprintln(w, "Usage: thidua            serve the API (settings from the environment)")
	fmt.Fprintln(w, "       thidua token -sub SUBJECT -role SCOPE=ROLE [-role ...] [-name NAME] [-ttl 8h]")
	fmt.Fprintln(w, "\nSettings (environment variables):")
	for _, s := range settings {
		def := s.def
		if def == "" {
			def = "(empty)"
		}
		fmt.Fprintf(w, "  %-26s %s\n  %-26s default: %s\n", s.name, s.help, "", def)
	}
}
