package graph

import (
	"github.com/thidua/thidua/domain"
	"github.com/thidua/thidua/graph/model"
)

func toLawPeriod(p *domain.LawPeriod) *model.LawPeriod {
	if p == nil {
		return nil
	}
	decrees := p.Decrees
	if decrees == nil {
		decrees = []string{}
	}
	return &model.LawPeriod{ID: p.ID, ValidFrom: model.Date(p.ValidFrom).Ptr(), ValidTo: model.Date(p.ValidTo).Ptr(),
		Law: p.Law, Decrees: decrees, Text: p.Text, Note: str(p.Note), Unconfirmed: p.Unconfirmed, Version: p.Version}
}
