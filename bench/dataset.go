package main

import (
	"context"
	"fmt"
	"math/rand/v2"

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
}

func provinceMovementID(p string) string { return seed.ID("bench-movement:" + p) }

// load writes the founding data, one movement per province, reports of the
// seven provinces in the 2022 review, and size awards.
func load(ctx context.Context, s *repository.Store, size int) (*dataset, error) {
	if err := s.EnsureIndexes(ctx); err != nil {
		return nil, err
	}
	if err := seed.Load(ctx, s); err != nil {
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
	batch := make([]domain.Award, 0, 1000)
	flush := func() error {
		if err := s.ImportAwards(ctx, batch); err != nil {
			return err
		}
		for _, a := range batch {
			if a.Status == "CONFERRED" && len(ds.awardIDs) < 5000 {
				ds.awardIDs = append(ds.awardIDs, a.ID)
			}
		}
		batch = batch[:0]
		return nil
	}
	for i := 0; i < size; i++ {
		p := ds.provinces[i%len(ds.provinces)]
		year := years[(i/len(ds.provinces))%len(years)]
		t := types[r.IntN(len(types))]
		a := domain.Award{Owner: p, ProvinceID: p, AwardTypeID: t.ID, Authority: t.Authorities[0], Year: year}
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
	return ds, nil
}

func ptr[T any](v T) *T { return &v }
