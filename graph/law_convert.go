package graph

import (
	"github.com/thidua/thidua/domain"
	"github.com/thidua/thidua/graph/model"
)

func toLawPeriod(p *domain.LawPeriod) *model.LawPeriod {
	if p == nil {
		return nil
	}
	return &model.LawPeriod{ID: p.ID, ValidFrom: model.Date(p.ValidFrom).Ptr(), ValidTo: model.Date(p.ValidTo).Ptr(),
		Law: p.Law, Decrees: append([]string{}, p.Decrees...), Text: p.Text, Note: str(p.Note), Unconfirmed: p.Unconfirmed, Version: p.Version}
}
