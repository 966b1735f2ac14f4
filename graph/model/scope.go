package model

// The scope that owns the record an input writes: a province id, or "*" for
// the cluster's own records. @requireRole checks the caller's role there.

// Scope of a movement: its province, or "*" for national and cluster ones.
func (in MovementInput) OwnerScope() string {
	if in.ProvinceID != nil {
		return *in.ProvinceID
	}
	return "*"
}

// Scope of an award: its province.
func (in AwardInput) OwnerScope() string { return in.ProvinceID }

// Scope of a period review: the cluster.
func (in PeriodReviewInput) OwnerScope() string { return "*" }

// Scope of a cluster's composition: the cluster.
func (in ClusterYearInput) OwnerScope() string { return "*" }

// Scope of a vote's settings: the cluster.
func (in VoteSettingsInput) OwnerScope() string { return "*" }
