package repository_test

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/thidua/thidua/dbtest"
)

// TestMeasureWriteFilter times a findAndModify on FerretDB with a filter of
// _id alone and with _id, version and owner, at 1,000 and 20,000 documents:
// whether the longer filter makes FerretDB scan the collection (docs/storage.md,
// "Embedded FerretDB and MongoDB: what differs"). Run with
// THIDUA_MEASURE_FILTER=1.
func TestMeasureWriteFilter(t *testing.T) {
	if os.Getenv("THIDUA_MEASURE_FILTER") == "" {
		t.Skip("set THIDUA_MEASURE_FILTER=1 to measure")
	}
	ctx := context.Background()
	client, err := mongo.Connect(options.Client().ApplyURI(dbtest.URI()))
	if err != nil {
		t.Fatal(err)
	}
	defer client.Disconnect(ctx)
	db := client.Database(dbtest.NewName(t))
	defer db.Drop(ctx)
	coll := db.Collection("m")
	total := 0
	for _, n := range []int{1000, 20000} {
		var docs []any
		for ; total < n; total++ {
			docs = append(docs, bson.D{{Key: "_id", Value: bson.NewObjectID()}, {Key: "owner", Value: "p"},
				{Key: "version", Value: 1}, {Key: "pad", Value: fmt.Sprintf("%0200d", total)}})
		}
		if _, err := coll.InsertMany(ctx, docs); err != nil {
			t.Fatal(err)
		}
		id := bson.NewObjectID()
		if _, err := coll.InsertOne(ctx, bson.D{{Key: "_id", Value: id}, {Key: "owner", Value: "p"}, {Key: "version", Value: 1}}); err != nil {
			t.Fatal(err)
		}
		total++
		for _, c := range []struct {
			name   string
			filter func(v int) bson.D
		}{
			{"_id only", func(int) bson.D { return bson.D{{Key: "_id", Value: id}} }},
			{"_id+version+owner", func(v int) bson.D {
				return bson.D{{Key: "_id", Value: id}, {Key: "version", Value: v},
					{Key: "owner", Value: bson.D{{Key: "$in", Value: bson.A{"p"}}}}}
			}},
		} {
			const rounds = 10
			for i := 0; i < 3; i++ { // warm up
				_ = coll.FindOne(ctx, c.filter(0)).Err()
			}
			var v int32
			_ = coll.FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&struct {
				V *int32 `bson:"version"`
			}{&v})
			start := time.Now()
			for i := 0; i < rounds; i++ {
				err := coll.FindOneAndUpdate(ctx, c.filter(int(v)), bson.D{{Key: "$inc", Value: bson.D{{Key: "version", Value: 1}}}}).Err()
				if err != nil {
					t.Fatal(c.name, err)
				}
				v++
			}
			fam := time.Since(start) / rounds
			start = time.Now()
			for i := 0; i < rounds; i++ {
				_ = coll.FindOne(ctx, c.filter(int(v))).Err()
			}
			t.Logf("%6d documents, %-18s: %v per findAndModify, %v per find", total, c.name, fam, time.Since(start)/rounds)
		}
	}
}
