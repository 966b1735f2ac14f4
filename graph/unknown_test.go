package graph

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/thidua/thidua/dbtest"
	"github.com/thidua/thidua/domain"
	"github.com/thidua/thidua/repository"
)

// errUnknownCommit is the driver's answer to a commit it could not learn
// the outcome of, and does not try again: the commit's time limit was hit
// on the server (a majority out of reach).
var errUnknownCommit = mongo.CommandError{Code: 50, Name: "MaxTimeMSExpired", Message: "operation exceeded time limit",
	Labels: []string{"UnknownTransactionCommitResult"}}

const createMovement = `mutation { createMovement(input: {title: "Thi đua", scope: PROVINCE, kind: ANNUAL, provinceId: "lang-son"}) { id } }`

// The commit applied, its answer lost: the change is read back (its
// entry, committed with it), and the mutation is ACCEPTED — one entry, not
// a FAILED one for a change that was made.
func TestUnknownCommitThatCommittedIsAccepted(t *testing.T) {
	do, d := txHandler(t, func(d *repository.TxDouble) {
		d.Commit = func(context.Context) error { return errUnknownCommit }
	})
	r := do(createMovement, nil)
	if r["errors"] != nil {
		t.Fatalf("a change that committed reported as %v", r["errors"])
	}
	es := auditOf(t, d, "createMovement")
	if len(es) != 1 || es[0].Outcome != "ACCEPTED" {
		t.Fatalf("entries %+v, want one ACCEPTED", es)
	}
}

// The commit's answer lost and its entry not stored (the change itself
// is: it may still commit, or did): the entry filed says the outcome is
// unknown, with the change it would make; never FAILED.
func TestUnknownCommitNotReadBackIsUnknown(t *testing.T) {
	var audit *mongo.Collection
	do, d := txHandler(t, func(d *repository.TxDouble) {
		d.Commit = func(ctx context.Context) error {
			// The entry's write lost: not (yet) committed.
			if _, err := audit.DeleteMany(ctx, bson.D{{Key: "operation", Value: "createMovement"}}); err != nil {
				return err
			}
			return errUnknownCommit
		}
	})
	client, err := mongo.Connect(options.Client().ApplyURI(dbtest.URI()))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = client.Disconnect(context.Background()) }()
	audit = client.Database(d.Name()).Collection("audit")
	r := do(createMovement, nil)
	if r["errors"] == nil || !strings.Contains(strings.ToLower(fmt.Sprint(r["errors"])), "unknown") {
		t.Errorf("errors %v, want the outcome unknown", r["errors"])
	}
	es := auditOf(t, d, "createMovement")
	if len(es) != 1 || es[0].Outcome != "UNKNOWN" || !strings.Contains(es[0].Reason, "outcome unknown") ||
		es[0].RecordID == "" || len(es[0].Changes) == 0 {
		t.Fatalf("entries %+v, want one UNKNOWN naming the record and its changes", es)
	}
}

func auditOf(t *testing.T, d *repository.TxDouble, op string) []domain.AuditEntry {
	t.Helper()
	p, err := d.AuditLog(t.Context(), domain.AuditFilter{Operation: op}, domain.Access{All: true}, domain.PageArgs{})
	if err != nil {
		t.Fatal(err)
	}
	return p.Items
}
