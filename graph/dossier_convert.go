package graph

import (
	"context"
	"io"

	"github.com/99designs/gqlgen/graphql"

	"github.com/thidua/thidua/domain"
	"github.com/thidua/thidua/graph/model"
	"github.com/thidua/thidua/service"
)

// Conversions of dossiers, decisions, honorees and attachments between the
// domain and the API.

func (r *Resolver) dossier(d *domain.Dossier) *model.Dossier {
	if d == nil {
		return nil
	}
	snap := r.Catalog.Get()
	out := &model.Dossier{ID: d.ID, ProvinceID: d.ProvinceID, Kind: model.DossierKind(d.Kind), Authority: model.Authority(d.Authority),
		Level: d.Level(), Year: d.Year, Title: d.Title, ProposingUnit: d.ProposingUnit, MovementID: d.MovementID,
		Letter: toDecision(d.Letter), Status: model.DossierStatus(d.Status), DecisionID: d.DecisionID,
		Recipients: make([]*model.DossierRecipient, len(d.Recipients)), History: make([]*model.DossierEvent, len(d.History)),
		Warnings: make([]*model.DossierWarning, len(d.Warnings)),
		Version:  d.Version, CreatedAt: d.CreatedAt, UpdatedAt: d.UpdatedAt}
	if c := d.Council; c != nil {
		out.Council = &model.Council{Date: model.Date(c.Date), MembersPresent: c.MembersPresent, MembersTotal: c.MembersTotal}
	}
	for i, x := range d.Recipients {
		rec := &model.DossierRecipient{HonoreeID: x.HonoreeID, ProvinceID: x.ProvinceID,
			Recipient: &model.Recipient{Kind: model.RecipientKind(x.Recipient.Kind), Name: x.Recipient.Name,
				Position: str(x.Recipient.Position), Organization: str(x.Recipient.Organization)},
			AwardType: toAwardType(snap.AwardType(x.AwardTypeID)), Achievement: x.Achievement, BallotShare: x.BallotShare, AwardID: x.AwardID}
		if x.Class != "" {
			c := model.AwardClass(x.Class)
			rec.Class = &c
		}
		out.Recipients[i] = rec
	}
	for i, e := range d.History {
		out.History[i] = &model.DossierEvent{Status: model.DossierStatus(e.Status), At: e.At, By: str(e.By), Reasons: append([]string{}, e.Reasons...)}
	}
	for i, w := range d.Warnings {
		out.Warnings[i] = &model.DossierWarning{Recipient: w.Recipient, Message: w.Message}
	}
	return out
}

func toCommendationDecision(d *domain.DecisionRecord) *model.CommendationDecision {
	if d == nil {
		return nil
	}
	return &model.CommendationDecision{ID: d.ID, Number: d.Number, Date: model.Date(d.Date), Authority: model.Authority(d.Authority),
		IssuedBy: d.IssuedBy, Signer: &model.Signer{Name: d.Signer.Name, Position: str(d.Signer.Position)},
		LegalBasis: d.LegalBasis, ProvinceID: d.ProvinceID, DossierID: d.DossierID,
		Version: d.Version, CreatedAt: d.CreatedAt, UpdatedAt: d.UpdatedAt}
}

func toHonoree(h *domain.Honoree) *model.Honoree {
	if h == nil {
		return nil
	}
	return &model.Honoree{ID: h.ID, ProvinceID: h.ProvinceID, Key: h.Key, Kind: model.RecipientKind(h.Kind), Name: h.Name,
		Position: str(h.Position), Organization: str(h.Organization), Version: h.Version, CreatedAt: h.CreatedAt, UpdatedAt: h.UpdatedAt}
}

func toAttachment(a *domain.Attachment) *model.Attachment {
	return &model.Attachment{ID: a.ID, Name: a.Name, ContentType: a.ContentType, Size: int(a.Size), Sha256: a.SHA256,
		UploadedAt: a.UploadedAt, UploadedBy: str(a.UploadedBy), URL: "/files/" + a.ID}
}

func dossierInput(in model.DossierInput) domain.DossierInput {
	out := domain.DossierInput{ProvinceID: in.ProvinceID, Kind: string(in.Kind), Authority: string(in.Authority), Year: in.Year,
		Title: in.Title, ProposingUnit: in.ProposingUnit, MovementID: in.MovementID}
	if in.Letter != nil {
		out.Letter = &domain.DecisionInput{Number: in.Letter.Number, Date: string(in.Letter.Date)}
	}
	if c := in.Council; c != nil {
		out.Council = &domain.CouncilInput{Date: string(c.Date), MembersPresent: c.MembersPresent, MembersTotal: c.MembersTotal}
	}
	for _, r := range in.Recipients {
		x := domain.DossierRecipientInput{HonoreeID: r.HonoreeID, ProvinceID: r.ProvinceID, AwardTypeID: r.AwardTypeID,
			Achievement: r.Achievement, BallotShare: r.BallotShare}
		if r.Recipient != nil {
			x.Recipient = &domain.RecipientInput{Kind: string(r.Recipient.Kind), Name: r.Recipient.Name,
				Position: r.Recipient.Position, Organization: r.Recipient.Organization}
		}
		if r.Class != nil {
			c := string(*r.Class)
			x.Class = &c
		}
		out.Recipients = append(out.Recipients, x)
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

// readUpload reads an uploaded file whole, at most the size limit (and one
// byte more, so that an oversized file is told apart).
func readUpload(f graphql.Upload, s *service.Service) ([]byte, error) {
	limit := s.UploadLimit()
	data, err := io.ReadAll(io.LimitReader(f.File, limit+1))
	if err != nil {
		return nil, domain.Invalid("file", "the upload could not be read: %v", err)
	}
	return data, nil
}

// uniq returns the non-empty ids, once each, in order.
func uniq(ids []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, id := range ids {
		if id != "" && !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

// prefetchDossierEdges starts loading, in one batch each, what a page of
// dossiers refers to when the query asks for it — decisions, attachments,
// movements, the recipients' honorees and awards, and the awards' own
// edges — and primes the dossier loader with the page itself: the round
// trips of a page then do not depend on its size or on scheduling.
func prefetchDossierEdges(ctx context.Context, list []domain.Dossier) {
	if len(list) == 0 {
		return
	}
	l := loadersFrom(ctx)
	var ids, decisions, movements, honorees, awards []string
	for i := range list {
		d := &list[i]
		l.dossiers.Prime(d.ID, copyOf(d))
		ids = append(ids, d.ID)
		decisions = append(decisions, d.DecisionID)
		movements = append(movements, d.MovementID)
		for _, r := range d.Recipients {
			honorees, awards = append(honorees, r.HonoreeID), append(awards, r.AwardID)
		}
	}
	node := func(path ...string) bool { return selects(ctx, append([]string{"edges", "node"}, path...)...) }
	if node("decision") || node("recipients", "award", "decisionRecord") {
		if ids := uniq(decisions); len(ids) > 0 {
			l.decisions.LoadAllThunk(ctx, ids)
		}
	}
	if node("attachments") {
		l.dossierFiles.LoadAllThunk(ctx, ids)
	}
	if node("movement") || node("recipients", "award", "movement") {
		if ids := uniq(movements); len(ids) > 0 {
			l.movements.LoadAllThunk(ctx, ids)
		}
	}
	if node("recipients", "honoree") || node("recipients", "award", "honoree") {
		if ids := uniq(honorees); len(ids) > 0 {
			l.honorees.LoadAllThunk(ctx, ids)
		}
	}
	if node("recipients", "award") {
		if ids := uniq(awards); len(ids) > 0 {
			l.awards.LoadAllThunk(ctx, ids)
		}
	}
}

// prefetchAwardEdges is prefetchDossierEdges for a page of awards: their
// decision records, dossiers and honorees (movements: prefetchMovements).
func prefetchAwardEdges(ctx context.Context, list []domain.Award) {
	prefetchMovements(ctx, list)
	var decisions, dossiers, honorees []string
	for _, a := range list {
		decisions, dossiers, honorees = append(decisions, a.DecisionID), append(dossiers, a.DossierID), append(honorees, a.HonoreeID)
	}
	l := loadersFrom(ctx)
	if ids := uniq(decisions); len(ids) > 0 && selects(ctx, "edges", "node", "decisionRecord") {
		l.decisions.LoadAllThunk(ctx, ids)
	}
	if ids := uniq(dossiers); len(ids) > 0 && selects(ctx, "edges", "node", "dossier") {
		l.dossiers.LoadAllThunk(ctx, ids)
	}
	if ids := uniq(honorees); len(ids) > 0 && selects(ctx, "edges", "node", "honoree") {
		l.honorees.LoadAllThunk(ctx, ids)
	}
}

// prefetchDecisionEdges starts loading a page of decisions' dossiers and
// attachments.
func prefetchDecisionEdges(ctx context.Context, list []domain.DecisionRecord) {
	var ids, dossiers []string
	for _, d := range list {
		ids, dossiers = append(ids, d.ID), append(dossiers, d.DossierID)
	}
	l := loadersFrom(ctx)
	if ids := uniq(dossiers); len(ids) > 0 && selects(ctx, "edges", "node", "dossier") {
		l.dossiers.LoadAllThunk(ctx, ids)
	}
	if len(ids) > 0 && selects(ctx, "edges", "node", "attachments") {
		l.decisionFiles.LoadAllThunk(ctx, ids)
	}
}

func copyOf(d *domain.Dossier) *domain.Dossier { c := *d; return &c }
