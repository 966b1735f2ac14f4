package repository

import (
	"context"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/thidua/thidua/domain"
)

// The dossier route's store side: one award per honoree per decision
// (domain.OneAwardPerHonoree), whichever dossier the decision is recorded on.

// lockDecisionAct holds, on FerretDB, the lock of a decision as an act
// (its authority and date: SameDecision's numbers are compared in Go), so
// that two dossiers recording the same decision at once are checked one
// after the other. Its locks are not the records' (a dossier's lock is held
// already), so the two never wait on each other in a cycle.
func (s *Store) lockDecisionAct(dec *domain.DecisionRecord) func() {
	return s.stripe(s.actLocks[:], dec.Authority, dec.Date)
}

// awardsOfSameDecision returns the awards the recorded decisions that are
// the same act as dec (domain.SameDecision) conferred: from the read model
// if it is loaded (a decision does not wait for it to load; the database is
// as current under the act's lock), else from the database.
func (s *Store) awardsOfSameDecision(ctx context.Context, dec *domain.DecisionRecord) ([]domain.Award, error) {
	if rm := s.rm; rm != nil {
		if out, loaded := rm.awardsOfSameDecision(dec); loaded {
			return out, nil
		}
	}
	recs, err := findList(ctx, s, colDecisions, and(decisionFilter(domain.DecisionFilter{Authority: dec.Authority}),
		bson.D{{Key: "date", Value: dec.Date}}), nil, 0, decisionRecordToDomain)
	if err != nil {
		return nil, err
	}
	var ids []string
	for i := range recs {
		if domain.SameDecision(&recs[i], dec) {
			ids = append(ids, recs[i].AwardIDs...)
		}
	}
	found, err := getMany(ctx, s, awards, ids, domain.Access{All: true}, func(a *domain.Award) string { return a.ID })
	if err != nil {
		return nil, err
	}
	out := make([]domain.Award, 0, len(found))
	for _, a := range found {
		out = append(out, *a)
	}
	return out, nil
}

// awardsOfSameDecision is Store.awardsOfSameDecision in memory; false when
// the model is not loaded.
func (rm *readModel) awardsOfSameDecision(dec *domain.DecisionRecord) ([]domain.Award, bool) {
	rm.mu.RLock()
	defer rm.mu.RUnlock()
	if !rm.loaded {
		return nil, false
	}
	var out []domain.Award
	for _, r := range rm.decisions.rows {
		if domain.SameDecision(&r.rec, dec) {
			for _, id := range r.rec.AwardIDs {
				if a, ok := rm.awards.byID[id]; ok {
					out = append(out, a.rec)
				}
			}
		}
	}
	return out, true
}

// migrationSubject signs the history events migrations add.
const migrationSubject = "thidua:migration"

// migrateForwarded brings the dossiers the old route sent straight to the
// central level onto the new one (domain route.go): a province's dossier
// for a central authority that was submitted, vetted, decided or rejected
// there is taken as forwarded with its own letter, so that the central
// level keeps it; one waiting for vetting (SUBMITTED) becomes FORWARDED,
// the status the central office vets from. Returned and draft dossiers
// take the new route from their province. Idempotent (forward is set).
func migrateForwarded(ctx context.Context, s *Store) error {
	cur, err := s.c(colDossiers).Find(ctx, bson.D{{Key: "forward", Value: bson.D{{Key: "$exists", Value: false}}},
		{Key: "status", Value: bson.D{{Key: "$in", Value: bson.A{domain.DossierSubmitted, domain.DossierVetted,
			domain.DossierDecided, domain.DossierRejected}}}}})
	if err != nil {
		return mapErr(err)
	}
	var docs []dossierDoc
	if err := cur.All(ctx, &docs); err != nil {
		return mapErr(err)
	}
	at := s.stamp()
	for i := range docs {
		d := dossierToDomain(&docs[i])
		if !domain.NeedsForwarding(d) {
			continue
		}
		f := forwardDoc{At: at, By: migrationSubject}
		if docs[i].Letter != nil {
			f.Letter = *docs[i].Letter
		}
		set := bson.D{{Key: "forward", Value: f}, {Key: "level", Value: domain.ScopeAll}, {Key: "updatedAt", Value: at}}
		upd := bson.D{{Key: "$set", Value: set}, {Key: "$inc", Value: bson.D{{Key: "version", Value: 1}}}}
		if d.Status == domain.DossierSubmitted {
			set = append(set, bson.E{Key: "status", Value: domain.DossierForwarded})
			upd[0].Value = set
			upd = append(upd, bson.E{Key: "$push", Value: bson.D{{Key: "history", Value: dossierEventDoc{
				Status: domain.DossierForwarded, At: at, By: migrationSubject,
				Reasons: []string{"submitted to the central level before the provincial chair's forwarding existed"}}}}})
		}
		if _, err := s.c(colDossiers).UpdateOne(ctx, bson.D{{Key: "_id", Value: docs[i].ID}}, upd); err != nil {
			return mapErr(err)
		}
	}
	return nil
}
