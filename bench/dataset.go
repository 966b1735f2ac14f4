package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/thidua/thidua/domain"
	"github.com/thidua/thidua/repository"
	"github.com/thidua/thidua/seed"
)

// The synthetic data set: deterministic (a fixed seed), 7 provinces × 5
// years, with the founding data underneath. Names are Vietnamese, with
// diacritics, so that search does real folding.

var (
	familyNames = []string{"Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Lò", "Hà", "Nông", "Lường", "Vàng", "Sùng"}
	middleNames = []string{"Văn", "Thị", "Đức", "Minh", "Thu", "Xuân", "Ngọc", "Quốc"}
	givenNames  = []string{"An", "Bình", "Cường", "Dung", "Giang", "Hải", "Hương", "Lan", "Mai", "Nam", "Phúc", "Quang", "Sơn", "Thảo", "Tuấn", "Yến"}
	units       = []string{"UBND xã", "Trường THCS", "Trạm Y tế xã", "Hợp tác xã", "Đồn Biên phòng", "Hội Nông dân xã"}
	places      = []string{"Tân Thanh", "Đồng Đăng", "Mường Khương", "Nà Phặc", "Sìn Hồ", "Quảng Hòa", "Mường Nhé", "Bắc Quang"}
	years       = []int{2020, 2021, 2022, 2023, 2024}
)

// dataset describes what was generated, for the operations to use.
type dataset struct {
	size      int
	awardIDs  []string // conferred (published) awards, for point reads
	reviewID  string
	provinces []string
	// dossiers is how many dossiers were stored for the dossier list
	// (size/awardsPerDossier, at most maxDossiers); vetted are the ids of the lang-son dossiers of
	// decisionRecipients recipients, VETTED, each decided once by decision50.
	dossiers int
	vetted   []string
	// proposed are lang-son PROPOSED awards (updateAward by its editor);
	// moving are lang-son SUBMITTED dossiers (returned and submitted
	// again by its vetter and editor); files are the stored attachments
	// of attachmentBytes each, all of lang-son dossiers.
	proposed []string
	moving   []string
	files    []string
}

const (
	maxDossiers = 10000 // dossiers stored at most, whatever the awards
	// awardsPerDossier: one dossier per ten awards (a dossier proposes
	// several recipients), so the awards' targets keep measuring the data
	// sets they were set for: 1,000 dossiers at 10k awards, 10,000 at 100k.
	awardsPerDossier   = 10
	dossierRecipients  = 5       // recipients of each listed dossier
	decisionRecipients = 50      // recipients of each dossier decided
	decisionDossiers   = 10      // vetted dossiers decided: 1 warm-up + decisionRuns
	attachments        = 11      // files stored (55 MB), each downloaded by download
	attachmentBytes    = 5 << 20 // 5 MB each
	poolSize           = 1000    // awards updated, dossiers moved, at most
)

func provinceMovementID(p string) string { return seed.ID("bench-movement:" + p) }

// load writes the founding data, one movement per province, reports of the
// seven provinces in the 2022 review, and size awards.
func load(ctx context.Context, s *repository.Store, size int) (*dataset, error) {
	// As the service makes a new database: indexes, the founding data,
	// then every migration (recorded, run on the founding data alone), so
	// that the data set is what this code writes and the service's start
	// is a restart, not an upgrade that migrates 100,000 awards.
	if _, err := seed.PrepareData(ctx, s); err != nil {
		return nil, err
	}
	if err := s.Migrate(ctx, seed.Migrations()...); err != nil {
		return nil, err
	}
	r := rand.New(rand.NewPCG(2022, uint64(size)))
	ds := &dataset{size: size, provinces: seed.ClusterMembers, reviewID: seed.ID("review:2022-07-20")}
	var movementIDs []string
	for _, m := range seed.Movements {
		movementIDs = append(movementIDs, seed.ID("movement:"+m.Title))
	}
	for _, p := range ds.provinces {
		start := 2020
		m := &domain.Movement{ID: provinceMovementID(p), Owner: p, Published: true, Scope: "PROVINCE", Kind: "ANNUAL",
			ProvinceID: p, Title: "Thi đua yêu nước " + p, StartYear: &start}
		if err := s.CreateMovement(ctx, m); err != nil {
			return nil, err
		}
		vals := []domain.IndicatorValue{
			{IndicatorID: "grdp-growth", Value: 5 + r.Float64()*4},
			{IndicatorID: "new-jobs", Value: float64(2000 + r.IntN(3000))},
			{IndicatorID: "new-enterprises", Value: float64(100 + r.IntN(100))},
			{IndicatorID: "new-rural-communes", Value: float64(30 + r.IntN(20)), Total: ptr(float64(120 + r.IntN(40)))},
		}
		if _, _, err := s.SubmitReport(ctx, seed.ID("review:2022-07-20"), p, vals, "bench", nil, nil); err != nil {
			return nil, err
		}
	}
	types := seed.AwardTypes
	batch := make([]*domain.Award, 0, 1000)
	flush := func() error {
		if err := s.CreateAwards(ctx, batch); err != nil {
			return err
		}
		for _, a := range batch {
			if a.Status == "CONFERRED" && len(ds.awardIDs) < 5000 {
				ds.awardIDs = append(ds.awardIDs, a.ID)
			}
			if a.Status == "PROPOSED" && a.ProvinceID == "lang-son" && len(ds.proposed) < poolSize {
				ds.proposed = append(ds.proposed, a.ID)
			}
		}
		batch = batch[:0]
		return nil
	}
	for i := 0; i < size; i++ {
		p := ds.provinces[i%len(ds.provinces)]
		year := years[(i/len(ds.provinces))%len(years)]
		t := types[r.IntN(len(types))]
		a := &domain.Award{Owner: p, ProvinceID: p, AwardTypeID: t.ID, Authority: t.Authorities[0], Year: year}
		if len(t.Classes) > 0 {
			a.Class = t.Classes[r.IntN(len(t.Classes))]
		}
		kind := t.RecipientKinds[r.IntN(len(t.RecipientKinds))]
		a.Recipient = domain.Recipient{Kind: kind}
		switch kind {
		case "INDIVIDUAL":
			a.Recipient.Name = familyNames[r.IntN(len(familyNames))] + " " + middleNames[r.IntN(len(middleNames))] + " " + givenNames[r.IntN(len(givenNames))]
			a.Recipient.Position = "Chuyên viên"
			a.Recipient.Organization = units[r.IntN(len(units))] + " " + places[r.IntN(len(places))]
		case "COLLECTIVE":
			a.Recipient.Name = units[r.IntN(len(units))] + " " + places[r.IntN(len(places))]
		default:
			a.Recipient.Name = "Hộ ông " + familyNames[r.IntN(len(familyNames))] + " Văn " + givenNames[r.IntN(len(givenNames))]
		}
		switch x := r.IntN(20); {
		case x < 15:
			a.Status = "CONFERRED"
			a.Decision = &domain.Decision{Number: fmt.Sprintf("%d/QĐ", 100+r.IntN(3000)), Date: fmt.Sprintf("%d-%02d-%02d", year, 1+r.IntN(12), 1+r.IntN(28))}
		case x < 19:
			a.Status = "PROPOSED"
		default:
			a.Status = "REJECTED"
			a.RejectionReason = "Chưa đủ tiêu chuẩn"
		}
		a.LegalBasis = "Luật Thi đua, Khen thưởng năm 2003"
		if year >= 2024 {
			a.LegalBasis = "Luật Thi đua, khen thưởng số 06/2022/QH15"
		}
		if r.IntN(2) == 0 {
			mid := movementIDs[r.IntN(len(movementIDs))]
			if r.IntN(2) == 0 {
				mid = provinceMovementID(p)
			}
			a.MovementID = mid
		}
		a.Published = a.Status == "CONFERRED" || a.Status == "REVOKED" // decisions are public
		batch = append(batch, a)
		if len(batch) == cap(batch) {
			if err := flush(); err != nil {
				return nil, err
			}
		}
	}
	if err := flush(); err != nil {
		return nil, err
	}
	if err := loadDossiers(ctx, s, r, ds); err != nil {
		return nil, err
	}
	if err := loadFiles(ctx, s, r, ds); err != nil {
		return nil, err
	}
	return ds, nil
}

// loadFiles stores attachments PDFs of attachmentBytes, attached to
// lang-son dossiers, through the repository (as attachFile stores them).
func loadFiles(ctx context.Context, s *repository.Store, r *rand.Rand, ds *dataset) error {
	data := make([]byte, attachmentBytes)
	for i := range attachments {
		copy(data, "%PDF-1.4\n")
		for j := 9; j < len(data); j++ {
			data[j] = byte('a' + r.IntN(26))
		}
		a := &domain.Attachment{Name: fmt.Sprintf("bien-ban-%d.pdf", i), Owner: "lang-son", ParentKind: domain.ParentDossier,
			ParentID: ds.vetted[i%len(ds.vetted)], ContentType: "application/pdf", UploadedBy: "bench"}
		if err := s.PutFile(ctx, a, data); err != nil {
			return fmt.Errorf("attachment %d: %w", i, err)
		}
		ds.files = append(ds.files, a.ID)
	}
	return nil
}

var dossierStatuses = []string{domain.DossierDraft, domain.DossierSubmitted, domain.DossierReturned, domain.DossierVetted, domain.DossierRejected}

// loadDossiers stores size/awardsPerDossier (at most maxDossiers) dossiers of dossierRecipients
// recipients each, spread over the provinces, years and statuses (none
// DECIDED: those carry a decision), through the repository one by one; then
// decisionDossiers VETTED dossiers of lang-son with decisionRecipients
// individuals each, for recordDecision.
func loadDossiers(ctx context.Context, s *repository.Store, r *rand.Rand, ds *dataset) error {
	ds.dossiers = min(ds.size/awardsPerDossier, maxDossiers)
	types := []string{"bang-khen-chu-tich-tinh", "tap-the-lao-dong-xuat-sac"}
	at := time.Date(2026, 11, 2, 8, 0, 0, 0, time.UTC)
	for i := 0; i < ds.dossiers; i++ {
		p := ds.provinces[i%len(ds.provinces)]
		year := years[(i/len(ds.provinces))%len(years)]
		d := &domain.Dossier{Owner: p, ProvinceID: p, Kind: domain.KindRegular, Authority: "PROVINCE_CHAIR", Year: year,
			Title:         fmt.Sprintf("Đề nghị tặng Bằng khen của Chủ tịch UBND tỉnh năm %d (đợt %d)", year, i),
			ProposingUnit: units[r.IntN(len(units))] + " " + places[r.IntN(len(places))],
			Letter:        &domain.Decision{Number: fmt.Sprintf("%d/TTr-SNV", 100+i), Date: fmt.Sprintf("%d-11-02", year)},
			Status:        dossierStatuses[r.IntN(len(dossierStatuses))]}
		d.History = []domain.DossierEvent{{Status: domain.DossierDraft, At: at, By: "bench"}}
		if d.Status != domain.DossierDraft {
			d.History = append(d.History, domain.DossierEvent{Status: d.Status, At: at, By: "bench"})
		}
		for j := 0; j < dossierRecipients; j++ {
			t := types[r.IntN(len(types))]
			rc := domain.Recipient{Kind: "INDIVIDUAL", Name: familyNames[r.IntN(len(familyNames))] + " " + middleNames[r.IntN(len(middleNames))] + " " + givenNames[r.IntN(len(givenNames))],
				Position: "Chuyên viên", Organization: d.ProposingUnit}
			if t == "tap-the-lao-dong-xuat-sac" {
				rc = domain.Recipient{Kind: "COLLECTIVE", Name: units[r.IntN(len(units))] + " " + places[r.IntN(len(places))]}
			}
			d.Recipients = append(d.Recipients, domain.DossierRecipient{ProvinceID: p, Recipient: rc, AwardTypeID: t,
				Achievement: fmt.Sprintf("Hoàn thành xuất sắc nhiệm vụ năm %d", year)})
		}
		if err := s.CreateDossier(ctx, d); err != nil {
			return fmt.Errorf("dossier %d: %w", i, err)
		}
		if p == "lang-son" && d.Status == domain.DossierSubmitted && len(ds.moving) < poolSize {
			ds.moving = append(ds.moving, d.ID)
		}
	}
	for i := 0; i < decisionDossiers; i++ {
		d := &domain.Dossier{Owner: "lang-son", ProvinceID: "lang-son", Kind: domain.KindRegular, Authority: "PROVINCE_CHAIR", Year: 2025,
			Title:         fmt.Sprintf("Đề nghị tặng Bằng khen của Chủ tịch UBND tỉnh năm 2025 (%d người)", decisionRecipients),
			ProposingUnit: "Sở Nội vụ tỉnh Lạng Sơn",
			Letter:        &domain.Decision{Number: fmt.Sprintf("%d/TTr-SNV", 900+i), Date: "2026-11-02"},
			Status:        domain.DossierVetted,
			History: []domain.DossierEvent{{Status: domain.DossierDraft, At: at, By: "bench"}, {Status: domain.DossierSubmitted, At: at, By: "bench"},
				{Status: domain.DossierVetted, At: at, By: "bench"}}}
		for j := 0; j < decisionRecipients; j++ {
			d.Recipients = append(d.Recipients, domain.DossierRecipient{ProvinceID: "lang-son", AwardTypeID: "bang-khen-chu-tich-tinh",
				Recipient: domain.Recipient{Kind: "INDIVIDUAL", Name: fmt.Sprintf("%s %s %s %d-%d", familyNames[r.IntN(len(familyNames))],
					middleNames[r.IntN(len(middleNames))], givenNames[r.IntN(len(givenNames))], i, j),
					Position: "Chuyên viên", Organization: "Sở Nội vụ tỉnh Lạng Sơn"},
				Achievement: "Hoàn thành xuất sắc nhiệm vụ năm 2025"})
		}
		if err := s.CreateDossier(ctx, d); err != nil {
			return fmt.Errorf("vetted dossier %d: %w", i, err)
		}
		ds.vetted = append(ds.vetted, d.ID)
	}
	return nil
}

func ptr[T any](v T) *T { return &v }
