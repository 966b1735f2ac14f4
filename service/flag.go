package service

import (
	"context"

	"github.com/thidua/thidua/domain"
)

// checkClusterFlag checks a cluster's dossier proposing its flag against
// the year-end vote of its cluster for its year (domain.CheckClusterFlag).
// A closed vote no longer changes, so it is read before the dossier's
// write.
func (s *Service) checkClusterFlag(ctx context.Context, d *domain.Dossier) error {
	ref := s.ref()
	cluster := domain.FlagCluster(ref, d)
	if cluster == "" {
		return nil
	}
	vote, err := s.Store.VoteOfCluster(ctx, cluster, d.Year)
	if err != nil {
		return err
	}
	return domain.CheckClusterFlag(ref, d, vote)
}

// checkDossierInitiatives checks a dossier's proposals of Chiến sĩ thi đua
// cơ sở against the province's initiative register of the dossier's year.
func (s *Service) checkDossierInitiatives(ctx context.Context, d *domain.Dossier) error {
	if d.ProvinceID == "" || !domain.NeedsInitiatives(d) {
		return nil
	}
	g, err := s.grassroots()
	if err != nil {
		return err
	}
	register, err := initiativeRegister(ctx, g, d.ProvinceID, d.Year)
	if err != nil {
		return err
	}
	return domain.CheckDossierInitiatives(d, register)
}
