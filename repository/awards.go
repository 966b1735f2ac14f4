package repository

import (
	"context"
	"regexp"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/thidua/thidua/domain"
	"github.com/thidua/thidua/vntext"
)

// AwardFilter selects awards; zero fields select everything.
type AwardFilter struct {
	ProvinceID    string
	Year          *int
	Status        string
	AwardTypeID   string
	Authority     string
	MovementID    *bson.ObjectID
	RecipientKind string
	RecipientName string // words of the name, diacritics ignored
	Search        string // words of the name, organisation or citation, diacritics ignored
}

var awardOrder = order{
	field: "year", desc: true,
	key: func(d any) any { return d.(*Award).Year },
	id:  func(d any) any { return d.(*Award).ID },
}

func containsRegex(folded string) bson.Regex {
	return bson.Regex{Pattern: regexp.QuoteMeta(folded)}
}

func conflictf(format string, args ...any) error { return domain.Conflict(format, args...) }

func (f AwardFilter) bson() bson.D {
	q := bson.D{}
	add := func(k string, v any) { q = append(q, bson.E{Key: k, Value: v}) }
	if f.ProvinceID != "" {
		add("provinceId", f.ProvinceID)
	}
	if f.Year != nil {
		add("year", *f.Year)
	}
	if f.Status != "" {
		add("status", f.Status)
	}
	if f.AwardTypeID != "" {
		add("awardTypeId", f.AwardTypeID)
	}
	if f.Authority != "" {
		add("authority", f.Authority)
	}
	if f.MovementID != nil {
		add("movementId", *f.MovementID)
	}
	if f.RecipientKind != "" {
		add("recipient.kind", f.RecipientKind)
	}
	if k := vntext.Fold(f.RecipientName); k != "" {
		add("recipient.nameKey", containsRegex(k))
	}
	if k := vntext.Fold(f.Search); k != "" {
		add("searchKey", containsRegex(k))
	}
	return q
}

// prepare fills the derived fields of an award.
func (a *Award) prepare() {
	a.Owner = a.ProvinceID
	a.Published = a.Status == "CONFERRED" || a.Status == "REVOKED" // decisions are public
	a.Recipient.NameKey = vntext.Fold(a.Recipient.Name)
	a.SearchKey = vntext.Fold(a.Recipient.Name + " | " + a.Recipient.Organization + " | " + a.Citation)
}

// CreateAward stores a new award and fills in its id and meta; by is the
// caller, for the history.
func (s *Store) CreateAward(ctx context.Context, a *Award, by string) error {
	now := s.stamp()
	a.History = []AwardEvent{{Status: a.Status, At: now, By: by, Reason: a.RejectionReason, Decision: a.Decision}}
	if a.ID.IsZero() {
		a.ID = bson.NewObjectID()
	}
	a.prepare()
	a.Meta = Meta{Version: 1, CreatedAt: now, UpdatedAt: now}
	return insert(ctx, s, colAwards, a)
}

// Award reads one award within the read access.
func (s *Store) Award(ctx context.Context, id bson.ObjectID, read Access) (*Award, error) {
	return getOne[Award](ctx, s, colAwards, "award", id, read)
}

// Awards lists awards, newest year first.
func (s *Store) Awards(ctx context.Context, f AwardFilter, read Access, p PageArgs) (*Page[Award], error) {
	return findPage[Award](ctx, s, colAwards, and(f.bson(), read.readFilter()), awardOrder, p)
}

// UpdateAward replaces the editable fields of an award. transition, given
// the stored and the new status, refuses a change the lifecycle forbids;
// a change of status is appended to the award's history, by the caller by.
func (s *Store) UpdateAward(ctx context.Context, id bson.ObjectID, expected int, read, write Access, a *Award,
	transition func(from, to string) error, by string) (before, after *Award, err error) {
	return update[Award](ctx, s, versioned{colAwards, "award", id, expected, read, write}, func(old *Award) (bson.D, error) {
		if err := transition(old.Status, a.Status); err != nil {
			return nil, err
		}
		a.prepare()
		a.History = old.History
		if old.Status != a.Status {
			a.History = append(a.History, AwardEvent{Status: a.Status, At: s.stamp(), By: by, Reason: a.RejectionReason, Decision: a.Decision})
		}
		return bson.D{
			{Key: "owner", Value: a.Owner}, {Key: "published", Value: a.Published},
			{Key: "provinceId", Value: a.ProvinceID}, {Key: "awardTypeId", Value: a.AwardTypeID},
			{Key: "class", Value: a.Class}, {Key: "authority", Value: a.Authority},
			{Key: "recipient", Value: a.Recipient}, {Key: "year", Value: a.Year},
			{Key: "status", Value: a.Status}, {Key: "movementId", Value: a.MovementID},
			{Key: "decision", Value: a.Decision}, {Key: "citation", Value: a.Citation},
			{Key: "rejectionReason", Value: a.RejectionReason}, {Key: "legalBasis", Value: a.LegalBasis},
			{Key: "searchKey", Value: a.SearchKey}, {Key: "history", Value: a.History},
		}, nil
	})
}

// RevokeAward revokes a conferred award by a later decision. The award keeps
// its conferral (decision, history); only a conferred award can be revoked.
func (s *Store) RevokeAward(ctx context.Context, id bson.ObjectID, expected int, read, write Access, rev Revocation) (before, after *Award, err error) {
	return update[Award](ctx, s, versioned{colAwards, "award", id, expected, read, write}, func(old *Award) (bson.D, error) {
		if old.Status != "CONFERRED" {
			return nil, domain.Invalid("id", "only a CONFERRED award can be revoked; this one is %s", old.Status)
		}
		if old.Decision != nil && rev.Decision.Date < old.Decision.Date {
			return nil, domain.Invalid("decision.date", "the revocation (%s) cannot precede the conferral (%s)", rev.Decision.Date, old.Decision.Date)
		}
		rev.At = s.stamp()
		history := append(old.History, AwardEvent{Status: "REVOKED", At: rev.At, By: rev.By, Reason: rev.Reason, Decision: &rev.Decision})
		return bson.D{{Key: "status", Value: "REVOKED"}, {Key: "published", Value: true},
			{Key: "revocation", Value: rev}, {Key: "history", Value: history}}, nil
	})
}

// DeleteAward deletes a proposed or rejected award (a mistake); conferred
// and revoked ones are public decisions and stay.
func (s *Store) DeleteAward(ctx context.Context, id bson.ObjectID, expected int, read, write Access) (*Award, error) {
	return remove[Award](ctx, s, versioned{colAwards, "award", id, expected, read, write}, func(old *Award) error {
		if old.Status == "CONFERRED" || old.Status == "REVOKED" {
			return domain.Invalid("id", "a %s award is a public decision and cannot be deleted; revoke it with revokeAward", old.Status)
		}
		return nil
	})
}

// ImportAwards stores many new awards at once (data sets, benchmarks),
// filling in their ids, derived fields and meta.
func (s *Store) ImportAwards(ctx context.Context, awards []Award) error {
	now := s.stamp()
	docs := make([]any, len(awards))
	for i := range awards {
		a := &awards[i]
		if a.ID.IsZero() {
			a.ID = bson.NewObjectID()
		}
		a.prepare()
		a.Meta = Meta{Version: 1, CreatedAt: now, UpdatedAt: now}
		docs[i] = a
	}
	if len(docs) == 0 {
		return nil
	}
	_, err := s.c(colAwards).InsertMany(ctx, docs)
	return mapErr(err)
}

// TallyRow is one group of an award tally: the values of the grouping
// fields (by field name) and how many awards it has.
type TallyRow struct {
	Keys  map[string]any
	Count int
}

// tallyFields are the award fields a tally can group by.
var tallyFields = map[string]string{
	"authority": "$authority", "awardTypeId": "$awardTypeId", "recipientKind": "$recipient.kind",
	"provinceId": "$provinceId", "year": "$year", "status": "$status",
}

// AwardTally counts the awards that match f within the read access, grouped
// by the given fields (names of tallyFields), largest groups first.
func (s *Store) AwardTally(ctx context.Context, f AwardFilter, read Access, by []string) ([]TallyRow, error) {
	id := bson.D{}
	for _, k := range by {
		path, ok := tallyFields[k]
		if !ok {
			return nil, domain.Invalid("by", "cannot group by %q", k)
		}
		id = append(id, bson.E{Key: k, Value: path})
	}
	pipeline := bson.A{
		bson.D{{Key: "$match", Value: and(f.bson(), read.readFilter())}},
		bson.D{{Key: "$group", Value: bson.D{{Key: "_id", Value: id}, {Key: "count", Value: bson.D{{Key: "$sum", Value: 1}}}}}},
	}
	cur, err := s.c(colAwards).Aggregate(ctx, pipeline)
	if err != nil {
		return nil, mapErr(err)
	}
	var docs []struct {
		ID    bson.M `bson:"_id"`
		Count int    `bson:"count"`
	}
	if err := cur.All(ctx, &docs); err != nil {
		return nil, mapErr(err)
	}
	out := make([]TallyRow, len(docs))
	for i, d := range docs {
		out[i] = TallyRow{Keys: d.ID, Count: d.Count}
	}
	return out, nil
}

// CountConferred counts the awards conferred (later revoked ones included)
// by decisions dated from..to, by one of the authorities, of one of the
// award types (any when empty).
func (s *Store) CountConferred(ctx context.Context, from, to string, authorities, awardTypes []string) (int, error) {
	q := bson.D{
		{Key: "status", Value: bson.D{{Key: "$in", Value: bson.A{"CONFERRED", "REVOKED"}}}},
		{Key: "decision.date", Value: bson.D{{Key: "$gte", Value: from}, {Key: "$lte", Value: to}}},
		{Key: "authority", Value: bson.D{{Key: "$in", Value: authorities}}},
	}
	if len(awardTypes) > 0 {
		q = append(q, bson.E{Key: "awardTypeId", Value: bson.D{{Key: "$in", Value: awardTypes}}})
	}
	n, err := s.c(colAwards).CountDocuments(ctx, q)
	return int(n), mapErr(err)
}
