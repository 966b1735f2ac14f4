package graph

import (
	"github.com/thidua/thidua/catalog"
	"github.com/thidua/thidua/domain"
	"github.com/thidua/thidua/graph/model"
	"github.com/thidua/thidua/repository"
)

// Conversions from repository documents to API models.

func str(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func toProvince(p *repository.Province) *model.Province {
	if p == nil {
		return nil
	}
	out := &model.Province{
		ID: p.ID, Name: p.Name, IsoCode: p.ISOCode,
		ValidFrom: model.Date(p.ValidFrom).Ptr(), ValidTo: model.Date(p.ValidTo).Ptr(),
		SuccessorID: p.SuccessorID,
		Version:     p.Version, CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt,
	}
	for _, c := range p.StatisticsCodes {
		out.StatisticsCodes = append(out.StatisticsCodes, &model.StatisticsCode{
			Code: c.Code, From: model.Date(c.From).Ptr(), To: model.Date(c.To).Ptr()})
	}
	return out
}

func toAwardType(t *repository.AwardType) *model.AwardType {
	if t == nil {
		return nil
	}
	out := &model.AwardType{ID: t.ID, Name: t.Name, Form: model.AwardForm(t.Form),
		Classes: []model.AwardClass{}, Authorities: []model.Authority{}, RecipientKinds: []model.RecipientKind{}}
	for _, c := range t.Classes {
		out.Classes = append(out.Classes, model.AwardClass(c))
	}
	for _, a := range t.Authorities {
		out.Authorities = append(out.Authorities, model.Authority(a))
	}
	for _, k := range t.RecipientKinds {
		out.RecipientKinds = append(out.RecipientKinds, model.RecipientKind(k))
	}
	return out
}

func toIndicator(i *repository.Indicator) *model.Indicator {
	if i == nil {
		return nil
	}
	return &model.Indicator{ID: i.ID, Name: i.Name, Unit: i.Unit, Aggregation: model.Aggregation(i.Aggregation)}
}

func toMovement(m *repository.Movement) *model.Movement {
	if m == nil {
		return nil
	}
	return &model.Movement{
		ID: m.ID.Hex(), Title: m.Title, Scope: model.MovementScope(m.Scope), Kind: model.MovementKind(m.Kind),
		ProvinceID: m.ProvinceID, LaunchedBy: str(m.LaunchedBy), StartYear: m.StartYear, EndYear: m.EndYear,
		Description: str(m.Description), Published: m.Published,
		Version: m.Version, CreatedAt: m.CreatedAt, UpdatedAt: m.UpdatedAt,
	}
}

func toAward(a *repository.Award) *model.Award {
	out := &model.Award{
		ID: a.ID.Hex(), ProvinceID: a.ProvinceID, AwardTypeID: a.AwardTypeID,
		Authority: model.Authority(a.Authority),
		Recipient: &model.Recipient{Kind: model.RecipientKind(a.Recipient.Kind), Name: a.Recipient.Name,
			Position: str(a.Recipient.Position), Organization: str(a.Recipient.Organization)},
		Year: a.Year, Status: model.AwardStatus(a.Status), Citation: str(a.Citation),
		RejectionReason: str(a.RejectionReason), LegalBasis: a.LegalBasis,
		Version: a.Version, CreatedAt: a.CreatedAt, UpdatedAt: a.UpdatedAt,
	}
	if a.Class != "" {
		c := model.AwardClass(a.Class)
		out.Class = &c
	}
	if a.MovementID != nil {
		out.MovementID = a.MovementID.Hex()
	}
	if a.Decision != nil {
		out.Decision = toDecision(a.Decision)
	}
	out.History = make([]*model.AwardEvent, 0, len(a.History))
	for _, e := range a.History {
		out.History = append(out.History, &model.AwardEvent{Status: model.AwardStatus(e.Status), At: e.At,
			By: str(e.By), Reason: str(e.Reason), Decision: toDecision(e.Decision)})
	}
	if a.Revocation != nil {
		out.Revocation = &model.Revocation{Reason: a.Revocation.Reason, Decision: toDecision(&a.Revocation.Decision),
			At: a.Revocation.At, By: str(a.Revocation.By)}
	}
	return out
}

func toDecision(d *repository.Decision) *model.Decision {
	if d == nil {
		return nil
	}
	return &model.Decision{Number: d.Number, Date: model.Date(d.Date)}
}

func toReview(r *repository.PeriodReview, snap *catalog.Snapshot) *model.PeriodReview {
	out := &model.PeriodReview{
		ID: r.ID.Hex(), Kind: model.ReviewKind(r.Kind), Year: r.Year, Period: str(r.Period),
		PeriodStart: model.Date(r.PeriodStart).Ptr(), PeriodEnd: model.Date(r.PeriodEnd).Ptr(),
		Date: model.Date(r.Date), HostProvinceID: r.HostProvinceID, Location: str(r.Location),
		Theme: str(r.Theme), Published: r.Published,
		ReportedFigures: []*model.ReportedFigure{}, ReportedAwardTallies: []*model.ReportedAwardTally{},
		Version: r.Version, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt,
	}
	for _, id := range r.MovementIDs {
		out.MovementIDs = append(out.MovementIDs, id.Hex())
	}
	for _, f := range r.ReportedFigures {
		out.ReportedFigures = append(out.ReportedFigures, &model.ReportedFigure{
			IndicatorID: f.IndicatorID, Qualifier: model.FigureQualifier(f.Qualifier), Note: str(f.Note),
			Figure: applyFigureText(snap.Indicator(f.IndicatorID), reportedFigure(f)),
		})
	}
	for _, t := range r.ReportedAwardTallies {
		tally := &model.ReportedAwardTally{Count: t.Count, Note: str(t.Note), AwardTypeIDs: t.AwardTypeIDs,
			PeriodStart: r.PeriodStart, PeriodEnd: r.PeriodEnd}
		for _, a := range t.Authorities {
			tally.Authorities = append(tally.Authorities, model.Authority(a))
		}
		out.ReportedAwardTallies = append(out.ReportedAwardTallies, tally)
	}
	return out
}

func toReport(r *repository.ProvinceReport) *model.ProvinceReport {
	out := &model.ProvinceReport{ProvinceID: r.ProvinceID, SubmittedBy: str(r.SubmittedBy),
		Values: []*model.IndicatorValue{}, Version: r.Version, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
	for _, v := range r.Values {
		out.Values = append(out.Values, &model.IndicatorValue{IndicatorID: v.IndicatorID, Value: v.Value, Total: v.Total})
	}
	return out
}

func pageInfo[D any](p *repository.Page[D]) *model.PageInfo {
	pi := &model.PageInfo{HasNextPage: p.HasNext, HasPreviousPage: p.HasPrev}
	if n := len(p.Cursors); n > 0 {
		pi.StartCursor, pi.EndCursor = &p.Cursors[0], &p.Cursors[n-1]
	}
	return pi
}

// edges converts a page of documents to connection edges.
func edges[D, M, E any](p *repository.Page[D], conv func(*D) *M, edge func(cursor string, node *M) *E) []*E {
	out := make([]*E, len(p.Items))
	for i := range p.Items {
		out[i] = edge(p.Cursors[i], conv(&p.Items[i]))
	}
	return out
}

// orNil converts a record read by id; a record that does not exist (or that
// the caller may not see) is null, not an error.
func orNil[D, M any](conv func(*D) *M, doc *D, err error) (*M, error) {
	if domain.ErrorCode(err) == domain.CodeNotFound {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return conv(doc), nil
}
