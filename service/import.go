package service

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/thidua/thidua/auth"
	"github.com/thidua/thidua/catalog"
	"github.com/thidua/thidua/domain"
	"github.com/thidua/thidua/sheet"
	"github.com/thidua/thidua/vntext"
)

// ImportRow is the report on one row of an imported list: its line in the
// file, whether it is good, and what is wrong with it (or, for a section
// heading, what it set). Award is the award it makes (nil for a heading).
type ImportRow struct {
	Row      int
	OK       bool
	Messages []string
	Award    *domain.Award
}

// ImportResult is the report on an imported list: every row's, and how
// many awards were stored (0 on a dry run or when any row failed).
type ImportResult struct {
	DryRun bool
	Stored int
	Rows   []ImportRow
}

// importSummary is what the audit trail records of an import.
type importSummary struct {
	File     string   `json:"file"`
	Year     int      `json:"year"`
	Stored   int      `json:"stored"`
	AwardIDs []string `json:"awardIds"`
}

var birthYearRe = regexp.MustCompile(`^(19|20)\d\d$`)

// ImportTitles reads a list of year-end titles (XLSX or CSV, package
// sheet) for a province and year, checks every row as createAward checks
// an award (plus its unit, one of the province's by name, and the
// initiative Chiến sĩ thi đua cơ sở needs), and stores them all — or none,
// when dryRun or when any row fails (policy: editor of the province). A
// row with a decision number and date is CONFERRED, else PROPOSED; the
// authority is the unit's head where the title allows it (a commune's
// chair for a commune), else the first the title allows on the date.
func (s *Service) ImportTitles(ctx context.Context, up Upload, provinceID string, year int, dryRun bool) (*ImportResult, error) {
	if err := auth.Authorize(caller(ctx), auth.ImportTitles, provinceID); err != nil {
		return nil, err
	}
	ref := s.ref()
	if _, err := domain.KnownProvince(ref, "provinceId", provinceID); err != nil {
		return nil, err
	}
	if err := domain.CheckYear(s.now(), year); err != nil {
		return nil, err
	}
	g, err := s.grassroots()
	if err != nil {
		return nil, err
	}
	name, r, size, err := up.Open()
	if err != nil {
		return nil, err
	}
	if limit := s.fileLimits().MaxBytes; size > limit {
		return nil, domain.Invalid("file", "the file is larger than %d bytes", limit)
	}
	rows, err := sheet.Read(r, size)
	if errors.Is(err, sheet.ErrFormat) {
		return nil, domain.Invalid("file", "%v", err)
	}
	if err != nil {
		return nil, err
	}
	unitList, err := g.Units(ctx, provinceID, readAccess(ctx))
	if err != nil {
		return nil, err
	}
	unitsByKey := make(map[string]*domain.Unit, len(unitList))
	for i := range unitList {
		unitsByKey[domain.UnitKey(unitList[i].Name)] = &unitList[i]
	}
	register, err := initiativeRegister(ctx, g, provinceID, year)
	if err != nil {
		return nil, err
	}
	stored, err := s.importedTitles(ctx, provinceID, year)
	if err != nil {
		return nil, err
	}
	imp := titleImport{ref: ref, now: s.now(), province: provinceID, year: year, units: unitsByKey, register: register,
		seen: map[string]int{}, stored: stored, by: subject(ctx)}
	res := &ImportResult{DryRun: dryRun, Rows: make([]ImportRow, 0, len(rows))}
	var list []*domain.Award
	failed := false
	for _, row := range rows {
		out := imp.row(row)
		res.Rows = append(res.Rows, out)
		failed = failed || !out.OK
		if out.Award != nil {
			list = append(list, out.Award)
		}
	}
	if len(list) == 0 && !failed {
		return nil, domain.Invalid("file", "the list has no rows below its header")
	}
	if dryRun || failed {
		return res, nil
	}
	if err := g.CreateAwards(ctx, list); err != nil {
		return nil, err
	}
	res.Stored = len(list)
	sum := importSummary{File: name, Year: year, Stored: len(list), AwardIDs: make([]string, len(list))}
	for i, a := range list {
		sum.AwardIDs[i] = a.ID
		s.publish(ctx, "award", "CREATED", a)
	}
	recordChange(ctx, "", provinceID, nil, sum, nil, nil)
	return res, nil
}

// titleImport checks the rows of one list.
type titleImport struct {
	ref      *catalog.Snapshot // one catalogue and one time for every row
	now      time.Time
	province string
	year     int
	units    map[string]*domain.Unit
	register domain.Register
	title    *domain.AwardType // the current section's
	seen     map[string]int    // name, unit and title → the line that has them
	stored   map[string]string // name, unit and title → the award already stored for the year
	by       string
}

// row checks one row and makes its award.
func (t *titleImport) row(row sheet.Row) ImportRow {
	out := ImportRow{Row: row.Line, OK: true, Messages: []string{}}
	fail := func(format string, args ...any) {
		out.OK = false
		out.Messages = append(out.Messages, fmt.Sprintf(format, args...))
	}
	if row.Heading != "" {
		t.title = domain.TitleByName(t.ref.AwardTypes, row.Heading)
		if t.title == nil {
			out.Messages = append(out.Messages, "heading names no title: the rows below need their own "+sheet.Headers[sheet.ColTitle])
		} else {
			out.Messages = append(out.Messages, "heading: the rows below are "+t.title.Name)
		}
		return out
	}
	title := t.title
	if v := row.Cell(sheet.ColTitle); v != "" {
		if title = domain.TitleByName(t.ref.AwardTypes, v); title == nil {
			fail("%s: no award type is called %q", sheet.Headers[sheet.ColTitle], v)
		}
	} else if title == nil {
		fail("%s: missing, and no section heading above names one", sheet.Headers[sheet.ColTitle])
	}
	name := row.Cell(sheet.ColName)
	if name == "" {
		fail("%s: missing", sheet.Headers[sheet.ColName])
	}
	var unit *domain.Unit
	if v := row.Cell(sheet.ColUnit); v != "" {
		if unit = t.units[domain.UnitKey(v)]; unit == nil {
			fail("%s: %q is not a unit of %s (add it with saveUnit)", sheet.Headers[sheet.ColUnit], v, t.province)
		}
	} else {
		fail("%s: missing", sheet.Headers[sheet.ColUnit])
	}
	if v := row.Cell(sheet.ColBirth); v != "" && !birthYearRe.MatchString(v) {
		if _, err := sheet.Date(v); err != nil {
			fail("%s: %v", sheet.Headers[sheet.ColBirth], err)
		}
	}
	in := domain.AwardInput{ProvinceID: t.province, Year: t.year, Status: domain.StatusProposed}
	number, date := row.Cell(sheet.ColDecisionNumber), row.Cell(sheet.ColDecisionDate)
	switch {
	case number != "" && date != "":
		d, err := sheet.Date(date)
		if err != nil {
			fail("%s: %v", sheet.Headers[sheet.ColDecisionDate], err)
		}
		in.Status, in.Decision = domain.StatusConferred, &domain.DecisionInput{Number: number, Date: d}
	case number != "" || date != "":
		fail("a decision needs both %s and %s", sheet.Headers[sheet.ColDecisionNumber], sheet.Headers[sheet.ColDecisionDate])
	}
	if !out.OK {
		return out
	}
	in.AwardTypeID = title.ID
	in.Recipient = &domain.RecipientInput{Kind: recipientKindOf(title), Name: name, Organization: &unit.Name}
	if v := row.Cell(sheet.ColPosition); v != "" {
		in.Recipient.Position = &v
	}
	on := min(domain.YearEnd(t.year), t.now.Format(domain.DateLayout))
	if in.Decision != nil {
		on = in.Decision.Date
	}
	in.Authority = domain.DefaultAuthority(title, unit.Kind, on)
	a, err := domain.CheckAward(t.ref, t.now, in, nil)
	if err != nil {
		fail("%s", rowMessage(err))
		return out
	}
	a.UnitID = unit.ID
	if err := domain.CheckInitiativeFor(a, t.register, "input.recipient.name"); err != nil {
		fail("%s", rowMessage(err))
		return out
	}
	key := titleKey(name, unit.ID, title.ID)
	if line, ok := t.seen[key]; ok {
		fail("the same person, unit and title as row %d", line)
		return out
	}
	if id, ok := t.stored[key]; ok {
		fail("already recorded for %d: award %s has the same person, unit and title", t.year, id)
		return out
	}
	t.seen[key] = row.Line
	out.Award = domain.NewAward(a, t.by, t.now)
	return out
}

// titleKey is what makes two year-end titles the same: the person (case
// and diacritics ignored), the unit and the title.
func titleKey(name, unitID, awardTypeID string) string {
	return vntext.Fold(name) + "|" + unitID + "|" + awardTypeID
}

// importedTitles are the titles of a province's year already stored with
// their unit, by titleKey (a rejected or revoked one does not count), so
// that importing a list again stores nothing twice.
func (s *Service) importedTitles(ctx context.Context, provinceID string, year int) (map[string]string, error) {
	f := domain.AwardFilter{ProvinceID: provinceID, Year: &year}
	list := func(p domain.PageArgs) (*domain.Page[domain.Award], error) {
		return s.Store.Awards(ctx, f, domain.Access{All: true}, p)
	}
	out := map[string]string{}
	err := domain.EachPage(list, func(items []domain.Award) (bool, error) {
		for i := range items {
			a := &items[i]
			if a.UnitID != "" && a.Status != domain.StatusRejected && a.Status != domain.StatusRevoked {
				out[titleKey(a.Recipient.Name, a.UnitID, a.AwardTypeID)] = a.ID
			}
		}
		return true, nil
	})
	return out, err
}

// rowMessage words a check's error for a row: the award's field names
// the column at fault.
func rowMessage(err error) string {
	var de *domain.Error
	if !errors.As(err, &de) {
		return err.Error()
	}
	col := map[string]string{
		"input.recipient.name": sheet.Headers[sheet.ColName], "input.recipient.position": sheet.Headers[sheet.ColPosition],
		"input.recipient.organization": sheet.Headers[sheet.ColUnit], "input.awardTypeId": sheet.Headers[sheet.ColTitle],
		"input.recipient.kind": sheet.Headers[sheet.ColTitle], "input.authority": sheet.Headers[sheet.ColTitle],
		"input.decision.number": sheet.Headers[sheet.ColDecisionNumber], "input.decision.date": sheet.Headers[sheet.ColDecisionDate],
	}[de.Field]
	if col == "" {
		col = strings.TrimPrefix(de.Field, "input.")
	}
	return col + ": " + de.Message
}

// recipientKindOf is the kind of recipient a title is for: collective
// when it is only for collectives, else individual.
func recipientKindOf(t *domain.AwardType) string {
	for _, k := range t.RecipientKinds {
		if k == "INDIVIDUAL" {
			return k
		}
	}
	if len(t.RecipientKinds) > 0 {
		return t.RecipientKinds[0]
	}
	return "INDIVIDUAL"
}
