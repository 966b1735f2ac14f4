package domain

import (
	"context"
	"regexp"
)

// Access says which records a caller may see (for reads) or change (for
// writes) beyond the published ones. Package auth decides it; the
// repository only applies it.
type Access struct {
	All    bool     // every record
	Owners []string // records owned by these scopes (province ids, or "*")
}

// Allows reports whether a record owned by owner is within the access.
func (a Access) Allows(owner string) bool {
	if a.All {
		return true
	}
	for _, o := range a.Owners {
		if o == owner {
			return true
		}
	}
	return false
}

// Sees reports whether a record is visible under the access: published, or
// owned by a scope of the access.
func (a Access) Sees(published bool, owner string) bool { return published || a.Allows(owner) }

// MaxPageSize is the largest page a list query returns.
const MaxPageSize = 100

// DefaultPageSize is the page size when none is asked for.
const DefaultPageSize = 20

// PageArgs are Relay forward-pagination arguments.
type PageArgs struct {
	First *int
	After *string
}

// Page is one page of a list.
type Page[T any] struct {
	Items   []T
	Cursors []string
	HasNext bool
	HasPrev bool
	// Count counts every record that matches the filter (and the access),
	// in one more round trip; call it only when the total is asked for.
	Count func(ctx context.Context) (int, error)
}

// AwardFilter selects awards; zero fields select everything.
type AwardFilter struct {
	ProvinceID    string
	Year          *int
	Status        string
	AwardTypeID   string
	Authority     string
	MovementID    string
	RecipientKind string
	RecipientName string // words of the name, diacritics ignored
	Search        string // words of the name, organisation or citation, diacritics ignored
	HonoreeID     string // the awards of one honoree
	DecisionID    string // the awards one decision conferred
}

// MovementFilter selects movements; zero fields select everything.
type MovementFilter struct {
	Scope      string
	ProvinceID string
	Year       *int   // active in that year
	Search     string // words of the title, diacritics ignored
}

// ReviewFilter selects period reviews; zero fields select everything.
type ReviewFilter struct {
	Kind string
	Year *int
}

// AuditFilter selects audit entries; zero fields select everything.
type AuditFilter struct {
	ProvinceID, RecordType, RecordID, Subject, Outcome, Operation string
}

// ConferredFilter selects conferred awards (later revoked ones included) by
// decisions dated From..To, of the provinces, by the authorities and of the
// award types (any when empty).
type ConferredFilter struct {
	From, To     string
	ProvinceIDs  []string
	Authorities  []string
	AwardTypeIDs []string
}

// TallyRow is one group of an award tally: the values of the grouping
// fields (those asked for), and how many awards it has.
type TallyRow struct {
	Authority, AwardTypeID, RecipientKind, ProvinceID, Status, UnitID string
	Year                                                              int
	Count                                                             int
}

// Tally fields, the award fields a tally groups by.
const (
	TallyAuthority     = "authority"
	TallyAwardType     = "awardTypeId"
	TallyRecipientKind = "recipientKind"
	TallyProvince      = "provinceId"
	TallyYear          = "year"
	TallyStatus        = "status"
	TallyUnit          = "unitId" // the grassroots unit (TitleTally); not a GraphQL dimension
)

var idRe = regexp.MustCompile(`^[0-9a-f]{24}$`)

// CheckID checks a record id given by a client; field names the argument.
func CheckID(field, id string) error {
	if !idRe.MatchString(id) {
		return Invalid(field, "%q is not a valid id", id)
	}
	return nil
}

// EachPage reads a list page after page (the largest pages) and hands each
// page's records to fn, until fn says there is no need for more, the list
// ends, or either fails.
func EachPage[T any](list func(PageArgs) (*Page[T], error), fn func(items []T) (more bool, err error)) error {
	first := MaxPageSize
	var after *string
	for {
		page, err := list(PageArgs{First: &first, After: after})
		if err != nil {
			return err
		}
		more, err := fn(page.Items)
		if err != nil || !more || !page.HasNext || len(page.Cursors) == 0 {
			return err
		}
		after = &page.Cursors[len(page.Cursors)-1]
	}
}
