package graph

import (
	"context"

	"github.com/thidua/thidua/domain"
	"github.com/thidua/thidua/graph/model"
)

// Conversions of dossiers, decisions, honorees and attachments between the
// domain and the API.

func (r *Resolver) dossier(d *domain.Dossier) *model.Dossier {
	if d == nil {
		return nil
	}
	refs := r.refModels(r.Catalog.Get())
	out := &model.Dossier{ID: d.ID, ProvinceID: d.ProvinceID, Kind: model.DossierKind(d.Kind), Authority: model.Authority(d.Authority),
		Level: d.Level(), Year: d.Year, Title: d.Title, ProposingUnit: d.ProposingUnit, MovementID: d.MovementID,
		Letter: toDecision(d.Letter), Status: model.DossierStatus(d.Status), DecisionID: d.DecisionID, UnitID: d.UnitID,
		Recipients: make([]*model.DossierRecipient, len(d.Recipients)), History: make([]*model.DossierEvent, len(d.History)),
		Warnings: make([]*model.DossierWarning, len(d.Warnings)),
		Version:  d.Version, CreatedAt: d.CreatedAt, UpdatedAt: d.UpdatedAt}
	if c := d.Council; c != nil {
		out.Council = &model.Council{Date: model.Date(c.Date), MembersPresent: c.MembersPresent, MembersTotal: c.MembersTotal}
	}
	for i, x := range d.Recipients {
		out.Recipients[i] = &model.DossierRecipient{HonoreeID: x.HonoreeID, ProvinceID: x.ProvinceID, Recipient: toRecipient(x.Recipient),
			AwardType: refs.awardType(x.AwardTypeID), Class: enumPtr[model.AwardClass](x.Class),
			Achievement: x.Achievement, BallotShare: x.BallotShare, AwardID: x.AwardID}
	}
	for i, e := range d.History {
		out.History[i] = &model.DossierEvent{Status: model.DossierStatus(e.Status), At: e.At, By: str(e.By), Reasons: append([]string{}, e.Reasons...)}
	}
	for i, w := range d.Warnings {
		out.Warnings[i] = &model.DossierWarning{Recipient: w.Recipient, Message: w.Message}
	}
	return withRoute(out, d)
}

func toCommendationDecision(d *domain.DecisionRecord) *model.CommendationDecision {
	if d == nil {
		return nil
	}
	return &model.CommendationDecision{ID: d.ID, Number: d.Number, Date: model.Date(d.Date), Authority: model.Authority(d.Authority),
		IssuedBy: d.IssuedBy, Signer: &model.Signer{Name: d.Signer.Name, Position: str(d.Signer.Position)},
		LegalBasis: d.LegalBasis, ProvinceID: d.ProvinceID, DossierID: d.DossierID, Submission: toDecision(d.Submission),
		Version: d.Version, CreatedAt: d.CreatedAt, UpdatedAt: d.UpdatedAt}
}

func toHonoree(h *domain.Honoree) *model.Honoree {
	if h == nil {
		return nil
	}
	return &model.Honoree{ID: h.ID, ProvinceID: h.ProvinceID, Key: h.Key, Kind: model.RecipientKind(h.Kind), Name: h.Name,
		Position: str(h.Position), Organization: str(h.Organization), PendingProceedings: str(h.PendingProceedings),
		Version: h.Version, CreatedAt: h.CreatedAt, UpdatedAt: h.UpdatedAt}
}

func toAttachment(a *domain.Attachment) *model.Attachment {
	return &model.Attachment{ID: a.ID, Name: a.Name, ContentType: a.ContentType, Size: int(a.Size), Sha256: a.SHA256,
		UploadedAt: a.UploadedAt, UploadedBy: str(a.UploadedBy), URL: "/files/" + a.ID}
}

func dossierInput(in model.DossierInput) domain.DossierInput {
	out := domain.DossierInput{ProvinceID: in.ProvinceID, Kind: string(in.Kind), Authority: string(in.Authority), Year: in.Year,
		Title: in.Title, ProposingUnit: in.ProposingUnit, MovementID: in.MovementID, UnitID: in.UnitID}
	out.Letter = decisionInput(in.Letter)
	out.Notice = noticeInput(in.Notice)
	if c := in.Council; c != nil {
		out.Council = &domain.CouncilInput{Date: string(c.Date), MembersPresent: c.MembersPresent, MembersTotal: c.MembersTotal}
	}
	for _, r := range in.Recipients {
		out.Recipients = append(out.Recipients, domain.DossierRecipientInput{HonoreeID: r.HonoreeID, ProvinceID: r.ProvinceID,
			Recipient: recipientInput(r.Recipient), AwardTypeID: r.AwardTypeID, Class: optStr(r.Class),
			Achievement: r.Achievement, BallotShare: r.BallotShare})
	}
	return out
}

func dossierFilter(in *model.DossierFilter) domain.DossierFilter {
	if in == nil {
		return domain.DossierFilter{}
	}
	f := domain.DossierFilter{ProvinceID: deref(in.ProvinceID), Year: in.Year, Search: deref(in.Search)}
	if in.Status != nil {
		f.Status = string(*in.Status)
	}
	if in.Authority != nil {
		f.Authority = string(*in.Authority)
	}
	if in.Kind != nil {
		f.Kind = string(*in.Kind)
	}
	return f
}

func decisionFilter(in *model.CommendationDecisionFilter) domain.DecisionFilter {
	if in == nil {
		return domain.DecisionFilter{}
	}
	f := domain.DecisionFilter{ProvinceID: deref(in.ProvinceID), Year: in.Year}
	if in.Authority != nil {
		f.Authority = string(*in.Authority)
	}
	return f
}

func honoreeFilter(in *model.HonoreeFilter) domain.HonoreeFilter {
	if in == nil {
		return domain.HonoreeFilter{}
	}
	f := domain.HonoreeFilter{ProvinceID: deref(in.ProvinceID), Search: deref(in.Search)}
	if in.Kind != nil {
		f.Kind = string(*in.Kind)
	}
	return f
}

// awardsWhere is a page of the awards the caller may see that match f.
func (r *Resolver) awardsWhere(ctx context.Context, f domain.AwardFilter, first *int, after *string) (*model.AwardConnection, error) {
	page, err := r.Service.Awards(ctx, f, pageArgs(first, after))
	if err != nil {
		return nil, err
	}
	prefetchAwardEdges(ctx, page.Items)
	return &model.AwardConnection{PageInfo: pageInfo(page), Count: counter(page),
		Edges: edges(page, r.award, func(c string, n *model.Award) *model.AwardEdge { return &model.AwardEdge{Cursor: c, Node: n} }),
	}, nil
}

func copyOf(d *domain.Dossier) *domain.Dossier { c := *d; return &c }
