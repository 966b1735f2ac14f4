package graph

import (
	"github.com/99designs/gqlgen/graphql/handler"

	"github.com/thidua/thidua/auth"
)

// SubscriptionConfig configures subscriptions over WebSocket
// (graphql-transport-ws on /graphql).
type SubscriptionConfig struct {
	Verifier *auth.Verifier // checks connection_init's Authorization; nil: anonymous only
}

// addSubscriptions adds the WebSocket transport to srv.
func addSubscriptions(srv *handler.Server, r *Resolver, cfg SubscriptionConfig) {}
