package repository

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/thidua/thidua/domain"
	"github.com/thidua/thidua/vntext"
)

// Dossiers, decisions and honorees.

const (
	colDossiers  = "dossiers"
	colDecisions = "decisions"
	colHonorees  = "honorees"
)

type dossierDoc struct {
	ID            bson.ObjectID         `bson:"_id"`
	Owner         string                `bson:"owner"`
	Published     bool                  `bson:"published"`
	ProvinceID    string                `bson:"provinceId,omitempty"`
	Kind          string                `bson:"kind"`
	Authority     string                `bson:"authority"`
	Level         string                `bson:"level"` // who vets and decides it (domain.Level)
	Year          int                   `bson:"year"`
	Title         string                `bson:"title"`
	SearchKey     string                `bson:"searchKey"` // folded title and proposing unit
	ProposingUnit string                `bson:"proposingUnit"`
	MovementID    string                `bson:"movementId,omitempty"`
	Letter        *decisionDoc          `bson:"letter,omitempty"`
	Council       *councilDoc           `bson:"council,omitempty"`
	Notice        *noticeDoc            `bson:"notice,omitempty"`
	Forward       *forwardDoc           `bson:"forward,omitempty"` // the provincial chair's letter
	Recipients    []dossierRecipientDoc `bson:"recipients"`
	Status        string                `bson:"status"`
	History       []dossierEventDoc     `bson:"history"`
	Warnings      []dossierWarningDoc   `bson:"warnings,omitempty"`
	DecisionID    string                `bson:"decisionId,omitempty"`
	UnitID        string                `bson:"unitId,omitempty"`
	Meta          meta                  `bson:",inline"`
}

type councilDoc struct {
	Date           string `bson:"date"`
	MembersPresent int    `bson:"membersPresent"`
	MembersTotal   int    `bson:"membersTotal"`
}

type noticeDoc struct {
	From string `bson:"from"`
	To   string `bson:"to"`
}

type forwardDoc struct {
	Letter decisionDoc `bson:"letter"`
	At     time.Time   `bson:"at"`
	By     string      `bson:"by,omitempty"`
}

type dossierRecipientDoc struct {
	HonoreeID   string       `bson:"honoreeId,omitempty"`
	ProvinceID  string       `bson:"provinceId"`
	Recipient   recipientDoc `bson:"recipient"`
	AwardTypeID string       `bson:"awardTypeId"`
	Class       string       `bson:"class,omitempty"`
	Achievement string       `bson:"achievement"`
	BallotShare *float64     `bson:"ballotShare,omitempty"`
	AwardID     string       `bson:"awardId,omitempty"`
}

type dossierEventDoc struct {
	Status  string    `bson:"status"`
	At      time.Time `bson:"at"`
	By      string    `bson:"by,omitempty"`
	Reasons []string  `bson:"reasons,omitempty"`
}

type dossierWarningDoc struct {
	Recipient int    `bson:"recipient"`
	Message   string `bson:"message"`
}

func dossierToDomain(d *dossierDoc) *domain.Dossier {
	x := &domain.Dossier{ID: hexID(d.ID), Owner: d.Owner, ProvinceID: d.ProvinceID, Kind: d.Kind, Authority: d.Authority,
		Year: d.Year, Title: d.Title, ProposingUnit: d.ProposingUnit, MovementID: d.MovementID,
		Letter: decisionToDomain(d.Letter), Status: d.Status, DecisionID: d.DecisionID, UnitID: d.UnitID, Meta: d.Meta.domain(),
		Recipients: make([]domain.DossierRecipient, len(d.Recipients)), History: make([]domain.DossierEvent, len(d.History))}
	if d.Council != nil {
		c := domain.Council(*d.Council)
		x.Council = &c
	}
	if d.Notice != nil {
		n := domain.Notice(*d.Notice)
		x.Notice = &n
	}
	if f := d.Forward; f != nil {
		x.Forward = &domain.Forwarding{Letter: domain.Decision(f.Letter), At: f.At, By: f.By}
	}
	for i, r := range d.Recipients {
		x.Recipients[i] = domain.DossierRecipient{HonoreeID: r.HonoreeID, ProvinceID: r.ProvinceID,
			Recipient: domain.Recipient{Kind: r.Recipient.Kind, Name: r.Recipient.Name, Position: r.Recipient.Position,
				Organization: r.Recipient.Organization},
			AwardTypeID: r.AwardTypeID, Class: r.Class, Achievement: r.Achievement, BallotShare: copyPtr(r.BallotShare), AwardID: r.AwardID}
	}
	for i, e := range d.History {
		x.History[i] = domain.DossierEvent(e)
	}
	for _, w := range d.Warnings {
		x.Warnings = append(x.Warnings, domain.DossierWarning(w))
	}
	return x
}

func dossierToDoc(x *domain.Dossier) (*dossierDoc, error) {
	d := &dossierDoc{Owner: x.Owner, Published: false, ProvinceID: x.ProvinceID, Kind: x.Kind, Authority: x.Authority,
		Level: x.Level(), Year: x.Year, Title: x.Title, SearchKey: dossierSearchKey(x),
		ProposingUnit: x.ProposingUnit, MovementID: x.MovementID, Letter: decisionToDoc(x.Letter), Status: x.Status,
		DecisionID: x.DecisionID, UnitID: x.UnitID, Meta: metaOf(x.Meta),
		Recipients: make([]dossierRecipientDoc, len(x.Recipients)), History: make([]dossierEventDoc, len(x.History))}
	if x.ID != "" {
		id, err := parseRef("id", x.ID)
		if err != nil {
			return nil, err
		}
		d.ID = id
	}
	if x.Council != nil {
		c := councilDoc(*x.Council)
		d.Council = &c
	}
	if x.Notice != nil {
		n := noticeDoc(*x.Notice)
		d.Notice = &n
	}
	if f := x.Forward; f != nil {
		d.Forward = &forwardDoc{Letter: decisionDoc(f.Letter), At: f.At, By: f.By}
	}
	for i, r := range x.Recipients {
		d.Recipients[i] = dossierRecipientDoc{HonoreeID: r.HonoreeID, ProvinceID: r.ProvinceID,
			Recipient: recipientDoc{Kind: r.Recipient.Kind, Name: r.Recipient.Name, NameKey: vntext.Fold(r.Recipient.Name),
				Position: r.Recipient.Position, Organization: r.Recipient.Organization},
			AwardTypeID: r.AwardTypeID, Class: r.Class, Achievement: r.Achievement, BallotShare: copyPtr(r.BallotShare), AwardID: r.AwardID}
	}
	for i, e := range x.History {
		d.History[i] = dossierEventDoc(e)
	}
	for _, w := range x.Warnings {
		d.Warnings = append(d.Warnings, dossierWarningDoc(w))
	}
	return d, nil
}

// decisionRecordDoc is a decision. Pending, while present, is the journal
// of a decision being recorded without a transaction (recordJournaled).
type decisionRecordDoc struct {
	ID         bson.ObjectID `bson:"_id"`
	Owner      string        `bson:"owner"`
	Published  bool          `bson:"published"`
	Number     string        `bson:"number"`
	Date       string        `bson:"date"`
	Year       int           `bson:"year"` // of the date, for filters
	Authority  string        `bson:"authority"`
	IssuedBy   string        `bson:"issuedBy"`
	Signer     signerDoc     `bson:"signer"`
	LegalBasis string        `bson:"legalBasis"`
	Submission *decisionDoc  `bson:"submission,omitempty"` // the Prime Minister's, for the President
	ProvinceID string        `bson:"provinceId,omitempty"`
	DossierID  string        `bson:"dossierId"`
	AwardIDs   []string      `bson:"awardIds"`
	Pending    *pendingDoc   `bson:"pending,omitempty"`
	Meta       meta          `bson:",inline"`
}

type signerDoc struct {
	Name     string `bson:"name"`
	Position string `bson:"position,omitempty"`
}

// pendingDoc holds what a decision writes besides itself: its awards and
// the dossier as decided (at DossierVersion).
type pendingDoc struct {
	Awards         []awardDoc `bson:"awards"`
	Dossier        dossierDoc `bson:"dossier"`
	DossierVersion int        `bson:"dossierVersion"`
}

func decisionRecordToDomain(d *decisionRecordDoc) *domain.DecisionRecord {
	return &domain.DecisionRecord{ID: hexID(d.ID), Owner: d.Owner, Published: d.Published, Number: d.Number, Date: d.Date,
		Authority: d.Authority, IssuedBy: d.IssuedBy, Signer: domain.Signer(d.Signer), LegalBasis: d.LegalBasis,
		ProvinceID: d.ProvinceID, DossierID: d.DossierID, AwardIDs: append([]string{}, d.AwardIDs...), Meta: d.Meta.domain(),
		Submission: decisionToDomain(d.Submission)}
}

func decisionRecordToDoc(x *domain.DecisionRecord) (*decisionRecordDoc, error) {
	d := &decisionRecordDoc{Owner: x.Owner, Published: x.Published, Number: x.Number, Date: x.Date, Authority: x.Authority,
		IssuedBy: x.IssuedBy, Signer: signerDoc(x.Signer), LegalBasis: x.LegalBasis, ProvinceID: x.ProvinceID,
		DossierID: x.DossierID, AwardIDs: x.AwardIDs, Meta: metaOf(x.Meta), Submission: decisionToDoc(x.Submission)}
	if len(x.Date) >= 4 {
		fmt.Sscan(x.Date[:4], &d.Year)
	}
	if x.ID != "" {
		id, err := parseRef("id", x.ID)
		if err != nil {
			return nil, err
		}
		d.ID = id
	}
	return d, nil
}

type honoreeDoc struct {
	ID           bson.ObjectID `bson:"_id"`
	Owner        string        `bson:"owner"`
	Published    bool          `bson:"published"`
	ProvinceID   string        `bson:"provinceId"`
	Key          string        `bson:"key"`
	KeyFolded    string        `bson:"keyFolded"` // unique per province (domain.HonoreeKey)
	Kind         string        `bson:"kind"`
	Name         string        `bson:"name"`
	SearchKey    string        `bson:"searchKey"`
	Position     string        `bson:"position,omitempty"`
	Organization string        `bson:"organization,omitempty"`
	// PendingProceedings: discipline or an investigation pending.
	PendingProceedings string `bson:"pendingProceedings,omitempty"`
	Meta               meta   `bson:",inline"`
}

func honoreeToDomain(d *honoreeDoc) *domain.Honoree {
	return &domain.Honoree{ID: hexID(d.ID), Owner: d.Owner, Published: d.Published, ProvinceID: d.ProvinceID, Key: d.Key,
		Kind: d.Kind, Name: d.Name, Position: d.Position, Organization: d.Organization, PendingProceedings: d.PendingProceedings,
		Meta: d.Meta.domain()}
}

func honoreeToDoc(x *domain.Honoree) (*honoreeDoc, error) {
	d := &honoreeDoc{Owner: x.Owner, Published: x.Published, ProvinceID: x.ProvinceID, Key: x.Key,
		KeyFolded: domain.HonoreeKey(x.Key), Kind: x.Kind, Name: x.Name, Position: x.Position, Organization: x.Organization,
		PendingProceedings: x.PendingProceedings, SearchKey: honoreeSearchKey(x), Meta: metaOf(x.Meta)}
	if x.ID != "" {
		id, err := parseRef("id", x.ID)
		if err != nil {
			return nil, err
		}
		d.ID = id
	}
	return d, nil
}

func honoreeSearchKey(h *domain.Honoree) string {
	return vntext.Fold(h.Name + " | " + h.Organization + " | " + h.Key)
}

var (
	dossiers  = kind[dossierDoc, domain.Dossier]{colDossiers, "dossier", dossierToDomain, dossierToDoc, (*Store).keptDossier}
	decisions = kind[decisionRecordDoc, domain.DecisionRecord]{colDecisions, "decision", decisionRecordToDomain, decisionRecordToDoc,
		(*Store).keptDecision}
	honorees = kind[honoreeDoc, domain.Honoree]{colHonorees, "honoree", honoreeToDomain, honoreeToDoc,
		(*Store).keptHonoree}
)

var dossierOrder = order[dossierDoc]{field: "year", desc: true,
	key: func(d *dossierDoc) any { return d.Year }, id: func(d *dossierDoc) any { return d.ID }}

var decisionOrder = order[decisionRecordDoc]{field: "date", desc: true,
	key: func(d *decisionRecordDoc) any { return d.Date }, id: func(d *decisionRecordDoc) any { return d.ID }}

var honoreeOrder = order[honoreeDoc]{field: "searchKey", desc: false,
	key: func(d *honoreeDoc) any { return d.SearchKey }, id: func(d *honoreeDoc) any { return d.ID }}

// dossierRead is the read filter of dossiers: those the access covers by
// owner, or by the level they are addressed to (a dossier addressed to a
// province's own authority is that province's; to a central one, "*"'s).
func dossierRead(a domain.Access) bson.D {
	if a.All {
		return nil
	}
	return bson.D{{Key: "$or", Value: bson.A{
		bson.D{{Key: "owner", Value: bson.D{{Key: "$in", Value: ownersIn(a)}}}},
		bson.D{{Key: "level", Value: bson.D{{Key: "$in", Value: ownersIn(a)}}}},
	}}}
}

func dossierFilter(f domain.DossierFilter) bson.D {
	q := bson.D{}
	add := func(k string, v any) { q = append(q, bson.E{Key: k, Value: v}) }
	if f.ProvinceID != "" {
		add("provinceId", f.ProvinceID)
	}
	if f.Status != "" {
		add("status", f.Status)
	}
	if f.Year != nil {
		add("year", *f.Year)
	}
	if f.Authority != "" {
		add("authority", f.Authority)
	}
	if f.Kind != "" {
		add("kind", f.Kind)
	}
	if k := vntext.Fold(f.Search); k != "" {
		add("searchKey", containsRegex(k))
	}
	return q
}

func decisionFilter(f domain.DecisionFilter) bson.D {
	q := bson.D{{Key: "pending", Value: bson.D{{Key: "$exists", Value: false}}}}
	if f.ProvinceID != "" {
		q = append(q, bson.E{Key: "provinceId", Value: f.ProvinceID})
	}
	if f.Year != nil {
		q = append(q, bson.E{Key: "year", Value: *f.Year})
	}
	if f.Authority != "" {
		q = append(q, bson.E{Key: "authority", Value: f.Authority})
	}
	return q
}

func honoreeFilter(f domain.HonoreeFilter) bson.D {
	q := bson.D{}
	if f.ProvinceID != "" {
		q = append(q, bson.E{Key: "provinceId", Value: f.ProvinceID})
	}
	if f.Kind != "" {
		q = append(q, bson.E{Key: "kind", Value: f.Kind})
	}
	if k := vntext.Fold(f.Search); k != "" {
		q = append(q, bson.E{Key: "searchKey", Value: containsRegex(k)})
	}
	return q
}

// seesDossier is dossierRead in Go.
func seesDossier(a domain.Access, d *domain.Dossier) bool {
	return a.Allows(d.Owner) || a.Allows(d.Level())
}

// CreateDossier stores a new dossier and fills in its id and meta.
func (s *Store) CreateDossier(ctx context.Context, x *domain.Dossier) error {
	return create(ctx, s, dossiers, x, func(x *domain.Dossier) string { return x.ID },
		func(x *domain.Dossier, id string, m domain.Meta) { x.ID, x.Meta = id, m })
}

// create stores a new record of kind k as given: with the id it has
// (seeding, imports) or a fresh one, and a new meta, which it fills in on
// rec once stored.
func create[D, T any](ctx context.Context, s *Store, k kind[D, T], rec *T, id func(*T) string, set func(*T, string, domain.Meta)) error {
	oid, err := newID("id", id(rec))
	if err != nil {
		return err
	}
	stored := *rec
	set(&stored, hexID(oid), s.newMeta().domain())
	doc, err := k.toDoc(&stored)
	if err != nil {
		return err
	}
	if err := insert(ctx, s, k.coll, doc); err != nil {
		resync(ctx, s, k, oid) // the server may have applied it
		return err
	}
	*rec = stored
	if k.kept != nil {
		k.kept(s, k.toDomain(doc), false)
	}
	return nil
}

// Dossier reads one dossier within the read access (its owner's or its
// level's).
func (s *Store) Dossier(ctx context.Context, id string, read domain.Access) (*domain.Dossier, error) {
	if rm, err := s.model(ctx); err != nil || rm != nil {
		if err != nil {
			return nil, err
		}
		return byID(rm, rm.dossiers, id, dossiers.name, read, func(r *dossierRow) *domain.Dossier { return copyDossier(&r.rec) },
			func(d *domain.Dossier) bool { return seesDossier(read, d) })
	}
	oid, ok := parseID(id)
	if !ok {
		return nil, domain.NotFound(dossiers.name, id)
	}
	raw, err := s.byID(ctx, colDossiers, oid)
	if errors.Is(err, errNoDocument) {
		return nil, domain.NotFound(dossiers.name, id)
	}
	if err != nil {
		return nil, err
	}
	d, err := dossiers.decode(raw)
	if err != nil {
		return nil, err
	}
	if !seesDossier(read, d) {
		return nil, domain.NotFound(dossiers.name, id)
	}
	return d, nil
}

// Dossiers lists dossiers, newest year first.
func (s *Store) Dossiers(ctx context.Context, f domain.DossierFilter, read domain.Access, p domain.PageArgs) (*domain.Page[domain.Dossier], error) {
	if rm, err := s.model(ctx); err != nil || rm != nil {
		if err != nil {
			return nil, err
		}
		return rm.dossierPage(f, read, p)
	}
	return findPage(ctx, s, colDossiers, and(dossierFilter(f), dossierRead(read)), dossierOrder, dossierToDomain, p)
}

// UpdateDossier changes a dossier at the expected version (see update);
// its write access is its owner's or its level's, as the action's is.
func (s *Store) UpdateDossier(ctx context.Context, id string, expected int, read, write domain.Access,
	change func(old *domain.Dossier) (*domain.Dossier, error)) (before, after *domain.Dossier, err error) {
	return update(ctx, s, dossiers, id, expected, read, write, change)
}

// DeleteDossier deletes a dossier (guard refuses what may not be).
func (s *Store) DeleteDossier(ctx context.Context, id string, expected int, read, write domain.Access,
	guard func(old *domain.Dossier) error) (*domain.Dossier, error) {
	return remove(ctx, s, dossiers, id, expected, read, write, guard)
}

// Decision reads one decision (decisions are public).
func (s *Store) Decision(ctx context.Context, id string, read domain.Access) (*domain.DecisionRecord, error) {
	if rm, err := s.model(ctx); err != nil || rm != nil {
		if err != nil {
			return nil, err
		}
		return byID(rm, rm.decisions, id, decisions.name, read, func(r *decisionRow) *domain.DecisionRecord { return copyDecision(&r.rec) },
			func(d *domain.DecisionRecord) bool { return read.Sees(d.Published, d.Owner) })
	}
	oid, ok := parseID(id)
	if !ok {
		return nil, domain.NotFound(decisions.name, id)
	}
	raw, err := s.byID(ctx, colDecisions, oid)
	if errors.Is(err, errNoDocument) || err == nil && (!sees(read, raw) || raw.Lookup("pending").Type != 0) {
		return nil, domain.NotFound(decisions.name, id)
	}
	if err != nil {
		return nil, err
	}
	return decisions.decode(raw)
}

// Decisions lists decisions, latest first.
func (s *Store) Decisions(ctx context.Context, f domain.DecisionFilter, read domain.Access, p domain.PageArgs) (*domain.Page[domain.DecisionRecord], error) {
	if rm, err := s.model(ctx); err != nil || rm != nil {
		if err != nil {
			return nil, err
		}
		return rm.decisionPage(f, read, p)
	}
	return findPage(ctx, s, colDecisions, and(decisionFilter(f), readFilter(read)), decisionOrder, decisionRecordToDomain, p)
}

// CreateHonoree stores a new honoree; CONFLICT on input.key when its
// province already has one with that key.
func (s *Store) CreateHonoree(ctx context.Context, h *domain.Honoree) error {
	err := create(ctx, s, honorees, h, func(x *domain.Honoree) string { return x.ID },
		func(x *domain.Honoree, id string, m domain.Meta) { x.ID, x.Meta = id, m })
	if isDuplicateKey(err) { // the unique index one_key_per_province
		return keyTaken(h)
	}
	return err
}

func keyTaken(h *domain.Honoree) error {
	return &domain.Error{Code: domain.CodeConflict, Field: "input.key",
		Message: fmt.Sprintf("%s already has an honoree with the key %q", h.ProvinceID, h.Key)}
}

// Honoree reads one honoree within the read access.
func (s *Store) Honoree(ctx context.Context, id string, read domain.Access) (*domain.Honoree, error) {
	if rm, err := s.model(ctx); err != nil || rm != nil {
		if err != nil {
			return nil, err
		}
		return byID(rm, rm.honorees, id, honorees.name, read, func(r *honoreeRow) *domain.Honoree { v := r.rec; return &v },
			func(h *domain.Honoree) bool { return read.Sees(h.Published, h.Owner) })
	}
	return getOne(ctx, s, honorees, id, read)
}

// HonoreesByID reads honorees within the read access, keyed by id.
func (s *Store) HonoreesByID(ctx context.Context, ids []string, read domain.Access) (map[string]*domain.Honoree, error) {
	return byIDs(ctx, s, honorees, ids, read, func(h *domain.Honoree) string { return h.ID }, s.Honoree)
}

// Honorees lists honorees by name.
func (s *Store) Honorees(ctx context.Context, f domain.HonoreeFilter, read domain.Access, p domain.PageArgs) (*domain.Page[domain.Honoree], error) {
	if rm, err := s.model(ctx); err != nil || rm != nil {
		if err != nil {
			return nil, err
		}
		return rm.honoreePage(f, read, p)
	}
	return findPage(ctx, s, colHonorees, and(honoreeFilter(f), readFilter(read)), honoreeOrder, honoreeToDomain, p)
}

// UpdateHonoree replaces an honoree at the expected version; CONFLICT on
// input.key when the new key is another honoree's.
func (s *Store) UpdateHonoree(ctx context.Context, id string, expected int, read, write domain.Access,
	change func(old *domain.Honoree) (*domain.Honoree, error)) (before, after *domain.Honoree, err error) {
	var next *domain.Honoree
	before, after, err = update(ctx, s, honorees, id, expected, read, write, func(old *domain.Honoree) (*domain.Honoree, error) {
		var err error
		next, err = change(old)
		return next, err
	})
	if isDuplicateKey(err) { // the unique index one_key_per_province
		return nil, nil, keyTaken(next)
	}
	return before, after, err
}

// AwardsOfHonorees returns every award of the honorees (whatever their
// status; the caller filters), by honoree id.
func (s *Store) AwardsOfHonorees(ctx context.Context, ids []string) (map[string][]domain.Award, error) {
	out := map[string][]domain.Award{}
	if len(ids) == 0 {
		return out, nil
	}
	if rm, err := s.model(ctx); err != nil || rm != nil {
		if err != nil {
			return nil, err
		}
		want := map[string]bool{}
		for _, id := range ids {
			want[id] = true
		}
		rm.mu.RLock()
		defer rm.mu.RUnlock()
		for _, r := range rm.awards.rows {
			if r.rec.HonoreeID != "" && want[r.rec.HonoreeID] {
				out[r.rec.HonoreeID] = append(out[r.rec.HonoreeID], r.rec)
			}
		}
		return out, nil
	}
	in := bson.A{}
	for _, id := range ids {
		in = append(in, id)
	}
	cur, err := s.c(colAwards).Find(ctx, bson.D{{Key: "honoreeId", Value: bson.D{{Key: "$in", Value: in}}}},
		options.Find().SetSort(awardOrder.sort()))
	if err != nil {
		return nil, mapErr(err)
	}
	var docs []awardDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, mapErr(err)
	}
	for i := range docs {
		a := awardToDomain(&docs[i])
		out[a.HonoreeID] = append(out[a.HonoreeID], *a)
	}
	return out, nil
}

// RecordDecision records a decision on a dossier in one step that happens
// whole or not at all: the decision, one award per recipient, and the
// dossier as decided. The dossier is checked as every conditional write's
// record is (visible, within write, at expected). decide turns the stored
// dossier into the decision and its awards; link, once they have ids,
// returns the dossier as decided.
//
// On MongoDB with transactions the three writes are one transaction. On a
// server without (FerretDB, whose process is the only writer), the
// decision is inserted first carrying a journal of the rest (pending); the
// awards follow; the dossier's update is the commit point; the journal is
// then cleared. A failure before the commit point undoes what was written;
// a crash is finished at the next start (RecoverDecisions): rolled back
// before the commit point, forward after it. Readers see none of it before
// the commit: lists and reads skip decisions with a journal, and the read
// model takes every record at once after the commit.
func (s *Store) RecordDecision(ctx context.Context, dossierID string, expected int, read, write domain.Access,
	decide func(d *domain.Dossier) (*domain.DecisionRecord, []*domain.Award, error),
	link func(d *domain.Dossier, dec *domain.DecisionRecord, awards []*domain.Award) (*domain.Dossier, error),
) (before, after *domain.Dossier, dec *domain.DecisionRecord, list []*domain.Award, err error) {
	w, err := newVersioned(dossiers, dossierID, expected, read, write)
	if err != nil {
		return nil, nil, nil, nil, err
	}
	if !s.caps.Transactions && !s.caps.FerretDB {
		// The journal is safe only with one writing process (FerretDB's
		// is enforced); a standalone mongod may have several.
		return nil, nil, nil, nil, &domain.Error{Code: domain.CodeUnavailable,
			Message: "recording a decision needs MongoDB with transactions (a replica set) or the embedded server"}
	}
	defer s.lock(w.coll, w.id.Hex())()
	// The decision's act lock, once its date and authority are known, is
	// held until the read model has its awards (see lockDecisionAct).
	unlockAct := func() {}
	defer func() { unlockAct() }()
	run := func(ctx context.Context) error {
		raw, err := s.check(ctx, w)
		if err != nil {
			return err
		}
		if before, err = dossiers.decode(raw); err != nil {
			return err
		}
		old, err := dossiers.decode(raw)
		if err != nil {
			return err
		}
		if dec, list, err = decide(old); err != nil {
			return err
		}
		unlockAct()
		unlockAct = s.lockDecisionAct(dec)
		same, err := s.awardsOfSameDecision(ctx, dec)
		if err != nil {
			return err
		}
		if err := domain.OneAwardPerHonoree(dec, same, list); err != nil {
			return err
		}
		m := s.newMeta()
		dec.ID, dec.Meta = hexID(bson.NewObjectID()), m.domain()
		for _, a := range list {
			a.ID, a.Meta = hexID(bson.NewObjectID()), m.domain()
		}
		if after, err = link(old, dec, list); err != nil {
			return err
		}
		after.Meta.Version, after.Meta.UpdatedAt = before.Version+1, m.UpdatedAt
		if s.caps.Transactions {
			return s.recordInTx(ctx, w, dec, list, after)
		}
		return s.recordJournaled(ctx, w, dec, list, after)
	}
	err = s.InTransaction(ctx, run) // runs it directly where there are no transactions
	if err != nil {
		return nil, nil, nil, nil, err
	}
	for _, a := range list {
		s.keptAward(a, false)
	}
	s.keptDecision(dec, false)
	s.keptDossier(after, false)
	return before, after, dec, list, nil
}

// decisionDocs encodes a decision, its awards and the decided dossier.
func decisionDocs(dec *domain.DecisionRecord, list []*domain.Award, d *domain.Dossier) (*decisionRecordDoc, []awardDoc, *dossierDoc, error) {
	dd, err := decisionRecordToDoc(dec)
	if err != nil {
		return nil, nil, nil, err
	}
	ads := make([]awardDoc, len(list))
	for i, a := range list {
		ad, err := awardToDoc(a)
		if err != nil {
			return nil, nil, nil, err
		}
		ads[i] = *ad
	}
	xd, err := dossierToDoc(d)
	if err != nil {
		return nil, nil, nil, err
	}
	return dd, ads, xd, nil
}

func (s *Store) recordInTx(ctx context.Context, w versioned, dec *domain.DecisionRecord, list []*domain.Award, d *domain.Dossier) error {
	dd, ads, xd, err := decisionDocs(dec, list, d)
	if err != nil {
		return err
	}
	if _, err := s.c(colDecisions).InsertOne(ctx, dd); err != nil {
		return mapErr(err)
	}
	if err := s.insertAwards(ctx, ads); err != nil {
		return err
	}
	// The same fault points as the journal's (tests): the transaction is
	// aborted and nothing was written.
	if err := s.fault("awards"); err != nil {
		return err
	}
	if err := s.fault("dossier"); err != nil {
		return err
	}
	return s.commitDossier(ctx, w, xd)
}

// commitDossier writes the decided dossier under the conditional write's
// filter.
func (s *Store) commitDossier(ctx context.Context, w versioned, xd *dossierDoc) error {
	set, unset, err := fieldsOf(xd)
	if err != nil {
		return fmt.Errorf("encode dossier: %w", err)
	}
	upd := bson.D{{Key: "$set", Value: append(set, bson.E{Key: "updatedAt", Value: xd.Meta.UpdatedAt})},
		{Key: "$inc", Value: bson.D{{Key: "version", Value: 1}}}}
	if len(unset) > 0 {
		upd = append(upd, bson.E{Key: "$unset", Value: unset})
	}
	// findAndModify by _id, as every checked write: FerretDB answers it
	// from its primary key (an update command would scan the collection).
	err = mapErr(s.c(colDossiers).FindOneAndUpdate(ctx, s.writeFilter(w), upd).Err())
	if errors.Is(err, errNoDocument) {
		return s.whyNot(ctx, w)
	}
	return err
}

func (s *Store) fault(step string) error {
	if s.faults != nil {
		return s.faults(step)
	}
	return nil
}

// WithFaults makes the store fail journaled decisions at the steps hook
// names ("awards", "dossier", "clear", "undo": the process dies before it
// can undo, "committed": the commit's answer is lost, "readback": so is the
// read that follows) — the atomicity tests.
func WithFaults(hook func(step string) error) Option {
	return func(s *Store, _ *options.ClientOptions) { s.faults = hook }
}

func (s *Store) recordJournaled(ctx context.Context, w versioned, dec *domain.DecisionRecord, list []*domain.Award, d *domain.Dossier) error {
	dd, ads, xd, err := decisionDocs(dec, list, d)
	if err != nil {
		return err
	}
	dd.Pending = &pendingDoc{Awards: ads, Dossier: *xd, DossierVersion: d.Version}
	// The steps run to their end whatever happens to the request (a
	// decision half written because its caller left is what the journal
	// is for, not something to cause), within a deadline of their own.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	if _, err := s.c(colDecisions).InsertOne(ctx, dd); err != nil {
		// Perhaps written: take it back (deleting nothing is fine).
		_, _ = s.c(colDecisions).DeleteOne(ctx, bson.D{{Key: "_id", Value: dd.ID}})
		return mapErr(err)
	}
	undo := func(cause error) error {
		// Before the commit point: take back what was written. If that
		// fails too (or the process dies first), the journal stays and the
		// next start rolls it back.
		if s.fault("undo") != nil {
			return cause
		}
		if err := s.dropDecision(context.WithoutCancel(ctx), dd.ID, ads); err != nil {
			slog.Error("undo decision: what stays is undone at the next start", "decision", dec.ID, "err", err)
		}
		return cause
	}
	if len(ads) > 0 {
		if err := s.fault("awards"); err != nil {
			return undo(err)
		}
		// Ordered: the first failure stops it, and undo takes back those
		// written.
		if err := s.insertAwards(ctx, ads); err != nil {
			return undo(err)
		}
	}
	if err := s.fault("dossier"); err != nil {
		return undo(err)
	}
	err = s.commitDossier(ctx, w, xd)
	if err == nil {
		err = s.fault("committed") // tests: a commit applied, its answer lost
	}
	if err != nil {
		// The commit point's outcome may be unknown (the server may have
		// applied it): read the dossier back, as recovery would.
		decided, rerr := s.decidedBy(ctx, w.id, dd.ID)
		if ferr := s.fault("readback"); ferr != nil {
			rerr = ferr
		}
		if rerr != nil || !decided {
			if rerr != nil {
				// Finish or undo it as soon as the database answers, and
				// bring the read model in step (the next start would too).
				slog.Error("decision: the dossier's state is unknown; it is finished or undone when the database answers",
					"decision", dec.ID, "err", rerr)
				s.settleLater(ctx, w.id, dd.ID, ads)
				return err
			}
			return undo(err)
		}
	}
	// Committed: clearing the journal may fail; the next start clears it.
	if err := s.fault("clear"); err == nil {
		if err := s.clearJournal(context.WithoutCancel(ctx), dd.ID); err != nil {
			slog.Error("decision recorded; its journal is cleared at the next start", "decision", dec.ID, "err", err)
		}
	}
	return nil
}

// insertAwards inserts a decision's awards in one round trip.
func (s *Store) insertAwards(ctx context.Context, ads []awardDoc) error {
	if len(ads) == 0 {
		return nil
	}
	docs := make([]any, len(ads))
	for i := range ads {
		docs[i] = ads[i]
	}
	_, err := s.c(colAwards).InsertMany(ctx, docs)
	return mapErr(err)
}

// dropDecision takes back a journaled decision: its awards, then the
// decision (so that a failure leaves the journal, which knows the awards).
func (s *Store) dropDecision(ctx context.Context, decision bson.ObjectID, ads []awardDoc) error {
	ids := bson.A{}
	for _, a := range ads {
		ids = append(ids, a.ID)
	}
	if _, err := s.c(colAwards).DeleteMany(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: ids}}}}); err != nil {
		return mapErr(err)
	}
	_, err := s.c(colDecisions).DeleteOne(ctx, bson.D{{Key: "_id", Value: decision}})
	return mapErr(err)
}

// clearJournal marks a journaled decision recorded.
func (s *Store) clearJournal(ctx context.Context, decision bson.ObjectID) error {
	_, err := s.c(colDecisions).UpdateOne(ctx, bson.D{{Key: "_id", Value: decision}},
		bson.D{{Key: "$unset", Value: bson.D{{Key: "pending", Value: ""}}}})
	return mapErr(err)
}

// decidedBy reports whether the stored dossier names the decision as its
// own (the journal's commit point was written).
func (s *Store) decidedBy(ctx context.Context, dossier, decision bson.ObjectID) (bool, error) {
	raw, err := s.byIDPrimary(ctx, colDossiers, dossier)
	if errors.Is(err, errNoDocument) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	id, _ := raw.Lookup("decisionId").StringValueOK()
	return id == decision.Hex(), nil
}

// RecoverDecisions finishes the decisions a crash interrupted (see
// RecordDecision): each journal whose dossier names its decision is rolled
// forward (missing awards inserted, journal cleared); any other
// is rolled back (its awards and the decision deleted). Idempotent; run at
// start, before the read model loads. It returns how many it finished.
func (s *Store) RecoverDecisions(ctx context.Context) (int, error) {
	if s.caps.Transactions {
		return 0, nil // decisions are transactions there: no journal
	}
	cur, err := s.c(colDecisions).Find(ctx, bson.D{{Key: "pending", Value: bson.D{{Key: "$exists", Value: true}}}})
	if err != nil {
		return 0, mapErr(err)
	}
	var docs []decisionRecordDoc
	if err := cur.All(ctx, &docs); err != nil {
		return 0, mapErr(err)
	}
	for _, d := range docs {
		if err := s.settle(ctx, &d); err != nil {
			return 0, err
		}
	}
	return len(docs), nil
}

// settle finishes one journaled decision: forward when its dossier names
// it (the commit point was written; a later change of the dossier — another
// decision after this one failed, a rejection — does not name it), back
// otherwise.
func (s *Store) settle(ctx context.Context, d *decisionRecordDoc) error {
	p := d.Pending
	committed, err := s.decidedBy(ctx, p.Dossier.ID, d.ID)
	if err != nil {
		return err
	}
	if !committed {
		if err := s.dropDecision(ctx, d.ID, p.Awards); err != nil {
			return err
		}
		slog.Warn("decision not recorded: rolled back after an interruption", "decision", d.ID.Hex(), "number", d.Number)
		s.auditRecovery(ctx, d, false)
		return nil
	}
	for _, a := range p.Awards {
		if _, err := s.byID(ctx, colAwards, a.ID); errors.Is(err, errNoDocument) {
			if _, err := s.c(colAwards).InsertOne(ctx, a); err != nil {
				return mapErr(err)
			}
		} else if err != nil {
			return err
		}
	}
	if err := s.clearJournal(ctx, d.ID); err != nil {
		return err
	}
	slog.Info("decision recorded: finished after an interruption", "decision", d.ID.Hex(), "number", d.Number)
	s.auditRecovery(ctx, d, true)
	return nil
}

// RecoverySubject is the subject of the audit entries recovery writes: no
// caller acted, the service finished or undid what an interruption left.
const RecoverySubject = "thidua:recovery"

// auditRecovery files what settle did to a decision: ACCEPTED when it
// finished it (the awards and the dossier as decided are stored), FAILED
// when it took it back. The request that started it may have filed a
// FAILED entry already (its outcome was unknown to it): this one says
// what the database holds. Best effort: a settled decision stays settled
// if its entry cannot be written (logged).
func (s *Store) auditRecovery(ctx context.Context, d *decisionRecordDoc, finished bool) {
	e := &domain.AuditEntry{Subject: RecoverySubject, Name: "recovery after an interruption",
		Operation: "recordDecision", RecordType: "decision", RecordID: hexID(d.ID), ProvinceID: d.ProvinceID,
		Outcome: "FAILED", Reason: "recovery: the decision was interrupted before its commit point and taken back",
		Changes: []domain.FieldChange{}}
	if finished {
		v := d.Meta.Version
		e.Outcome, e.Reason, e.VersionAfter = "ACCEPTED", "recovery: the decision was interrupted after its commit point and finished", &v
	}
	if err := s.AppendAudit(ctx, e); err != nil {
		slog.Error("recovery's audit entry not written", "err", err, "decision", e.RecordID, "outcome", e.Outcome)
	}
}

// settleLater settles a journaled decision whose commit had an unknown
// outcome once the database answers, then brings the dossier, the decision
// and its awards into the read model as they are stored.
func (s *Store) settleLater(ctx context.Context, dossier, decision bson.ObjectID, ads []awardDoc) {
	if s.rm == nil {
		// No read model (READ_MODEL=off, a standalone MongoDB): lists
		// read the database, so settling is all; every second for ten
		// minutes, then the next start does it (RecoverDecisions).
		go func() {
			for range 600 {
				time.Sleep(time.Second)
				ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
				unlock := s.lock(colDossiers, dossier.Hex())
				done := s.settleStored(ctx, dossier, decision)
				unlock()
				cancel()
				if done {
					return
				}
			}
		}()
		return
	}
	s.retry(func(ctx context.Context) bool {
		defer s.lock(colDossiers, dossier.Hex())()
		if !s.settleStored(ctx, dossier, decision) {
			return false
		}
		ok := refresh(ctx, s, dossiers, dossier)
		if raw, err := s.byID(ctx, colDecisions, decision); err == nil {
			if rec, derr := decisions.decode(raw); derr == nil {
				s.keptDecision(rec, false)
			}
		} else if !errors.Is(err, errNoDocument) {
			ok = false
		}
		for _, a := range ads {
			ok = refresh(ctx, s, awards, a.ID) && ok
		}
		return ok
	})
}

// settleStored settles the stored decision if it still has a journal
// (the caller holds the dossier's lock); false when the database did not
// answer.
func (s *Store) settleStored(ctx context.Context, dossier, decision bson.ObjectID) bool {
	var d decisionRecordDoc
	err := mapErr(s.c(colDecisions).FindOne(ctx, bson.D{{Key: "_id", Value: decision}}).Decode(&d))
	switch {
	case errors.Is(err, errNoDocument):
	case err != nil:
		return false
	case d.Pending != nil:
		return s.settle(ctx, &d) == nil
	}
	return true
}

// copyDecision is a decision the read model can hand out (its own awards'
// ids, not the model's).
func copyDecision(d *domain.DecisionRecord) *domain.DecisionRecord {
	c := *d
	c.AwardIDs = append([]string{}, d.AwardIDs...)
	return &c
}

func copyDossier(d *domain.Dossier) *domain.Dossier {
	c := *d
	c.Recipients = append([]domain.DossierRecipient(nil), d.Recipients...)
	c.History = append([]domain.DossierEvent(nil), d.History...)
	c.Warnings = append([]domain.DossierWarning(nil), d.Warnings...)
	if d.Forward != nil {
		f := *d.Forward
		c.Forward = &f
	}
	return &c
}

// byIDs reads records by id within the read access, keyed by id: from the
// read model one by one (memory), else in one query.
func byIDs[D, T any](ctx context.Context, s *Store, k kind[D, T], ids []string, read domain.Access, idOf func(*T) string,
	one func(ctx context.Context, id string, read domain.Access) (*T, error)) (map[string]*T, error) {
	if rm, err := s.model(ctx); err != nil || rm != nil {
		if err != nil {
			return nil, err
		}
		out := make(map[string]*T, len(ids))
		for _, id := range ids {
			if t, err := one(ctx, id, read); err == nil {
				out[id] = t
			}
		}
		return out, nil
	}
	return getMany(ctx, s, k, ids, read, idOf)
}

// AwardsByID reads awards within the read access, keyed by id.
func (s *Store) AwardsByID(ctx context.Context, ids []string, read domain.Access) (map[string]*domain.Award, error) {
	return byIDs(ctx, s, awards, ids, read, func(a *domain.Award) string { return a.ID }, s.Award)
}

// DossiersByID reads dossiers within the read access, keyed by id. (A
// dossier's level is its owner or "*", whose readers read every owner: the
// owner filter is the level filter.)
func (s *Store) DossiersByID(ctx context.Context, ids []string, read domain.Access) (map[string]*domain.Dossier, error) {
	return byIDs(ctx, s, dossiers, ids, read, func(d *domain.Dossier) string { return d.ID }, s.Dossier)
}

// DecisionsByID reads decisions, keyed by id.
func (s *Store) DecisionsByID(ctx context.Context, ids []string, read domain.Access) (map[string]*domain.DecisionRecord, error) {
	return byIDs(ctx, s, decisions, ids, read, func(d *domain.DecisionRecord) string { return d.ID }, s.Decision)
}
