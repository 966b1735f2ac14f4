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
func (s *Store) Clusters(ctx context.Context) ([]Cluster, error) {
	return listAll[Cluster](ctx, s, colClusters, bson.D{{Key: "_id", Value: 1}})
}

// PutCluster inserts or replaces a cluster (seeding).
func (s *Store) PutCluster(ctx context.Context, c *Cluster) error {
	return s.put(ctx, colClusters, c.ID, c, &c.Meta)
}

// SetClusterYear sets (adds or replaces) one year of a cluster, at the
// expected version of the cluster.
func (s *Store) SetClusterYear(ctx context.Context, id string, expected int, y ClusterYear) (*Cluster, error) {
	defer s.lock(colClusters, id)()
	var c Cluster
	err := mapErr(s.c(colClusters).FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&c))
	if errors.Is(err, errNoDocument) {
		return nil, domain.NotFound("cluster", id)
	}
	if err != nil {
		return nil, err
	}
	if c.Version != expected {
		return nil, domain.Conflict("cluster %s is at version %d, not %d", id, c.Version, expected)
	}
	years := []ClusterYear{y}
	for _, old := range c.Years {
		if old.Year != y.Year {
			years = append(years, old)
		}
	}
	sort.Slice(years, func(i, j int) bool { return years[i].Year < years[j].Year })
	filter := bson.D{{Key: "_id", Value: id}}
	if !s.caps.FerretDB {
		filter = append(filter, bson.E{Key: "version", Value: expected})
	}
	res, err := s.c(colClusters).UpdateOne(ctx, filter, bson.D{
		{Key: "$set", Value: bson.D{{Key: "years", Value: years}, {Key: "updatedAt", Value: s.stamp()}}},
		{Key: "$inc", Value: bson.D{{Key: "version", Value: 1}}},
	})
	if err != nil {
		return nil, mapErr(err)
	}
	if res.MatchedCount == 0 {
		return nil, domain.Conflict("cluster %s changed concurrently; read it again", id)
	}
	c.Years, c.Version, c.UpdatedAt = years, c.Version+1, s.stamp()
	return &c, nil
}
