package service

import (
	"context"
	"fmt"

	"github.com/thidua/thidua/auth"
	"github.com/thidua/thidua/domain"
)

// DossierStore is what the dossier commands need of the database beyond
// Store (the repository implements it).
type DossierStore interface {
	CreateDossier(ctx context.Context, d *domain.Dossier) error
	Dossier(ctx context.Context, id string, read domain.Access) (*domain.Dossier, error)
	Dossiers(ctx context.Context, f domain.DossierFilter, read domain.Access, p domain.PageArgs) (*domain.Page[domain.Dossier], error)
	UpdateDossier(ctx context.Context, id string, expected int, read, write domain.Access,
		change func(old *domain.Dossier) (*domain.Dossier, error)) (before, after *domain.Dossier, err error)
	DeleteDossier(ctx context.Context, id string, expected int, read, write domain.Access,
		guard func(old *domain.Dossier) error) (*domain.Dossier, error)
	// RecordDecision writes a decision, its awards and the decided dossier
	// whole or not at all (repository.Store.RecordDecision).
	RecordDecision(ctx context.Context, dossierID string, expected int, read, write domain.Access,
		decide func(d *domain.Dossier) (*domain.DecisionRecord, []*domain.Award, error),
		link func(d *domain.Dossier, dec *domain.DecisionRecord, awards []*domain.Award) (*domain.Dossier, error),
	) (before, after *domain.Dossier, dec *domain.DecisionRecord, awards []*domain.Award, err error)
	Decision(ctx context.Context, id string, read domain.Access) (*domain.DecisionRecord, error)
	Decisions(ctx context.Context, f domain.DecisionFilter, read domain.Access, p domain.PageArgs) (*domain.Page[domain.DecisionRecord], error)

	CreateHonoree(ctx context.Context, h *domain.Honoree) error
	Honoree(ctx context.Context, id string, read domain.Access) (*domain.Honoree, error)
	HonoreesByID(ctx context.Context, ids []string, read domain.Access) (map[string]*domain.Honoree, error)
	Honorees(ctx context.Context, f domain.HonoreeFilter, read domain.Access, p domain.PageArgs) (*domain.Page[domain.Honoree], error)
	UpdateHonoree(ctx context.Context, id string, expected int, read, write domain.Access,
		change func(old *domain.Honoree) (*domain.Honoree, error)) (before, after *domain.Honoree, err error)
	AwardsOfHonorees(ctx context.Context, ids []string) (map[string][]domain.Award, error)
}

func (s *Service) dossiers() (DossierStore, error) {
	ds, ok := s.Store.(DossierStore)
	if !ok {
		return nil, fmt.Errorf("the store keeps no dossiers")
	}
	return ds, nil
}

// prerequisites are the eligibility rules in force (Service.Prerequisites,
// or the law's default table).
func (s *Service) prerequisites() []domain.Prerequisite {
	if s.Prerequisites != nil {
		return s.Prerequisites
	}
	return domain.DefaultPrerequisites
}

// checkDossier checks a dossier input, reading the movement and honorees
// it names within the caller's access.
func (s *Service) checkDossier(ctx context.Context, ds DossierStore, in domain.DossierInput) (*domain.Dossier, error) {
	movement, err := s.namedMovement(ctx, in.MovementID)
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, r := range in.Recipients {
		if r.HonoreeID != nil {
			ids = append(ids, *r.HonoreeID)
		}
	}
	honorees, err := ds.HonoreesByID(ctx, ids, readAccess(ctx))
	if err != nil {
		return nil, err
	}
	d, err := domain.CheckDossier(s.ref(), s.now(), in, movement, honorees)
	if err != nil {
		return nil, err
	}
	return d, s.dossierUnit(ctx, in.UnitID, d)
}

// CreateDossier starts a draft dossier (policy: editor of its province, or
// of "*" for the cluster's).
func (s *Service) CreateDossier(ctx context.Context, in domain.DossierInput) (*domain.Dossier, error) {
	if err := auth.Authorize(caller(ctx), auth.CreateDossier, in.OwnerScope()); err != nil {
		return nil, err
	}
	ds, err := s.dossiers()
	if err != nil {
		return nil, err
	}
	d, err := s.checkDossier(ctx, ds, in)
	if err != nil {
		return nil, err
	}
	domain.NewDossier(d, subject(ctx), s.now())
	if err := ds.CreateDossier(ctx, d); err != nil {
		return nil, err
	}
	recordChange(ctx, d.ID, d.ProvinceID, nil, d, nil, intp(d.Version))
	s.publish(ctx, "dossier", "CREATED", d)
	return d, nil
}

// UpdateDossier replaces a draft or returned dossier (policy: editor of
// its owner).
func (s *Service) UpdateDossier(ctx context.Context, id string, in domain.DossierInput, expected int) (*domain.Dossier, error) {
	write, err := writeAccess(ctx, auth.UpdateDossier)
	if err != nil {
		return nil, err
	}
	ds, err := s.dossiers()
	if err != nil {
		return nil, err
	}
	// The new owner's permission is asked once the stored dossier is known
	// to be visible: a dossier is never public, so a caller who cannot see
	// it is told it does not exist, whatever it sends.
	next, checkErr := s.checkDossier(ctx, ds, in)
	before, after, err := ds.UpdateDossier(ctx, id, expected, readAccess(ctx), write, func(old *domain.Dossier) (*domain.Dossier, error) {
		if err := auth.Authorize(caller(ctx), auth.UpdateDossier, in.OwnerScope()); err != nil {
			return nil, err
		}
		if checkErr != nil {
			return nil, checkErr
		}
		return domain.EditDossier(old, next)
	})
	if err != nil {
		return nil, s.fileRefusal(ctx, "dossier", id, err)
	}
	return s.dossierChanged(ctx, before, after), nil
}

// DeleteDossier deletes a draft never submitted (policy: editor of its
// owner).
func (s *Service) DeleteDossier(ctx context.Context, id string, expected int) error {
	write, err := writeAccess(ctx, auth.DeleteDossier)
	if err != nil {
		return err
	}
	ds, err := s.dossiers()
	if err != nil {
		return err
	}
	before, err := ds.DeleteDossier(ctx, id, expected, readAccess(ctx), write, domain.CanDeleteDossier)
	if err != nil {
		return s.fileRefusal(ctx, "dossier", id, err)
	}
	recordChange(ctx, id, before.ProvinceID, before, nil, intp(before.Version), nil)
	s.publish(ctx, "dossier", "DELETED", before)
	// Its files go with it, whatever the client does now (files a failure
	// here leaves are swept at the next start: Store.SweepFiles).
	if fs, ferr := s.files(); ferr == nil {
		if _, err := fs.DeleteFilesOf(context.WithoutCancel(ctx), domain.ParentDossier, id); err != nil {
			return fmt.Errorf("dossier %s deleted, its files not: %w", id, err)
		}
	}
	return nil
}

func (s *Service) dossierChanged(ctx context.Context, before, after *domain.Dossier) *domain.Dossier {
	recordChange(ctx, after.ID, after.ProvinceID, before, after, intp(before.Version), intp(after.Version))
	s.publish(ctx, "dossier", "UPDATED", after)
	return after
}

// SubmitDossier sends a draft (or returned) dossier to the level it is
// addressed to (policy: editor of its owner), after checking its letter,
// its recipients and each one's eligibility; it records the warnings the
// office should see (the same achievement proposed twice, or for two forms;
// discipline or an investigation pending).
func (s *Service) SubmitDossier(ctx context.Context, id string, expected int) (*domain.Dossier, error) {
	write, err := writeAccess(ctx, auth.SubmitDossier)
	if err != nil {
		return nil, err
	}
	ds, err := s.dossiers()
	if err != nil {
		return nil, err
	}
	// The history the rules consult, read before the write's lock (a
	// dossier's honorees and their awards change rarely).
	cur, err := ds.Dossier(ctx, id, readAccess(ctx))
	if err != nil {
		return nil, s.fileRefusal(ctx, "dossier", id, err)
	}
	history, others, err := s.precedents(ctx, ds, cur)
	if err != nil {
		return nil, err
	}
	honorees, err := ds.HonoreesByID(ctx, honoreeIDs(cur), domain.Access{All: true})
	if err != nil {
		return nil, err
	}
	if err := s.checkClusterFlag(ctx, cur); err != nil {
		return nil, s.fileRefusal(ctx, "dossier", id, err)
	}
	if err := s.checkDossierInitiatives(ctx, cur); err != nil {
		return nil, s.fileRefusal(ctx, "dossier", id, err)
	}
	before, after, err := ds.UpdateDossier(ctx, id, expected, readAccess(ctx), write, func(old *domain.Dossier) (*domain.Dossier, error) {
		if old.Version != cur.Version {
			// Its recipients changed since their history was read.
			return nil, domain.Conflict("dossier %s changed while it was submitted; submit it again", id)
		}
		if err := domain.CheckNotice(s.ref(), s.route(), old); err != nil {
			return nil, err
		}
		warnings, err := domain.CheckSubmission(s.ref(), s.prerequisites(), old, history, others)
		if err != nil {
			return nil, err
		}
		d, err := domain.Move(old, domain.DossierSubmitted, nil, subject(ctx), s.now())
		if err != nil {
			return nil, err
		}
		d.Warnings = append(warnings, domain.ProceedingsWarnings(d, honorees)...)
		return d, nil
	})
	if err != nil {
		return nil, s.fileRefusal(ctx, "dossier", id, err)
	}
	return s.dossierChanged(ctx, before, after), nil
}

// precedents are what a submission is checked against: the awards of the
// dossier's honorees, and the other proposals of the same recipients for
// the same year (other dossiers of the province that are not rejected, and
// awards on record).
func (s *Service) precedents(ctx context.Context, ds DossierStore, d *domain.Dossier) (map[string][]domain.Award, []domain.Proposal, error) {
	history, err := ds.AwardsOfHonorees(ctx, honoreeIDs(d))
	if err != nil {
		return nil, nil, err
	}
	var others []domain.Proposal
	for _, list := range history {
		for _, a := range list {
			if a.Status == domain.StatusRejected || a.Status == domain.StatusRevoked {
				continue
			}
			others = append(others, domain.Proposal{DossierID: a.DossierID, HonoreeID: a.HonoreeID, ProvinceID: a.ProvinceID,
				Recipient: a.Recipient, AwardTypeID: a.AwardTypeID, Year: a.Year, Achievement: a.Citation, Where: "award " + a.ID})
		}
	}
	// Other dossiers of the owner for the year, every page (all access: a
	// duplicate is a duplicate whoever filed it; only its id is shown).
	year := d.Year
	f := domain.DossierFilter{ProvinceID: d.ProvinceID, Year: &year}
	list := func(p domain.PageArgs) (*domain.Page[domain.Dossier], error) {
		return ds.Dossiers(ctx, f, domain.Access{All: true}, p)
	}
	err = domain.EachPage(list, func(items []domain.Dossier) (bool, error) {
		for _, o := range items {
			if o.ID == d.ID || o.Status == domain.DossierRejected || o.Status == domain.DossierDecided {
				continue // a decided dossier's awards are on record above
			}
			for _, r := range o.Recipients {
				others = append(others, domain.Proposal{DossierID: o.ID, HonoreeID: r.HonoreeID, ProvinceID: r.ProvinceID,
					Recipient: r.Recipient, AwardTypeID: r.AwardTypeID, Year: o.Year, Achievement: r.Achievement, Where: "dossier " + o.ID})
			}
		}
		return true, nil
	})
	return history, others, err
}

// moveDossier is a vetting or deciding level's move: the caller needs the
// action's role at the dossier's level (domain.Level), checked on the
// stored dossier.
func (s *Service) moveDossier(ctx context.Context, a auth.Action, id string, expected int, status string, reasons []string) (*domain.Dossier, error) {
	return s.changeDossier(ctx, a, id, expected, func(old *domain.Dossier) (*domain.Dossier, error) {
		if err := auth.Authorize(caller(ctx), a, old.Level()); err != nil {
			return nil, err
		}
		return domain.Move(old, status, reasons, subject(ctx), s.now())
	})
}

// changeDossier replaces the stored dossier id by change's result (which
// authorizes the caller on the stored dossier), with the write access of
// action a; a refusal is filed, a change published.
func (s *Service) changeDossier(ctx context.Context, a auth.Action, id string, expected int, change func(old *domain.Dossier) (*domain.Dossier, error)) (*domain.Dossier, error) {
	write, err := writeAccess(ctx, a)
	if err != nil {
		return nil, err
	}
	ds, err := s.dossiers()
	if err != nil {
		return nil, err
	}
	before, after, err := ds.UpdateDossier(ctx, id, expected, readAccess(ctx), write, change)
	if err != nil {
		return nil, s.fileRefusal(ctx, "dossier", id, err)
	}
	return s.dossierChanged(ctx, before, after), nil
}

// route is the dossier route's data (Service.Route, or the default).
func (s *Service) route() domain.RouteRules {
	if s.Route != nil {
		return *s.Route
	}
	return domain.DefaultRouteRules
}

// ForwardDossier sends a province-vetted dossier for a central authority to
// the central level with the provincial chair's submission letter (policy:
// decider of its province, checked on the stored dossier).
func (s *Service) ForwardDossier(ctx context.Context, id string, expected int, letter domain.DecisionInput) (*domain.Dossier, error) {
	return s.changeDossier(ctx, auth.ForwardDossier, id, expected, func(old *domain.Dossier) (*domain.Dossier, error) {
		if err := auth.Authorize(caller(ctx), auth.ForwardDossier, old.Owner); err != nil {
			return nil, err
		}
		return domain.Forward(s.now(), old, letter, subject(ctx))
	})
}

// ReturnDossier sends a dossier back to its province's editors with the
// reasons: a submitted one, a vetted one waiting for the chair, or a
// forwarded one from the central level (policy: vetter of its level).
func (s *Service) ReturnDossier(ctx context.Context, id string, expected int, reasons []string) (*domain.Dossier, error) {
	return s.moveDossier(ctx, auth.ReturnDossier, id, expected, domain.DossierReturned, reasons)
}

// VetDossier passes a submitted dossier on to the decision, or to the
// chair's forwarding, or a forwarded one on to the central decision
// (policy: vetter of its level).
func (s *Service) VetDossier(ctx context.Context, id string, expected int, note *string) (*domain.Dossier, error) {
	var reasons []string
	if note != nil {
		reasons = []string{*note}
	}
	return s.moveDossier(ctx, auth.VetDossier, id, expected, domain.DossierVetted, reasons)
}

// RejectDossier closes a vetted dossier without a decision (policy:
// decider of its level).
func (s *Service) RejectDossier(ctx context.Context, id string, expected int, reasons []string) (*domain.Dossier, error) {
	return s.moveDossier(ctx, auth.RejectDossier, id, expected, domain.DossierRejected, reasons)
}

// RecordDecision records the decision on a vetted dossier: the decision,
// one conferred award per recipient pointing to it and the dossier, and
// the dossier as decided — whole or not at all (policy: decider of the
// dossier's level).
func (s *Service) RecordDecision(ctx context.Context, in domain.DecisionRecordInput, expected int) (*domain.DecisionRecord, error) {
	write, err := writeAccess(ctx, auth.RecordDecision)
	if err != nil {
		return nil, err
	}
	ds, err := s.dossiers()
	if err != nil {
		return nil, err
	}
	by, now := subject(ctx), s.now()
	before, after, dec, awards, err := ds.RecordDecision(ctx, in.DossierID, expected, readAccess(ctx), write,
		func(d *domain.Dossier) (*domain.DecisionRecord, []*domain.Award, error) {
			if err := auth.Authorize(caller(ctx), auth.RecordDecision, d.Level()); err != nil {
				return nil, nil, err
			}
			return domain.DecideWith(s.ref(), s.route(), now, d, in, by)
		},
		func(d *domain.Dossier, dec *domain.DecisionRecord, awards []*domain.Award) (*domain.Dossier, error) {
			return domain.Link(d, dec, awards, by, now)
		})
	if err != nil {
		return nil, s.fileRefusal(ctx, "dossier", in.DossierID, err)
	}
	// The audit entry names the decision; its awards and the dossier's
	// change are in it.
	recordChange(ctx, dec.ID, dec.ProvinceID, nil, map[string]any{"decision": dec, "dossier": after, "awards": awards},
		nil, intp(dec.Version))
	s.publish(ctx, "dossier", "UPDATED", after)
	for _, a := range awards {
		s.publish(ctx, "award", "CREATED", a)
	}
	_ = before
	return dec, nil
}

// Dossier reads a dossier the caller may see (its owner's or its level's
// viewers); nil when absent or hidden.
func (s *Service) Dossier(ctx context.Context, id string) (*domain.Dossier, error) {
	ds, err := s.dossiers()
	if err != nil {
		return nil, err
	}
	return orNil(ds.Dossier(ctx, id, readAccess(ctx)))
}

// Dossiers lists the dossiers the caller may see, newest year first.
func (s *Service) Dossiers(ctx context.Context, f domain.DossierFilter, p domain.PageArgs) (*domain.Page[domain.Dossier], error) {
	if err := checkPage(p); err != nil {
		return nil, err
	}
	if err := domain.CheckSearch("filter.search", f.Search); err != nil {
		return nil, err
	}
	ds, err := s.dossiers()
	if err != nil {
		return nil, err
	}
	return ds.Dossiers(ctx, f, readAccess(ctx), p)
}

// Decision reads a decision (decisions are public); nil when absent.
func (s *Service) Decision(ctx context.Context, id string) (*domain.DecisionRecord, error) {
	ds, err := s.dossiers()
	if err != nil {
		return nil, err
	}
	return orNil(ds.Decision(ctx, id, readAccess(ctx)))
}

// Decisions lists decisions, latest first.
func (s *Service) Decisions(ctx context.Context, f domain.DecisionFilter, p domain.PageArgs) (*domain.Page[domain.DecisionRecord], error) {
	if err := checkPage(p); err != nil {
		return nil, err
	}
	ds, err := s.dossiers()
	if err != nil {
		return nil, err
	}
	return ds.Decisions(ctx, f, readAccess(ctx), p)
}

// SaveHonoree creates (expected 0) or replaces an honoree (policy: editor
// of its province; moving one needs both).
func (s *Service) SaveHonoree(ctx context.Context, id *string, in domain.HonoreeInput, expected int) (*domain.Honoree, error) {
	if err := auth.Authorize(caller(ctx), auth.SaveHonoree, in.ProvinceID); err != nil {
		return nil, err
	}
	ds, err := s.dossiers()
	if err != nil {
		return nil, err
	}
	h, err := domain.CheckHonoree(s.ref(), s.now(), in)
	if err != nil {
		return nil, err
	}
	if id == nil {
		if expected != 0 {
			return nil, domain.Invalid("expectedVersion", "a new honoree is saved with expectedVersion 0")
		}
		if err := ds.CreateHonoree(ctx, h); err != nil {
			return nil, err
		}
		recordChange(ctx, h.ID, h.ProvinceID, nil, h, nil, intp(h.Version))
		return h, nil
	}
	write, err := writeAccess(ctx, auth.SaveHonoree)
	if err != nil {
		return nil, err
	}
	before, after, err := ds.UpdateHonoree(ctx, *id, expected, readAccess(ctx), write, func(old *domain.Honoree) (*domain.Honoree, error) {
		h.ID, h.Meta = old.ID, old.Meta
		return h, nil
	})
	if err != nil {
		return nil, err
	}
	recordChange(ctx, after.ID, after.ProvinceID, before, after, intp(before.Version), intp(after.Version))
	return after, nil
}

// Honoree reads an honoree the caller may see; nil when absent or hidden.
func (s *Service) Honoree(ctx context.Context, id string) (*domain.Honoree, error) {
	ds, err := s.dossiers()
	if err != nil {
		return nil, err
	}
	return orNil(ds.Honoree(ctx, id, readAccess(ctx)))
}

// Honorees lists the honorees the caller may see, by name.
func (s *Service) Honorees(ctx context.Context, f domain.HonoreeFilter, p domain.PageArgs) (*domain.Page[domain.Honoree], error) {
	if err := checkPage(p); err != nil {
		return nil, err
	}
	if err := domain.CheckSearch("filter.search", f.Search); err != nil {
		return nil, err
	}
	ds, err := s.dossiers()
	if err != nil {
		return nil, err
	}
	return ds.Honorees(ctx, f, readAccess(ctx), p)
}

// Batch reads for the API's loaders (one query per batch on MongoDB).
type batchStore interface {
	AwardsByID(ctx context.Context, ids []string, read domain.Access) (map[string]*domain.Award, error)
	DossiersByID(ctx context.Context, ids []string, read domain.Access) (map[string]*domain.Dossier, error)
	DecisionsByID(ctx context.Context, ids []string, read domain.Access) (map[string]*domain.DecisionRecord, error)
}

func (s *Service) batch() (batchStore, error) {
	b, ok := s.Store.(batchStore)
	if !ok {
		return nil, fmt.Errorf("the store reads no batches")
	}
	return b, nil
}

// AwardsByID reads the awards the caller may see, keyed by id.
func (s *Service) AwardsByID(ctx context.Context, ids []string) (map[string]*domain.Award, error) {
	b, err := s.batch()
	if err != nil {
		return nil, err
	}
	return b.AwardsByID(ctx, ids, readAccess(ctx))
}

// DossiersByID reads the dossiers the caller may see, keyed by id.
func (s *Service) DossiersByID(ctx context.Context, ids []string) (map[string]*domain.Dossier, error) {
	b, err := s.batch()
	if err != nil {
		return nil, err
	}
	return b.DossiersByID(ctx, ids, readAccess(ctx))
}

// DecisionsByID reads decisions, keyed by id.
func (s *Service) DecisionsByID(ctx context.Context, ids []string) (map[string]*domain.DecisionRecord, error) {
	b, err := s.batch()
	if err != nil {
		return nil, err
	}
	return b.DecisionsByID(ctx, ids, readAccess(ctx))
}

// HonoreesByID reads the honorees the caller may see, keyed by id.
func (s *Service) HonoreesByID(ctx context.Context, ids []string) (map[string]*domain.Honoree, error) {
	ds, err := s.dossiers()
	if err != nil {
		return nil, err
	}
	return ds.HonoreesByID(ctx, ids, readAccess(ctx))
}
