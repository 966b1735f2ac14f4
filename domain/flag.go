package domain

import "fmt"

// The cluster's flag follows its vote. The Government's emulation flag
// goes to the collectives leading emulation clusters (Law 06/2022/QH15
// Điều 25), one per cluster a year: the province the cluster's year-end
// vote chose (Vote.LeaderID, proposedForFlag). A cluster proposes only its
// flag (domain.md), so a cluster's dossier (owner "*") proposing the flag
// the vote is for must name that province. A province's own dossier is not
// checked here: a province also proposes the flag for its own collectives
// that lead its movements (Điều 25, the province's route).

// FlagCluster returns the cluster whose year-end vote a dossier's flag
// proposals are checked against: the cluster of the dossier's year, for a
// cluster's dossier; "" when there is nothing to check.
func FlagCluster(ref Reference, d *Dossier) string {
	if d.Owner != ScopeAll {
		return ""
	}
	cl, y := ref.ClusterOf(d.Year)
	if cl == nil || y == nil {
		return ""
	}
	return cl.ID
}

// CheckClusterFlag checks a cluster's dossier against the year-end vote of
// its cluster for its year (vote: nil when there is none): each recipient
// proposed for the vote's flag (DefaultClusterFlag without a vote) who
// belongs to a member of the cluster that year must be the province the
// closed vote chose.
func CheckClusterFlag(ref Reference, d *Dossier, vote *Vote) error {
	cl, y := ref.ClusterOf(d.Year)
	if d.Owner != ScopeAll || cl == nil || y == nil {
		return nil
	}
	flag := DefaultClusterFlag
	if vote != nil && vote.FlagAwardTypeID != "" {
		flag = vote.FlagAwardTypeID
	}
	for i, r := range d.Recipients {
		if r.AwardTypeID != flag || !contains(y.Members, r.ProvinceID) {
			continue
		}
		f := fmt.Sprintf("input.recipients[%d]", i)
		name := typeName(ref, flag)
		switch {
		case vote == nil:
			return Invalid(f+".awardTypeId", "%s for %d goes to the province the cluster's year-end vote chose, and %s has no vote for %d",
				name, d.Year, cl.Name, d.Year)
		case vote.Status != VoteClosed:
			return Invalid(f+".awardTypeId", "the cluster's year-end vote for %d is still open (round %d): %s goes to the province it chooses",
				d.Year, vote.Round, name)
		case vote.LeaderID == "":
			return Invalid(f+".awardTypeId", "the cluster's year-end vote for %d chose no leader: nobody is proposed for %s", d.Year, name)
		case r.ProvinceID != vote.LeaderID:
			return Invalid(f+".provinceId", "the cluster's year-end vote for %d chose %s for %s, not %s",
				d.Year, provinceName(ref, vote.LeaderID), name, provinceName(ref, r.ProvinceID))
		}
	}
	return nil
}

func provinceName(ref Reference, id string) string {
	if p := ref.Province(id); p != nil {
		return p.Name
	}
	return id
}
