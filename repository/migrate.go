package repository

import (
	"context"
	"errors"
	"fmt"
	"sort"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// Stored data outlives the code that wrote it: when the shape of a document
// changes, a migration moves the existing documents to the new shape.

const colMigrations = "migrations"

// Migration is one change of the stored data. Up must be idempotent by
// itself (a run interrupted after Up but before it was recorded runs it
// again; so do two replicas starting at once). It is recorded in the
// migrations collection ({_id: ID, name, appliedAt}) once it succeeds, and
// never run again after that.
type Migration struct {
	ID   int
	Name string
	Up   func(ctx context.Context, s *Store) error
}

// builtin are the repository's own migrations, of the document shapes and
// indexes. IDs 3 to 5 and 8 are data migrations (package seed); later ones take
// the next free id, whichever package they are in.
var builtin = []Migration{
	{ID: 1, Name: "vote criteria as a table", Up: migrateVoteCriteria},
	{ID: 2, Name: "award type authority rules", Up: migrateAuthorityRules},
	{ID: 6, Name: "indexes of dossiers, decisions, honorees, attachments and awards' links", Up: migrateDossierIndexes},
	{ID: 7, Name: "awards decided from a dossier carry its kind of commendation", Up: migrateCommendationKind},
	{ID: 9, Name: "legal bases of awards and decisions per the law table at their date", Up: migrateLegalBases},
	{ID: 10, Name: "dossiers the old route sent straight to the central level count as forwarded", Up: migrateForwarded},
	{ID: 12, Name: "votes in rounds, with bonus and penalty items", Up: migrateVoteRounds},
	{ID: 13, Name: "indexes of units, emulation registrations and initiatives", Up: migrateGrassrootsIndexes},
	{ID: 14, Name: "awards indexed by unit", Up: migrateAwardUnitIndex},
}

// migrateCommendationKind gives the awards a decision conferred before they
// carried it their dossier's kind of commendation. Awards entered one by one
// (no dossierId) have none, and keep none.
func migrateCommendationKind(ctx context.Context, s *Store) error {
	cur, err := s.c(colAwards).Find(ctx, bson.D{{Key: "dossierId", Value: bson.D{{Key: "$exists", Value: true}}},
		{Key: "commendationKind", Value: bson.D{{Key: "$exists", Value: false}}}},
		options.Find().SetProjection(bson.D{{Key: "dossierId", Value: 1}}))
	if err != nil {
		return mapErr(err)
	}
	var docs []struct {
		ID        bson.ObjectID `bson:"_id"`
		DossierID string        `bson:"dossierId"`
	}
	if err := cur.All(ctx, &docs); err != nil {
		return mapErr(err)
	}
	kinds := map[string]string{}
	for _, d := range docs {
		kind, ok := kinds[d.DossierID]
		if !ok {
			if oid, valid := parseID(d.DossierID); valid {
				if raw, err := s.byID(ctx, colDossiers, oid); err == nil {
					kind, _ = raw.Lookup("kind").StringValueOK()
				} else if !errors.Is(err, errNoDocument) {
					return err
				}
			}
			kinds[d.DossierID] = kind
		}
		if kind == "" {
			continue // its dossier is gone: nothing to take the kind from
		}
		if _, err := s.c(colAwards).UpdateOne(ctx, bson.D{{Key: "_id", Value: d.ID}},
			bson.D{{Key: "$set", Value: bson.D{{Key: "commendationKind", Value: kind}}}}); err != nil {
			return mapErr(err)
		}
	}
	return nil
}

// migrateDossierIndexes creates the indexes the dossier flow reads by (the
// new collections', GridFS's, and awards by honoree and by decision) on a
// database written before them. EnsureIndexes makes the same ones on every
// start; this records when a database first got them. Awards written
// before have no decisionId, dossierId or honoreeId: absent is "none", so
// no document changes.
func migrateDossierIndexes(ctx context.Context, s *Store) error {
	return s.createIndexes(ctx, indexes(), colDossiers, colDecisions, colHonorees, colFiles, colChunks, colAwards)
}

// Migrate runs the built-in migrations and extra ones, in ID order, each at
// most once.
//
// Migrations read documents whole and change them by _id alone: FerretDB
// 1.24 pushes down to its storage nothing but a lone _id filter, and old
// documents are decoded field by field (they no longer fit the types).
func (s *Store) Migrate(ctx context.Context, extra ...Migration) error {
	all := withBuiltin(extra)
	seen := map[int]string{}
	for _, m := range all {
		if m.ID <= 0 || m.Up == nil {
			return fmt.Errorf("migration %d (%s): needs a positive id and an Up function", m.ID, m.Name)
		}
		if other, ok := seen[m.ID]; ok {
			return fmt.Errorf("migration %d is both %q and %q", m.ID, other, m.Name)
		}
		seen[m.ID] = m.Name
	}
	sort.Slice(all, func(i, j int) bool { return all[i].ID < all[j].ID })
	applied, err := s.appliedMigrations(ctx)
	if err != nil {
		return err
	}
	for _, m := range all {
		if applied[m.ID] {
			continue
		}
		if err := m.Up(ctx, s); err != nil {
			return fmt.Errorf("migration %d (%s): %w", m.ID, m.Name, err)
		}
		// Upserted by _id: another replica may have recorded it meanwhile,
		// or be recording it now (two upserts of one new _id: one of them
		// may be refused as a duplicate key — recorded all the same).
		_, err := s.c(colMigrations).UpdateOne(ctx, bson.D{{Key: "_id", Value: m.ID}},
			bson.D{{Key: "$setOnInsert", Value: bson.D{{Key: "name", Value: m.Name}, {Key: "appliedAt", Value: s.stamp()}}}},
			options.UpdateOne().SetUpsert(true))
		if err != nil && !mongo.IsDuplicateKeyError(err) {
			return fmt.Errorf("record migration %d (%s): %w", m.ID, m.Name, mapErr(err))
		}
	}
	return nil
}

// withBuiltin is the built-in migrations followed by extra, in a slice of
// its own.
func withBuiltin(extra []Migration) []Migration {
	return append(append([]Migration{}, builtin...), extra...)
}

// appliedMigrations reads the ids of the migrations already recorded.
func (s *Store) appliedMigrations(ctx context.Context) (map[int]bool, error) {
	cur, err := s.c(colMigrations).Find(ctx, bson.D{})
	if err != nil {
		return nil, fmt.Errorf("read migrations: %w", mapErr(err))
	}
	var docs []struct {
		ID int `bson:"_id"`
	}
	if err := cur.All(ctx, &docs); err != nil {
		return nil, fmt.Errorf("read migrations: %w", mapErr(err))
	}
	out := make(map[int]bool, len(docs))
	for _, d := range docs {
		out[d.ID] = true
	}
	return out, nil
}

// eachRaw calls fn with every document of a collection. It reads them all
// first: fn updates them, and a cursor open on what it changes could see a
// document twice or miss one.
func (s *Store) eachRaw(ctx context.Context, coll string, fn func(raw bson.Raw) error) error {
	cur, err := s.c(coll).Find(ctx, bson.D{})
	if err != nil {
		return mapErr(err)
	}
	var docs []bson.Raw
	for cur.Next(ctx) {
		docs = append(docs, append(bson.Raw(nil), cur.Current...))
	}
	if err := cur.Err(); err != nil {
		return mapErr(err)
	}
	_ = cur.Close(ctx)
	for _, raw := range docs {
		if err := fn(raw); err != nil {
			return err
		}
	}
	return nil
}

// setByID sets fields of one document, named by _id alone.
func (s *Store) setByID(ctx context.Context, coll string, id bson.RawValue, set bson.D) error {
	_, err := s.c(coll).UpdateOne(ctx, bson.D{{Key: "_id", Value: id}}, bson.D{{Key: "$set", Value: set}})
	return mapErr(err)
}

// migrateVoteCriteria (1): a vote's criteria were names; they are a table
// of {name, weight, maxPoints}, with the vote's scoring rules beside them.
// A vote of the old shape (criteria holding strings, or no majority) gets
// the old rules: each criterion weighs 1 and is scored out of 100, members
// score the others (not themselves), and a leader needs more than half of
// the ballots.
func migrateVoteCriteria(ctx context.Context, s *Store) error {
	return s.eachRaw(ctx, colVotes, func(raw bson.Raw) error {
		criteria, hadStrings := bson.A{}, false
		if arr, ok := raw.Lookup("criteria").ArrayOK(); ok {
			values, err := arr.Values()
			if err != nil {
				return fmt.Errorf("vote %s: criteria: %w", raw.Lookup("_id"), err)
			}
			for _, v := range values {
				if name, ok := v.StringValueOK(); ok {
					hadStrings = true
					criteria = append(criteria, bson.D{{Key: "name", Value: name}, {Key: "weight", Value: 1.0}, {Key: "maxPoints", Value: 100.0}})
				} else {
					criteria = append(criteria, v) // already a row of the table
				}
			}
		}
		_, err := raw.LookupErr("majority")
		hasMajority := err == nil
		if !hadStrings && hasMajority {
			return nil // the new shape already
		}
		set := bson.D{{Key: "criteria", Value: criteria}}
		if !hasMajority {
			set = append(set,
				bson.E{Key: "majority", Value: 0.5},
				bson.E{Key: "selfScoring", Value: false},
				bson.E{Key: "crossScoring", Value: true})
		}
		return s.setByID(ctx, colVotes, raw.Lookup("_id"), set)
	})
}

// migrateAuthorityRules (2): an award type's authorities become rules
// (authority, dates, legal basis); an award type without rules gets one per
// authority, undated.
func migrateAuthorityRules(ctx context.Context, s *Store) error {
	return s.eachRaw(ctx, colAwardTypes, func(raw bson.Raw) error {
		if v, err := raw.LookupErr("authorityRules"); err == nil && v.Type != bson.TypeNull {
			return nil // has its rules
		}
		rules := bson.A{}
		if arr, ok := raw.Lookup("authorities").ArrayOK(); ok {
			values, err := arr.Values()
			if err != nil {
				return fmt.Errorf("award type %s: authorities: %w", raw.Lookup("_id"), err)
			}
			for _, v := range values {
				if a, ok := v.StringValueOK(); ok {
					rules = append(rules, bson.D{{Key: "authority", Value: a}})
				}
			}
		}
		return s.setByID(ctx, colAwardTypes, raw.Lookup("_id"), bson.D{{Key: "authorityRules", Value: rules}})
	})
}

// oldBallotKey is the index of one ballot per province and vote, before
// votes had rounds.
const oldBallotKey = "one_ballot_per_province"

// migrateVoteRounds (12): votes stored before rounds get the old rules —
// one round of all their voters (closed, with the vote's tally, leader and
// ties, if the vote is), no second round, no bonus or penalty items, the
// Government's flag — and their ballots are the first round's. The ballots'
// unique key becomes one ballot per province a round.
func migrateVoteRounds(ctx context.Context, s *Store) error {
	err := s.eachRaw(ctx, colVotes, func(raw bson.Raw) error {
		if _, err := raw.LookupErr("rounds"); err == nil {
			return nil // the new shape already
		}
		status, _ := raw.Lookup("status").StringValueOK()
		tally, err := oldTally(raw)
		if err != nil {
			return err
		}
		round := bson.D{{Key: "number", Value: 1}, {Key: "candidates", Value: rawOr(raw, "voters", bson.A{})},
			{Key: "closed", Value: status == "CLOSED"}, {Key: "tally", Value: tally},
			{Key: "tied", Value: rawOr(raw, "tied", bson.A{})}}
		if leader, ok := raw.Lookup("leaderId").StringValueOK(); ok && leader != "" {
			round = append(round, bson.E{Key: "leaderId", Value: leader})
		}
		return s.setByID(ctx, colVotes, raw.Lookup("_id"), bson.D{
			{Key: "round", Value: 1}, {Key: "rounds", Value: bson.A{round}}, {Key: "tally", Value: tally},
			{Key: "secondRound", Value: "NONE"}, {Key: "bonusItems", Value: bson.A{}}, {Key: "penaltyItems", Value: bson.A{}},
			{Key: "bonusCap", Value: 0.0}, {Key: "flagAwardTypeId", Value: "co-thi-dua-chinh-phu"},
		})
	})
	if err != nil {
		return err
	}
	err = s.eachRaw(ctx, colBallots, func(raw bson.Raw) error {
		if _, err := raw.LookupErr("round"); err == nil {
			return nil
		}
		return s.setByID(ctx, colBallots, raw.Lookup("_id"), bson.D{{Key: "round", Value: 1}})
	})
	if err != nil {
		return err
	}
	if err := s.createIndexes(ctx, indexes(), colBallots); err != nil {
		return err
	}
	return s.dropIndexes(ctx, colBallots, oldBallotKey)
}

// oldTally is a vote's tally as stored before bonus and penalty points,
// each count's score being all criteria: its base is its score.
func oldTally(raw bson.Raw) (bson.A, error) {
	out := bson.A{}
	arr, ok := raw.Lookup("tally").ArrayOK()
	if !ok {
		return out, nil
	}
	values, err := arr.Values()
	if err != nil {
		return nil, fmt.Errorf("vote %s: tally: %w", raw.Lookup("_id"), err)
	}
	for _, v := range values {
		doc, ok := v.DocumentOK()
		if !ok {
			continue
		}
		var c struct {
			ProvinceID string  `bson:"provinceId"`
			Votes      int     `bson:"votes"`
			ScoreTotal float64 `bson:"scoreTotal"`
		}
		if err := bson.Unmarshal(doc, &c); err != nil {
			return nil, fmt.Errorf("vote %s: tally: %w", raw.Lookup("_id"), err)
		}
		out = append(out, bson.D{{Key: "provinceId", Value: c.ProvinceID}, {Key: "votes", Value: c.Votes},
			{Key: "scoreTotal", Value: c.ScoreTotal}, {Key: "base", Value: c.ScoreTotal},
			{Key: "bonus", Value: 0.0}, {Key: "penalty", Value: 0.0}})
	}
	return out, nil
}

// rawOr is a document's field as stored, or or when it is absent or null.
func rawOr(raw bson.Raw, key string, or any) any {
	v, err := raw.LookupErr(key)
	if err != nil || v.Type == bson.TypeNull {
		return or
	}
	return v
}
