package repository

import (
	"context"
	"reflect"
	"unsafe"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/readpref"
)

// ReadPreferences names the read preference of the handle lists read
// through and of the one checked writes read through (the driver has no
// accessor for a collection's read preference).
func (s *Store) ReadPreferences(coll string) (lists, checks string) {
	return readPrefOf(s.c(coll)).String(), readPrefOf(s.primary(coll)).String()
}

func readPrefOf(c *mongo.Collection) *readpref.ReadPref {
	f := reflect.ValueOf(c).Elem().FieldByName("readPreference")
	return (*readpref.ReadPref)(unsafe.Pointer(f.Pointer()))
}

// DatabaseName is the name of the store's database.
func (s *Store) DatabaseName() string { return s.db.Name() }

// ResyncAward runs what a write with an unknown outcome runs for an award
// (resync), under the award's lock.
func (s *Store) ResyncAward(ctx context.Context, id string) {
	oid, _ := parseID(id)
	defer s.lock(awards.coll, id)()
	resync(ctx, s, awards, oid)
}

// SetAwardCitationBehind changes an award in the database only, as a write
// the server applies after its client gave up would.
func (s *Store) SetAwardCitationBehind(ctx context.Context, id, citation string) error {
	oid, _ := parseID(id)
	_, err := s.c(colAwards).UpdateOne(ctx, bson.D{{Key: "_id", Value: oid}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "citation", Value: citation}}}, {Key: "$inc", Value: bson.D{{Key: "version", Value: 1}}}})
	return err
}
