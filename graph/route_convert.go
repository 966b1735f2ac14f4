package graph

import (
	"github.com/thidua/thidua/domain"
	"github.com/thidua/thidua/graph/model"
)

// Conversions of the dossier route's fields (route.graphqls).

// withRoute adds the route's fields of d to its API form.
func withRoute(out *model.Dossier, d *domain.Dossier) *model.Dossier {
	if n := d.Notice; n != nil {
		out.Notice = &model.Notice{From: model.Date(n.From), To: model.Date(n.To)}
	}
	if f := d.Forward; f != nil {
		out.ForwardingLetter = toDecision(&f.Letter)
	}
	return out
}

func noticeInput(in *model.NoticeInput) *domain.NoticeInput {
	if in == nil {
		return nil
	}
	return &domain.NoticeInput{From: string(in.From), To: string(in.To)}
}

// decisionRecordInput is recordDecision's input in the domain's terms;
// recipients stay nil (every recipient as proposed) when absent.
func decisionRecordInput(in model.CommendationDecisionInput) domain.DecisionRecordInput {
	out := domain.DecisionRecordInput{DossierID: in.DossierID, Number: in.Number, Date: string(in.Date), IssuedBy: in.IssuedBy,
		Signer: domain.SignerInput{Name: in.Signer.Name, Position: in.Signer.Position}, Submission: decisionInput(in.Submission)}
	if in.Recipients != nil {
		out.Recipients = make([]domain.DecidedRecipientInput, len(in.Recipients))
		for i, r := range in.Recipients {
			out.Recipients[i] = domain.DecidedRecipientInput{Index: r.Index, AwardTypeID: r.AwardTypeID, Class: optStr(r.Class)}
		}
	}
	return out
}
