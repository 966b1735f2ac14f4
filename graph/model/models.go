// Package model holds the GraphQL API models. They are not the database
// documents: resolvers convert between the two (graph/convert.go).
package model

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/thidua/thidua/domain"
)

// Date is a calendar date, YYYY-MM-DD.
type Date string

// DateLayout is the layout of a Date.
const DateLayout = "2006-01-02"

// ParseDate checks s as a calendar date.
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(DateLayout, s)
	if err != nil || t.Format(DateLayout) != s {
		return "", fmt.Errorf("%q is not a date (YYYY-MM-DD)", s)
	}
	return Date(s), nil
}

// MarshalGQL writes the date as a string.
func (d Date) MarshalGQL(w io.Writer) { _, _ = io.WriteString(w, strconv.Quote(string(d))) }

// UnmarshalGQL reads a YYYY-MM-DD string.
func (d *Date) UnmarshalGQL(v any) error {
	s, ok := v.(string)
	if !ok {
		return domain.Invalid("", "a date must be a string (YYYY-MM-DD)")
	}
	p, err := ParseDate(s)
	if err != nil {
		return domain.Invalid("", "%v", err)
	}
	*d = p
	return nil
}

// Ptr returns a pointer to d, or nil when empty.
func (d Date) Ptr() *Date {
	if d == "" {
		return nil
	}
	return &d
}

type Province struct {
	ID              string
	Name            string
	IsoCode         string
	StatisticsCodes []*StatisticsCode
	ValidFrom       *Date
	ValidTo         *Date
	SuccessorID     string
	PredecessorIDs  []string
	// AdministrativeCentre is the seat of the provincial authorities.
	AdministrativeCentre *string
	Version              int
	CreatedAt            time.Time
	UpdatedAt            time.Time
}

type Movement struct {
	ID          string
	Title       string
	Scope       MovementScope
	Kind        MovementKind
	ProvinceID  string
	LaunchedBy  *string
	StartYear   *int
	EndYear     *int
	Description *string
	Published   bool
	Version     int
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

type Award struct {
	ID          string
	ProvinceID  string
	AwardTypeID string
	// Province and AwardType come from the catalogue in memory, filled in
	// at conversion (plain fields, not resolvers: a page of awards then
	// costs no goroutine per nested field).
	Province         *Province
	AwardType        *AwardType
	Class            *AwardClass
	Authority        Authority
	Recipient        *Recipient
	Year             int
	Status           AwardStatus
	MovementID       string
	Decision         *Decision
	Citation         *string
	RejectionReason  *string
	LegalBasis       string
	History          []*AwardEvent
	Revocation       *Revocation
	DecisionID       string
	DossierID        string
	HonoreeID        string
	UnitID           string
	CommendationKind *DossierKind
	Version          int
	CreatedAt        time.Time
	UpdatedAt        time.Time
}

type PeriodReview struct {
	ID                   string
	Kind                 ReviewKind
	Year                 int
	Period               *string
	PeriodStart          *Date
	PeriodEnd            *Date
	Date                 Date
	HostProvinceID       string
	MovementIDs          []string
	Location             *string
	Theme                *string
	Published            bool
	ReportedFigures      []*ReportedFigure
	ReportedAwardTallies []*ReportedAwardTally
	// Review is the domain record, for the fields derived from it.
	Review    *domain.PeriodReview
	Version   int
	CreatedAt time.Time
	UpdatedAt time.Time
}

type ProvinceReport struct {
	ProvinceID  string
	Values      []*IndicatorValue
	SubmittedBy *string
	Version     int
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

type IndicatorValue struct {
	IndicatorID string
	Value       float64
	Total       *float64
}

type ReportedFigure struct {
	IndicatorID string
	Figure      *Figure
	Qualifier   FigureQualifier
	Note        *string
}

type ReportedAwardTally struct {
	Authorities  []Authority
	AwardTypeIDs []string
	Count        int
	Note         *string
	// Review and Tally are the domain records, for derivedCount.
	Review *domain.PeriodReview
	Tally  domain.ReportedAwardTally
}

// Connections carry a function that counts the whole list, called only when
// totalCount is selected.
type MovementConnection struct {
	Edges    []*MovementEdge
	PageInfo *PageInfo
	Count    func(context.Context) (int, error)
}

type AwardConnection struct {
	Edges    []*AwardEdge
	PageInfo *PageInfo
	Count    func(context.Context) (int, error)
}

type PeriodReviewConnection struct {
	Edges    []*PeriodReviewEdge
	PageInfo *PageInfo
	Count    func(context.Context) (int, error)
}

type AuditEntry struct {
	ID            string
	At            time.Time
	Subject       *string
	Name          *string
	Role          *Role
	Scope         *string
	Operation     string
	RecordType    string
	RecordID      *string
	ProvinceID    string
	Outcome       AuditOutcome
	Reason        *string
	VersionBefore *int
	VersionAfter  *int
	Changes       []*FieldChange
	RequestID     *string
}

type AuditEntryConnection struct {
	Edges    []*AuditEntryEdge
	PageInfo *PageInfo
	Count    func(context.Context) (int, error)
}

type Cluster struct {
	ID      string
	Name    string
	Years   []*ClusterYear
	Version int
}

type ClusterYear struct {
	Year      int
	MemberIDs []string
	ChairID   string
	DeputyID  string
}

type Vote struct {
	ReviewID        string
	Status          VoteStatus
	SelfVoteAllowed bool
	Secret          bool
	Criteria        []*Criterion
	SelfScoring     bool
	CrossScoring    bool
	Majority        float64
	VoterIDs        []string
	Tally           []*VoteCount
	LeaderID        string
	TiedIDs         []string
	Version         int
	// The rounds, the score table's bonus and penalty items, the second
	// round's rule and the flag (vote.graphqls).
	Round               int
	Rounds              []*VoteRound
	CandidateIDs        []string
	BonusItems          []*PointItem
	PenaltyItems        []*PointItem
	BonusCap            float64
	SecondRound         SecondRoundRule
	SecondRoundMajority *float64
	FlagAwardTypeID     string
}

// VoteRound is one round of a vote.
type VoteRound struct {
	Number       int
	CandidateIDs []string
	Closed       bool
	Tally        []*VoteCount
	LeaderID     string
	TiedIDs      []string
}

type VoteCount struct {
	ProvinceID string
	Votes      int
	ScoreTotal float64
	Base       float64
	Bonus      float64
	Penalty    float64
}

type Ballot struct {
	ProvinceID string
	Round      int
	LeaderID   string
	Scores     []*Score
	Version    int
	UpdatedAt  time.Time
}

type Score struct {
	ProvinceID string
	Criterion  string
	Score      float64
}

// The records with an id implement Node (Relay); the generated models get
// the method from gqlgen.

func (Province) IsNode()             {}
func (Movement) IsNode()             {}
func (Award) IsNode()                {}
func (PeriodReview) IsNode()         {}
func (Cluster) IsNode()              {}
func (Dossier) IsNode()              {}
func (CommendationDecision) IsNode() {}
func (Honoree) IsNode()              {}

type Dossier struct {
	ID            string
	ProvinceID    string
	Kind          DossierKind
	Authority     Authority
	Level         string
	Year          int
	Title         string
	ProposingUnit string
	MovementID    string
	Letter        *Decision
	Council       *Council
	Recipients    []*DossierRecipient
	Status        DossierStatus
	History       []*DossierEvent
	Warnings      []*DossierWarning
	DecisionID    string
	UnitID        string
	Version       int
	CreatedAt     time.Time
	UpdatedAt     time.Time
	// The route (route.graphqls).
	Notice           *Notice
	ForwardingLetter *Decision
}

type DossierRecipient struct {
	HonoreeID   string
	ProvinceID  string
	Recipient   *Recipient
	AwardType   *AwardType
	Class       *AwardClass
	Achievement string
	BallotShare *float64
	AwardID     string
}

type CommendationDecision struct {
	ID         string
	Number     string
	Date       Date
	Authority  Authority
	IssuedBy   string
	Signer     *Signer
	LegalBasis string
	Submission *Decision // the Prime Minister's, for the President
	ProvinceID string
	DossierID  string
	Version    int
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

type Honoree struct {
	ID           string
	ProvinceID   string
	Key          string
	Kind         RecipientKind
	Name         string
	Position     *string
	Organization *string
	// PendingProceedings: discipline or an investigation pending.
	PendingProceedings *string
	Version            int
	CreatedAt          time.Time
	UpdatedAt          time.Time
}

type Attachment struct {
	ID          string
	Name        string
	ContentType string
	Size        int
	Sha256      string
	UploadedAt  time.Time
	UploadedBy  *string
	URL         string
}

type DossierConnection struct {
	Edges    []*DossierEdge
	PageInfo *PageInfo
	Count    func(context.Context) (int, error)
}

type CommendationDecisionConnection struct {
	Edges    []*CommendationDecisionEdge
	PageInfo *PageInfo
	Count    func(context.Context) (int, error)
}

type HonoreeConnection struct {
	Edges    []*HonoreeEdge
	PageInfo *PageInfo
	Count    func(context.Context) (int, error)
}
