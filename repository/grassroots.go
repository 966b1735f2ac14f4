package repository

import (
	"context"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/thidua/thidua/domain"
	"github.com/thidua/thidua/vntext"
)

// The grassroots cycle: units, emulation registrations, the initiative
// register, and the bulk write of imported titles. Lists and reads by id
// come from the read model where there is one (grassroots_readmodel.go),
// from the database otherwise.

const (
	colUnits         = "units"
	colRegistrations = "registrations"
	colInitiatives   = "initiatives"
)

type unitDoc struct {
	ID         bson.ObjectID `bson:"_id"`
	Owner      string        `bson:"owner"`
	Published  bool          `bson:"published"`
	ProvinceID string        `bson:"provinceId"`
	Name       string        `bson:"name"`
	NameKey    string        `bson:"nameKey"` // unique per province (domain.UnitKey)
	Kind       string        `bson:"kind"`
	ParentID   string        `bson:"parentId,omitempty"`
	Meta       meta          `bson:",inline"`
}

func unitToDomain(d *unitDoc) *domain.Unit {
	return &domain.Unit{ID: hexID(d.ID), Owner: d.Owner, Published: d.Published, ProvinceID: d.ProvinceID, Name: d.Name,
		Kind: d.Kind, ParentID: d.ParentID, Meta: d.Meta.domain()}
}

func unitToDoc(x *domain.Unit) (*unitDoc, error) {
	d := &unitDoc{Owner: x.Owner, Published: x.Published, ProvinceID: x.ProvinceID, Name: x.Name, NameKey: domain.UnitKey(x.Name),
		Kind: x.Kind, ParentID: x.ParentID, Meta: metaOf(x.Meta)}
	return d, setID(&d.ID, x.ID)
}

type registeredTitleDoc struct {
	AwardTypeID string   `bson:"awardTypeId"`
	Count       int      `bson:"count"`
	Names       []string `bson:"names,omitempty"`
}

type registrationDoc struct {
	ID         bson.ObjectID        `bson:"_id"`
	Owner      string               `bson:"owner"`
	Published  bool                 `bson:"published"`
	ProvinceID string               `bson:"provinceId"`
	UnitID     string               `bson:"unitId"`
	Year       int                  `bson:"year"`
	Titles     []registeredTitleDoc `bson:"titles"`
	Meta       meta                 `bson:",inline"`
}

func registrationToDomain(d *registrationDoc) *domain.EmulationRegistration {
	x := &domain.EmulationRegistration{ID: hexID(d.ID), Owner: d.Owner, Published: d.Published, ProvinceID: d.ProvinceID,
		UnitID: d.UnitID, Year: d.Year, Titles: make([]domain.RegisteredTitle, len(d.Titles)), Meta: d.Meta.domain()}
	for i, t := range d.Titles {
		x.Titles[i] = domain.RegisteredTitle{AwardTypeID: t.AwardTypeID, Count: t.Count, Names: copySlice(t.Names)}
	}
	return x
}

func registrationToDoc(x *domain.EmulationRegistration) (*registrationDoc, error) {
	d := &registrationDoc{Owner: x.Owner, Published: x.Published, ProvinceID: x.ProvinceID, UnitID: x.UnitID, Year: x.Year,
		Titles: make([]registeredTitleDoc, len(x.Titles)), Meta: metaOf(x.Meta)}
	for i, t := range x.Titles {
		d.Titles[i] = registeredTitleDoc{AwardTypeID: t.AwardTypeID, Count: t.Count, Names: t.Names}
	}
	return d, setID(&d.ID, x.ID)
}

type initiativeDoc struct {
	ID           bson.ObjectID `bson:"_id"`
	Owner        string        `bson:"owner"`
	Published    bool          `bson:"published"`
	ProvinceID   string        `bson:"provinceId"`
	Title        string        `bson:"title"`
	Authors      []string      `bson:"authors"`
	SearchKey    string        `bson:"searchKey"` // folded title and authors
	UnitID       string        `bson:"unitId,omitempty"`
	Year         int           `bson:"year"`
	Level        string        `bson:"level"`
	RecognisedBy *decisionDoc  `bson:"recognisedBy,omitempty"`
	Meta         meta          `bson:",inline"`
}

func initiativeToDomain(d *initiativeDoc) *domain.Initiative {
	return &domain.Initiative{ID: hexID(d.ID), Owner: d.Owner, Published: d.Published, ProvinceID: d.ProvinceID, Title: d.Title,
		Authors: copySlice(d.Authors), UnitID: d.UnitID, Year: d.Year, Level: d.Level,
		RecognisedBy: decisionToDomain(d.RecognisedBy), Meta: d.Meta.domain()}
}

func initiativeToDoc(x *domain.Initiative) (*initiativeDoc, error) {
	d := &initiativeDoc{Owner: x.Owner, Published: x.Published, ProvinceID: x.ProvinceID, Title: x.Title, Authors: x.Authors,
		SearchKey: initiativeSearchKey(x), UnitID: x.UnitID, Year: x.Year, Level: x.Level,
		RecognisedBy: decisionToDoc(x.RecognisedBy), Meta: metaOf(x.Meta)}
	return d, setID(&d.ID, x.ID)
}

// setID parses a record's id into its document's _id (none: left zero).
func setID(dst *bson.ObjectID, id string) error {
	if id == "" {
		return nil
	}
	oid, err := parseRef("id", id)
	*dst = oid
	return err
}

var (
	units         = kind[unitDoc, domain.Unit]{colUnits, "unit", unitToDomain, unitToDoc, keptUnit}
	registrations = kind[registrationDoc, domain.EmulationRegistration]{colRegistrations, "registration",
		registrationToDomain, registrationToDoc, keptRegistration}
	initiatives = kind[initiativeDoc, domain.Initiative]{colInitiatives, "initiative", initiativeToDomain, initiativeToDoc,
		keptInitiative}
)

// grassrootsIndexes are the indexes of the grassroots collections (and
// awards by unit); migrations 13 and 14 first made them.
func grassrootsIndexes() map[string][]mongo.IndexModel {
	return map[string][]mongo.IndexModel{
		colUnits: {
			{Keys: bson.D{{Key: "provinceId", Value: 1}, {Key: "nameKey", Value: 1}},
				Options: options.Index().SetUnique(true).SetName("one_unit_name_per_province")},
			{Keys: bson.D{{Key: "parentId", Value: 1}}},
		},
		colRegistrations: {
			{Keys: bson.D{{Key: "unitId", Value: 1}, {Key: "year", Value: 1}},
				Options: options.Index().SetUnique(true).SetName("one_registration_per_unit_year")},
			{Keys: bson.D{{Key: "provinceId", Value: 1}, {Key: "year", Value: 1}}},
		},
		colInitiatives: {
			{Keys: bson.D{{Key: "provinceId", Value: 1}, {Key: "year", Value: 1}, {Key: "_id", Value: 1}}},
		},
	}
}

// awardUnitIndex is awards' index by unit (migration 14).
var awardUnitIndex = mongo.IndexModel{Keys: bson.D{{Key: "unitId", Value: 1}}}

func migrateGrassrootsIndexes(ctx context.Context, s *Store) error {
	return s.createIndexes(ctx, grassrootsIndexes(), colUnits, colRegistrations, colInitiatives)
}

func migrateAwardUnitIndex(ctx context.Context, s *Store) error {
	return s.createIndexes(ctx, map[string][]mongo.IndexModel{colAwards: {awardUnitIndex}}, colAwards)
}

// unitTaken explains the unique index one_unit_name_per_province.
func unitTaken(err error, u *domain.Unit) error {
	if isDuplicateKey(err) {
		return &domain.Error{Code: domain.CodeConflict, Field: "input.name",
			Message: fmt.Sprintf("%s already has a unit named %q", u.ProvinceID, u.Name)}
	}
	return err
}

// CreateUnit stores a new unit; CONFLICT on input.name when its province
// has one of that name (diacritics and case ignored).
func (s *Store) CreateUnit(ctx context.Context, u *domain.Unit) error {
	return unitTaken(create(ctx, s, units, u, func(x *domain.Unit) string { return x.ID },
		func(x *domain.Unit, id string, m domain.Meta) { x.ID, x.Meta = id, m }), u)
}

// UpdateUnit replaces a unit at the expected version (see update).
func (s *Store) UpdateUnit(ctx context.Context, id string, expected int, read, write domain.Access,
	change func(old *domain.Unit) (*domain.Unit, error)) (before, after *domain.Unit, err error) {
	var next *domain.Unit
	before, after, err = update(ctx, s, units, id, expected, read, write, func(old *domain.Unit) (*domain.Unit, error) {
		var err error
		next, err = change(old)
		return next, err
	})
	if next != nil {
		err = unitTaken(err, next)
	}
	return before, after, err
}

// Unit reads one unit within the read access.
func (s *Store) Unit(ctx context.Context, id string, read domain.Access) (*domain.Unit, error) {
	if rm, err := s.model(ctx); err != nil || rm != nil {
		if err != nil {
			return nil, err
		}
		return grassByID(rm, rm.units, id, units.name, read, copyUnit, func(u *domain.Unit) bool { return read.Sees(u.Published, u.Owner) })
	}
	return getOne(ctx, s, units, id, read)
}

// UnitsByID reads units within the read access, keyed by id.
func (s *Store) UnitsByID(ctx context.Context, ids []string, read domain.Access) (map[string]*domain.Unit, error) {
	return byIDs(ctx, s, units, ids, read, func(u *domain.Unit) string { return u.ID }, s.Unit)
}

// Units lists a province's units by name.
func (s *Store) Units(ctx context.Context, provinceID string, read domain.Access) ([]domain.Unit, error) {
	if rm, err := s.model(ctx); err != nil || rm != nil {
		if err != nil {
			return nil, err
		}
		return rm.unitList(provinceID, read), nil
	}
	return findList(ctx, s, colUnits, and(bson.D{{Key: "provinceId", Value: provinceID}}, readFilter(read)),
		bson.D{{Key: "nameKey", Value: 1}}, 0, unitToDomain)
}

// registrationTaken explains the unique index one_registration_per_unit_year.
func registrationTaken(err error, r *domain.EmulationRegistration) error {
	if isDuplicateKey(err) {
		return &domain.Error{Code: domain.CodeConflict, Field: "input.unitId",
			Message: fmt.Sprintf("the unit is already registered for %d: change that registration (its expectedVersion)", r.Year)}
	}
	return err
}

// CreateRegistration stores a new registration; CONFLICT when its unit has
// one for the year.
func (s *Store) CreateRegistration(ctx context.Context, r *domain.EmulationRegistration) error {
	return registrationTaken(create(ctx, s, registrations, r, func(x *domain.EmulationRegistration) string { return x.ID },
		func(x *domain.EmulationRegistration, id string, m domain.Meta) { x.ID, x.Meta = id, m }), r)
}

// RegistrationOf reads the registration of a unit for a year within the
// read access (NOT_FOUND when none).
func (s *Store) RegistrationOf(ctx context.Context, unitID string, year int, read domain.Access) (*domain.EmulationRegistration, error) {
	var list []domain.EmulationRegistration
	rm, err := s.model(ctx)
	switch {
	case err != nil:
		return nil, err
	case rm != nil:
		list = rm.registrationList(domain.RegistrationFilter{UnitID: unitID, Year: &year}, read, 1)
	default:
		list, err = findList(ctx, s, colRegistrations, and(bson.D{{Key: "unitId", Value: unitID}, {Key: "year", Value: year}}, readFilter(read)),
			bson.D{{Key: "_id", Value: 1}}, 1, registrationToDomain)
		if err != nil {
			return nil, err
		}
	}
	if len(list) == 0 {
		return nil, domain.NotFound(registrations.name, fmt.Sprintf("%s/%d", unitID, year))
	}
	return &list[0], nil
}

// UpdateRegistration replaces a registration at the expected version.
func (s *Store) UpdateRegistration(ctx context.Context, id string, expected int, read, write domain.Access,
	change func(old *domain.EmulationRegistration) (*domain.EmulationRegistration, error)) (before, after *domain.EmulationRegistration, err error) {
	return update(ctx, s, registrations, id, expected, read, write, change)
}

// Registration reads one registration within the read access.
func (s *Store) Registration(ctx context.Context, id string, read domain.Access) (*domain.EmulationRegistration, error) {
	if rm, err := s.model(ctx); err != nil || rm != nil {
		if err != nil {
			return nil, err
		}
		return grassByID(rm, rm.registrations, id, registrations.name, read, copyRegistration,
			func(r *domain.EmulationRegistration) bool { return read.Sees(r.Published, r.Owner) })
	}
	return getOne(ctx, s, registrations, id, read)
}

// Registrations lists a province's registrations (by year and unit).
func (s *Store) Registrations(ctx context.Context, f domain.RegistrationFilter, read domain.Access) ([]domain.EmulationRegistration, error) {
	if rm, err := s.model(ctx); err != nil || rm != nil {
		if err != nil {
			return nil, err
		}
		return rm.registrationList(f, read, 0), nil
	}
	q := bson.D{{Key: "provinceId", Value: f.ProvinceID}}
	if f.Year != nil {
		q = append(q, bson.E{Key: "year", Value: *f.Year})
	}
	if f.UnitID != "" {
		q = append(q, bson.E{Key: "unitId", Value: f.UnitID})
	}
	return findList(ctx, s, colRegistrations, and(q, readFilter(read)),
		bson.D{{Key: "year", Value: -1}, {Key: "unitId", Value: 1}}, 0, registrationToDomain)
}

// CreateInitiative stores a new initiative.
func (s *Store) CreateInitiative(ctx context.Context, x *domain.Initiative) error {
	return create(ctx, s, initiatives, x, func(x *domain.Initiative) string { return x.ID },
		func(x *domain.Initiative, id string, m domain.Meta) { x.ID, x.Meta = id, m })
}

// UpdateInitiative replaces an initiative at the expected version.
func (s *Store) UpdateInitiative(ctx context.Context, id string, expected int, read, write domain.Access,
	change func(old *domain.Initiative) (*domain.Initiative, error)) (before, after *domain.Initiative, err error) {
	return update(ctx, s, initiatives, id, expected, read, write, change)
}

// Initiative reads one initiative within the read access.
func (s *Store) Initiative(ctx context.Context, id string, read domain.Access) (*domain.Initiative, error) {
	if rm, err := s.model(ctx); err != nil || rm != nil {
		if err != nil {
			return nil, err
		}
		return grassByID(rm, rm.initiatives, id, initiatives.name, read, copyInitiative,
			func(x *domain.Initiative) bool { return read.Sees(x.Published, x.Owner) })
	}
	return getOne(ctx, s, initiatives, id, read)
}

// MaxInitiatives bounds one list of initiatives.
const MaxInitiatives = 5000

// Initiatives lists a province's initiatives (newest year first), at most
// MaxInitiatives.
func (s *Store) Initiatives(ctx context.Context, f domain.InitiativeFilter, read domain.Access) ([]domain.Initiative, error) {
	if rm, err := s.model(ctx); err != nil || rm != nil {
		if err != nil {
			return nil, err
		}
		return rm.initiativeList(f, read), nil
	}
	q := bson.D{{Key: "provinceId", Value: f.ProvinceID}}
	if f.Year != nil {
		q = append(q, bson.E{Key: "year", Value: *f.Year})
	}
	if f.UnitID != "" {
		q = append(q, bson.E{Key: "unitId", Value: f.UnitID})
	}
	if k := vntext.Fold(f.Search); k != "" {
		q = append(q, bson.E{Key: "searchKey", Value: containsRegex(k)})
	}
	return findList(ctx, s, colInitiatives, and(q, readFilter(read)),
		bson.D{{Key: "year", Value: -1}, {Key: "_id", Value: 1}}, MaxInitiatives, initiativeToDomain)
}

// AwardTallies counts a province's awards of a year by unit and award type:
// every award (proposed, in any status) and the conferred ones. Awards
// without a unit are counted under unit "".
func (s *Store) AwardTallies(ctx context.Context, provinceID string, year int) ([]domain.TitleTally, error) {
	rows, err := s.AwardTally(ctx, domain.AwardFilter{ProvinceID: provinceID, Year: &year}, domain.Access{All: true},
		[]string{domain.TallyUnit, domain.TallyAwardType, domain.TallyStatus})
	if err != nil {
		return nil, err
	}
	return domain.TitleTallies(rows), nil
}

// importBatch is how many awards one insert of CreateAwards carries.
const importBatch = 500

// undoTimeout bounds the undo of a failed bulk write.
const undoTimeout = 30 * time.Second

// CreateAwards stores new awards all or none, without a transaction (on
// MongoDB the mutation's transaction makes them atomic besides): the
// awards get their ids first, are inserted in ordered batches, and if a
// batch fails every id is deleted again — whatever the server acknowledged
// of the failed batch, and even if the caller has gone (the undo runs
// detached, with its own deadline). The read model takes them only once
// all are stored; an undo that fails leaves the read model re-reading the
// ids from the database, so that it shows what the database holds. Readers
// that go to the database may see part of the batch for the moment the
// write lasts.
func (s *Store) CreateAwards(ctx context.Context, list []*domain.Award) error {
	docs := make([]any, len(list))
	ids := make(bson.A, len(list))
	stored := make([]domain.Award, len(list))
	for i, a := range list {
		oid := bson.NewObjectID()
		stored[i] = *a
		stored[i].ID, stored[i].Meta = hexID(oid), s.newMeta().domain()
		doc, err := awardToDoc(&stored[i])
		if err != nil {
			return err
		}
		docs[i], ids[i] = doc, oid
	}
	for from := 0; from < len(docs); from += importBatch {
		to := min(from+importBatch, len(docs))
		if _, err := s.c(colAwards).InsertMany(ctx, docs[from:to]); err != nil {
			return s.undoAwards(ctx, ids, mapErr(err))
		}
	}
	for i := range list {
		*list[i] = stored[i]
		s.keptAward(list[i], false)
	}
	return nil
}

// undoAwards deletes the awards of a failed bulk write and returns cause.
func (s *Store) undoAwards(ctx context.Context, ids bson.A, cause error) error {
	if inTransaction(ctx) {
		return cause // the transaction's abort undoes it
	}
	uctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), undoTimeout)
	defer cancel()
	if _, err := s.c(colAwards).DeleteMany(uctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: ids}}}}); err != nil {
		for _, id := range ids {
			resync(uctx, s, awards, id.(bson.ObjectID))
		}
		return fmt.Errorf("bulk write failed (%w) and its undo too: %w", cause, mapErr(err))
	}
	return cause
}
