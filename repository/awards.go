package repository

import (
	"cmp"
	"context"
	"regexp"
	"slices"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/thidua/thidua/domain"
	"github.com/thidua/thidua/vntext"
)

var awardOrder = order[awardDoc]{
	field: "year", desc: true,
	key: func(d *awardDoc) any { return d.Year },
	id:  func(d *awardDoc) any { return d.ID },
}

func containsRegex(folded string) bson.Regex {
	return bson.Regex{Pattern: regexp.QuoteMeta(folded)}
}

// nothing is a condition no document meets.
func nothing() bson.D { return bson.D{{Key: "$in", Value: bson.A{}}} }

func awardFilter(f domain.AwardFilter) bson.D {
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
	if f.MovementID != "" {
		if mid, ok := parseID(f.MovementID); ok {
			add("movementId", mid)
		} else {
			add("movementId", nothing()) // not an id: no award refers to it
		}
	}
	if f.RecipientKind != "" {
		add("recipient.kind", f.RecipientKind)
	}
	if k := vntext.Fold(f.RecipientName); k != "" {
		add("recipient.nameKey", containsRegex(k))
	}
	if f.HonoreeID != "" {
		add("honoreeId", f.HonoreeID)
	}
	if f.DecisionID != "" {
		add("decisionId", f.DecisionID)
	}
	if k := vntext.Fold(f.Search); k != "" {
		add("searchKey", containsRegex(k))
	}
	return q
}

// CreateAward stores a new award as given (its owner, publication and
// history are the caller's) and fills in its id and meta.
func (s *Store) CreateAward(ctx context.Context, a *domain.Award) error {
	return create(ctx, s, awards, a, func(a *domain.Award) string { return a.ID },
		func(a *domain.Award, id string, meta domain.Meta) { a.ID, a.Meta = id, meta })
}

// Award reads one award within the read access.
func (s *Store) Award(ctx context.Context, id string, read domain.Access) (*domain.Award, error) {
	if rm, err := s.model(ctx); err != nil || rm != nil {
		if err != nil {
			return nil, err
		}
		return rm.award(id, read)
	}
	return getOne(ctx, s, awards, id, read)
}

// Awards lists awards, newest year first.
func (s *Store) Awards(ctx context.Context, f domain.AwardFilter, read domain.Access, p domain.PageArgs) (*domain.Page[domain.Award], error) {
	if rm, err := s.model(ctx); err != nil || rm != nil {
		if err != nil {
			return nil, err
		}
		return rm.awardPage(f, read, p)
	}
	return findPage(ctx, s, colAwards, and(awardFilter(f), readFilter(read)), awardOrder, awardToDomain, p)
}

// UpdateAward replaces the award with the one change returns, given the
// stored one (see update). The lifecycle (status transitions, history,
// revocation) is the caller's.
func (s *Store) UpdateAward(ctx context.Context, id string, expected int, read, write domain.Access,
	change func(old *domain.Award) (*domain.Award, error)) (before, after *domain.Award, err error) {
	return update(ctx, s, awards, id, expected, read, write, change)
}

// DeleteAward deletes an award; guard (if any), given the stored award,
// refuses the deletion (a conferred award is a public decision).
func (s *Store) DeleteAward(ctx context.Context, id string, expected int, read, write domain.Access,
	guard func(old *domain.Award) error) (*domain.Award, error) {
	return remove(ctx, s, awards, id, expected, read, write, guard)
}

// tallyFields are the award fields a tally can group by, and where each is
// stored.
var tallyFields = map[string]string{
	domain.TallyAuthority: "$authority", domain.TallyAwardType: "$awardTypeId", domain.TallyRecipientKind: "$recipient.kind",
	domain.TallyProvince: "$provinceId", domain.TallyYear: "$year", domain.TallyStatus: "$status",
	domain.TallyUnit: "$unitId",
}

// AwardTally counts the awards that match f within the read access, grouped
// by the given fields (domain.Tally*), largest groups first.
func (s *Store) AwardTally(ctx context.Context, f domain.AwardFilter, read domain.Access, by []string) ([]domain.TallyRow, error) {
	if rm, err := s.model(ctx); err != nil || rm != nil {
		if err != nil {
			return nil, err
		}
		return rm.tally(f, read, by)
	}
	id := bson.D{}
	for _, k := range by {
		path, ok := tallyFields[k]
		if !ok {
			return nil, domain.Invalid("by", "cannot group by %q", k)
		}
		id = append(id, bson.E{Key: k, Value: path})
	}
	pipeline := bson.A{
		bson.D{{Key: "$match", Value: and(awardFilter(f), readFilter(read))}},
		bson.D{{Key: "$group", Value: bson.D{{Key: "_id", Value: id}, {Key: "count", Value: bson.D{{Key: "$sum", Value: 1}}}}}},
	}
	cur, err := s.c(colAwards).Aggregate(ctx, pipeline)
	if err != nil {
		return nil, mapErr(err)
	}
	var docs []struct {
		ID    bson.Raw `bson:"_id"`
		Count int      `bson:"count"`
	}
	if err := cur.All(ctx, &docs); err != nil {
		return nil, mapErr(err)
	}
	out := make([]domain.TallyRow, len(docs))
	for i, d := range docs {
		r := domain.TallyRow{Count: d.Count}
		str := func(k string) string { v, _ := d.ID.Lookup(k).StringValueOK(); return v }
		r.Authority, r.AwardTypeID, r.RecipientKind = str(domain.TallyAuthority), str(domain.TallyAwardType), str(domain.TallyRecipientKind)
		r.ProvinceID, r.Status, r.UnitID = str(domain.TallyProvince), str(domain.TallyStatus), str(domain.TallyUnit)
		if y, ok := d.ID.Lookup(domain.TallyYear).AsInt64OK(); ok {
			r.Year = int(y)
		}
		out[i] = r
	}
	sortTally(out)
	return out, nil
}

// sortTally orders tally rows: largest groups first, then by their fields
// (a stable order for equal counts).
func sortTally(out []domain.TallyRow) {
	slices.SortFunc(out, func(a, b domain.TallyRow) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), cmp.Compare(a.Authority, b.Authority), cmp.Compare(a.AwardTypeID, b.AwardTypeID),
			cmp.Compare(a.RecipientKind, b.RecipientKind), cmp.Compare(a.ProvinceID, b.ProvinceID), cmp.Compare(a.Status, b.Status),
			cmp.Compare(a.UnitID, b.UnitID), cmp.Compare(a.Year, b.Year))
	})
}

// CountConferred counts the awards conferred (later revoked ones included)
// by decisions dated f.From..f.To, of the provinces, by the authorities and
// of the award types f names (any when empty).
func (s *Store) CountConferred(ctx context.Context, f domain.ConferredFilter) (int, error) {
	if rm, err := s.model(ctx); err != nil || rm != nil {
		if err != nil {
			return 0, err
		}
		return rm.countConferred(f), nil
	}
	q := bson.D{{Key: "status", Value: bson.D{{Key: "$in", Value: bson.A{"CONFERRED", "REVOKED"}}}}}
	date := bson.D{}
	if f.From != "" {
		date = append(date, bson.E{Key: "$gte", Value: f.From})
	}
	if f.To != "" {
		date = append(date, bson.E{Key: "$lte", Value: f.To})
	}
	if len(date) > 0 {
		q = append(q, bson.E{Key: "decision.date", Value: date})
	}
	for _, in := range []struct {
		field  string
		values []string
	}{{"authority", f.Authorities}, {"awardTypeId", f.AwardTypeIDs}, {"provinceId", f.ProvinceIDs}} {
		if len(in.values) > 0 {
			q = append(q, bson.E{Key: in.field, Value: bson.D{{Key: "$in", Value: in.values}}})
		}
	}
	n, err := s.c(colAwards).CountDocuments(ctx, q)
	return int(n), mapErr(err)
}
