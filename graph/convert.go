package graph

import (
	"strings"
	"sync"

	"context"

	"github.com/thidua/thidua/auth"
	"github.com/thidua/thidua/catalog"
	"github.com/thidua/thidua/domain"
	"github.com/thidua/thidua/graph/model"
)

// Conversions between domain records and API models.

func str(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func datep(d *model.Date) *string {
	if d == nil {
		return nil
	}
	s := string(*d)
	return &s
}

func intp(v int) *int { return &v }

func strs[T ~string](in []T) []string {
	out := make([]string, len(in))
	for i, v := range in {
		out[i] = string(v)
	}
	return out
}

func enums[T ~string](in []string) []T {
	out := make([]T, len(in))
	for i, v := range in {
		out[i] = T(v)
	}
	return out
}

func toProvince(p *domain.Province) *model.Province {
	if p == nil {
		return nil
	}
	out := &model.Province{
		ID: p.ID, Name: p.Name, IsoCode: p.ISOCode,
		ValidFrom: model.Date(p.ValidFrom).Ptr(), ValidTo: model.Date(p.ValidTo).Ptr(),
		SuccessorID: p.SuccessorID, PredecessorIDs: p.PredecessorIDs, AdministrativeCentre: str(p.AdministrativeCentre),
		Version: p.Version, CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt,
	}
	for _, c := range p.StatisticsCodes {
		out.StatisticsCodes = append(out.StatisticsCodes, &model.StatisticsCode{
			Code: c.Code, From: model.Date(c.From).Ptr(), To: model.Date(c.To).Ptr()})
	}
	return out
}

func toAwardType(t *domain.AwardType) *model.AwardType {
	if t == nil {
		return nil
	}
	out := &model.AwardType{ID: t.ID, Name: t.Name, Form: model.AwardForm(t.Form),
		Classes: enums[model.AwardClass](t.Classes), Authorities: enums[model.Authority](t.Authorities),
		RecipientKinds: enums[model.RecipientKind](t.RecipientKinds), AuthorityRules: []*model.AuthorityRule{},
		ValidFrom: model.Date(t.ValidFrom).Ptr(), ValidTo: model.Date(t.ValidTo).Ptr(), LegalBasis: str(t.LegalBasis),
		Order: t.Order, Version: t.Version, RewardCoefficients: toRewardCoefficients(t.RewardCoefficients)}
	for _, r := range t.AuthorityRules {
		out.AuthorityRules = append(out.AuthorityRules, &model.AuthorityRule{Authority: model.Authority(r.Authority),
			From: model.Date(r.From).Ptr(), To: model.Date(r.To).Ptr(), Basis: str(r.Basis), Unconfirmed: r.Unconfirmed})
	}
	return out
}

func toIndicator(i *domain.Indicator) *model.Indicator {
	if i == nil {
		return nil
	}
	return &model.Indicator{ID: i.ID, Name: i.Name, Unit: i.Unit, Aggregation: model.Aggregation(i.Aggregation),
		Order: i.Order, ValidFrom: model.Date(i.ValidFrom).Ptr(), ValidTo: model.Date(i.ValidTo).Ptr(), Version: i.Version}
}

func toMovement(m *domain.Movement) *model.Movement {
	if m == nil {
		return nil
	}
	return &model.Movement{
		ID: m.ID, Title: m.Title, Scope: model.MovementScope(m.Scope), Kind: model.MovementKind(m.Kind),
		ProvinceID: m.ProvinceID, LaunchedBy: str(m.LaunchedBy), StartYear: m.StartYear, EndYear: m.EndYear,
		Description: str(m.Description), Published: m.Published,
		Version: m.Version, CreatedAt: m.CreatedAt, UpdatedAt: m.UpdatedAt,
	}
}

func toAward(a *domain.Award) *model.Award {
	if a == nil {
		return nil
	}
	out := &model.Award{
		ID: a.ID, ProvinceID: a.ProvinceID, AwardTypeID: a.AwardTypeID,
		Authority: model.Authority(a.Authority),
		Recipient: toRecipient(a.Recipient),
		Year:      a.Year, Status: model.AwardStatus(a.Status), Citation: str(a.Citation), MovementID: a.MovementID,
		RejectionReason: str(a.RejectionReason), LegalBasis: a.LegalBasis, Decision: toDecision(a.Decision),
		DecisionID: a.DecisionID, DossierID: a.DossierID, HonoreeID: a.HonoreeID, UnitID: a.UnitID,
		CommendationKind: enumPtr[model.DossierKind](a.CommendationKind), Class: enumPtr[model.AwardClass](a.Class),
		Version: a.Version, CreatedAt: a.CreatedAt, UpdatedAt: a.UpdatedAt,
	}
	out.History = make([]*model.AwardEvent, 0, len(a.History))
	for _, e := range a.History {
		out.History = append(out.History, &model.AwardEvent{Status: model.AwardStatus(e.Status), At: e.At,
			By: str(e.By), Reason: str(e.Reason), Decision: toDecision(e.Decision)})
	}
	if a.Revocation != nil {
		out.Revocation = &model.Revocation{Reason: a.Revocation.Reason, Decision: toDecision(&a.Revocation.Decision),
			At: a.Revocation.At, By: str(a.Revocation.By)}
	}
	return out
}

// award converts an award with its province and award type from the
// catalogue.
func (r *Resolver) award(a *domain.Award) *model.Award {
	out := toAward(a)
	if out != nil {
		refs := r.refModels(r.Catalog.Get())
		out.Province, out.AwardType = refs.province(a.ProvinceID), refs.awardType(a.AwardTypeID)
	}
	return out
}

// refModels are a catalogue snapshot's provinces and award types as
// models, each converted once and then shared, read only, by every record
// that refers to it: a page of 50 awards, or of dossiers with 700
// recipients, would otherwise convert the same few records once a row.
type refModels struct {
	snap       *catalog.Snapshot
	provinces  sync.Map // id → *model.Province
	awardTypes sync.Map // id → *model.AwardType
}

// refModels are the models of snap (the last snapshot's are kept).
func (r *Resolver) refModels(snap *catalog.Snapshot) *refModels {
	if m := r.refs.Load(); m != nil && m.snap == snap {
		return m
	}
	m := &refModels{snap: snap}
	r.refs.Store(m)
	return m
}

func (m *refModels) province(id string) *model.Province {
	return memo(&m.provinces, id, func() *model.Province { return toProvince(m.snap.Province(id)) })
}

func (m *refModels) awardType(id string) *model.AwardType {
	return memo(&m.awardTypes, id, func() *model.AwardType { return toAwardType(m.snap.AwardType(id)) })
}

// memo is the value of id in cache, made by conv on the first call (nil is
// not kept).
func memo[T any](cache *sync.Map, id string, conv func() *T) *T {
	if v, ok := cache.Load(id); ok {
		return v.(*T)
	}
	v := conv()
	if v != nil {
		cache.Store(id, v)
	}
	return v
}

func toDecision(d *domain.Decision) *model.Decision {
	if d == nil {
		return nil
	}
	return &model.Decision{Number: d.Number, Date: model.Date(d.Date)}
}

func toFigure(f *domain.Figure) *model.Figure {
	if f == nil {
		return nil
	}
	return &model.Figure{Min: f.Min, Max: f.Max, Value: f.Value, Total: f.Total, Ratio: f.Ratio, Text: f.Text}
}

func toReview(r *domain.PeriodReview, ref domain.Reference) *model.PeriodReview {
	if r == nil {
		return nil
	}
	out := &model.PeriodReview{
		ID: r.ID, Kind: model.ReviewKind(r.Kind), Year: r.Year, Period: str(r.Period),
		PeriodStart: model.Date(r.PeriodStart).Ptr(), PeriodEnd: model.Date(r.PeriodEnd).Ptr(),
		Date: model.Date(r.Date), HostProvinceID: r.HostProvinceID, Location: str(r.Location),
		Theme: str(r.Theme), Published: r.Published, MovementIDs: r.MovementIDs, Review: r,
		ReportedFigures: []*model.ReportedFigure{}, ReportedAwardTallies: []*model.ReportedAwardTally{},
		Version: r.Version, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt,
	}
	for _, f := range r.ReportedFigures {
		out.ReportedFigures = append(out.ReportedFigures, toReportedFigure(&f, ref))
	}
	for _, t := range r.ReportedAwardTallies {
		out.ReportedAwardTallies = append(out.ReportedAwardTallies, &model.ReportedAwardTally{Count: t.Count,
			Note: str(t.Note), AwardTypeIDs: t.AwardTypeIDs, Authorities: enums[model.Authority](t.Authorities),
			Review: r, Tally: t})
	}
	return out
}

func toReportedFigure(f *domain.ReportedFigure, ref domain.Reference) *model.ReportedFigure {
	if f == nil {
		return nil
	}
	return &model.ReportedFigure{IndicatorID: f.IndicatorID, Qualifier: model.FigureQualifier(f.Qualifier),
		Note: str(f.Note), Figure: toFigure(domain.ReportedAsFigure(ref.Indicator(f.IndicatorID), *f))}
}

func toReport(r *domain.ProvinceReport) *model.ProvinceReport {
	out := &model.ProvinceReport{ProvinceID: r.ProvinceID, SubmittedBy: str(r.SubmittedBy),
		Values: []*model.IndicatorValue{}, Version: r.Version, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
	for _, v := range r.Values {
		out.Values = append(out.Values, &model.IndicatorValue{IndicatorID: v.IndicatorID, Value: v.Value, Total: v.Total})
	}
	return out
}

func toCluster(c *domain.Cluster) *model.Cluster {
	out := &model.Cluster{ID: c.ID, Name: c.Name, Version: c.Version, Years: []*model.ClusterYear{}}
	for _, y := range c.Years {
		out.Years = append(out.Years, &model.ClusterYear{Year: y.Year, MemberIDs: y.Members, ChairID: y.Chair, DeputyID: y.Deputy})
	}
	return out
}

func toVote(v *domain.Vote) *model.Vote {
	if v == nil {
		return nil
	}
	out := &model.Vote{ReviewID: v.ID, Status: model.VoteStatus(v.Status), SelfVoteAllowed: v.SelfVoteAllowed,
		Secret: v.Secret, SelfScoring: v.SelfScoring, CrossScoring: v.CrossScoring, Majority: v.Majority,
		VoterIDs: v.Voters, LeaderID: v.LeaderID, TiedIDs: v.Tied, Version: v.Version, Criteria: []*model.Criterion{}}
	for _, c := range v.Criteria {
		out.Criteria = append(out.Criteria, &model.Criterion{Name: c.Name, Weight: c.Weight, MaxPoints: c.MaxPoints})
	}
	if v.Status == domain.VoteClosed {
		out.Tally = toVoteCounts(v.Tally)
	}
	toVoteRounds(v, out)
	return out
}

// toVoteRounds fills in a vote's rounds, score-table items, second-round
// rule and flag.
func toVoteRounds(v *domain.Vote, out *model.Vote) {
	out.Round, out.BonusCap, out.FlagAwardTypeID = v.Round, v.BonusCap, v.FlagAwardTypeID
	out.SecondRound, out.SecondRoundMajority = model.SecondRoundRule(v.SecondRound), v.SecondRoundMajority
	out.Rounds = make([]*model.VoteRound, len(v.Rounds))
	for i, r := range v.Rounds {
		mr := &model.VoteRound{Number: r.Number, CandidateIDs: r.Candidates, Closed: r.Closed, LeaderID: r.LeaderID, TiedIDs: r.Tied}
		if r.Closed {
			mr.Tally = toVoteCounts(r.Tally)
		}
		out.Rounds[i] = mr
	}
	if n := len(v.Rounds); n > 0 {
		out.CandidateIDs = v.Rounds[n-1].Candidates
	}
	items := func(in []domain.PointItem) []*model.PointItem {
		list := make([]*model.PointItem, len(in))
		for i, it := range in {
			list[i] = &model.PointItem{Name: it.Name, MaxPoints: it.MaxPoints}
		}
		return list
	}
	out.BonusItems, out.PenaltyItems = items(v.BonusItems), items(v.PenaltyItems)
}

func toVoteCounts(in []domain.VoteCount) []*model.VoteCount {
	out := make([]*model.VoteCount, len(in))
	for i, c := range in {
		out[i] = &model.VoteCount{ProvinceID: c.ProvinceID, Votes: c.Votes, ScoreTotal: c.ScoreTotal,
			Base: c.Base, Bonus: c.Bonus, Penalty: c.Penalty}
	}
	return out
}

func toBallot(b *domain.Ballot) *model.Ballot {
	out := &model.Ballot{ProvinceID: b.ProvinceID, Round: b.Round, LeaderID: b.LeaderID, Version: b.Version, UpdatedAt: b.UpdatedAt, Scores: []*model.Score{}}
	for _, s := range b.Scores {
		out.Scores = append(out.Scores, &model.Score{ProvinceID: s.ProvinceID, Criterion: s.Criterion, Score: s.Score})
	}
	return out
}

func toAuditEntry(e *domain.AuditEntry) *model.AuditEntry {
	out := &model.AuditEntry{
		ID: e.ID, At: e.At, Subject: str(e.Subject), Name: str(e.Name), Scope: str(e.Scope),
		Operation: e.Operation, RecordType: e.RecordType, RecordID: str(e.RecordID), ProvinceID: e.ProvinceID,
		Outcome: model.AuditOutcome(e.Outcome), Reason: str(e.Reason), VersionBefore: e.VersionBefore,
		VersionAfter: e.VersionAfter, RequestID: str(e.RequestID), Changes: []*model.FieldChange{},
	}
	out.Role = enumPtr[model.Role](strings.ToUpper(e.Role))
	for _, c := range e.Changes {
		out.Changes = append(out.Changes, &model.FieldChange{Field: c.Field, Old: str(c.Old), New: str(c.New)})
	}
	return out
}

// toRole is a role as the API names it (VIEWER for "viewer").
func toRole(r auth.Role) model.Role { return model.Role(strings.ToUpper(r.String())) }

func pageArgs(first *int, after *string) domain.PageArgs {
	return domain.PageArgs{First: first, After: after}
}

func pageInfo[D any](p *domain.Page[D]) *model.PageInfo {
	pi := &model.PageInfo{HasNextPage: p.HasNext, HasPreviousPage: p.HasPrev}
	if n := len(p.Cursors); n > 0 {
		pi.StartCursor, pi.EndCursor = &p.Cursors[0], &p.Cursors[n-1]
	}
	return pi
}

// edges converts a page of records to connection edges.
func edges[D, M, E any](p *domain.Page[D], conv func(*D) *M, edge func(cursor string, node *M) *E) []*E {
	out := make([]*E, len(p.Items))
	for i := range p.Items {
		out[i] = edge(p.Cursors[i], conv(&p.Items[i]))
	}
	return out
}

// counter is a connection's totalCount, called only when selected.
func counter[D any](p *domain.Page[D]) func(context.Context) (int, error) { return p.Count }

func (r *Resolver) province(id string) *model.Province {
	if id == "" {
		return nil
	}
	return toProvince(r.Catalog.Get().Province(id))
}

func (r *Resolver) provinces(ids []string) []*model.Province {
	snap := r.Catalog.Get()
	out := make([]*model.Province, 0, len(ids))
	for _, id := range ids {
		if p := snap.Province(id); p != nil {
			out = append(out, toProvince(p))
		}
	}
	return out
}

// Inputs to commands.

func awardInput(in model.AwardInput) domain.AwardInput {
	out := domain.AwardInput{ProvinceID: in.ProvinceID, AwardTypeID: in.AwardTypeID, Authority: string(in.Authority),
		Year: in.Year, Status: string(in.Status), MovementID: in.MovementID, Citation: in.Citation, RejectionReason: in.RejectionReason,
		UnitID: in.UnitID}
	out.Class = optStr(in.Class)
	out.Recipient = recipientInput(in.Recipient)
	out.Decision = decisionInput(in.Decision)
	out.HonoreeID = in.HonoreeID
	return out
}

// recipientInput, decisionInput, toRecipient and optStr are the
// conversions awards and dossiers share.

func recipientInput(in *model.RecipientInput) *domain.RecipientInput {
	if in == nil {
		return nil
	}
	return &domain.RecipientInput{Kind: string(in.Kind), Name: in.Name, Position: in.Position, Organization: in.Organization}
}

func decisionInput(in *model.DecisionInput) *domain.DecisionInput {
	if in == nil {
		return nil
	}
	return &domain.DecisionInput{Number: in.Number, Date: string(in.Date)}
}

func toRecipient(r domain.Recipient) *model.Recipient {
	return &model.Recipient{Kind: model.RecipientKind(r.Kind), Name: r.Name, Position: str(r.Position), Organization: str(r.Organization)}
}

// optStr is an optional enum value as the domain takes it.
func optStr[T ~string](p *T) *string {
	if p == nil {
		return nil
	}
	s := string(*p)
	return &s
}

func awardFilter(in *model.AwardFilter) domain.AwardFilter {
	if in == nil {
		return domain.AwardFilter{}
	}
	f := domain.AwardFilter{ProvinceID: deref(in.ProvinceID), Year: in.Year, AwardTypeID: deref(in.AwardTypeID),
		MovementID: deref(in.MovementID), RecipientName: deref(in.RecipientName), Search: deref(in.Search),
		HonoreeID: deref(in.HonoreeID), DecisionID: deref(in.DecisionID)}
	if in.Status != nil {
		f.Status = string(*in.Status)
	}
	if in.Authority != nil {
		f.Authority = string(*in.Authority)
	}
	if in.RecipientKind != nil {
		f.RecipientKind = string(*in.RecipientKind)
	}
	return f
}

func movementInput(in model.MovementInput) domain.MovementInput {
	return domain.MovementInput{Title: in.Title, Scope: string(in.Scope), Kind: string(in.Kind), ProvinceID: in.ProvinceID,
		LaunchedBy: in.LaunchedBy, StartYear: in.StartYear, EndYear: in.EndYear, Description: in.Description, Published: in.Published}
}

func reviewInput(in model.PeriodReviewInput) domain.PeriodReviewInput {
	out := domain.PeriodReviewInput{Kind: string(in.Kind), Year: in.Year, Period: in.Period,
		PeriodStart: datep(in.PeriodStart), PeriodEnd: datep(in.PeriodEnd), Date: string(in.Date),
		HostProvinceID: in.HostProvinceID, Location: in.Location, Theme: in.Theme, MovementIDs: in.MovementIds,
		Published: in.Published}
	for _, f := range in.ReportedFigures {
		rf := domain.ReportedFigureInput{IndicatorID: f.IndicatorID, Min: f.Min, Max: f.Max, Value: f.Value,
			Total: f.Total, Ratio: f.Ratio, Note: f.Note}
		if f.Qualifier != nil {
			q := string(*f.Qualifier)
			rf.Qualifier = &q
		}
		out.ReportedFigures = append(out.ReportedFigures, rf)
	}
	for _, t := range in.ReportedAwardTallies {
		out.ReportedAwardTallies = append(out.ReportedAwardTallies, domain.ReportedAwardTallyInput{
			Authorities: strs(t.Authorities), AwardTypeIDs: t.AwardTypeIds, Count: t.Count, Note: t.Note})
	}
	return out
}

// enumPtr is an optional enum value: nil for "".
func enumPtr[T ~string](s string) *T {
	if s == "" {
		return nil
	}
	v := T(s)
	return &v
}

// voteSettingsIn reads a vote's score-table items, second-round rule and
// flag from its settings input.
func voteSettingsIn(settings model.VoteSettingsInput, in *domain.VoteSettingsInput) {
	items := func(list []*model.PointItemInput) []domain.PointItemInput {
		out := make([]domain.PointItemInput, len(list))
		for i, it := range list {
			out[i] = domain.PointItemInput{Name: it.Name, MaxPoints: it.MaxPoints}
		}
		return out
	}
	in.BonusItems, in.PenaltyItems, in.BonusCap = items(settings.BonusItems), items(settings.PenaltyItems), settings.BonusCap
	in.SecondRound, in.SecondRoundMajority, in.FlagAwardTypeID = optStr(settings.SecondRound), settings.SecondRoundMajority, settings.FlagAwardTypeID
}
