// Command thidua serves the GraphQL API of the emulation and commendation
// work of a province cluster. See README.md and docs/.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.mongodb.org/mongo-driver/v2/event"

	"github.com/thidua/thidua/auth"
	"github.com/thidua/thidua/backup"
	"github.com/thidua/thidua/catalog"
	"github.com/thidua/thidua/embeddb"
	"github.com/thidua/thidua/export"
	"github.com/thidua/thidua/graph"
	"github.com/thidua/thidua/httpapi"
	"github.com/thidua/thidua/repository"
	"github.com/thidua/thidua/seed"
	"github.com/thidua/thidua/service"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	followGoRun()
	tuneGC(ctx, os.Getenv("GOGC"), gcHeadroom)
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return
		}
		fmt.Fprintln(os.Stderr, "thidua:", err)
		os.Exit(1)
	}
}

// run is the whole program: it serves until ctx ends, then shuts down.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) > 0 {
		switch args[0] {
		case "token":
			return runToken(args[1:], getenv, stdout, stderr)
		case "backup":
			return runBackup(ctx, args[1:], getenv, stdout, stderr)
		case "restore":
			return runRestore(ctx, args[1:], getenv, stdout, stderr)
		}
	}
	return runService(ctx, args, getenv, stdout, stderr, seed.Migrations())
}

// runService runs the service, bringing the stored data up to migrations first.
func runService(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer, migrations []repository.Migration) error {
	fs := flag.NewFlagSet("thidua", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { printSettings(stdout) }
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, err := loadConfig(getenv)
	if err != nil {
		return err
	}
	logger := newLogger(stderr, cfg.LogLevel)

	uri := cfg.MongoURI
	var emb *embeddb.Server
	var storeOpts []repository.Option
	// The read model as of the last clean stop (warm.go).
	warm := &warmStart{}
	// The data as it was before a migration that failed (upgrade.go).
	up := &upgrade{}
	if uri == "" {
		dbLog := logger.With("component", "ferretdb")
		emb, err = embeddb.Start(ctx, cfg.DataDir, cfg.EmbeddedAddr, slog.New(levelFilter{dbLog.Handler(), slog.LevelWarn}),
			embeddb.BeforeOpen(func(dir string) { warm.take(dir, cfg.Database) }),
			embeddb.AfterClose(func(dir string) {
				up.rollBack(dir, cfg.Database, logger)
				warm.save(dir, cfg.Database, logger)
			}))
		if err != nil {
			return err
		}
		defer emb.Close()
		uri = emb.URI()
		logger.Info("embedded database started", "data_dir", cfg.DataDir, "uri", uri)
		// Attachments' bytes in a file of BLOBs beside the database
		// (repository/files.go): FerretDB decodes binary fields slowly.
		chunks, err := embeddb.OpenChunks(cfg.DataDir)
		if err != nil {
			return err
		}
		defer chunks.Close()
		storeOpts = append(storeOpts, repository.WithChunkStore(chunks))
		// `thidua backup DEST` asks this process for a copy (backup/).
		// A DATA_DIR path too long for a socket leaves only the backup
		// of a stopped service.
		if stopBackups, err := backup.Serve(ctx, cfg.DataDir, logger, chunks.Hold); err != nil {
			logger.Warn("backups while serving unavailable", "err", err)
		} else {
			defer stopBackups()
		}
	}
	reg := httpapi.NewRegistry()
	dbCommands := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "thidua_db_commands_total", Help: "Commands sent to the database (round trips), by command.",
	}, []string{"command"})
	reg.MustRegister(dbCommands)
	opts := append(storeOpts, repository.WithMonitor(&event.CommandMonitor{
		Started: func(_ context.Context, e *event.CommandStartedEvent) { dbCommands.WithLabelValues(e.CommandName).Inc() },
	}), repository.WithTimeout(cfg.DBTimeout), repository.WithCommitMargin(cfg.CommitMargin))
	if !cfg.ReadModel {
		opts = append(opts, repository.WithoutReadModel())
	}
	store, err := repository.Open(ctx, uri, cfg.Database, opts...)
	if err != nil {
		return err
	}
	defer func() {
		closeCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		_ = store.Close(closeCtx)
	}()
	logger.Info("database connected", "database", cfg.Database, "ferretdb", store.Capabilities().FerretDB,
		"transactions", store.Capabilities().Transactions)
	// One writer per FerretDB database (no compare-and-set; lists from
	// this process's memory): hold the writer lease before writing
	// anything. The embedded server's DATA_DIR lock already proves that
	// any older lease in its files is a dead process's: take it over.
	leaseLost, releaseLease, err := holdWriterLease(ctx, store, cfg, logger)
	if err != nil {
		return err
	}
	defer releaseLease()
	// Indexes, founding data, then migrations: safe with other processes
	// starting on the same database at the same time.
	loaded, err := seed.PrepareData(ctx, store)
	if err != nil {
		return err
	}
	if loaded {
		logger.Info("founding data loaded")
		warm.discard("founding data loaded")
	}
	// Stored data outlives the code: numbered migrations bring it to the
	// shape this code expects, each once (recorded in the database).
	if pending, err := store.PendingMigrations(ctx, migrations...); err != nil {
		return fmt.Errorf("migrations: %w", err)
	} else if len(pending) > 0 {
		warm.discard(fmt.Sprintf("migrations %v run on the data", pending))
		if err := up.migrate(ctx, store, emb, cfg.Database, migrations, pending, logger); err != nil {
			return err
		}
	}
	if emb != nil {
		// Every collection the service uses exists by now: each is looked
		// up by _id through an index from the first request on, not from
		// the embedded server's next sweep (embeddb/idindex.go).
		if _, err := emb.IndexIDs(ctx); err != nil {
			return fmt.Errorf("embedded database: %w", err)
		}
	}
	// A decision a crash interrupted is finished (or undone) before anyone
	// reads (repository.RecordDecision).
	if n, err := store.RecoverDecisions(ctx); err != nil {
		return fmt.Errorf("decisions: %w", err)
	} else if n > 0 {
		logger.Info("interrupted decisions finished", "count", n)
		warm.discard("interrupted decisions finished")
	}
	// Files a failed delete or a crash left are swept, in the background:
	// on FerretDB the sweep's queries read whole collections (10,000
	// dossiers' worth at start: seconds that kept the service from being
	// ready), and nothing depends on it. Only what was begun before this
	// start is judged: on FerretDB this process is the only writer (the
	// lease), so a chunk without a file from before is orphaned and any
	// upload since is this process's own; on MongoDB another process may
	// be uploading, so only files begun an hour ago (uploads last seconds).
	sweepBefore := time.Now()
	if !store.Capabilities().FerretDB {
		sweepBefore = sweepBefore.Add(-time.Hour)
	}
	sweepCtx, stopSweep := context.WithCancel(ctx)
	sweepDone := make(chan struct{})
	defer func() { stopSweep(); <-sweepDone }()
	go func() {
		defer close(sweepDone)
		t0 := time.Now()
		if files, chunks, err := store.SweepFiles(sweepCtx, sweepBefore); err != nil {
			if sweepCtx.Err() == nil {
				logger.Warn("sweep of orphaned attachments failed; the next start tries again", "err", err)
			}
		} else if files+chunks > 0 {
			logger.Info("orphaned attachments swept", "files", files, "chunks", chunks, "took", time.Since(t0).Round(time.Millisecond))
		} else {
			logger.Debug("no orphaned attachment", "took", time.Since(t0).Round(time.Millisecond))
		}
	}()
	refs, err := catalog.New(ctx, store)
	if err != nil {
		return err
	}
	go refs.Run(ctx, cfg.CatalogRefresh, logger)

	var keys *auth.KeySet
	if cfg.JWKSURL != "" {
		keys = auth.NewKeySet(auth.KeySetConfig{URL: cfg.JWKSURL, Logger: logger})
		// A provider that is down at start does not stop the service:
		// its tokens fail until the keys can be read.
		if err := keys.Refresh(ctx); err != nil {
			logger.Warn("JWKS not readable yet; provider tokens are refused until it is", "err", err)
		}
		go keys.Run(ctx, cfg.JWKSRefresh)
	}
	var secret []byte
	if cfg.JWTSecret != "" {
		secret = []byte(cfg.JWTSecret)
	}
	verifier, err := auth.NewVerifier(auth.VerifierConfig{
		Secret: secret, Keys: keys, Issuer: cfg.JWTIssuer, Audience: cfg.JWTAudience, RolesClaim: cfg.RolesClaim,
	})
	if err != nil {
		return err
	}
	// Lists come from memory where this process is the only writer: load
	// them before the service says it is ready.
	t0 := time.Now()
	from, err := warm.load(ctx, store)
	if err != nil {
		return fmt.Errorf("read model: %w", err)
	}
	logger.Info("read model loaded", "from", from, "took", time.Since(t0).Round(time.Millisecond))
	anonymousRefusals := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "thidua_anonymous_refusals_total",
		Help: "Mutations refused to anonymous callers (counted here instead of the audit trail), by operation.",
	}, []string{"operation"})
	reg.MustRegister(anonymousRefusals)
	svc := &service.Service{Store: store, Catalog: refs, Now: time.Now, VoteMajority: cfg.VoteMajority, Events: service.NewBus(0),
		Prerequisites: cfg.Prerequisites, Route: cfg.Route, FileLimits: &cfg.Uploads, CommandTimeout: cfg.CommandTimeout}
	if store.Capabilities().Transactions {
		// Several processes may write a replica set: subscriptions follow
		// its change stream (every process's committed writes), not each
		// process's own write path. Serving starts once the stream is open
		// (a change committed before would be relayed by no one), or once
		// the relay has given up: then each process publishes its own.
		streamErrors := prometheus.NewCounter(prometheus.CounterOpts{
			Name: "thidua_change_stream_errors_total", Help: "Errors of the change stream the subscriptions follow (each is logged).",
		})
		reg.MustRegister(streamErrors)
		svc.UseChangeStream()
		opened, relayEnded := make(chan struct{}), make(chan struct{})
		var once sync.Once
		go func() {
			defer close(relayEnded)
			err := svc.RelayChanges(ctx, func(ctx context.Context, emit func(kind, op string, record any)) error {
				return store.WatchChanges(ctx, func(c repository.Change) { emit(c.Kind, c.Op, c.Record) }, repository.WatchOptions{
					Opened: func() { once.Do(func() { close(opened) }) },
					Failed: func(err error) {
						streamErrors.Inc()
						logger.Warn("change stream", "err", err)
					},
				})
			})
			if err != nil {
				logger.Error("change stream given up; each process publishes its own writes", "err", err)
			}
		}()
		select {
		case <-opened:
			logger.Info("change stream open")
		case <-relayEnded:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	resolver := &graph.Resolver{Service: svc, Catalog: refs, Now: time.Now}
	handler := httpapi.New(httpapi.Deps{
		Exports: export.Handler(svc, logger),
		GraphQL: graph.NewHandler(resolver, graph.HandlerConfig{
			Introspection: cfg.Introspection, ComplexityLimit: cfg.ComplexityLimit, Logger: logger,
			Limits: graph.Limits{MaxQueryBytes: cfg.MaxQueryBytes, MaxTokens: cfg.MaxTokens, MaxDepth: cfg.MaxDepth,
				MaxAliases: cfg.MaxAliases, MaxDirectives: cfg.MaxDirectives, MaxFields: cfg.MaxFields},
			Subscriptions: graph.SubscriptionConfig{Verifier: verifier,
				AllowOrigin: httpapi.OriginAllowed(cfg.CORSOrigins, cfg.CORSLocalhost)},
			AnonymousRefusal: func(op string) { anonymousRefusals.WithLabelValues(op).Inc() },
			MaxUploadBytes:   cfg.Uploads.MaxBytes,
			NoResponseCache:  !cfg.ResponseCache,
		}),
		Files:          httpapi.FileHandler(svc.OpenFile, httpapi.WriteError(logger)),
		MaxUploadBytes: cfg.Uploads.MaxBytes,
		Uploads:        httpapi.UploadLimits{Total: cfg.UploadConcurrency, PerSubject: cfg.UploadsPerSubject},
		Verifier:       verifier, DB: store, Logger: logger, Playground: cfg.Playground,
		RequestTimeout: cfg.RequestTimeout, MaxBodyBytes: cfg.MaxBodyBytes, Registry: reg,
		CORSOrigins: cfg.CORSOrigins, CORSLocalhost: cfg.CORSLocalhost,
		AddressLimit:             httpapi.RateLimit{RPS: cfg.RateRPS, Burst: cfg.RateBurst},
		SubjectLimit:             httpapi.RateLimit{RPS: cfg.SubjectRPS, Burst: cfg.SubjectBurst},
		MaxConnectionsPerAddress: cfg.MaxConnectionsPerAddress,
	})
	if cfg.PprofAddr != "" {
		stopPprof, err := servePprof(cfg.PprofAddr, logger)
		if err != nil {
			return err
		}
		defer stopPprof()
	}
	select {
	case err := <-leaseLost:
		return err
	default:
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return err
	}
	srv := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: cfg.ReadHeaderTimeout,
		ReadTimeout:       15 * time.Second,
		WriteTimeout:      cfg.RequestTimeout + 10*time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    32 << 10,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	serveErr := make(chan error, 1)
	go func() { serveErr <- srv.Serve(ln) }()
	logger.Info("listening", "addr", ln.Addr().String(), "env", cfg.Env,
		"playground", cfg.Playground, "introspection", cfg.Introspection)
	if cfg.Playground {
		fmt.Fprintf(stdout, "thidua: playground at http://%s/\n", displayAddr(ln.Addr()))
	}

	select {
	case err := <-serveErr:
		return err
	case err := <-leaseLost:
		// Another process may be writing: stop accepting anything now.
		logger.Error("writer lease lost; stopping", "err", err)
		_ = srv.Close()
		return err
	case <-ctx.Done():
	}
	logger.Info("shutting down", "timeout", cfg.ShutdownTimeout)
	shutCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cfg.ShutdownTimeout)
	defer cancel()
	shutErr := srv.Shutdown(shutCtx)
	// Commands still running (a request past the shutdown's bound, or a
	// WebSocket's mutation: the HTTP server does not wait for those) run
	// to their end before the database closes, within their own deadline.
	drainCtx, stopDrain := context.WithTimeout(context.WithoutCancel(ctx), cfg.CommandTimeout)
	defer stopDrain()
	if n := svc.Drain(drainCtx); n > 0 {
		logger.Warn("commands still running when the database closes", "count", n)
	}
	if shutErr != nil {
		return fmt.Errorf("shutdown: %w", shutErr)
	}
	// Every request answered: the read model is kept for the next start,
	// if no write changes it before the database files are closed.
	warm.seal(store, logger)
	return nil
}

// holdWriterLease takes the writer lease on FerretDB and keeps it renewed
// until the returned release runs (which gives it back). The channel
// receives an error if the lease is lost. On MongoDB there is no lease:
// any number of processes may write.
func holdWriterLease(ctx context.Context, store *repository.Store, cfg *config, logger *slog.Logger) (<-chan error, func(), error) {
	lost := make(chan error, 1)
	if !store.Capabilities().FerretDB {
		return lost, func() {}, nil
	}
	lease, err := store.AcquireWriterLease(ctx, repository.LeaseOptions{
		TTL: cfg.WriterLeaseTTL, Takeover: cfg.MongoURI == "", Logger: logger,
	})
	if err != nil {
		return nil, nil, err
	}
	logger.Info("writer lease held", "database", cfg.Database, "owner", lease.Owner(), "ttl", lease.TTL())
	keepCtx, stop := context.WithCancel(context.WithoutCancel(ctx))
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := lease.Keep(keepCtx); err != nil {
			lost <- err
		}
	}()
	release := func() {
		stop()
		<-done
		select {
		case err := <-lost:
			lost <- err // not ours any more: leave it alone
			return
		default:
		}
		relCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		if err := lease.Release(relCtx); err != nil {
			logger.Warn("writer lease not released; it expires by itself", "err", err)
		}
	}
	return lost, release, nil
}

// servePprof serves net/http/pprof on its own listener (keep it on
// loopback: profiles show internals).
func servePprof(addr string, logger *slog.Logger) (func(), error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("PPROF_ADDR: %w", err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	logger.Info("pprof listening", "addr", ln.Addr().String())
	return func() { _ = srv.Close() }, nil
}

func displayAddr(a net.Addr) string {
	s := a.String()
	if strings.HasPrefix(s, "[::]:") || strings.HasPrefix(s, "0.0.0.0:") {
		return "localhost:" + s[strings.LastIndex(s, ":")+1:]
	}
	return s
}

func newLogger(w io.Writer, level string) *slog.Logger {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		l = slog.LevelInfo
	}
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: l}))
}

// levelFilter drops records under a minimum level (FerretDB logs a lot at info).
type levelFilter struct {
	slog.Handler
	min slog.Level
}

func (f levelFilter) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= f.min && f.Handler.Enabled(ctx, l)
}

func (f levelFilter) WithAttrs(a []slog.Attr) slog.Handler {
	return levelFilter{f.Handler.WithAttrs(a), f.min}
}
func (f levelFilter) WithGroup(g string) slog.Handler {
	return levelFilter{f.Handler.WithGroup(g), f.min}
}

// runToken prints a development token signed with JWT_SECRET.
func runToken(args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("token", flag.ContinueOnError)
	fs.SetOutput(stderr)
	sub := fs.String("sub", "", "subject (required)")
	name := fs.String("name", "", "display name")
	ttl := fs.Duration("ttl", 8*time.Hour, "lifetime")
	roles := map[string]string{}
	fs.Func("role", "SCOPE=ROLE, e.g. lang-son=editor or '*=viewer' (repeatable)", func(v string) error {
		scope, role, ok := strings.Cut(v, "=")
		if !ok || !auth.ValidScope(scope) {
			return fmt.Errorf("want SCOPE=ROLE, got %q", v)
		}
		if _, err := auth.ParseRole(role); err != nil {
			return err
		}
		roles[scope] = role
		return nil
	})
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *sub == "" {
		return errors.New("token: -sub is required")
	}
	cfg, err := loadConfig(getenv)
	if err != nil {
		return err
	}
	if cfg.JWTSecret == "" {
		return errors.New("token: JWT_SECRET is not set; tokens from a JWKS provider are issued by the provider")
	}
	tok, err := auth.Issue(auth.IssueConfig{
		Secret: []byte(cfg.JWTSecret), Issuer: cfg.JWTIssuer, Audience: cfg.JWTAudience,
		Subject: *sub, Name: *name, Roles: roles, TTL: *ttl, Now: time.Now(),
	})
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, tok)
	return nil
}
