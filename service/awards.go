package service

import (
	"context"
	"sort"

	"github.com/thidua/thidua/auth"
	"github.com/thidua/thidua/domain"
)

// checkAward checks an award input, reading the movement it names within
// the caller's access.
func (s *Service) checkAward(ctx context.Context, in domain.AwardInput) (*domain.Award, error) {
	movement, err := s.namedMovement(ctx, in.MovementID)
	if err != nil {
		return nil, err
	}
	a, err := domain.CheckAward(s.ref(), s.now(), in, movement)
	if err != nil {
		return nil, err
	}
	if err := s.linkHonoree(ctx, a, in); err != nil {
		return nil, err
	}
	if err := s.checkGrassroots(ctx, in, a); err != nil {
		return nil, err
	}
	if err := s.holdMovement(ctx, a.MovementID); err != nil {
		return nil, err
	}
	return a, nil
}

// namedMovement reads the movement an input names within the caller's
// access: nil when none is named, the id is malformed, or the movement is
// absent or hidden (the domain's check says which).
func (s *Service) namedMovement(ctx context.Context, id *string) (*domain.Movement, error) {
	if id == nil || domain.CheckID("input.movementId", *id) != nil {
		return nil, nil
	}
	return orNil(s.Store.Movement(ctx, *id, readAccess(ctx)))
}

// CreateAward records a new award (policy: editor of its province).
func (s *Service) CreateAward(ctx context.Context, in domain.AwardInput) (*domain.Award, error) {
	if err := auth.Authorize(caller(ctx), auth.CreateAward, in.ProvinceID); err != nil {
		return nil, err
	}
	a, err := s.checkAward(ctx, in)
	if err != nil {
		return nil, err
	}
	domain.NewAward(a, subject(ctx), s.now())
	if err := s.Store.CreateAward(ctx, a); err != nil {
		return nil, err
	}
	recordChange(ctx, a.ID, a.ProvinceID, nil, a, nil, intp(a.Version))
	s.publish(ctx, "award", "CREATED", a)
	return a, nil
}

// UpdateAward replaces an award at the expected version (policy: editor of
// the stored award's province and of the new one; for an award a decision
// record conferred, decider of the deciding level too).
func (s *Service) UpdateAward(ctx context.Context, id string, in domain.AwardInput, expected int) (*domain.Award, error) {
	write, err := writeAccess(ctx, auth.UpdateAward)
	if err != nil {
		return nil, err
	}
	if err := domain.CheckID("id", id); err != nil {
		return nil, err
	}
	if err := auth.Authorize(caller(ctx), auth.UpdateAward, in.ProvinceID); err != nil {
		return nil, s.fileRefusal(ctx, "award", id, err)
	}
	next, err := s.checkAward(ctx, in)
	if err != nil {
		return nil, err
	}
	before, after, err := s.Store.UpdateAward(ctx, id, expected, readAccess(ctx), write, func(old *domain.Award) (*domain.Award, error) {
		if err := s.authorizeDecided(ctx, auth.UpdateDecidedAward, old); err != nil {
			return nil, err
		}
		return domain.UpdateAward(old, next, subject(ctx), s.now())
	})
	if err != nil {
		return nil, s.fileRefusal(ctx, "award", id, err)
	}
	recordChange(ctx, id, after.ProvinceID, before, after, intp(before.Version), intp(after.Version))
	s.publish(ctx, "award", "UPDATED", after)
	return after, nil
}

// RevokeAward revokes a conferred award by a later decision (policy: editor
// of its province; for an award a decision record conferred, decider of the
// deciding level too).
func (s *Service) RevokeAward(ctx context.Context, id string, expected int, in domain.RevocationInput) (*domain.Award, error) {
	write, err := writeAccess(ctx, auth.RevokeAward)
	if err != nil {
		return nil, err
	}
	if err := domain.CheckID("id", id); err != nil {
		return nil, err
	}
	before, after, err := s.Store.UpdateAward(ctx, id, expected, readAccess(ctx), write, func(old *domain.Award) (*domain.Award, error) {
		if err := s.authorizeDecided(ctx, auth.RevokeDecidedAward, old); err != nil {
			return nil, err
		}
		return domain.Revoke(s.ref(), s.now(), old, in, subject(ctx))
	})
	if err != nil {
		return nil, s.fileRefusal(ctx, "award", id, err)
	}
	recordChange(ctx, id, after.ProvinceID, before, after, intp(before.Version), intp(after.Version))
	s.publish(ctx, "award", "UPDATED", after)
	return after, nil
}

// DeleteAward deletes a proposal or rejection entered by mistake (policy:
// editor of its province).
func (s *Service) DeleteAward(ctx context.Context, id string, expected int) error {
	write, err := writeAccess(ctx, auth.DeleteAward)
	if err != nil {
		return err
	}
	if err := domain.CheckID("id", id); err != nil {
		return err
	}
	before, err := s.Store.DeleteAward(ctx, id, expected, readAccess(ctx), write, domain.CanDelete)
	if err != nil {
		return s.fileRefusal(ctx, "award", id, err)
	}
	recordChange(ctx, id, before.ProvinceID, before, nil, intp(before.Version), nil)
	s.publish(ctx, "award", "DELETED", before)
	return nil
}

// Award reads an award the caller may see; nil when absent or hidden.
func (s *Service) Award(ctx context.Context, id string) (*domain.Award, error) {
	return orNil(s.Store.Award(ctx, id, readAccess(ctx))) // a malformed id names nothing
}

// Awards lists the awards the caller may see, newest year first.
func (s *Service) Awards(ctx context.Context, f domain.AwardFilter, p domain.PageArgs) (*domain.Page[domain.Award], error) {
	if err := domain.CheckAwardFilter(f); err != nil {
		return nil, err
	}
	if err := checkPage(p); err != nil {
		return nil, err
	}
	if hidden, err := s.hiddenMovement(ctx, f.MovementID); err != nil || hidden {
		// A movement the caller may not see matches nothing, so a filter
		// cannot confirm that it exists.
		return &domain.Page[domain.Award]{Count: func(context.Context) (int, error) { return 0, nil }, HasPrev: p.After != nil && *p.After != ""}, err
	}
	return s.Store.Awards(ctx, f, readAccess(ctx), p)
}

// hiddenMovement reports whether a filter names a movement the caller may
// not see (or that does not exist).
func (s *Service) hiddenMovement(ctx context.Context, id string) (bool, error) {
	if id == "" {
		return false, nil
	}
	_, err := s.Store.Movement(ctx, id, readAccess(ctx))
	if domain.ErrorCode(err) == domain.CodeNotFound {
		return true, nil
	}
	return false, err
}

// Tally is a group of an award tally.
type Tally = domain.TallyRow

// AwardTallies counts the awards the caller may see (conferred ones unless
// the filter names a status) grouped by the given fields (domain.Tally*);
// "form" groups by award type and then folds types into their form.
func (s *Service) AwardTallies(ctx context.Context, f domain.AwardFilter, by []string) ([]domain.TallyRow, error) {
	if len(by) == 0 {
		return nil, domain.Invalid("by", "name at least one dimension")
	}
	if err := domain.CheckAwardFilter(f); err != nil {
		return nil, err
	}
	if f.Status == "" {
		f.Status = domain.StatusConferred
	}
	if hidden, err := s.hiddenMovement(ctx, f.MovementID); err != nil || hidden {
		return []domain.TallyRow{}, err
	}
	return s.Store.AwardTally(ctx, f, readAccess(ctx), by)
}

// DerivedCount is a reported tally's count derived from the awards
// conferred to the members in the review's period; nil when there is
// nothing to derive from.
func (s *Service) DerivedCount(ctx context.Context, review *domain.PeriodReview, t domain.ReportedAwardTally) (*int, error) {
	count, recorded, ok := domain.TallyFilters(s.ref(), review, t)
	if !ok {
		return nil, nil
	}
	all, err := s.Store.CountConferred(ctx, recorded)
	if err != nil || all == 0 {
		return nil, err
	}
	n, err := s.Store.CountConferred(ctx, count)
	if err != nil {
		return nil, err
	}
	return domain.DerivedCount(n, all), nil
}

func orNil[T any](v *T, err error) (*T, error) {
	if domain.ErrorCode(err) == domain.CodeNotFound {
		return nil, nil
	}
	return v, err
}

func checkPage(p domain.PageArgs) error {
	if p.First != nil && (*p.First < 0 || *p.First > domain.MaxPageSize) {
		return domain.Invalid("first", "must be between 0 and %d", domain.MaxPageSize)
	}
	return nil
}

func sortedCopy(ids []string) []string {
	out := append([]string(nil), ids...)
	sort.Strings(out)
	return out
}

// authorizeDecided asks, for an award a decision record conferred, that the
// caller hold the action's role at the level that decided it — the decision
// record's owner (a province's editor does not change what the Prime
// Minister decided, nor a province's decider what the cluster decided).
func (s *Service) authorizeDecided(ctx context.Context, a auth.Action, old *domain.Award) error {
	if old.DecisionID == "" {
		return nil
	}
	level := domain.ScopeAll // the narrowest, if the record cannot be read
	if ds, err := s.dossiers(); err == nil {
		dec, err := ds.Decision(ctx, old.DecisionID, domain.Access{All: true})
		switch {
		case err == nil:
			level = dec.Owner
		case domain.ErrorCode(err) != domain.CodeNotFound:
			return err
		}
	}
	return auth.Authorize(caller(ctx), a, level)
}
