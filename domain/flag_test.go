package domain_test

import (
	"testing"

	"github.com/thidua/thidua/domain"
)

// A cluster's flag dossier names the province its year-end vote chose.
// Source: Law 06/2022/QH15 Điều 25 (the Government's flag goes to the
// collectives leading emulation clusters; docs/domain.md, "The law behind the
// rules": quoted), one proposal per cluster a year (the cluster's
// regulation: not in the law).
func TestCheckClusterFlag(t *testing.T) {
	ref := testRef()
	dossier := func(owner string, recipients ...domain.DossierRecipient) *domain.Dossier {
		return &domain.Dossier{Owner: owner, Year: 2022, Recipients: recipients}
	}
	flag := func(province string) domain.DossierRecipient {
		return domain.DossierRecipient{ProvinceID: province, AwardTypeID: "co-thi-dua-chinh-phu",
			Recipient: domain.Recipient{Kind: "COLLECTIVE", Name: "Ủy ban nhân dân tỉnh"}}
	}
	other := domain.DossierRecipient{ProvinceID: "cao-bang", AwardTypeID: "bang-khen-thu-tuong",
		Recipient: domain.Recipient{Kind: "COLLECTIVE", Name: "Sở Nội vụ"}}
	closed := &domain.Vote{Year: 2022, Status: "CLOSED", Round: 2, LeaderID: "lang-son",
		VoteSettings: domain.VoteSettings{FlagAwardTypeID: "co-thi-dua-chinh-phu"}}
	open := &domain.Vote{Year: 2022, Status: "OPEN", Round: 2}
	none := &domain.Vote{Year: 2022, Status: "CLOSED", Round: 2}
	ownFlag := &domain.Vote{Year: 2022, Status: "CLOSED", LeaderID: "lang-son",
		VoteSettings: domain.VoteSettings{FlagAwardTypeID: "bang-khen-thu-tuong"}}
	tests := []struct {
		name  string
		d     *domain.Dossier
		vote  *domain.Vote
		field string // "": accepted
	}{
		{"the leader the vote chose", dossier("*", other, flag("lang-son")), closed, ""},
		{"another province", dossier("*", other, flag("cao-bang")), closed, "input.recipients[1].provinceId"},
		{"no vote for the year", dossier("*", flag("lang-son")), nil, "input.recipients[0].awardTypeId"},
		{"the vote still open (its second round)", dossier("*", flag("lang-son")), open, "input.recipients[0].awardTypeId"},
		{"the vote chose nobody", dossier("*", flag("lang-son")), none, "input.recipients[0].awardTypeId"},
		{"other awards are not checked", dossier("*", other), nil, ""},
		{"a province's own dossier is not checked (its route, Điều 25)", dossier("cao-bang", flag("cao-bang")), closed, ""},
		{"a province not in the cluster that year", dossier("*", flag("tuyen-quang")), closed, ""},
		{"the flag the vote names", dossier("*", flag("cao-bang"), other), ownFlag, "input.recipients[1].provinceId"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := domain.CheckClusterFlag(ref, tt.d, tt.vote)
			if errField(err) != tt.field || (tt.field != "" && domain.ErrorCode(err) != domain.CodeInvalid) {
				t.Fatalf("got %v, want field %q", err, tt.field)
			}
		})
	}
	if domain.FlagCluster(ref, dossier("*")) != "mien-nui-bien-gioi-phia-bac" || domain.FlagCluster(ref, dossier("lang-son")) != "" {
		t.Error("FlagCluster")
	}
}
