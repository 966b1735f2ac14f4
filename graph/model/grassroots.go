package model

import "time"

// The grassroots cycle's records: ids that resolvers turn into records.

func (Unit) IsNode()                  {}
func (EmulationRegistration) IsNode() {}
func (Initiative) IsNode()            {}

type Unit struct {
	ID         string
	Name       string
	Kind       UnitKind
	ProvinceID string
	ParentID   string
	Version    int
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

type EmulationRegistration struct {
	ID         string
	UnitID     string
	ProvinceID string
	Year       int
	Titles     []*RegisteredTitle
	Version    int
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

type RegisteredTitle struct {
	AwardType *AwardType
	Count     int
	Names     []string
}

type Initiative struct {
	ID           string
	Title        string
	Authors      []string
	UnitID       string
	ProvinceID   string
	Year         int
	Level        InitiativeLevel
	RecognisedBy *Decision
	Version      int
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

type EmulationReportLine struct {
	UnitID     string
	AwardType  *AwardType
	Registered int
	Proposed   int
	Conferred  int
}
