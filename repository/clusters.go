package repository

import (
	"context"
	"errors"
	"sort"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/thidua/thidua/domain"
)

const colClusters = "clusters"

// Clusters lists the clusters, ordered by id.
func (s *Store) Clusters(ctx context.Context) ([]domain.Cluster, error) {
	return listAll(ctx, s, colClusters, bson.D{{Key: "_id", Value: 1}}, clusterToDomain)
}

// PutCluster inserts or replaces a cluster (seeding).
func (s *Store) PutCluster(ctx context.Context, c *domain.Cluster) error {
	return put(ctx, s, colClusters, c.ID, c, &c.Meta, clusterToDoc)
}

// SetClusterYear sets (adds or replaces) one year of a cluster, at the
// expected version of the cluster: read from the primary and checked, then
// written with the version in the filter on MongoDB (checkedFilter); a
// write that matched nothing is a CONFLICT, never a success.
func (s *Store) SetClusterYear(ctx context.Context, id string, expected int, y domain.ClusterYear) (before, after *domain.Cluster, err error) {
	defer s.lock(colClusters, id)()
	var c clusterDoc
	err = mapErr(s.primary(colClusters).FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&c))
	if errors.Is(err, errNoDocument) {
		return nil, nil, domain.NotFound("cluster", id)
	}
	if err != nil {
		return nil, nil, err
	}
	if c.Meta.Version != expected {
		return nil, nil, domain.Conflict("cluster %s is at version %d, not %d", id, c.Meta.Version, expected)
	}
	before = clusterToDomain(&c)
	years := []clusterYearDoc{{Year: y.Year, Members: copySlice(y.Members), Chair: y.Chair, Deputy: y.Deputy}}
	for _, old := range c.Years {
		if old.Year != y.Year {
			years = append(years, old)
		}
	}
	sort.Slice(years, func(i, j int) bool { return years[i].Year < years[j].Year })
	// The cluster's own records are the "*" scope's: no owner to filter on.
	filter := s.checkedFilter(id, expected, domain.Access{All: true})
	now := s.stamp()
	res, err := s.c(colClusters).UpdateOne(ctx, filter, bson.D{
		{Key: "$set", Value: bson.D{{Key: "years", Value: years}, {Key: "updatedAt", Value: now}}},
		{Key: "$inc", Value: bson.D{{Key: "version", Value: 1}}},
	})
	if err != nil {
		return nil, nil, mapErr(err)
	}
	if res.MatchedCount == 0 {
		return nil, nil, domain.Conflict("cluster %s changed concurrently; read it again", id)
	}
	c.Years, c.Meta.Version, c.Meta.UpdatedAt = years, c.Meta.Version+1, now
	return before, clusterToDomain(&c), nil
}
