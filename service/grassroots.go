package service

import (
	"context"
	"fmt"

	"github.com/thidua/thidua/auth"
	"github.com/thidua/thidua/domain"
)

// GrassrootsStore is what the grassroots cycle needs of the database: the
// units, registrations and initiative register of each province, the
// awards' tallies by unit, and the all-or-none write of imported awards.
type GrassrootsStore interface {
	CreateUnit(ctx context.Context, u *domain.Unit) error
	UpdateUnit(ctx context.Context, id string, expected int, read, write domain.Access,
		change func(old *domain.Unit) (*domain.Unit, error)) (before, after *domain.Unit, err error)
	Unit(ctx context.Context, id string, read domain.Access) (*domain.Unit, error)
	UnitsByID(ctx context.Context, ids []string, read domain.Access) (map[string]*domain.Unit, error)
	Units(ctx context.Context, provinceID string, read domain.Access) ([]domain.Unit, error)

	CreateRegistration(ctx context.Context, r *domain.EmulationRegistration) error
	RegistrationOf(ctx context.Context, unitID string, year int, read domain.Access) (*domain.EmulationRegistration, error)
	UpdateRegistration(ctx context.Context, id string, expected int, read, write domain.Access,
		change func(old *domain.EmulationRegistration) (*domain.EmulationRegistration, error)) (before, after *domain.EmulationRegistration, err error)
	Registration(ctx context.Context, id string, read domain.Access) (*domain.EmulationRegistration, error)
	Registrations(ctx context.Context, f domain.RegistrationFilter, read domain.Access) ([]domain.EmulationRegistration, error)

	CreateInitiative(ctx context.Context, x *domain.Initiative) error
	UpdateInitiative(ctx context.Context, id string, expected int, read, write domain.Access,
		change func(old *domain.Initiative) (*domain.Initiative, error)) (before, after *domain.Initiative, err error)
	Initiative(ctx context.Context, id string, read domain.Access) (*domain.Initiative, error)
	Initiatives(ctx context.Context, f domain.InitiativeFilter, read domain.Access) ([]domain.Initiative, error)

	AwardTallies(ctx context.Context, provinceID string, year int) ([]domain.TitleTally, error)
	CreateAwards(ctx context.Context, list []*domain.Award) error
}

func (s *Service) grassroots() (GrassrootsStore, error) {
	g, ok := s.Store.(GrassrootsStore)
	if !ok {
		return nil, fmt.Errorf("the store keeps no units")
	}
	return g, nil
}

// namedUnit reads the unit an input's field names within the caller's
// access: nil when none is named or the unit is absent or hidden (the
// domain's check says which); a malformed id is the field's error.
func (s *Service) namedUnit(ctx context.Context, g GrassrootsStore, field string, id *string) (*domain.Unit, error) {
	if id == nil {
		return nil, nil
	}
	if err := domain.CheckID(field, *id); err != nil {
		return nil, err
	}
	return orNil(g.Unit(ctx, *id, readAccess(ctx)))
}

// maxUnitDepth bounds the walk up a unit's parents.
const maxUnitDepth = 32

// SaveUnit creates (id nil, expected 0) or replaces a unit (policy: admin
// of its province; moving one needs both).
func (s *Service) SaveUnit(ctx context.Context, id *string, in domain.UnitInput, expected int) (*domain.Unit, error) {
	if err := auth.Authorize(caller(ctx), auth.SaveUnit, in.ProvinceID); err != nil {
		return nil, err
	}
	g, err := s.grassroots()
	if err != nil {
		return nil, err
	}
	parent, err := s.namedUnit(ctx, g, "input.parentId", in.ParentID)
	if err != nil {
		return nil, err
	}
	var ancestors []string // only a unit replaced can end up under itself
	if id != nil && parent != nil && parent.ParentID != "" {
		// The parent's province's units in one read, not one per ancestor.
		list, err := g.Units(ctx, parent.ProvinceID, readAccess(ctx))
		if err != nil {
			return nil, err
		}
		byID := make(map[string]*domain.Unit, len(list))
		for i := range list {
			byID[list[i].ID] = &list[i]
		}
		for p := parent; p != nil && p.ParentID != "" && len(ancestors) < maxUnitDepth; p = byID[p.ParentID] {
			ancestors = append(ancestors, p.ParentID)
		}
	}
	self := ""
	if id != nil {
		self = *id
	}
	u, err := domain.CheckUnit(s.ref(), s.now(), in, self, parent, ancestors)
	if err != nil {
		return nil, err
	}
	if id == nil {
		if expected != 0 {
			return nil, domain.Invalid("expectedVersion", "a new unit is saved with expectedVersion 0")
		}
		if err := g.CreateUnit(ctx, u); err != nil {
			return nil, err
		}
		recordChange(ctx, u.ID, u.ProvinceID, nil, u, nil, intp(u.Version))
		s.publish(ctx, "unit", "CREATED", u)
		return u, nil
	}
	write, err := writeAccess(ctx, auth.SaveUnit)
	if err != nil {
		return nil, err
	}
	before, after, err := g.UpdateUnit(ctx, *id, expected, readAccess(ctx), write, func(old *domain.Unit) (*domain.Unit, error) {
		u.ID, u.Meta = old.ID, old.Meta
		return u, nil
	})
	if err != nil {
		return nil, err
	}
	recordChange(ctx, after.ID, after.ProvinceID, before, after, intp(before.Version), intp(after.Version))
	s.publish(ctx, "unit", "UPDATED", after)
	return after, nil
}

// Unit reads a unit; nil when absent.
func (s *Service) Unit(ctx context.Context, id string) (*domain.Unit, error) {
	g, err := s.grassroots()
	if err != nil {
		return nil, err
	}
	return orNil(g.Unit(ctx, id, readAccess(ctx)))
}

// UnitsByID reads units by id (loaders), in one query.
func (s *Service) UnitsByID(ctx context.Context, ids []string) (map[string]*domain.Unit, error) {
	g, err := s.grassroots()
	if err != nil {
		return nil, err
	}
	return g.UnitsByID(ctx, ids, readAccess(ctx))
}

// Units lists a province's units by name.
func (s *Service) Units(ctx context.Context, provinceID string) ([]domain.Unit, error) {
	g, err := s.grassroots()
	if err != nil {
		return nil, err
	}
	return g.Units(ctx, provinceID, readAccess(ctx))
}

// RegisterEmulation records a unit's registration for a year: expected 0
// creates it (CONFLICT when the unit has one for the year), else the
// stored one is replaced at that version (policy: editor of the unit's
// province).
func (s *Service) RegisterEmulation(ctx context.Context, in domain.RegistrationInput, expected int) (*domain.EmulationRegistration, error) {
	if caller(ctx) == nil {
		return nil, auth.Authorize(nil, auth.RegisterEmulation)
	}
	g, err := s.grassroots()
	if err != nil {
		return nil, err
	}
	unit, err := s.namedUnit(ctx, g, "input.unitId", &in.UnitID)
	if err != nil {
		return nil, err
	}
	if unit != nil {
		if err := auth.Authorize(caller(ctx), auth.RegisterEmulation, unit.ProvinceID); err != nil {
			return nil, err
		}
	}
	r, err := domain.CheckRegistration(s.ref(), s.now(), in, unit)
	if err != nil {
		return nil, err
	}
	if expected == 0 {
		if err := g.CreateRegistration(ctx, r); err != nil {
			return nil, err
		}
		recordChange(ctx, r.ID, r.ProvinceID, nil, r, nil, intp(r.Version))
		s.publish(ctx, "registration", "CREATED", r)
		return r, nil
	}
	stored, err := g.RegistrationOf(ctx, unit.ID, in.Year, readAccess(ctx))
	if err != nil {
		return nil, err
	}
	write, err := writeAccess(ctx, auth.RegisterEmulation)
	if err != nil {
		return nil, err
	}
	before, after, err := g.UpdateRegistration(ctx, stored.ID, expected, readAccess(ctx), write,
		func(old *domain.EmulationRegistration) (*domain.EmulationRegistration, error) {
			r.ID, r.Meta = old.ID, old.Meta
			return r, nil
		})
	if err != nil {
		return nil, err
	}
	recordChange(ctx, after.ID, after.ProvinceID, before, after, intp(before.Version), intp(after.Version))
	s.publish(ctx, "registration", "UPDATED", after)
	return after, nil
}

// Registration reads a registration the caller may see; nil otherwise.
func (s *Service) Registration(ctx context.Context, id string) (*domain.EmulationRegistration, error) {
	g, err := s.grassroots()
	if err != nil {
		return nil, err
	}
	return orNil(g.Registration(ctx, id, readAccess(ctx)))
}

// Registrations lists the registrations of a province the caller may see.
func (s *Service) Registrations(ctx context.Context, f domain.RegistrationFilter) ([]domain.EmulationRegistration, error) {
	g, err := s.grassroots()
	if err != nil {
		return nil, err
	}
	if f.UnitID != "" {
		if err := domain.CheckID("filter.unitId", f.UnitID); err != nil {
			return nil, err
		}
	}
	return g.Registrations(ctx, f, readAccess(ctx))
}

// EmulationReport lays a province's registrations for a year beside the
// awards proposed and conferred, per unit and title (policy: a viewer of
// the province: proposals are not public).
func (s *Service) EmulationReport(ctx context.Context, provinceID string, year int) ([]domain.ReportLine, error) {
	if err := auth.Authorize(caller(ctx), auth.ReadUnpublished, provinceID); err != nil {
		return nil, err
	}
	if _, err := domain.KnownProvince(s.ref(), "provinceId", provinceID); err != nil { // "" would read every province's
		return nil, err
	}
	g, err := s.grassroots()
	if err != nil {
		return nil, err
	}
	regs, err := g.Registrations(ctx, domain.RegistrationFilter{ProvinceID: provinceID, Year: &year}, readAccess(ctx))
	if err != nil {
		return nil, err
	}
	tallies, err := g.AwardTallies(ctx, provinceID, year)
	if err != nil {
		return nil, err
	}
	return domain.EmulationReport(regs, tallies), nil
}

// SaveInitiative creates (id nil, expected 0) or replaces an entry of the
// initiative register (policy: editor of its province; moving one needs
// both).
func (s *Service) SaveInitiative(ctx context.Context, id *string, in domain.InitiativeInput, expected int) (*domain.Initiative, error) {
	if err := auth.Authorize(caller(ctx), auth.SaveInitiative, in.ProvinceID); err != nil {
		return nil, err
	}
	g, err := s.grassroots()
	if err != nil {
		return nil, err
	}
	unit, err := s.namedUnit(ctx, g, "input.unitId", in.UnitID)
	if err != nil {
		return nil, err
	}
	x, err := domain.CheckInitiative(s.ref(), s.now(), in, unit)
	if err != nil {
		return nil, err
	}
	if id == nil {
		if expected != 0 {
			return nil, domain.Invalid("expectedVersion", "a new initiative is saved with expectedVersion 0")
		}
		if err := g.CreateInitiative(ctx, x); err != nil {
			return nil, err
		}
		recordChange(ctx, x.ID, x.ProvinceID, nil, x, nil, intp(x.Version))
		s.publish(ctx, "initiative", "CREATED", x)
		return x, nil
	}
	write, err := writeAccess(ctx, auth.SaveInitiative)
	if err != nil {
		return nil, err
	}
	before, after, err := g.UpdateInitiative(ctx, *id, expected, readAccess(ctx), write, func(old *domain.Initiative) (*domain.Initiative, error) {
		x.ID, x.Meta = old.ID, old.Meta
		return x, nil
	})
	if err != nil {
		return nil, err
	}
	recordChange(ctx, after.ID, after.ProvinceID, before, after, intp(before.Version), intp(after.Version))
	s.publish(ctx, "initiative", "UPDATED", after)
	return after, nil
}

// Initiative reads an initiative the caller may see; nil otherwise.
func (s *Service) Initiative(ctx context.Context, id string) (*domain.Initiative, error) {
	g, err := s.grassroots()
	if err != nil {
		return nil, err
	}
	return orNil(g.Initiative(ctx, id, readAccess(ctx)))
}

// Initiatives lists a province's initiatives the caller may see.
func (s *Service) Initiatives(ctx context.Context, f domain.InitiativeFilter) ([]domain.Initiative, error) {
	if err := domain.CheckSearch("filter.search", f.Search); err != nil {
		return nil, err
	}
	if f.UnitID != "" {
		if err := domain.CheckID("filter.unitId", f.UnitID); err != nil {
			return nil, err
		}
	}
	g, err := s.grassroots()
	if err != nil {
		return nil, err
	}
	return g.Initiatives(ctx, f, readAccess(ctx))
}

// initiativeRegister is a province's initiative register of a year, all
// of it whatever the caller may read: what an award or a dossier is
// checked against.
func initiativeRegister(ctx context.Context, g GrassrootsStore, provinceID string, year int) (domain.Register, error) {
	list, err := g.Initiatives(ctx, domain.InitiativeFilter{ProvinceID: provinceID, Year: &year}, domain.Access{All: true})
	return domain.NewRegister(list), err
}

// checkGrassroots completes an award's check with what the grassroots
// cycle adds: its unit (of its province) and, for Chiến sĩ thi đua cơ sở,
// a recognised initiative in the register.
func (s *Service) checkGrassroots(ctx context.Context, in domain.AwardInput, a *domain.Award) error {
	if in.UnitID == nil && a.AwardTypeID != domain.NeedsInitiative {
		return nil
	}
	g, err := s.grassroots()
	if err != nil {
		return err
	}
	if in.UnitID != nil {
		unit, err := s.unitOf(ctx, g, *in.UnitID, a.ProvinceID, a.ProvinceID)
		if err != nil {
			return err
		}
		a.UnitID = unit.ID
	}
	if a.AwardTypeID != domain.NeedsInitiative {
		return nil
	}
	register, err := initiativeRegister(ctx, g, a.ProvinceID, a.Year)
	if err != nil {
		return err
	}
	return domain.CheckInitiativeFor(a, register, "input.recipient.name")
}

// checkDossierInitiatives checks a dossier's proposals of Chiến sĩ thi đua
// cơ sở against the province's initiative register of the dossier's year.
func (s *Service) checkDossierInitiatives(ctx context.Context, d *domain.Dossier) error {
	if d.ProvinceID == "" || !domain.NeedsInitiatives(d) {
		return nil
	}
	g, err := s.grassroots()
	if err != nil {
		return err
	}
	register, err := initiativeRegister(ctx, g, d.ProvinceID, d.Year)
	if err != nil {
		return err
	}
	return domain.CheckDossierInitiatives(d, register)
}

// dossierUnit checks the proposing unit a dossier names (of its province)
// and sets it.
func (s *Service) dossierUnit(ctx context.Context, id *string, d *domain.Dossier) error {
	if id == nil {
		return nil
	}
	g, err := s.grassroots()
	if err != nil {
		return err
	}
	unit, err := s.unitOf(ctx, g, *id, d.ProvinceID, "to the dossier's province")
	if err != nil {
		return err
	}
	d.UnitID = unit.ID
	return nil
}

// unitOf reads the unit input.unitId names within the caller's access and
// checks it is one of province's (named so in the refusal).
func (s *Service) unitOf(ctx context.Context, g GrassrootsStore, id, province, named string) (*domain.Unit, error) {
	unit, err := s.namedUnit(ctx, g, "input.unitId", &id)
	switch {
	case err != nil:
		return nil, err
	case unit == nil:
		return nil, domain.Invalid("input.unitId", "unknown unit %q", id)
	case unit.ProvinceID != province:
		return nil, domain.Invalid("input.unitId", "the unit belongs to %s, not %s", unit.ProvinceID, named)
	}
	return unit, nil
}
