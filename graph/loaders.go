package graph

import (
	"context"
	"net/http"
	"time"

	"github.com/vikstrous/dataloadgen"
	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/thidua/thidua/repository"
)

// loaders batch the edges from a record to another collection, one batch
// per request. They are made fresh for every request, with the caller's
// access, and never shared between callers.
type loaders struct {
	movements *dataloadgen.Loader[bson.ObjectID, *repository.Movement]
	reports   *dataloadgen.Loader[bson.ObjectID, []repository.ProvinceReport]
	ballots   *dataloadgen.Loader[bson.ObjectID, []repository.Ballot] // by review
}

type loadersKey struct{}

const loaderWait = time.Millisecond

func newLoaders(ctx context.Context, s *repository.Store) *loaders {
	read := readAccess(ctx)
	return &loaders{
		movements: dataloadgen.NewMappedLoader(func(ctx context.Context, ids []bson.ObjectID) (map[bson.ObjectID]*repository.Movement, error) {
			return s.MovementsByID(ctx, ids, read)
		}, dataloadgen.WithWait(loaderWait)),
		reports: dataloadgen.NewMappedLoader(s.ReportsByReview, dataloadgen.WithWait(loaderWait)),
		// A vote's voters and ballots fields share one read of its ballots.
		ballots: dataloadgen.NewMappedLoader(s.BallotsByReview, dataloadgen.WithWait(loaderWait)),
	}
}

// loadersMiddleware puts fresh loaders in every request's context; it runs
// after the auth middleware, so the loaders see the caller.
func loadersMiddleware(s *repository.Store, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := context.WithValue(r.Context(), loadersKey{}, newLoaders(r.Context(), s))
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

func loadersFrom(ctx context.Context) *loaders {
	return ctx.Value(loadersKey{}).(*loaders)
}
