package graph

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	coderws "github.com/coder/websocket"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/thidua/thidua/auth"
	"github.com/thidua/thidua/domain"
	"github.com/thidua/thidua/graph/model"
	"github.com/thidua/thidua/httpapi"
	"github.com/thidua/thidua/service"
)

// SubscriptionConfig configures subscriptions over WebSocket
// (graphql-transport-ws on /graphql). Zero values take the defaults.
type SubscriptionConfig struct {
	Verifier *auth.Verifier // checks connection_init's Authorization; nil: anonymous only
	// AllowOrigin says whether a browser page of this origin may open a
	// connection (the CORS_ORIGINS rule); same-origin pages and clients
	// that send no Origin always may. nil: http://localhost:* and
	// http://127.0.0.1:* (the development default).
	AllowOrigin func(origin string) bool
	// MaxConnections caps the open connections of the process (1000).
	MaxConnections int
	// MaxSubscriptionsPerConnection caps the active subscriptions of one
	// connection (20).
	MaxSubscriptionsPerConnection int
	// KeepAlivePingInterval is how often the server pings (25 s).
	KeepAlivePingInterval time.Duration
	// InitTimeout is how long a connection may wait before connection_init (10 s).
	InitTimeout time.Duration
	// Now is the clock the token's expiry is compared with (time.Now).
	Now func() time.Time
}

// The defaults of SubscriptionConfig.
const (
	DefaultMaxConnections                = 1000
	DefaultMaxSubscriptionsPerConnection = 20
	DefaultKeepAlivePingInterval         = 25 * time.Second
	DefaultInitTimeout                   = 10 * time.Second
)

// The close codes of graphql-transport-ws (and RFC 6455) the server uses.
const (
	closeForbidden  = 4403 // connection_init refused: bad token; or the token expired
	closeTryLater   = 1013 // RFC 6455 "Try Again Later": too many connections
	protocolName    = "graphql-transport-ws"
	maxCloseReason  = 120
	authorizationIn = "Authorization"
)

func (c SubscriptionConfig) withDefaults() SubscriptionConfig {
	if c.MaxConnections <= 0 {
		c.MaxConnections = DefaultMaxConnections
	}
	if c.MaxSubscriptionsPerConnection <= 0 {
		c.MaxSubscriptionsPerConnection = DefaultMaxSubscriptionsPerConnection
	}
	if c.KeepAlivePingInterval <= 0 {
		c.KeepAlivePingInterval = DefaultKeepAlivePingInterval
	}
	if c.InitTimeout <= 0 {
		c.InitTimeout = DefaultInitTimeout
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.AllowOrigin == nil {
		c.AllowOrigin = LocalhostOrigin
	}
	return c
}

// LocalhostOrigin allows http://localhost:* and http://127.0.0.1:* (the
// development default of CORS_ORIGINS).
func LocalhostOrigin(origin string) bool {
	u, err := url.Parse(origin)
	if err != nil || u.Scheme != "http" || u.Path != "" {
		return false
	}
	h := u.Hostname()
	return h == "localhost" || h == "127.0.0.1"
}

// addSubscriptions adds the WebSocket transport to srv, with the limits
// and the check that subscriptions come over it only.
func addSubscriptions(srv *handler.Server, r *Resolver, cfg SubscriptionConfig) {
	cfg = cfg.withDefaults()
	t := &wsTransport{cfg: cfg}
	t.ws = transport.Websocket{
		Implementation:        connCapture{},
		InitFunc:              t.init,
		InitTimeout:           cfg.InitTimeout,
		KeepAlivePingInterval: cfg.KeepAlivePingInterval, // graphql-ws keep-alive (unused: we require graphql-transport-ws)
		PingPongInterval:      cfg.KeepAlivePingInterval, // graphql-transport-ws ping; a missing pong ends the connection
	}
	srv.AddTransport(t)
	srv.AroundOperations(t.limitSubscriptions)
	srv.Use(subscriptionEvents{service: r.Service})
}

// wsTransport is gqlgen's WebSocket transport behind the origin check and
// the connection limit.
type wsTransport struct {
	cfg   SubscriptionConfig
	ws    transport.Websocket
	conns atomic.Int64
}

var _ graphql.Transport = (*wsTransport)(nil)

func (t *wsTransport) Supports(r *http.Request) bool { return r.Header.Get("Upgrade") != "" }

func (t *wsTransport) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	if origin := r.Header.Get("Origin"); origin != "" && !sameOrigin(origin, r.Host) && !t.cfg.AllowOrigin(origin) {
		httpapi.Refuse(w, domain.CodeForbidden, "WebSocket connections from origin "+origin+" are not allowed")
		return
	}
	if !offers(r, protocolName) {
		httpapi.Refuse(w, domain.CodeInvalid, "subscriptions use the "+protocolName+" WebSocket subprotocol")
		return
	}
	n := t.conns.Add(1)
	defer t.conns.Add(-1)
	st := &connState{over: n > int64(t.cfg.MaxConnections), maxSubs: t.cfg.MaxSubscriptionsPerConnection}
	t.ws.Do(w, r.WithContext(context.WithValue(r.Context(), connStateKey{}, st)), newWSExec(exec))
}

// init runs on connection_init: it refuses a connection over the limit or
// with a bad token, puts the caller in the context, and ends the
// connection when the token expires.
func (t *wsTransport) init(ctx context.Context, payload transport.InitPayload) (context.Context, *transport.InitPayload, error) {
	st := stateFrom(ctx)
	if st != nil && st.over {
		msg := fmt.Sprintf("Try Again Later: too many connections (limit %d)", t.cfg.MaxConnections)
		return refuseInit(ctx, closeTryLater, msg), nil, fmt.Errorf("%s", msg)
	}
	token := bearer(payload)
	if token == "" {
		// No token: anonymous, whatever the upgrade request carried.
		return auth.WithPrincipal(ctx, nil), nil, nil
	}
	if t.cfg.Verifier == nil {
		return refuseInit(ctx, closeForbidden, "Forbidden: tokens are not accepted"), nil, fmt.Errorf("forbidden")
	}
	p, err := t.cfg.Verifier.Verify(ctx, token)
	if err != nil || p == nil {
		return refuseInit(ctx, closeForbidden, "Forbidden: invalid or expired token"), nil, fmt.Errorf("forbidden")
	}
	ctx = auth.WithPrincipal(ctx, p)
	if p.Expires.IsZero() {
		return ctx, nil, nil
	}
	left := p.Expires.Sub(t.cfg.Now())
	if left <= 0 {
		return refuseInit(ctx, closeForbidden, "Forbidden: token expired"), nil, fmt.Errorf("forbidden")
	}
	ctx, cancel := context.WithCancel(ctx)
	timer := time.AfterFunc(left, func() {
		if st != nil {
			st.close(closeForbidden, "Forbidden: token expired")
		}
		cancel()
	})
	context.AfterFunc(ctx, func() { timer.Stop() })
	return ctx, nil, nil
}

func refuseInit(ctx context.Context, code int, reason string) context.Context {
	if len(reason) > maxCloseReason {
		reason = reason[:maxCloseReason]
	}
	return transport.AppendCloseReason(transport.WithWebsocketCloseCode(ctx, code), reason)
}

// bearer is connection_init's Authorization, with or without "Bearer ".
func bearer(p transport.InitPayload) string {
	v := strings.TrimSpace(p.GetString(authorizationIn))
	if v == "" {
		v = strings.TrimSpace(p.GetString("authorization"))
	}
	if scheme, rest, ok := strings.Cut(v, " "); ok && strings.EqualFold(scheme, "Bearer") {
		v = strings.TrimSpace(rest)
	}
	return v
}

// limitSubscriptions refuses a subscription over the connection's limit
// (the protocol's error message for that operation) and any subscription
// that does not come over WebSocket.
func (t *wsTransport) limitSubscriptions(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	if !graphql.HasOperationContext(ctx) {
		return next(ctx)
	}
	oc := graphql.GetOperationContext(ctx)
	if oc.Operation == nil || oc.Operation.Operation != ast.Subscription {
		return next(ctx)
	}
	st := stateFrom(ctx)
	if st == nil {
		return graphql.OneShot(&graphql.Response{Errors: gqlerror.List{
			invalidRequest("subscriptions are served over WebSocket (%s on /graphql) only", protocolName)}})
	}
	if !st.acquire() {
		addSubscriptionError(ctx, &gqlerror.Error{
			Message:    fmt.Sprintf("too many subscriptions on this connection: the limit is %d", st.maxSubs),
			Extensions: map[string]any{"code": string(domain.CodeRateLimited)},
		})
		return func(context.Context) *graphql.Response { return nil }
	}
	context.AfterFunc(ctx, st.release)
	return next(context.WithValue(ctx, subEndKey{}, &subEnd{}))
}

// subEnd is why a subscription's stream ended, if for an error. The
// resolver's goroutine records it; the transport's goroutine reports it
// (subscriptionEvents), which is where gqlgen reads it back.
type subEnd struct {
	mu  sync.Mutex
	err *gqlerror.Error
}

type subEndKey struct{}

func (e *subEnd) set(err *gqlerror.Error) {
	e.mu.Lock()
	e.err = err
	e.mu.Unlock()
}

func (e *subEnd) get() *gqlerror.Error {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.err
}

// addSubscriptionError ends a subscription with the protocol's error
// message; outside the WebSocket transport there is none to send.
func addSubscriptionError(ctx context.Context, err *gqlerror.Error) {
	defer func() { _ = recover() }()
	transport.AddSubscriptionError(ctx, err)
}

func sameOrigin(origin, host string) bool {
	u, err := url.Parse(origin)
	return err == nil && u.Host != "" && strings.EqualFold(u.Host, host)
}

// offers reports whether the upgrade request offers the subprotocol.
func offers(r *http.Request, protocol string) bool {
	for _, h := range r.Header.Values("Sec-WebSocket-Protocol") {
		for _, p := range strings.Split(h, ",") {
			if strings.TrimSpace(p) == protocol {
				return true
			}
		}
	}
	return false
}

// connState is one connection's: its socket, and its subscriptions.
type connState struct {
	over    bool
	maxSubs int

	mu   sync.Mutex
	conn transport.WebsocketConn
	subs int
}

type connStateKey struct{}

func stateFrom(ctx context.Context) *connState {
	st, _ := ctx.Value(connStateKey{}).(*connState)
	return st
}

func (s *connState) acquire() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.subs >= s.maxSubs {
		return false
	}
	s.subs++
	return true
}

func (s *connState) release() {
	s.mu.Lock()
	s.subs--
	s.mu.Unlock()
}

// close closes the socket with a code of the server's choosing (gqlgen's
// own close, which follows, then does nothing).
func (s *connState) close(code int, reason string) {
	s.mu.Lock()
	c := s.conn
	s.mu.Unlock()
	if c != nil {
		_ = c.WriteClose(code, reason)
	}
}

// connCapture accepts connections with coder/websocket and keeps each in
// its connection's state. The origin was checked before (wsTransport.Do).
type connCapture struct{}

func (connCapture) Accept(w http.ResponseWriter, r *http.Request, o transport.WebsocketAcceptOptions) (transport.WebsocketConn, error) {
	impl := transport.CoderWebsocketImplementation{AcceptOptions: coderws.AcceptOptions{InsecureSkipVerify: true}}
	o.Subprotocols = []string{protocolName}
	c, err := impl.Accept(w, r, o)
	if err != nil {
		return nil, err
	}
	// gqlgen's coder/websocket connection, which also takes read limits
	// and deadlines.
	if full, ok := c.(wsConn); ok {
		c = utf8Conn{conn: full}
	}
	if st := stateFrom(r.Context()); st != nil {
		st.mu.Lock()
		st.conn = c
		st.mu.Unlock()
	}
	return c, nil
}

// subscriptionEvents gives every event of a subscription fresh loaders
// (the connection's would cache records for as long as it stays open),
// and, when the stream ends for an error, sends it as the protocol's error
// message for the subscription.
type subscriptionEvents struct{ service *service.Service }

func (subscriptionEvents) ExtensionName() string                   { return "SubscriptionEvents" }
func (subscriptionEvents) Validate(graphql.ExecutableSchema) error { return nil }

func (l subscriptionEvents) InterceptResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	if !graphql.HasOperationContext(ctx) {
		return next(ctx)
	}
	if oc := graphql.GetOperationContext(ctx); oc.Operation == nil || oc.Operation.Operation != ast.Subscription {
		return next(ctx)
	}
	resp := next(context.WithValue(ctx, loadersKey{}, newLoaders(ctx, l.service)))
	if resp == nil {
		if end, _ := ctx.Value(subEndKey{}).(*subEnd); end != nil {
			if err := end.get(); err != nil {
				addSubscriptionError(ctx, err)
			}
		}
	}
	return resp
}

// subscribe registers the caller on the service's bus for kind and streams
// the events matching match, converted, until ctx ends. A dropped (slow)
// subscriber's subscription ends with an error.
func subscribe[T any](ctx context.Context, r *Resolver, kind string, match func(service.Event) bool,
	conv func(service.Event) T) (<-chan T, error) {
	bus, ok := r.Service.Events.(*service.Bus)
	if !ok || bus == nil {
		return nil, &domain.Error{Code: domain.CodeUnavailable, Message: "subscriptions are not available"}
	}
	sub := bus.Subscribe(auth.FromContext(ctx), kind, match)
	out := make(chan T)
	go func() {
		defer close(out)
		defer sub.Close()
		for {
			select {
			case <-ctx.Done():
				return
			case e, ok := <-sub.Events():
				if !ok {
					end, _ := ctx.Value(subEndKey{}).(*subEnd)
					if err := sub.Err(); err != nil && end != nil {
						end.set(&gqlerror.Error{
							Message:    "subscription ended: " + err.Error() + "; subscribe again and re-read",
							Extensions: map[string]any{"code": string(domain.CodeUnavailable)},
						})
					}
					return
				}
				select {
				case out <- conv(e):
				case <-ctx.Done():
					return
				}
			}
		}
	}()
	return out, nil
}

func changeOp(e service.Event) model.ChangeOp { return model.ChangeOp(e.Op) }

func (r *subscriptionResolver) awardChange(e service.Event) *model.AwardChange {
	a, _ := e.Record.(*domain.Award)
	out := &model.AwardChange{Op: changeOp(e)}
	if a != nil {
		out.ID = a.ID
		if e.Op != "DELETED" {
			out.Award = r.award(a)
		}
	}
	return out
}

func (r *subscriptionResolver) movementChange(e service.Event) *model.MovementChange {
	m, _ := e.Record.(*domain.Movement)
	out := &model.MovementChange{Op: changeOp(e)}
	if m != nil {
		out.ID = m.ID
		if e.Op != "DELETED" {
			out.Movement = toMovement(m)
		}
	}
	return out
}

func (r *subscriptionResolver) reviewChange(e service.Event) *model.PeriodReviewChange {
	rv, _ := e.Record.(*domain.PeriodReview)
	out := &model.PeriodReviewChange{Op: changeOp(e)}
	if rv != nil {
		out.ID = rv.ID
		if e.Op != "DELETED" {
			out.PeriodReview = toReview(rv, r.Catalog.Get())
		}
	}
	return out
}

func (r *subscriptionResolver) reportChange(e service.Event) *model.ProvinceReportChange {
	rep, _ := e.Record.(*domain.ProvinceReport)
	out := &model.ProvinceReportChange{Op: changeOp(e)}
	if rep != nil {
		out.ID, out.ReviewID, out.ProvinceID = rep.ID, rep.ReviewID, rep.ProvinceID
		if e.Op != "DELETED" {
			out.Report = toReport(rep)
		}
	}
	return out
}

func (r *subscriptionResolver) dossierChange(e service.Event) *model.DossierChange {
	d, _ := e.Record.(*domain.Dossier)
	out := &model.DossierChange{Op: changeOp(e)}
	if d != nil {
		out.ID = d.ID
		if e.Op != "DELETED" {
			out.Dossier = r.dossier(d)
		}
	}
	return out
}
