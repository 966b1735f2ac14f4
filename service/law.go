package service

import (
	"context"

	"github.com/thidua/thidua/domain"
)

// honoreeIDs are the honorees a dossier's recipients name.
func honoreeIDs(d *domain.Dossier) []string {
	var ids []string
	for _, r := range d.Recipients {
		if r.HonoreeID != "" {
			ids = append(ids, r.HonoreeID)
		}
	}
	return ids
}

// linkHonoree links a checked award to the honoree its input names (read
// within the caller's access), so that eligibility counts it — also an
// award decided on paper before the system.
func (s *Service) linkHonoree(ctx context.Context, a *domain.Award, in domain.AwardInput) error {
	if in.HonoreeID == nil {
		return nil
	}
	if err := domain.CheckID("input.honoreeId", *in.HonoreeID); err != nil {
		return err
	}
	hs, err := s.HonoreesByID(ctx, []string{*in.HonoreeID})
	if err != nil {
		return err
	}
	return domain.LinkHonoree(a, *in.HonoreeID, hs[*in.HonoreeID])
}
