package graph

import (
	"github.com/thidua/thidua/domain"
	"github.com/thidua/thidua/graph/model"
	"github.com/thidua/thidua/service"
)

// Conversions of the grassroots cycle's records and inputs.

func toUnit(u *domain.Unit) *model.Unit {
	if u == nil {
		return nil
	}
	return &model.Unit{ID: u.ID, Name: u.Name, Kind: model.UnitKind(u.Kind), ProvinceID: u.ProvinceID, ParentID: u.ParentID,
		Version: u.Version, CreatedAt: u.CreatedAt, UpdatedAt: u.UpdatedAt}
}

func (r *Resolver) registration(x *domain.EmulationRegistration) *model.EmulationRegistration {
	if x == nil {
		return nil
	}
	refs := r.refModels(r.Catalog.Get())
	out := &model.EmulationRegistration{ID: x.ID, UnitID: x.UnitID, ProvinceID: x.ProvinceID, Year: x.Year,
		Titles: make([]*model.RegisteredTitle, len(x.Titles)), Version: x.Version, CreatedAt: x.CreatedAt, UpdatedAt: x.UpdatedAt}
	for i, t := range x.Titles {
		out.Titles[i] = &model.RegisteredTitle{AwardType: refs.awardType(t.AwardTypeID), Count: t.Count, Names: append([]string{}, t.Names...)}
	}
	return out
}

func toInitiative(x *domain.Initiative) *model.Initiative {
	if x == nil {
		return nil
	}
	return &model.Initiative{ID: x.ID, Title: x.Title, Authors: append([]string{}, x.Authors...), UnitID: x.UnitID,
		ProvinceID: x.ProvinceID, Year: x.Year, Level: model.InitiativeLevel(x.Level), RecognisedBy: toDecision(x.RecognisedBy),
		Version: x.Version, CreatedAt: x.CreatedAt, UpdatedAt: x.UpdatedAt}
}

func (r *Resolver) reportLines(lines []domain.ReportLine) []*model.EmulationReportLine {
	refs := r.refModels(r.Catalog.Get())
	out := make([]*model.EmulationReportLine, len(lines))
	for i, l := range lines {
		out[i] = &model.EmulationReportLine{UnitID: l.UnitID, AwardType: refs.awardType(l.AwardTypeID),
			Registered: l.Registered, Proposed: l.Proposed, Conferred: l.Conferred}
	}
	return out
}

func (r *Resolver) titleImport(res *service.ImportResult) *model.TitleImport {
	refs := r.refModels(r.Catalog.Get())
	out := &model.TitleImport{DryRun: res.DryRun, Ok: true, Stored: res.Stored, Rows: make([]*model.TitleImportRow, len(res.Rows))}
	for i, row := range res.Rows {
		m := &model.TitleImportRow{Row: row.Row, Ok: row.OK, Messages: row.Messages}
		if row.Award != nil {
			m.Name, m.AwardType = str(row.Award.Recipient.Name), refs.awardType(row.Award.AwardTypeID)
		}
		out.Ok = out.Ok && row.OK
		out.Rows[i] = m
	}
	return out
}

func unitInput(in model.UnitInput) domain.UnitInput {
	return domain.UnitInput{ProvinceID: in.ProvinceID, Name: in.Name, Kind: string(in.Kind), ParentID: in.ParentID}
}

func registrationInput(in model.EmulationRegistrationInput) domain.RegistrationInput {
	out := domain.RegistrationInput{UnitID: in.UnitID, Year: in.Year, Titles: make([]domain.RegisteredTitleInput, len(in.Titles))}
	for i, t := range in.Titles {
		out.Titles[i] = domain.RegisteredTitleInput{AwardTypeID: t.AwardTypeID, Count: t.Count, Names: t.Names}
	}
	return out
}

func initiativeInput(in model.InitiativeInput) domain.InitiativeInput {
	return domain.InitiativeInput{ProvinceID: in.ProvinceID, Title: in.Title, Authors: in.Authors, UnitID: in.UnitID,
		Year: in.Year, Level: string(in.Level), RecognisedBy: decisionInput(in.RecognisedBy)}
}

// mapList converts a list of records.
func mapList[T, M any](list []T, conv func(*T) *M) []*M {
	out := make([]*M, len(list))
	for i := range list {
		out[i] = conv(&list[i])
	}
	return out
}
