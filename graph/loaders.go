package graph

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"time"

	"github.com/vikstrous/dataloadgen"

	"github.com/thidua/thidua/domain"
	"github.com/thidua/thidua/graph/model"
	"github.com/thidua/thidua/service"
)

// loaders batch the edges from a record to another collection, one batch
// per request. They are made for every request, for its caller, and never
// shared between callers; each is made on its first use (most requests
// need none or one of them).
type loaders struct {
	s              *service.Service
	movementsL     lazyLoader[*domain.Movement]
	reportsL       lazyLoader[[]domain.ProvinceReport] // by review
	votesL         lazyLoader[*domain.Vote]            // by review
	ballotsL       lazyLoader[[]domain.Ballot]         // by review
	awardsL        lazyLoader[*domain.Award]
	dossiersL      lazyLoader[*domain.Dossier]
	decisionsL     lazyLoader[*domain.DecisionRecord]
	honoreesL      lazyLoader[*domain.Honoree]
	dossierFilesL  lazyLoader[[]domain.Attachment] // by dossier
	decisionFilesL lazyLoader[[]domain.Attachment] // by decision
	unitsL         lazyLoader[*domain.Unit]
}

// lazyLoader is a loader made on its first use.
type lazyLoader[V any] struct {
	once sync.Once
	l    *dataloadgen.Loader[string, V]
}

func (z *lazyLoader[V]) get(fetch func(context.Context, []string) (map[string]V, error)) loader[V] {
	return loader[V]{z: z, fetch: fetch}
}

// loader reads records of one kind by id for a request: in batches
// (dataloadgen, waiting loaderWait to gather a batch), or, in an operation
// marked inline (every field reads memory: inline.go), directly — a batch
// would only wait to gather ids the read model answers at once. Its
// answers are dataloadgen's either way: dataloadgen.ErrNotFound for an id
// that names nothing, an ErrorSlice from LoadAll when any id failed.
type loader[V any] struct {
	z     *lazyLoader[V]
	fetch func(context.Context, []string) (map[string]V, error)
}

func (l loader[V]) batched() *dataloadgen.Loader[string, V] {
	l.z.once.Do(func() { l.z.l = dataloadgen.NewMappedLoader(l.fetch, dataloadgen.WithWait(loaderWait)) })
	return l.z.l
}

// Load reads one record.
func (l loader[V]) Load(ctx context.Context, id string) (V, error) {
	if !inline(ctx) {
		return l.batched().Load(ctx, id)
	}
	vs, errs := l.direct(ctx, []string{id})
	return vs[0], errs[0]
}

// LoadAll reads records in the order of ids.
func (l loader[V]) LoadAll(ctx context.Context, ids []string) ([]V, error) {
	if !inline(ctx) {
		return l.batched().LoadAll(ctx, ids)
	}
	vs, errs := l.direct(ctx, ids)
	for _, err := range errs {
		if err != nil {
			return vs, dataloadgen.ErrorSlice(errs)
		}
	}
	return vs, nil
}

// prefetch starts loading ids in one batch, whose answers later Loads
// find; inline, there is nothing to gather (Load reads directly).
func (l loader[V]) prefetch(ctx context.Context, ids []string) {
	if !inline(ctx) {
		l.batched().LoadAllThunk(ctx, ids)
	}
}

// prime gives the batched loader a record the request already holds;
// inline, Load reads it directly.
func (l loader[V]) prime(ctx context.Context, id string, v V) {
	if !inline(ctx) {
		l.batched().Prime(id, v)
	}
}

// direct reads ids with the fetch function, answering each as a
// dataloadgen mapped loader does.
func (l loader[V]) direct(ctx context.Context, ids []string) ([]V, []error) {
	found, err := l.fetch(ctx, ids)
	vs, errs := make([]V, len(ids)), make([]error, len(ids))
	for i, id := range ids {
		v, ok := found[id]
		switch {
		case err != nil:
			errs[i] = err
		case !ok:
			errs[i] = dataloadgen.ErrNotFound
		default:
			vs[i] = v
		}
	}
	return vs, errs
}

type loadersKey struct{}

const loaderWait = time.Millisecond

func newLoaders(_ context.Context, s *service.Service) *loaders { return &loaders{s: s} }

func (l *loaders) movements() loader[*domain.Movement] {
	return l.movementsL.get(l.s.MovementsByID)
}

func (l *loaders) reports() loader[[]domain.ProvinceReport] {
	return l.reportsL.get(l.s.ReportsByReview)
}

func (l *loaders) votes() loader[*domain.Vote] {
	return l.votesL.get(l.s.VotesByReview)
}

// ballots: a vote's voted and ballots fields share one read of its ballots.
func (l *loaders) ballots() loader[[]domain.Ballot] {
	return l.ballotsL.get(l.s.BallotsByReview)
}

func (l *loaders) awards() loader[*domain.Award] {
	return l.awardsL.get(l.s.AwardsByID)
}

func (l *loaders) dossiers() loader[*domain.Dossier] {
	return l.dossiersL.get(l.s.DossiersByID)
}

func (l *loaders) decisions() loader[*domain.DecisionRecord] {
	return l.decisionsL.get(l.s.DecisionsByID)
}

func (l *loaders) honorees() loader[*domain.Honoree] {
	return l.honoreesL.get(l.s.HonoreesByID)
}

func (l *loaders) units() loader[*domain.Unit] {
	return l.unitsL.get(l.s.UnitsByID)
}

func (l *loaders) dossierFiles() loader[[]domain.Attachment] {
	return l.dossierFilesL.get(func(ctx context.Context, ids []string) (map[string][]domain.Attachment, error) {
		return l.s.Attachments(ctx, domain.ParentDossier, ids)
	})
}

func (l *loaders) decisionFiles() loader[[]domain.Attachment] {
	return l.decisionFilesL.get(func(ctx context.Context, ids []string) (map[string][]domain.Attachment, error) {
		return l.s.Attachments(ctx, domain.ParentDecision, ids)
	})
}

// loadersMiddleware puts fresh loaders in every request's context; it runs
// after the auth middleware, so the loaders see the caller.
func loadersMiddleware(s *service.Service, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := context.WithValue(r.Context(), loadersKey{}, newLoaders(r.Context(), s))
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

func loadersFrom(ctx context.Context) *loaders {
	return ctx.Value(loadersKey{}).(*loaders)
}

// notFound is a loader's answer for a key with no record: null, not an
// error.
func notFound(err error) bool { return errors.Is(err, dataloadgen.ErrNotFound) }

// loadMovements reads movements in one batch, in the given order, leaving
// out those the caller cannot see.
func (r *Resolver) loadMovements(ctx context.Context, ids []string) ([]*model.Movement, error) {
	docs, err := loadersFrom(ctx).movements().LoadAll(ctx, ids)
	var errs dataloadgen.ErrorSlice
	if err != nil && !errors.As(err, &errs) {
		return nil, err
	}
	out := make([]*model.Movement, 0, len(docs))
	for i, d := range docs {
		if i < len(errs) && errs[i] != nil {
			if notFound(errs[i]) {
				continue
			}
			return nil, errs[i]
		}
		out = append(out, toMovement(d))
	}
	return out, nil
}

// loadReports reads a review's province reports through the request's
// loader (reports and summary share one batch).
func (r *Resolver) loadReports(ctx context.Context, reviewID string) ([]domain.ProvinceReport, error) {
	reps, err := loadersFrom(ctx).reports().Load(ctx, reviewID)
	if notFound(err) {
		return nil, nil
	}
	return reps, err
}

// loadVote reads a review's vote through the request's loader; nil when
// the review has none.
func (r *Resolver) loadVote(ctx context.Context, reviewID string) (*domain.Vote, error) {
	v, err := loadersFrom(ctx).votes().Load(ctx, reviewID)
	if notFound(err) {
		return nil, nil
	}
	return v, err
}

func (r *Resolver) loadBallots(ctx context.Context, reviewID string) ([]domain.Ballot, error) {
	b, err := loadersFrom(ctx).ballots().Load(ctx, reviewID)
	if notFound(err) {
		return nil, nil
	}
	return b, err
}

// load reads one record through a loader; absent or hidden is nil.
func load[T, M any](ctx context.Context, l loader[*T], id string, conv func(*T) *M) (*M, error) {
	if id == "" {
		return nil, nil
	}
	v, err := l.Load(ctx, id)
	if notFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return conv(v), nil
}

// loadFiles reads the attachments of a record through a loader.
func loadFiles(ctx context.Context, l loader[[]domain.Attachment], id string) ([]*model.Attachment, error) {
	list, err := l.Load(ctx, id)
	if err != nil && !notFound(err) {
		return nil, err
	}
	out := make([]*model.Attachment, len(list))
	for i := range list {
		out[i] = toAttachment(&list[i])
	}
	return out, nil
}
