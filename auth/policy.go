package auth

import (
	"sort"

	"github.com/thidua/thidua/domain"
)

// Action is something a caller asks to do.
type Action string

// The actions: every mutation, and the reads that go beyond published data.
const (
	ReadUnpublished      Action = "read unpublished records"
	ReadAudit            Action = "auditLog"
	CreateMovement       Action = "createMovement"
	UpdateMovement       Action = "updateMovement"
	DeleteMovement       Action = "deleteMovement"
	CreateAward          Action = "createAward"
	UpdateAward          Action = "updateAward"
	DeleteAward          Action = "deleteAward"
	RevokeAward          Action = "revokeAward"
	CreatePeriodReview   Action = "createPeriodReview"
	UpdatePeriodReview   Action = "updatePeriodReview"
	SubmitProvinceReport Action = "submitProvinceReport"
	SetClusterYear       Action = "setClusterYear"
	OpenVote             Action = "openVote"
	CastBallot           Action = "castBallot"
	CloseVote            Action = "closeVote"
	SaveAwardType        Action = "saveAwardType"
	SaveIndicator        Action = "saveIndicator"
	SaveLawPeriod        Action = "saveLawPeriod"
	SaveBaseSalary       Action = "saveBaseSalary"
	CreateDossier        Action = "createDossier"
	UpdateDossier        Action = "updateDossier"
	DeleteDossier        Action = "deleteDossier"
	SubmitDossier        Action = "submitDossier"
	ReturnDossier        Action = "returnDossier"
	VetDossier           Action = "vetDossier"
	RejectDossier        Action = "rejectDossier"
	ForwardDossier       Action = "forwardDossier"
	RecordDecision       Action = "recordDecision"
	AttachToDossier      Action = "attachFile"
	AttachToDecision     Action = "attachFile to a decision"
	SaveHonoree          Action = "saveHonoree"
	// An award a decision record conferred is the deciding level's: its
	// corrections and its revocation too.
	UpdateDecidedAward Action = "updateAward (an award a decision record conferred)"
	RevokeDecidedAward Action = "revokeAward (an award a decision record conferred)"

	// The grassroots cycle.
	SaveUnit          Action = "saveUnit"
	RegisterEmulation Action = "registerEmulation"
	SaveInitiative    Action = "saveInitiative"
	ImportTitles      Action = "importTitles"
)

// Rule is the role an action needs, and in which scope(s): the record's
// province for a province's records, "*" for the cluster's own records.
type Rule struct {
	Role  Role
	Scope string // which scope the command passes (documentation)
}

// Policy is every permission of the API, in one table. Commands (package
// service) ask Authorize with the scopes the table names; the repository's
// read and write filters come from Grants of the same actions.
var Policy = map[Action]Rule{
	ReadUnpublished: {Viewer, "the record's owner (a province, or * for the cluster's records)"},
	ReadAudit:       {Admin, "the entry's province (* for every entry)"},

	CreateMovement: {Editor, "the movement's province, or * for NATIONAL and CLUSTER movements"},
	UpdateMovement: {Editor, "the stored movement's scope and the new one"},
	DeleteMovement: {Editor, "the stored movement's scope"},

	CreateAward: {Editor, "the award's province"},
	UpdateAward: {Editor, "the stored award's province and the new one (and UpdateDecidedAward for an award a decision record conferred)"},
	DeleteAward: {Editor, "the stored award's province"},
	RevokeAward: {Editor, "the stored award's province (and RevokeDecidedAward for an award a decision record conferred)"},

	CreatePeriodReview:   {Editor, "*"},
	UpdatePeriodReview:   {Editor, "*"},
	SubmitProvinceReport: {Editor, "the reporting province"},

	SetClusterYear: {Admin, "*"},
	OpenVote:       {Editor, "*"},
	CastBallot:     {Editor, "the voting province"},
	CloseVote:      {Editor, "*"},

	SaveAwardType: {Admin, "*"},
	SaveIndicator: {Admin, "*"},
	SaveLawPeriod: {Admin, "*"},
	// The base salary table (reward money) is national reference data.
	SaveBaseSalary: {Admin, "*"},

	// Dossiers: the proposing province's editors prepare and submit; the
	// dossier's level where it is (Dossier.Level: the province, and "*"
	// once the provincial chair has forwarded a dossier for the President,
	// the Government, the Prime Minister or a minister) vets and decides.
	CreateDossier:   {Editor, "the dossier's province (* for the cluster's dossiers)"},
	UpdateDossier:   {Editor, "the stored dossier's owner"},
	DeleteDossier:   {Editor, "the stored dossier's owner"},
	SubmitDossier:   {Editor, "the stored dossier's owner"},
	AttachToDossier: {Editor, "the stored dossier's owner"},
	ReturnDossier:   {Vetter, "the dossier's level"},
	VetDossier:      {Vetter, "the dossier's level"},
	RejectDossier:   {Decider, "the dossier's level"},
	RecordDecision:  {Decider, "the dossier's level"},
	// The provincial chair forwards its province's vetted dossiers for a
	// central authority (domain.Forward); the central level vets them again.
	ForwardDossier: {Decider, "the stored dossier's owner (its province)"},
	// Attachments of a decision (its signed scan) are the deciding level's.
	AttachToDecision:   {Decider, "the decision's level"},
	SaveHonoree:        {Editor, "the honoree's province"},
	UpdateDecidedAward: {Decider, "the decision record's owner (the level that decided it)"},
	RevokeDecidedAward: {Decider, "the decision record's owner (the level that decided it)"},

	// The grassroots cycle: the province's admins keep its units; its
	// editors the registrations, the initiative register and the imports.
	SaveUnit:          {Admin, "the unit's province (and the stored one's)"},
	RegisterEmulation: {Editor, "the registered unit's province"},
	SaveInitiative:    {Editor, "the initiative's province (and the stored one's)"},
	ImportTitles:      {Editor, "the province imported into"},
}

// Decide is the one function that says whether a caller may do an action
// in a scope: it holds the role the policy names there (a role in "*"
// counts in every scope). An anonymous caller may do nothing.
func Decide(p *Principal, a Action, scope string) bool {
	rule, ok := Policy[a]
	return ok && p != nil && p.RoleIn(scope) >= rule.Role
}

// Authorize returns nil when the caller may do the action in every scope
// given, UNAUTHENTICATED when anonymous, FORBIDDEN otherwise.
func Authorize(p *Principal, a Action, scopes ...string) error {
	if p == nil {
		return &domain.Error{Code: domain.CodeUnauthenticated, Message: "sign in to do this"}
	}
	for _, s := range scopes {
		if !Decide(p, a, s) {
			what := "province " + s
			if s == AllScope {
				what = "the cluster"
			}
			return domain.Forbidden("%s needs the %s role for %s", a, Policy[a].Role, what)
		}
	}
	return nil
}

// Grants returns where the caller may do the action: everywhere (All, when
// it may in "*") or in the listed scopes. The repository applies it as a
// filter.
func Grants(p *Principal, a Action) domain.Access {
	if p == nil {
		return domain.Access{}
	}
	if Decide(p, a, AllScope) {
		return domain.Access{All: true}
	}
	var scopes []string
	for s := range p.Roles {
		if Decide(p, a, s) {
			scopes = append(scopes, s)
		}
	}
	sort.Strings(scopes)
	return domain.Access{Owners: scopes}
}
