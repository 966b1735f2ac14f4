// Package catalog keeps the reference data (provinces, award types,
// indicators, the law table) in memory: it is small, read by nearly every request, and
// changes rarely. It reloads on a short interval, so several replicas
// converge, and on demand after a local write.
package catalog

import (
	"context"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/thidua/thidua/domain"
)

// Snapshot is one consistent view of the reference data.
type Snapshot struct {
	Provinces  []domain.Province // ordered by id
	AwardTypes []domain.AwardType
	Indicators []domain.Indicator
	Clusters   []domain.Cluster
	Laws       []domain.LawPeriod // the law table, in its order
	// BaseSalaries is the base salary table, by date (reward money).
	BaseSalaries []domain.BaseSalary

	provinces  map[string]*domain.Province
	awardTypes map[string]*domain.AwardType
	indicators map[string]*domain.Indicator
}

// Province returns a province by id, or nil.
func (s *Snapshot) Province(id string) *domain.Province { return s.provinces[id] }

// AwardType returns an award type by id, or nil.
func (s *Snapshot) AwardType(id string) *domain.AwardType { return s.awardTypes[id] }

// ProvinceName is a province's name, or id itself when none has it (a
// record kept after its province left the catalogue reads as its id).
func (s *Snapshot) ProvinceName(id string) string {
	if p := s.provinces[id]; p != nil {
		return p.Name
	}
	return id
}

// AwardTypeName is an award type's name, or id itself when none has it.
func (s *Snapshot) AwardTypeName(id string) string {
	if t := s.awardTypes[id]; t != nil {
		return t.Name
	}
	return id
}

// Indicator returns an indicator by id, or nil.
func (s *Snapshot) Indicator(id string) *domain.Indicator { return s.indicators[id] }

// LawPeriods returns the law table (domain.LawPeriod), in its order.
func (s *Snapshot) LawPeriods() []domain.LawPeriod { return s.Laws }

// LawPeriod returns a period of the law table by id, or nil.
func (s *Snapshot) LawPeriod(id string) *domain.LawPeriod {
	for i := range s.Laws {
		if s.Laws[i].ID == id {
			return &s.Laws[i]
		}
	}
	return nil
}

// Cluster returns a cluster by id, or nil.
func (s *Snapshot) Cluster(id string) *domain.Cluster {
	for i := range s.Clusters {
		if s.Clusters[i].ID == id {
			return &s.Clusters[i]
		}
	}
	return nil
}

// ClusterOf returns the cluster that has a composition for year (the first,
// by id), and that composition; nil when none has.
func (s *Snapshot) ClusterOf(year int) (*domain.Cluster, *domain.ClusterYear) {
	for i := range s.Clusters {
		if y := s.Clusters[i].InYear(year); y != nil {
			return &s.Clusters[i], y
		}
	}
	return nil, nil
}

// Source is where the reference data is read from.
type Source interface {
	Clusters(ctx context.Context) ([]domain.Cluster, error)
	Provinces(ctx context.Context) ([]domain.Province, error)
	AwardTypes(ctx context.Context) ([]domain.AwardType, error)
	Indicators(ctx context.Context) ([]domain.Indicator, error)
	LawPeriods(ctx context.Context) ([]domain.LawPeriod, error)
	BaseSalaries(ctx context.Context) ([]domain.BaseSalary, error)
}

// Cache holds the latest snapshot.
type Cache struct {
	src  Source
	snap atomic.Pointer[Snapshot]
}

// New loads the reference data once and returns the cache.
func New(ctx context.Context, src Source) (*Cache, error) {
	c := &Cache{src: src}
	if err := c.Reload(ctx); err != nil {
		return nil, err
	}
	return c, nil
}

// Get returns the current snapshot.
func (c *Cache) Get() *Snapshot { return c.snap.Load() }

// Reload reads the reference data again.
func (c *Cache) Reload(ctx context.Context) error {
	ps, err := c.src.Provinces(ctx)
	if err != nil {
		return err
	}
	ts, err := c.src.AwardTypes(ctx)
	if err != nil {
		return err
	}
	is, err := c.src.Indicators(ctx)
	if err != nil {
		return err
	}
	cs, err := c.src.Clusters(ctx)
	if err != nil {
		return err
	}
	ls, err := c.src.LawPeriods(ctx)
	if err != nil {
		return err
	}
	bs, err := c.src.BaseSalaries(ctx)
	if err != nil {
		return err
	}
	snap := NewSnapshot(ps, ts, is, cs)
	snap.Laws = ls
	domain.SortBaseSalaries(bs)
	snap.BaseSalaries = bs
	c.snap.Store(snap)
	return nil
}

// NewSnapshot indexes reference data (tests build one without a database).
func NewSnapshot(ps []domain.Province, ts []domain.AwardType, is []domain.Indicator, cs []domain.Cluster) *Snapshot {
	s := &Snapshot{Provinces: ps, AwardTypes: ts, Indicators: is, Clusters: cs,
		provinces:  make(map[string]*domain.Province, len(ps)),
		awardTypes: make(map[string]*domain.AwardType, len(ts)),
		indicators: make(map[string]*domain.Indicator, len(is)),
	}
	for i := range s.Provinces {
		s.provinces[s.Provinces[i].ID] = &s.Provinces[i]
	}
	for i := range s.AwardTypes {
		s.awardTypes[s.AwardTypes[i].ID] = &s.AwardTypes[i]
	}
	for i := range s.Indicators {
		s.indicators[s.Indicators[i].ID] = &s.Indicators[i]
	}
	return s
}

// Run reloads every interval until ctx ends; failures keep the last
// snapshot and are logged.
func (c *Cache) Run(ctx context.Context, interval time.Duration, logger *slog.Logger) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := c.Reload(ctx); err != nil && ctx.Err() == nil {
				logger.WarnContext(ctx, "reference data reload failed; keeping the last snapshot", "err", err)
			}
		}
	}
}
