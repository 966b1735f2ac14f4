package repository

import (
	"reflect"
	"unsafe"

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
