package repository

import (
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/thidua/thidua/domain"
	"github.com/thidua/thidua/vntext"
)

// The stored documents. Their field names and shapes are the database's
// schema: existing databases keep working only while they stay as they are
// (or a migration, migrate.go, moves the data). Ids are ObjectIDs in storage
// and 24-character lowercase hex strings in the domain; the derived fields
// (titleKey, recipient.nameKey, searchKey) exist only here.

// meta is carried by every stored record.
type meta struct {
	Version   int       `bson:"version"`
	CreatedAt time.Time `bson:"createdAt"`
	UpdatedAt time.Time `bson:"updatedAt"`
}

func (m meta) domain() domain.Meta {
	return domain.Meta{Version: m.Version, CreatedAt: m.CreatedAt, UpdatedAt: m.UpdatedAt}
}

func metaOf(m domain.Meta) meta {
	return meta{Version: m.Version, CreatedAt: m.CreatedAt, UpdatedAt: m.UpdatedAt}
}

// hexID is the domain form of a stored id.
func hexID(id bson.ObjectID) string { return id.Hex() }

// parseID parses a domain id: exactly 24 lowercase hex digits.
func parseID(id string) (bson.ObjectID, bool) {
	oid, err := bson.ObjectIDFromHex(id)
	if err != nil || oid.Hex() != id {
		return bson.ObjectID{}, false
	}
	return oid, true
}

// parseRef parses an id a record refers to (a movement of an award, say);
// field names it for the error.
func parseRef(field, id string) (bson.ObjectID, error) {
	oid, ok := parseID(id)
	if !ok {
		return oid, domain.Invalid(field, "%q is not a valid id", id)
	}
	return oid, nil
}

// newID returns the id of a new record: the one it was given (seeding,
// imports), or a fresh one.
func newID(field, id string) (bson.ObjectID, error) {
	if id == "" {
		return bson.NewObjectID(), nil
	}
	return parseRef(field, id)
}

// Provinces.

type provinceDoc struct {
	ID              string              `bson:"_id"`
	Name            string              `bson:"name"`
	ISOCode         string              `bson:"isoCode"`
	StatisticsCodes []statisticsCodeDoc `bson:"statisticsCodes"`
	ValidFrom       string              `bson:"validFrom,omitempty"`
	ValidTo         string              `bson:"validTo,omitempty"`
	SuccessorID     string              `bson:"successorId,omitempty"`
	PredecessorIDs  []string            `bson:"predecessorIds,omitempty"`
	// AdministrativeCentre is the seat of the provincial authorities.
	AdministrativeCentre string `bson:"administrativeCentre,omitempty"`
	Meta                 meta   `bson:",inline"`
}

type statisticsCodeDoc struct {
	Code string `bson:"code"`
	From string `bson:"from,omitempty"`
	To   string `bson:"to,omitempty"`
}

func provinceToDomain(d *provinceDoc) *domain.Province {
	p := &domain.Province{ID: d.ID, Name: d.Name, ISOCode: d.ISOCode, ValidFrom: d.ValidFrom, ValidTo: d.ValidTo,
		SuccessorID: d.SuccessorID, PredecessorIDs: d.PredecessorIDs, AdministrativeCentre: d.AdministrativeCentre,
		Meta: d.Meta.domain()}
	if d.StatisticsCodes != nil {
		p.StatisticsCodes = make([]domain.StatisticsCode, len(d.StatisticsCodes))
		for i, c := range d.StatisticsCodes {
			p.StatisticsCodes[i] = domain.StatisticsCode(c)
		}
	}
	return p
}

func provinceToDoc(p *domain.Province) (*provinceDoc, error) {
	d := &provinceDoc{ID: p.ID, Name: p.Name, ISOCode: p.ISOCode, ValidFrom: p.ValidFrom, ValidTo: p.ValidTo,
		SuccessorID: p.SuccessorID, PredecessorIDs: p.PredecessorIDs, AdministrativeCentre: p.AdministrativeCentre,
		Meta: metaOf(p.Meta)}
	if p.StatisticsCodes != nil {
		d.StatisticsCodes = make([]statisticsCodeDoc, len(p.StatisticsCodes))
		for i, c := range p.StatisticsCodes {
			d.StatisticsCodes[i] = statisticsCodeDoc(c)
		}
	}
	return d, nil
}

// Award types.

type awardTypeDoc struct {
	ID             string             `bson:"_id"`
	Name           string             `bson:"name"`
	Form           string             `bson:"form"`
	Classes        []string           `bson:"classes"`
	Authorities    []string           `bson:"authorities"`
	AuthorityRules []authorityRuleDoc `bson:"authorityRules"`
	RecipientKinds []string           `bson:"recipientKinds"`
	Order          int                `bson:"order"`
	ValidFrom      string             `bson:"validFrom,omitempty"`
	ValidTo        string             `bson:"validTo,omitempty"`
	LegalBasis     string             `bson:"legalBasis,omitempty"`
	// RewardCoefficients: absent before migration 15 (none).
	RewardCoefficients []rewardCoefficientDoc `bson:"rewardCoefficients,omitempty"`
	Meta               meta                   `bson:",inline"`
}

type authorityRuleDoc struct {
	Authority   string `bson:"authority"`
	From        string `bson:"from,omitempty"`
	To          string `bson:"to,omitempty"`
	Basis       string `bson:"basis,omitempty"`
	Unconfirmed bool   `bson:"unconfirmed,omitempty"`
}

func awardTypeToDomain(d *awardTypeDoc) *domain.AwardType {
	t := &domain.AwardType{ID: d.ID, Name: d.Name, Form: d.Form, Classes: d.Classes, Authorities: d.Authorities,
		RecipientKinds: d.RecipientKinds, Order: d.Order, ValidFrom: d.ValidFrom, ValidTo: d.ValidTo,
		LegalBasis: d.LegalBasis, Meta: d.Meta.domain()}
	if d.AuthorityRules != nil {
		t.AuthorityRules = make([]domain.AuthorityRule, len(d.AuthorityRules))
		for i, r := range d.AuthorityRules {
			t.AuthorityRules[i] = domain.AuthorityRule(r)
		}
	}
	for _, c := range d.RewardCoefficients {
		t.RewardCoefficients = append(t.RewardCoefficients, domain.RewardCoefficient(c))
	}
	return t
}

func awardTypeToDoc(t *domain.AwardType) (*awardTypeDoc, error) {
	d := &awardTypeDoc{ID: t.ID, Name: t.Name, Form: t.Form, Classes: t.Classes, Authorities: t.Authorities,
		RecipientKinds: t.RecipientKinds, Order: t.Order, ValidFrom: t.ValidFrom, ValidTo: t.ValidTo,
		LegalBasis: t.LegalBasis, Meta: metaOf(t.Meta)}
	if t.AuthorityRules != nil {
		d.AuthorityRules = make([]authorityRuleDoc, len(t.AuthorityRules))
		for i, r := range t.AuthorityRules {
			d.AuthorityRules[i] = authorityRuleDoc(r)
		}
	}
	for _, c := range t.RewardCoefficients {
		d.RewardCoefficients = append(d.RewardCoefficients, rewardCoefficientDoc(c))
	}
	return d, nil
}

// Indicators.

type indicatorDoc struct {
	ID          string `bson:"_id"`
	Name        string `bson:"name"`
	Unit        string `bson:"unit"`
	Aggregation string `bson:"aggregation"`
	Order       int    `bson:"order"`
	ValidFrom   string `bson:"validFrom,omitempty"`
	ValidTo     string `bson:"validTo,omitempty"`
	Meta        meta   `bson:",inline"`
}

func indicatorToDomain(d *indicatorDoc) *domain.Indicator {
	return &domain.Indicator{ID: d.ID, Name: d.Name, Unit: d.Unit, Aggregation: d.Aggregation, Order: d.Order,
		ValidFrom: d.ValidFrom, ValidTo: d.ValidTo, Meta: d.Meta.domain()}
}

func indicatorToDoc(i *domain.Indicator) (*indicatorDoc, error) {
	return &indicatorDoc{ID: i.ID, Name: i.Name, Unit: i.Unit, Aggregation: i.Aggregation, Order: i.Order,
		ValidFrom: i.ValidFrom, ValidTo: i.ValidTo, Meta: metaOf(i.Meta)}, nil
}

// Movements.

type movementDoc struct {
	ID          bson.ObjectID `bson:"_id"`
	Owner       string        `bson:"owner"`
	Published   bool          `bson:"published"`
	Title       string        `bson:"title"`
	TitleKey    string        `bson:"titleKey"` // folded title, for search and order
	Scope       string        `bson:"scope"`
	Kind        string        `bson:"kind"`
	ProvinceID  string        `bson:"provinceId,omitempty"`
	LaunchedBy  string        `bson:"launchedBy,omitempty"`
	StartYear   *int          `bson:"startYear"`
	EndYear     *int          `bson:"endYear"`
	Description string        `bson:"description,omitempty"`
	Meta        meta          `bson:",inline"`
}

func movementToDomain(d *movementDoc) *domain.Movement {
	return &domain.Movement{ID: hexID(d.ID), Owner: d.Owner, Published: d.Published, Title: d.Title, Scope: d.Scope,
		Kind: d.Kind, ProvinceID: d.ProvinceID, LaunchedBy: d.LaunchedBy, StartYear: copyPtr(d.StartYear),
		EndYear: copyPtr(d.EndYear), Description: d.Description, Meta: d.Meta.domain()}
}

func movementToDoc(m *domain.Movement) (*movementDoc, error) {
	d := &movementDoc{Owner: m.Owner, Published: m.Published, Title: m.Title, TitleKey: movementTitleKey(m),
		Scope: m.Scope, Kind: m.Kind, ProvinceID: m.ProvinceID, LaunchedBy: m.LaunchedBy,
		StartYear: copyPtr(m.StartYear), EndYear: copyPtr(m.EndYear), Description: m.Description, Meta: metaOf(m.Meta)}
	if m.ID != "" {
		id, err := parseRef("id", m.ID)
		if err != nil {
			return nil, err
		}
		d.ID = id
	}
	return d, nil
}

// Awards.

type awardDoc struct {
	ID              bson.ObjectID   `bson:"_id"`
	Owner           string          `bson:"owner"`
	Published       bool            `bson:"published"`
	ProvinceID      string          `bson:"provinceId"`
	AwardTypeID     string          `bson:"awardTypeId"`
	Class           string          `bson:"class,omitempty"`
	Authority       string          `bson:"authority"`
	Recipient       recipientDoc    `bson:"recipient"`
	Year            int             `bson:"year"`
	Status          string          `bson:"status"`
	MovementID      *bson.ObjectID  `bson:"movementId"`
	Decision        *decisionDoc    `bson:"decision,omitempty"`
	Citation        string          `bson:"citation,omitempty"`
	RejectionReason string          `bson:"rejectionReason,omitempty"`
	LegalBasis      string          `bson:"legalBasis"`
	SearchKey       string          `bson:"searchKey"` // folded name, organisation and citation
	History         []awardEventDoc `bson:"history"`
	Revocation      *revocationDoc  `bson:"revocation,omitempty"`
	DecisionID      string          `bson:"decisionId,omitempty"`
	DossierID       string          `bson:"dossierId,omitempty"`
	HonoreeID       string          `bson:"honoreeId,omitempty"`
	UnitID          string          `bson:"unitId,omitempty"`
	// CommendationKind: the dossier's kind (absent: entered one by one).
	CommendationKind string `bson:"commendationKind,omitempty"`
	Meta             meta   `bson:",inline"`
}

type awardEventDoc struct {
	Status   string       `bson:"status"`
	At       time.Time    `bson:"at"`
	By       string       `bson:"by,omitempty"`
	Reason   string       `bson:"reason,omitempty"`
	Decision *decisionDoc `bson:"decision,omitempty"`
}

type revocationDoc struct {
	Reason   string      `bson:"reason"`
	Decision decisionDoc `bson:"decision"`
	At       time.Time   `bson:"at"`
	By       string      `bson:"by,omitempty"`
}

// recipientDoc is who receives an award. NameKey is the folded name, for
// search.
type recipientDoc struct {
	Kind         string `bson:"kind"`
	Name         string `bson:"name"`
	NameKey      string `bson:"nameKey"`
	Position     string `bson:"position,omitempty"`
	Organization string `bson:"organization,omitempty"`
}

type decisionDoc struct {
	Number string `bson:"number"`
	Date   string `bson:"date"`
}

func decisionToDomain(d *decisionDoc) *domain.Decision {
	if d == nil {
		return nil
	}
	return &domain.Decision{Number: d.Number, Date: d.Date}
}

func decisionToDoc(d *domain.Decision) *decisionDoc {
	if d == nil {
		return nil
	}
	return &decisionDoc{Number: d.Number, Date: d.Date}
}

func awardToDomain(d *awardDoc) *domain.Award {
	a := &domain.Award{ID: hexID(d.ID), Owner: d.Owner, Published: d.Published, ProvinceID: d.ProvinceID,
		AwardTypeID: d.AwardTypeID, Class: d.Class, Authority: d.Authority,
		Recipient: domain.Recipient{Kind: d.Recipient.Kind, Name: d.Recipient.Name, Position: d.Recipient.Position,
			Organization: d.Recipient.Organization},
		Year: d.Year, Status: d.Status, Decision: decisionToDomain(d.Decision), Citation: d.Citation,
		RejectionReason: d.RejectionReason, LegalBasis: d.LegalBasis, DecisionID: d.DecisionID, DossierID: d.DossierID,
		HonoreeID: d.HonoreeID, CommendationKind: d.CommendationKind, UnitID: d.UnitID, Meta: d.Meta.domain()}
	if d.MovementID != nil {
		a.MovementID = hexID(*d.MovementID)
	}
	if d.History != nil {
		a.History = make([]domain.AwardEvent, len(d.History))
		for i, e := range d.History {
			a.History[i] = domain.AwardEvent{Status: e.Status, At: e.At, By: e.By, Reason: e.Reason, Decision: decisionToDomain(e.Decision)}
		}
	}
	if r := d.Revocation; r != nil {
		a.Revocation = &domain.Revocation{Reason: r.Reason, Decision: *decisionToDomain(&r.Decision), At: r.At, By: r.By}
	}
	return a
}

func awardToDoc(a *domain.Award) (*awardDoc, error) {
	d := &awardDoc{Owner: a.Owner, Published: a.Published, ProvinceID: a.ProvinceID, AwardTypeID: a.AwardTypeID,
		Class: a.Class, Authority: a.Authority,
		Recipient: recipientDoc{Kind: a.Recipient.Kind, Name: a.Recipient.Name, NameKey: vntext.Fold(a.Recipient.Name),
			Position: a.Recipient.Position, Organization: a.Recipient.Organization},
		Year: a.Year, Status: a.Status, Decision: decisionToDoc(a.Decision), Citation: a.Citation,
		RejectionReason: a.RejectionReason, LegalBasis: a.LegalBasis,
		SearchKey:  awardSearchKey(a),
		DecisionID: a.DecisionID, DossierID: a.DossierID, HonoreeID: a.HonoreeID, CommendationKind: a.CommendationKind,
		UnitID: a.UnitID, Meta: metaOf(a.Meta)}
	if a.ID != "" {
		id, err := parseRef("id", a.ID)
		if err != nil {
			return nil, err
		}
		d.ID = id
	}
	if a.MovementID != "" {
		mid, err := parseRef("movementId", a.MovementID)
		if err != nil {
			return nil, err
		}
		d.MovementID = &mid
	}
	if a.History != nil {
		d.History = make([]awardEventDoc, len(a.History))
		for i, e := range a.History {
			d.History[i] = awardEventDoc{Status: e.Status, At: e.At, By: e.By, Reason: e.Reason, Decision: decisionToDoc(e.Decision)}
		}
	}
	if r := a.Revocation; r != nil {
		d.Revocation = &revocationDoc{Reason: r.Reason, Decision: *decisionToDoc(&r.Decision), At: r.At, By: r.By}
	}
	return d, nil
}

// Period reviews.

type reviewDoc struct {
	ID                   bson.ObjectID           `bson:"_id"`
	Owner                string                  `bson:"owner"`
	Published            bool                    `bson:"published"`
	Kind                 string                  `bson:"kind"`
	Year                 int                     `bson:"year"`
	Period               string                  `bson:"period"`
	PeriodStart          string                  `bson:"periodStart,omitempty"` // the period reviewed, for derived tallies
	PeriodEnd            string                  `bson:"periodEnd,omitempty"`
	Date                 string                  `bson:"date"`
	HostProvinceID       string                  `bson:"hostProvinceId"`
	Location             string                  `bson:"location,omitempty"`
	Theme                string                  `bson:"theme,omitempty"`
	MovementIDs          []bson.ObjectID         `bson:"movementIds"`
	ReportedFigures      []reportedFigureDoc     `bson:"reportedFigures"`
	ReportedAwardTallies []reportedAwardTallyDoc `bson:"reportedAwardTallies"`
	Meta                 meta                    `bson:",inline"`
}

type reportedFigureDoc struct {
	IndicatorID string   `bson:"indicatorId"`
	Min         *float64 `bson:"min,omitempty"`
	Max         *float64 `bson:"max,omitempty"`
	Value       *float64 `bson:"value,omitempty"`
	Total       *float64 `bson:"total,omitempty"`
	Ratio       *float64 `bson:"ratio,omitempty"`
	Qualifier   string   `bson:"qualifier"`
	Note        string   `bson:"note,omitempty"`
}

type reportedAwardTallyDoc struct {
	Authorities  []string `bson:"authorities"`
	AwardTypeIDs []string `bson:"awardTypeIds"`
	Count        int      `bson:"count"`
	Note         string   `bson:"note,omitempty"`
}

func reviewToDomain(d *reviewDoc) *domain.PeriodReview {
	r := &domain.PeriodReview{ID: hexID(d.ID), Owner: d.Owner, Published: d.Published, Kind: d.Kind, Year: d.Year,
		Period: d.Period, PeriodStart: d.PeriodStart, PeriodEnd: d.PeriodEnd, Date: d.Date,
		HostProvinceID: d.HostProvinceID, Location: d.Location, Theme: d.Theme, Meta: d.Meta.domain()}
	if d.MovementIDs != nil {
		r.MovementIDs = make([]string, len(d.MovementIDs))
		for i, id := range d.MovementIDs {
			r.MovementIDs[i] = hexID(id)
		}
	}
	if d.ReportedFigures != nil {
		r.ReportedFigures = make([]domain.ReportedFigure, len(d.ReportedFigures))
		for i, f := range d.ReportedFigures {
			r.ReportedFigures[i] = domain.ReportedFigure{IndicatorID: f.IndicatorID, Min: copyPtr(f.Min), Max: copyPtr(f.Max),
				Value: copyPtr(f.Value), Total: copyPtr(f.Total), Ratio: copyPtr(f.Ratio), Qualifier: f.Qualifier, Note: f.Note}
		}
	}
	if d.ReportedAwardTallies != nil {
		r.ReportedAwardTallies = make([]domain.ReportedAwardTally, len(d.ReportedAwardTallies))
		for i, t := range d.ReportedAwardTallies {
			r.ReportedAwardTallies[i] = domain.ReportedAwardTally(t)
		}
	}
	return r
}

func reviewToDoc(r *domain.PeriodReview) (*reviewDoc, error) {
	d := &reviewDoc{Owner: r.Owner, Published: r.Published, Kind: r.Kind, Year: r.Year, Period: r.Period,
		PeriodStart: r.PeriodStart, PeriodEnd: r.PeriodEnd, Date: r.Date, HostProvinceID: r.HostProvinceID,
		Location: r.Location, Theme: r.Theme, Meta: metaOf(r.Meta)}
	if r.ID != "" {
		id, err := parseRef("id", r.ID)
		if err != nil {
			return nil, err
		}
		d.ID = id
	}
	if r.MovementIDs != nil {
		d.MovementIDs = make([]bson.ObjectID, len(r.MovementIDs))
		for i, id := range r.MovementIDs {
			oid, err := parseRef("movementIds", id)
			if err != nil {
				return nil, err
			}
			d.MovementIDs[i] = oid
		}
	}
	if r.ReportedFigures != nil {
		d.ReportedFigures = make([]reportedFigureDoc, len(r.ReportedFigures))
		for i, f := range r.ReportedFigures {
			d.ReportedFigures[i] = reportedFigureDoc{IndicatorID: f.IndicatorID, Min: copyPtr(f.Min), Max: copyPtr(f.Max),
				Value: copyPtr(f.Value), Total: copyPtr(f.Total), Ratio: copyPtr(f.Ratio), Qualifier: f.Qualifier, Note: f.Note}
		}
	}
	if r.ReportedAwardTallies != nil {
		d.ReportedAwardTallies = make([]reportedAwardTallyDoc, len(r.ReportedAwardTallies))
		for i, t := range r.ReportedAwardTallies {
			d.ReportedAwardTallies[i] = reportedAwardTallyDoc(t)
		}
	}
	return d, nil
}

// Province reports. A report is a document of its own so that provinces
// reporting at once never touch the same document.

type reportDoc struct {
	ID          bson.ObjectID       `bson:"_id"`
	ReviewID    bson.ObjectID       `bson:"reviewId"`
	ProvinceID  string              `bson:"provinceId"`
	Values      []indicatorValueDoc `bson:"values"`
	SubmittedBy string              `bson:"submittedBy,omitempty"`
	Meta        meta                `bson:",inline"`
}

type indicatorValueDoc struct {
	IndicatorID string   `bson:"indicatorId"`
	Value       float64  `bson:"value"`
	Total       *float64 `bson:"total,omitempty"`
}

func valuesToDoc(vs []domain.IndicatorValue) []indicatorValueDoc {
	if vs == nil {
		return nil
	}
	out := make([]indicatorValueDoc, len(vs))
	for i, v := range vs {
		out[i] = indicatorValueDoc{IndicatorID: v.IndicatorID, Value: v.Value, Total: copyPtr(v.Total)}
	}
	return out
}

func reportToDomain(d *reportDoc) *domain.ProvinceReport {
	r := &domain.ProvinceReport{ID: hexID(d.ID), ReviewID: hexID(d.ReviewID), ProvinceID: d.ProvinceID,
		SubmittedBy: d.SubmittedBy, Meta: d.Meta.domain()}
	if d.Values != nil {
		r.Values = make([]domain.IndicatorValue, len(d.Values))
		for i, v := range d.Values {
			r.Values[i] = domain.IndicatorValue{IndicatorID: v.IndicatorID, Value: v.Value, Total: copyPtr(v.Total)}
		}
	}
	return r
}

// Clusters.

type clusterDoc struct {
	ID    string           `bson:"_id"`
	Name  string           `bson:"name"`
	Years []clusterYearDoc `bson:"years"`
	Meta  meta             `bson:",inline"`
}

type clusterYearDoc struct {
	Year    int      `bson:"year"`
	Members []string `bson:"members"`
	Chair   string   `bson:"chair,omitempty"`
	Deputy  string   `bson:"deputy,omitempty"`
}

func clusterToDomain(d *clusterDoc) *domain.Cluster {
	c := &domain.Cluster{ID: d.ID, Name: d.Name, Meta: d.Meta.domain()}
	if d.Years != nil {
		c.Years = make([]domain.ClusterYear, len(d.Years))
		for i, y := range d.Years {
			c.Years[i] = domain.ClusterYear{Year: y.Year, Members: copySlice(y.Members), Chair: y.Chair, Deputy: y.Deputy}
		}
	}
	return c
}

func clusterToDoc(c *domain.Cluster) (*clusterDoc, error) {
	d := &clusterDoc{ID: c.ID, Name: c.Name, Meta: metaOf(c.Meta)}
	if c.Years != nil {
		d.Years = make([]clusterYearDoc, len(c.Years))
		for i, y := range c.Years {
			d.Years[i] = clusterYearDoc{Year: y.Year, Members: copySlice(y.Members), Chair: y.Chair, Deputy: y.Deputy}
		}
	}
	return d, nil
}

func copyPtr[T any](p *T) *T {
	if p == nil {
		return nil
	}
	v := *p
	return &v
}

func copySlice[T any](s []T) []T {
	if s == nil {
		return nil
	}
	return append(make([]T, 0, len(s)), s...)
}

// The folded keys lists search and sort by, computed once for the stored
// document and the read model alike (they must agree).

func movementTitleKey(m *domain.Movement) string { return vntext.Fold(m.Title) }

func awardSearchKey(a *domain.Award) string {
	return vntext.Fold(a.Recipient.Name + " | " + a.Recipient.Organization + " | " + a.Citation)
}

func dossierSearchKey(d *domain.Dossier) string {
	return vntext.Fold(d.Title + " | " + d.ProposingUnit)
}
