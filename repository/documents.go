package repository

import (
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// Meta is carried by every stored record.
type Meta struct {
	Version   int       `bson:"version"`
	CreatedAt time.Time `bson:"createdAt"`
	UpdatedAt time.Time `bson:"updatedAt"`
}

// Province is a member (or former member) of the cluster, keyed by its slug.
// Dates are ISO calendar dates (YYYY-MM-DD); empty means open-ended.
type Province struct {
	ID              string           `bson:"_id"`
	Name            string           `bson:"name"`
	ISOCode         string           `bson:"isoCode"`
	StatisticsCodes []StatisticsCode `bson:"statisticsCodes"`
	ValidFrom       string           `bson:"validFrom,omitempty"`
	ValidTo         string           `bson:"validTo,omitempty"`
	SuccessorID     string           `bson:"successorId,omitempty"`
	Meta            `bson:",inline"`
}

// StatisticsCode is an official code in force from From to To (inclusive).
type StatisticsCode struct {
	Code string `bson:"code"`
	From string `bson:"from,omitempty"`
	To   string `bson:"to,omitempty"`
}

// ActiveOn reports whether the province exists on date (YYYY-MM-DD).
func (p *Province) ActiveOn(date string) bool {
	return (p.ValidFrom == "" || p.ValidFrom <= date) && (p.ValidTo == "" || date <= p.ValidTo)
}

// CodeOn returns the statistics code in force on date, or the last one.
func (p *Province) CodeOn(date string) string {
	for _, c := range p.StatisticsCodes {
		if (c.From == "" || c.From <= date) && (c.To == "" || date <= c.To) {
			return c.Code
		}
	}
	if n := len(p.StatisticsCodes); n > 0 {
		return p.StatisticsCodes[n-1].Code
	}
	return ""
}

// AwardType is a form of award in the catalogue (Huân chương Lao động, ...).
type AwardType struct {
	ID             string   `bson:"_id"`
	Name           string   `bson:"name"`
	Form           string   `bson:"form"`
	Classes        []string `bson:"classes"`
	Authorities    []string `bson:"authorities"`
	RecipientKinds []string `bson:"recipientKinds"`
	Order          int      `bson:"order"`
	Meta           `bson:",inline"`
}

// Indicator is a figure reported in period reviews, with its aggregation
// rule across provinces: RANGE (min–max), SUM, or RATIO (sum of counts over
// sum of totals).
type Indicator struct {
	ID          string `bson:"_id"`
	Name        string `bson:"name"`
	Unit        string `bson:"unit"`
	Aggregation string `bson:"aggregation"`
	Order       int    `bson:"order"`
	Meta        `bson:",inline"`
}

// Movement is an emulation movement. Owner is its province, or "*" for
// national and cluster movements.
type Movement struct {
	ID          bson.ObjectID `bson:"_id"`
	Owner       string        `bson:"owner"`
	Published   bool          `bson:"published"`
	Title       string        `bson:"title"`
	TitleKey    string        `bson:"titleKey"`
	Scope       string        `bson:"scope"`
	Kind        string        `bson:"kind"`
	ProvinceID  string        `bson:"provinceId,omitempty"`
	LaunchedBy  string        `bson:"launchedBy,omitempty"`
	StartYear   *int          `bson:"startYear"`
	EndYear     *int          `bson:"endYear"`
	Description string        `bson:"description,omitempty"`
	Meta        `bson:",inline"`
}

// Award is one conferral (or nomination) to one recipient. Owner is its
// province; it is published once conferred.
type Award struct {
	ID              bson.ObjectID  `bson:"_id"`
	Owner           string         `bson:"owner"`
	Published       bool           `bson:"published"`
	ProvinceID      string         `bson:"provinceId"`
	AwardTypeID     string         `bson:"awardTypeId"`
	Class           string         `bson:"class,omitempty"`
	Authority       string         `bson:"authority"`
	Recipient       Recipient      `bson:"recipient"`
	Year            int            `bson:"year"`
	Status          string         `bson:"status"`
	MovementID      *bson.ObjectID `bson:"movementId"`
	Decision        *Decision      `bson:"decision,omitempty"`
	Citation        string         `bson:"citation,omitempty"`
	RejectionReason string         `bson:"rejectionReason,omitempty"`
	LegalBasis      string         `bson:"legalBasis"`
	SearchKey       string         `bson:"searchKey"` // folded name, organisation and citation
	History         []AwardEvent   `bson:"history"`
	Revocation      *Revocation    `bson:"revocation,omitempty"`
	Meta            `bson:",inline"`
}

// AwardEvent is one step of an award's life: proposed, conferred, rejected,
// revoked.
type AwardEvent struct {
	Status   string    `bson:"status"`
	At       time.Time `bson:"at"`
	By       string    `bson:"by,omitempty"`
	Reason   string    `bson:"reason,omitempty"`
	Decision *Decision `bson:"decision,omitempty"`
}

// Revocation is the decision that revoked a conferred award.
type Revocation struct {
	Reason   string    `bson:"reason"`
	Decision Decision  `bson:"decision"`
	At       time.Time `bson:"at"`
	By       string    `bson:"by,omitempty"`
}

// Recipient is who receives an award. NameKey is the folded name, for search.
type Recipient struct {
	Kind         string `bson:"kind"`
	Name         string `bson:"name"`
	NameKey      string `bson:"nameKey"`
	Position     string `bson:"position,omitempty"`
	Organization string `bson:"organization,omitempty"`
}

// Decision is the conferring decision: a free-text number and a date.
type Decision struct {
	Number string `bson:"number"`
	Date   string `bson:"date"`
}

// PeriodReview is a conference of the cluster. It belongs to the cluster
// (owner "*").
type PeriodReview struct {
	ID                   bson.ObjectID        `bson:"_id"`
	Owner                string               `bson:"owner"`
	Published            bool                 `bson:"published"`
	Kind                 string               `bson:"kind"`
	Year                 int                  `bson:"year"`
	Period               string               `bson:"period"`
	PeriodStart          string               `bson:"periodStart,omitempty"` // the period reviewed, for derived tallies
	PeriodEnd            string               `bson:"periodEnd,omitempty"`
	Date                 string               `bson:"date"`
	HostProvinceID       string               `bson:"hostProvinceId"`
	Location             string               `bson:"location,omitempty"`
	Theme                string               `bson:"theme,omitempty"`
	MovementIDs          []bson.ObjectID      `bson:"movementIds"`
	ReportedFigures      []ReportedFigure     `bson:"reportedFigures"`
	ReportedAwardTallies []ReportedAwardTally `bson:"reportedAwardTallies"`
	Meta                 `bson:",inline"`
}

// ReportedFigure is a cluster figure as reported at the conference.
type ReportedFigure struct {
	IndicatorID string   `bson:"indicatorId"`
	Min         *float64 `bson:"min,omitempty"`
	Max         *float64 `bson:"max,omitempty"`
	Value       *float64 `bson:"value,omitempty"`
	Total       *float64 `bson:"total,omitempty"`
	Ratio       *float64 `bson:"ratio,omitempty"`
	Qualifier   string   `bson:"qualifier"`
	Note        string   `bson:"note,omitempty"`
}

// ReportedAwardTally is an award count as reported at the conference.
type ReportedAwardTally struct {
	Authorities  []string `bson:"authorities"`
	AwardTypeIDs []string `bson:"awardTypeIds"`
	Count        int      `bson:"count"`
	Note         string   `bson:"note,omitempty"`
}

// ProvinceReport is one province's values in one review. It is a document
// of its own so that provinces reporting at once never touch the same
// document.
type ProvinceReport struct {
	ID          bson.ObjectID    `bson:"_id"`
	ReviewID    bson.ObjectID    `bson:"reviewId"`
	ProvinceID  string           `bson:"provinceId"`
	Values      []IndicatorValue `bson:"values"`
	SubmittedBy string           `bson:"submittedBy,omitempty"`
	Meta        `bson:",inline"`
}

// IndicatorValue is a province's value of one indicator; Total is the
// denominator of a RATIO indicator (communes in the province).
type IndicatorValue struct {
	IndicatorID string   `bson:"indicatorId"`
	Value       float64  `bson:"value"`
	Total       *float64 `bson:"total,omitempty"`
}

// Cluster is a cluster of provinces ("cụm thi đua"), with its members, chair
// and deputy per year. It belongs to the cluster's own scope ("*").
type Cluster struct {
	ID    string        `bson:"_id"`
	Name  string        `bson:"name"`
	Years []ClusterYear `bson:"years"`
	Meta  `bson:",inline"`
}

// ClusterYear is the composition of a cluster in one year.
type ClusterYear struct {
	Year    int      `bson:"year"`
	Members []string `bson:"members"`
	Chair   string   `bson:"chair,omitempty"`
	Deputy  string   `bson:"deputy,omitempty"`
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
