package repository

import (
	"context"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/thidua/thidua/domain"
)

// Guards for snapshot isolation. In a MongoDB transaction every read sees
// the snapshot of its first read: a check that re-reads a record cannot see
// a change committed meanwhile by another transaction that writes nothing
// this one writes. These guards write to the record the check is about, so
// that two such transactions write one document and one of them conflicts
// (WriteConflict, a TransientTransactionError: it runs again and then sees
// the other's commit). The field they write, guardField, is no part of any
// record: the change stream ignores updates of it alone (changes.go).
// Outside a transaction (FerretDB, whose process is the only writer, and
// whose reads are never stale) they read instead of writing.

// guardField is the counter the guards increment.
const guardField = "guardSeq"

// HoldMovement keeps a movement from being deleted while the transaction
// that refers to it (an award's creation or update) commits: deleteMovement
// deletes the document this increments. BAD_USER_INPUT (input.movementId)
// when the movement is gone.
func (s *Store) HoldMovement(ctx context.Context, id string) error {
	if !txActive(ctx) {
		return nil // deleteMovement's reference check and this write are serialised enough without transactions (see docs/storage.md)
	}
	return s.touch(ctx, colMovements, id, nil, domain.Invalid("input.movementId", "movement %s was deleted meanwhile", id))
}

// KeepDossierOpen checks, after a file was stored for a dossier, that the
// dossier still takes files (a draft or returned): in a transaction by a
// write conditioned on its status (the submission writes the same
// document), else by reading it again. CONFLICT when it was submitted
// meanwhile.
func (s *Store) KeepDossierOpen(ctx context.Context, id string) error {
	refused := domain.Conflict("dossier %s was submitted while the file was uploaded; nothing was attached", id)
	open := bson.D{{Key: "status", Value: bson.D{{Key: "$in", Value: bson.A{domain.DossierDraft, domain.DossierReturned}}}}}
	if txActive(ctx) {
		return s.touch(ctx, colDossiers, id, open, refused)
	}
	d, err := s.Dossier(ctx, id, domain.Access{All: true})
	if err != nil {
		return err
	}
	if d.Status != domain.DossierDraft && d.Status != domain.DossierReturned {
		return domain.Conflict("dossier %s was %s while the file was uploaded; nothing was attached", id, d.Status)
	}
	return nil
}

// touch increments the guard field of a document matching cond; absent
// when none does.
func (s *Store) touch(ctx context.Context, coll, id string, cond bson.D, absent error) error {
	oid, ok := parseID(id)
	if !ok {
		return absent
	}
	defer s.lock(coll, id)()
	res, err := s.primary(coll).UpdateOne(ctx, append(bson.D{{Key: "_id", Value: oid}}, cond...),
		bson.D{{Key: "$inc", Value: bson.D{{Key: guardField, Value: 1}}}})
	if err != nil {
		return mapErr(err)
	}
	if res.MatchedCount == 0 {
		return absent
	}
	return nil
}
