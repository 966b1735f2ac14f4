package domain

import "time"

// The records of thidua, as plain Go: no GraphQL, no BSON, no HTTP. Ids are
// strings (province and catalogue slugs; opaque ids for the rest). Dates are
// ISO calendar dates (YYYY-MM-DD); an empty date is open-ended. The json
// names are the ones the audit trail shows for changed fields.

// ScopeAll owns the cluster's own records (national and cluster movements,
// period reviews, clusters, votes) and is the scope of every province.
const ScopeAll = "*"

// Meta is carried by every stored record.
type Meta struct {
	Version   int       `json:"version"`
	CreatedAt time.Time `json:"createdAt"`
	UpdatedAt time.Time `json:"updatedAt"`
}

// Province is a member (or former member) of the cluster, keyed by its slug.
type Province struct {
	ID              string           `json:"id"`
	Name            string           `json:"name"`
	ISOCode         string           `json:"isoCode"`
	StatisticsCodes []StatisticsCode `json:"statisticsCodes"`
	ValidFrom       string           `json:"validFrom,omitempty"`
	ValidTo         string           `json:"validTo,omitempty"`
	SuccessorID     string           `json:"successorId,omitempty"`
	// PredecessorIDs are the provinces merged into this one.
	PredecessorIDs []string `json:"predecessorIds,omitempty"`
	// AdministrativeCentre is the seat of the provincial authorities.
	AdministrativeCentre string `json:"administrativeCentre,omitempty"`
	Meta                 `json:"-"`
}

// StatisticsCode is an official code in force from From to To (inclusive).
type StatisticsCode struct {
	Code string `json:"code"`
	From string `json:"from,omitempty"`
	To   string `json:"to,omitempty"`
}

// ActiveOn reports whether the province exists on date.
func (p *Province) ActiveOn(date string) bool {
	return inRange(date, p.ValidFrom, p.ValidTo)
}

// CodeOn returns the statistics code in force on date; after the province
// ceased to exist, its own last code (history keeps it); "" before it
// existed.
func (p *Province) CodeOn(date string) string {
	for _, c := range p.StatisticsCodes {
		if inRange(date, c.From, c.To) {
			return c.Code
		}
	}
	if n := len(p.StatisticsCodes); n > 0 && (p.StatisticsCodes[0].From == "" || p.StatisticsCodes[0].From <= date) {
		return p.StatisticsCodes[n-1].Code
	}
	return ""
}

// AuthorityRule allows an authority to decide an award type by decisions
// dated From to To (inclusive; empty: open-ended), under the law it cites.
type AuthorityRule struct {
	Authority string `json:"authority"`
	From      string `json:"from,omitempty"`
	To        string `json:"to,omitempty"`
	Basis     string `json:"basis,omitempty"` // the article, e.g. "Luật 06/2022/QH15, Điều 78 khoản 1"
	// Unconfirmed marks a rule whose text was not checked against the
	// gazette (taken from practice or a secondary source).
	Unconfirmed bool `json:"unconfirmed,omitempty"`
}

// AwardType is a form of award in the catalogue (Huân chương Lao động, ...).
type AwardType struct {
	ID             string          `json:"id"`
	Name           string          `json:"name"`
	Form           string          `json:"form"`
	Classes        []string        `json:"classes"`
	Authorities    []string        `json:"authorities"` // every authority of AuthorityRules, for lists
	AuthorityRules []AuthorityRule `json:"authorityRules"`
	RecipientKinds []string        `json:"recipientKinds"`
	Order          int             `json:"order"`
	ValidFrom      string          `json:"validFrom,omitempty"` // the form exists from ...
	ValidTo        string          `json:"validTo,omitempty"`   // ... to
	LegalBasis     string          `json:"legalBasis,omitempty"`
	// RewardCoefficients are the reward money's coefficients by date
	// (money.go); none: the form carries no reward money here.
	RewardCoefficients []RewardCoefficient `json:"rewardCoefficients,omitempty"`
	Meta               `json:"-"`
}

// Indicator is a figure reported in period reviews, with its aggregation
// rule across provinces: RANGE (min–max), SUM, or RATIO (sum of counts over
// sum of totals).
type Indicator struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Unit        string `json:"unit"`
	Aggregation string `json:"aggregation"`
	Order       int    `json:"order"`
	ValidFrom   string `json:"validFrom,omitempty"`
	ValidTo     string `json:"validTo,omitempty"`
	Meta        `json:"-"`
}

// Movement is an emulation movement. Owner is its province, or "*" for
// national and cluster movements.
type Movement struct {
	ID          string `json:"id"`
	Owner       string `json:"owner"`
	Published   bool   `json:"published"`
	Title       string `json:"title"`
	Scope       string `json:"scope"`
	Kind        string `json:"kind"`
	ProvinceID  string `json:"provinceId,omitempty"`
	LaunchedBy  string `json:"launchedBy,omitempty"`
	StartYear   *int   `json:"startYear"`
	EndYear     *int   `json:"endYear"`
	Description string `json:"description,omitempty"`
	Meta        `json:"-"`
}

// Award is one conferral (or nomination) to one recipient. Owner is its
// province; it is published once conferred.
type Award struct {
	ID              string       `json:"id"`
	Owner           string       `json:"owner"`
	Published       bool         `json:"published"`
	ProvinceID      string       `json:"provinceId"`
	AwardTypeID     string       `json:"awardTypeId"`
	Class           string       `json:"class,omitempty"`
	Authority       string       `json:"authority"`
	Recipient       Recipient    `json:"recipient"`
	Year            int          `json:"year"`
	Status          string       `json:"status"`
	MovementID      string       `json:"movementId,omitempty"`
	Decision        *Decision    `json:"decision,omitempty"`
	Citation        string       `json:"citation,omitempty"`
	RejectionReason string       `json:"rejectionReason,omitempty"`
	LegalBasis      string       `json:"legalBasis"`
	History         []AwardEvent `json:"history"`
	Revocation      *Revocation  `json:"revocation,omitempty"`
	// DecisionID and DossierID point to the decision record that conferred
	// the award and the dossier that proposed it (awards entered one by
	// one have neither); HonoreeID to the recipient's record, if any.
	DecisionID string `json:"decisionId,omitempty"`
	DossierID  string `json:"dossierId,omitempty"`
	HonoreeID  string `json:"honoreeId,omitempty"`
	// UnitID is the province's unit the award is for (its recipient's).
	UnitID string `json:"unitId,omitempty"`
	// CommendationKind is the kind of commendation (a Dossier kind) of the
	// dossier that proposed it; "" for awards entered one by one.
	CommendationKind string `json:"commendationKind,omitempty"`
	Meta             `json:"-"`
}

// AwardEvent is one step of an award's life: proposed, conferred, rejected,
// revoked.
type AwardEvent struct {
	Status   string    `json:"status"`
	At       time.Time `json:"at"`
	By       string    `json:"by,omitempty"`
	Reason   string    `json:"reason,omitempty"`
	Decision *Decision `json:"decision,omitempty"`
}

// Revocation is the decision that revoked a conferred award.
type Revocation struct {
	Reason   string    `json:"reason"`
	Decision Decision  `json:"decision"`
	At       time.Time `json:"at"`
	By       string    `json:"by,omitempty"`
}

// Recipient is who receives an award.
type Recipient struct {
	Kind         string `json:"kind"`
	Name         string `json:"name"`
	Position     string `json:"position,omitempty"`
	Organization string `json:"organization,omitempty"`
}

// Decision is the conferring decision: a free-text number and a date.
type Decision struct {
	Number string `json:"number"`
	Date   string `json:"date"`
}

// PeriodReview is a conference of the cluster. It belongs to the cluster
// (owner "*").
type PeriodReview struct {
	ID                   string               `json:"id"`
	Owner                string               `json:"owner"`
	Published            bool                 `json:"published"`
	Kind                 string               `json:"kind"`
	Year                 int                  `json:"year"`
	Period               string               `json:"period"`
	PeriodStart          string               `json:"periodStart,omitempty"`
	PeriodEnd            string               `json:"periodEnd,omitempty"`
	Date                 string               `json:"date"`
	HostProvinceID       string               `json:"hostProvinceId"`
	Location             string               `json:"location,omitempty"`
	Theme                string               `json:"theme,omitempty"`
	MovementIDs          []string             `json:"movementIds"`
	ReportedFigures      []ReportedFigure     `json:"reportedFigures"`
	ReportedAwardTallies []ReportedAwardTally `json:"reportedAwardTallies"`
	Meta                 `json:"-"`
}

// ReportedFigure is a cluster figure as reported at the conference.
type ReportedFigure struct {
	IndicatorID string   `json:"indicatorId"`
	Min         *float64 `json:"min,omitempty"`
	Max         *float64 `json:"max,omitempty"`
	Value       *float64 `json:"value,omitempty"`
	Total       *float64 `json:"total,omitempty"`
	Ratio       *float64 `json:"ratio,omitempty"`
	Qualifier   string   `json:"qualifier"`
	Note        string   `json:"note,omitempty"`
}

// ReportedAwardTally is an award count as reported at the conference.
type ReportedAwardTally struct {
	Authorities  []string `json:"authorities"`
	AwardTypeIDs []string `json:"awardTypeIds"`
	Count        int      `json:"count"`
	Note         string   `json:"note,omitempty"`
}

// ProvinceReport is one province's values in one review.
type ProvinceReport struct {
	ID          string           `json:"id"`
	ReviewID    string           `json:"reviewId"`
	ProvinceID  string           `json:"provinceId"`
	Values      []IndicatorValue `json:"values"`
	SubmittedBy string           `json:"submittedBy,omitempty"`
	Meta        `json:"-"`
}

// IndicatorValue is a province's value of one indicator; Total is the
// denominator of a RATIO indicator (communes in the province).
type IndicatorValue struct {
	IndicatorID string   `json:"indicatorId"`
	Value       float64  `json:"value"`
	Total       *float64 `json:"total,omitempty"`
}

// Cluster is a cluster of provinces ("cụm thi đua"), with its members, chair
// and deputy per year. It belongs to the cluster's own scope ("*").
type Cluster struct {
	ID    string        `json:"id"`
	Name  string        `json:"name"`
	Years []ClusterYear `json:"years"`
	Meta  `json:"-"`
}

// ClusterYear is the composition of a cluster in one year.
type ClusterYear struct {
	Year    int      `json:"year"`
	Members []string `json:"members"`
	Chair   string   `json:"chair,omitempty"`
	Deputy  string   `json:"deputy,omitempty"`
}

// InYear returns the composition of year, or nil.
func (c *Cluster) InYear(year int) *ClusterYear {
	for i := range c.Years {
		if c.Years[i].Year == year {
			return &c.Years[i]
		}
	}
	return nil
}

// Vote is the year-end vote of a cluster for its leading province, held at
// a year-end review (its id is the review's). One per cluster a year.
type Vote struct {
	ID        string `json:"id"`
	ClusterID string `json:"clusterId"`
	Year      int    `json:"year"`
	Status    string `json:"status"` // OPEN, CLOSED
	VoteSettings
	Voters []string `json:"voters"` // the cluster's members on the review date
	// Round is the round being voted (or, once closed, the last one);
	// Rounds are every round so far, oldest first (vote.go).
	Round  int         `json:"round"`
	Rounds []VoteRound `json:"rounds"`
	// Tally, LeaderID and Tied are the last closed round's.
	Tally    []VoteCount `json:"tally"`
	LeaderID string      `json:"leaderId,omitempty"`
	Tied     []string    `json:"tied"`
	Meta     `json:"-"`
}

// VoteSettings are fixed when a vote opens (the cluster's regulation).
type VoteSettings struct {
	SelfVoteAllowed bool        `json:"selfVoteAllowed"`
	Secret          bool        `json:"secret"`
	Criteria        []Criterion `json:"criteria"`
	// SelfScoring: each member first scores itself; CrossScoring: then each
	// scores the other members. At least one of the two.
	SelfScoring  bool `json:"selfScoring"`
	CrossScoring bool `json:"crossScoring"`
	// Majority is the share of the members whose ballots a leader needs,
	// strictly more than (0.5: more than half).
	Majority float64 `json:"majority"`
	// Bonus and penalty items (điểm cộng, điểm trừ), scored beside the
	// criteria in points of the 100-point score; a scorer's bonus points
	// for a province count up to BonusCap (vote.go).
	BonusItems   []PointItem `json:"bonusItems"`
	PenaltyItems []PointItem `json:"penaltyItems"`
	BonusCap     float64     `json:"bonusCap"`
	// SecondRound is the rule of the second round (SecondRound*), and
	// SecondRoundMajority the share a leader needs in it (nil: the most
	// ballots).
	SecondRound         string   `json:"secondRound"`
	SecondRoundMajority *float64 `json:"secondRoundMajority,omitempty"`
	// FlagAwardTypeID is the award its leader is proposed for.
	FlagAwardTypeID string `json:"flagAwardTypeId"`
}

// Criterion is a row of the cluster's criteria table.
type Criterion struct {
	Name      string  `json:"name"`
	Weight    float64 `json:"weight"`
	MaxPoints float64 `json:"maxPoints"`
}

// VoteCount is a province's result: ballots naming it leader, and its
// score: the mean, over the provinces that scored it, of the weighted
// share of the maximum points they gave it (0–100).
type VoteCount struct {
	ProvinceID string  `json:"provinceId"`
	Votes      int     `json:"votes"`
	ScoreTotal float64 `json:"scoreTotal"`
	// ScoreTotal is Base + Bonus − Penalty: the means, over its scorers,
	// of the criteria's share (0–100), of the bonus points (capped) and of
	// the penalty points.
	Base    float64 `json:"base"`
	Bonus   float64 `json:"bonus"`
	Penalty float64 `json:"penalty"`
}

// Ballot is one province's ballot: its choice of leader and its scores.
type Ballot struct {
	ID         string  `json:"id"`
	ReviewID   string  `json:"reviewId"`
	ProvinceID string  `json:"provinceId"`
	Round      int     `json:"round"` // the round it was cast in
	LeaderID   string  `json:"leaderId"`
	Scores     []Score `json:"scores"`
	By         string  `json:"by,omitempty"`
	Meta       `json:"-"`
}

// Score is one province's score of a province on one criterion.
type Score struct {
	ProvinceID string  `json:"provinceId"`
	Criterion  string  `json:"criterion"`
	Score      float64 `json:"score"`
}

// AuditEntry records one mutation, accepted or refused.
type AuditEntry struct {
	ID            string        `json:"id"`
	At            time.Time     `json:"at"`
	Subject       string        `json:"subject,omitempty"`
	Name          string        `json:"name,omitempty"`
	Role          string        `json:"role,omitempty"`
	Scope         string        `json:"scope,omitempty"`
	Operation     string        `json:"operation"`
	RecordType    string        `json:"recordType"`
	RecordID      string        `json:"recordId,omitempty"`
	ProvinceID    string        `json:"provinceId,omitempty"`
	Outcome       string        `json:"outcome"` // ACCEPTED, DENIED, FAILED, UNKNOWN
	Reason        string        `json:"reason,omitempty"`
	VersionBefore *int          `json:"versionBefore,omitempty"`
	VersionAfter  *int          `json:"versionAfter,omitempty"`
	Changes       []FieldChange `json:"changes"`
	RequestID     string        `json:"requestId,omitempty"`
}

// FieldChange is one changed field, its old and new values as JSON text.
type FieldChange struct {
	Field string `json:"field"`
	Old   string `json:"old,omitempty"`
	New   string `json:"new,omitempty"`
}
