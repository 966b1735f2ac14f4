// Package seed holds the founding data of thidua: the provinces of the
// northern mountainous border cluster (with the 2025 mergers), the award-type
// and indicator catalogues, the movements named in the Nhân Dân article of
// 20 July 2022, and the mid-year review it reports, with its figures as
// reported. Nothing here is invented: where the sources give no value
// (per-province figures, start years), there is none.
package seed

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/thidua/thidua/domain"
	"github.com/thidua/thidua/repository"
)

// PrepareData readies a database for this code at start: its indexes and
// the founding data if it has none; the service then runs the migrations
// itself, with a copy of the embedded data to put back if one fails
// (upgrade.go). Several processes may run it at once on one database
// (replicas starting together): each step is idempotent and tolerates
// another process doing the same at the same moment. It reports whether
// it loaded the founding data (another process may have loaded it too).
func PrepareData(ctx context.Context, s *repository.Store) (loaded bool, err error) {
	if err := s.EnsureIndexes(ctx); err != nil {
		return false, err
	}
	done, err := Loaded(ctx, s)
	if err != nil {
		return false, err
	}
	if !done {
		if err := Load(ctx, s); err != nil {
			return false, fmt.Errorf("founding data: %w", err)
		}
	}
	return !done, nil
}

// Loaded reports whether the database already holds the founding data.
// Provinces are written last, so their presence means a finished load.
func Loaded(ctx context.Context, s *repository.Store) (bool, error) {
	ps, err := s.Provinces(ctx)
	return len(ps) > 0, err
}

// Load writes the founding data. It is idempotent: records have fixed ids,
// and ones already present are kept, so an interrupted load can be re-run,
// and two processes may run it at once (a record the other stored first,
// the same, counts as stored: repository's put, keep).
func Load(ctx context.Context, s *repository.Store) error {
	for i := range AwardTypes {
		t := AwardTypes[i]
		t.Order = i + 1
		if err := s.PutAwardType(ctx, &t); err != nil {
			return fmt.Errorf("award type %s: %w", t.ID, err)
		}
	}
	if err := loadLawPeriods(ctx, s); err != nil {
		return err
	}
	if err := LoadBaseSalaries(ctx, s); err != nil {
		return err
	}
	for i := range Indicators {
		ind := Indicators[i]
		ind.Order = i + 1
		if err := s.PutIndicator(ctx, &ind); err != nil {
			return fmt.Errorf("indicator %s: %w", ind.ID, err)
		}
	}
	for i := range Movements {
		m := Movements[i]
		m.ID = ID("movement:" + m.Title)
		if err := keep(s.CreateMovement(ctx, &m)); err != nil {
			return fmt.Errorf("movement %q: %w", m.Title, err)
		}
	}
	r := Review2022MidYear
	r.ID = ID("review:2022-07-20")
	r.MovementIDs = ReviewMovementIDs()
	if err := keep(s.CreatePeriodReview(ctx, &r)); err != nil {
		return fmt.Errorf("review: %w", err)
	}
	c := Cluster
	if err := s.PutCluster(ctx, &c); err != nil {
		return fmt.Errorf("cluster: %w", err)
	}
	for i := range Provinces {
		p := Provinces[i]
		if err := s.PutProvince(ctx, &p); err != nil {
			return fmt.Errorf("province %s: %w", p.ID, err)
		}
	}
	return nil
}

// keep treats "already there" as success.
func keep(err error) error {
	var e *domain.Error
	if errors.As(err, &e) && e.Code == domain.CodeConflict {
		return nil
	}
	return err
}

// ID returns the fixed id of a founding record (24 hex digits, an ObjectID
// in storage): its timestamp is the date of the article, the rest a hash of
// its name.
func ID(name string) string {
	var id [12]byte
	ts := uint32(time.Date(2022, 7, 20, 0, 0, 0, 0, time.UTC).Unix())
	id[0], id[1], id[2], id[3] = byte(ts>>24), byte(ts>>16), byte(ts>>8), byte(ts)
	h := sha256.Sum256([]byte(name))
	copy(id[4:], h[:8])
	return hex.EncodeToString(id[:])
}

func f(v float64) *float64 { return &v }
func n(v int) *int         { return &v }

// Provinces: the seven members, plus Tuyên Quang and Yên Bái, which the
// 2025 mergers (Resolution 202/2025/QH15, in force 1 July 2025) involve.
//
// Tuyên Quang takes in Hà Giang and Lào Cai takes in Yên Bái; their
// administrative centres are those the arrangement named (reported by the
// press from the adopted plan: Tuyên Quang's at the former Tuyên Quang,
// Lào Cai's at the former Yên Bái). The centres of the provinces the
// arrangement left whole are not in the sources here, so none is set.
var Provinces = []domain.Province{
	{ID: "cao-bang", Name: "Cao Bằng", ISOCode: "VN-04", StatisticsCodes: []domain.StatisticsCode{{Code: "04"}}},
	{ID: "dien-bien", Name: "Điện Biên", ISOCode: "VN-71", StatisticsCodes: []domain.StatisticsCode{{Code: "11"}}},
	{ID: "ha-giang", Name: "Hà Giang", ISOCode: "VN-03", StatisticsCodes: []domain.StatisticsCode{{Code: "02", To: "2025-06-30"}},
		ValidTo: "2025-06-30", SuccessorID: "tuyen-quang"},
	{ID: "lao-cai", Name: "Lào Cai", ISOCode: "VN-02", StatisticsCodes: []domain.StatisticsCode{
		{Code: "10", To: "2025-06-30"}, {Code: "15", From: "2025-07-01"}},
		PredecessorIDs: []string{"yen-bai"}, AdministrativeCentre: "đặt tại tỉnh Yên Bái (trước sắp xếp)"},
	{ID: "lai-chau", Name: "Lai Châu", ISOCode: "VN-01", StatisticsCodes: []domain.StatisticsCode{{Code: "12"}}},
	{ID: "son-la", Name: "Sơn La", ISOCode: "VN-05", StatisticsCodes: []domain.StatisticsCode{{Code: "14"}}},
	{ID: "lang-son", Name: "Lạng Sơn", ISOCode: "VN-09", StatisticsCodes: []domain.StatisticsCode{{Code: "20"}}},
	{ID: "tuyen-quang", Name: "Tuyên Quang", ISOCode: "VN-07", StatisticsCodes: []domain.StatisticsCode{{Code: "08"}},
		PredecessorIDs: []string{"ha-giang"}, AdministrativeCentre: "đặt tại tỉnh Tuyên Quang (trước sắp xếp)"},
	{ID: "yen-bai", Name: "Yên Bái", ISOCode: "VN-06", StatisticsCodes: []domain.StatisticsCode{{Code: "15", To: "2025-06-30"}},
		ValidTo: "2025-06-30", SuccessorID: "lao-cai"},
}

// ClusterMembers are the seven provinces of the cluster in 2022.
var ClusterMembers = []string{"cao-bang", "dien-bien", "ha-giang", "lao-cai", "lai-chau", "son-la", "lang-son"}

// Cluster is the cluster of the 7 northern mountainous border provinces, with
// its 2022 members. The article names no chair or deputy, so none is set.
var Cluster = domain.Cluster{
	ID: "mien-nui-bien-gioi-phia-bac", Name: "Cụm thi đua 7 tỉnh miền núi biên giới phía Bắc",
	Years: []domain.ClusterYear{{Year: 2022, Members: ClusterMembers}},
}

// Indicators is the catalogue of review figures and how each aggregates.
var Indicators = []domain.Indicator{
	{ID: "grdp-growth", Name: "Tốc độ tăng trưởng kinh tế (GRDP)", Unit: "%", Aggregation: "RANGE"},
	{ID: "new-jobs", Name: "Giải quyết việc làm mới", Unit: "người", Aggregation: "SUM"},
	{ID: "new-enterprises", Name: "Doanh nghiệp thành lập mới", Unit: "doanh nghiệp", Aggregation: "SUM"},
	{ID: "new-rural-communes", Name: "Xã đạt chuẩn nông thôn mới", Unit: "xã", Aggregation: "RATIO"},
	{ID: "budget-revenue", Name: "Thu ngân sách", Unit: "tỷ đồng", Aggregation: "SUM"},
	{ID: "poverty-reduction", Name: "Giảm tỷ lệ hộ nghèo", Unit: "điểm phần trăm", Aggregation: "RANGE"},
	{ID: "health-standard-communes", Name: "Xã đạt Bộ tiêu chí quốc gia về y tế", Unit: "xã", Aggregation: "SUM"},
}

// Movements named in the article (and in domain.md), and the cluster's 2022 theme.
var Movements = []domain.Movement{
	{Owner: domain.ScopeAll, Published: true, Scope: "NATIONAL", Kind: "ONGOING",
		Title: "Cả nước chung sức xây dựng nông thôn mới", LaunchedBy: "Thủ tướng Chính phủ"},
	{Owner: domain.ScopeAll, Published: true, Scope: "NATIONAL", Kind: "ONGOING",
		Title: "Cả nước chung tay vì người nghèo – Không để ai bị bỏ lại phía sau", LaunchedBy: "Thủ tướng Chính phủ"},
	{Owner: domain.ScopeAll, Published: true, Scope: "NATIONAL", Kind: "THEMATIC",
		Title: "Học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh"},
	{Owner: domain.ScopeAll, Published: true, Scope: "CLUSTER", Kind: "ANNUAL",
		Title:     "Đoàn kết, sáng tạo, thi đua xây dựng và bảo vệ Tổ quốc",
		StartYear: n(2022), EndYear: n(2022),
		Description: "Chủ đề thi đua năm 2022 của cụm thi đua 7 tỉnh miền núi biên giới phía bắc."},
}

// ReviewMovements are the movements the article ties to the 2022 review:
// the new-rural movement, in which the communes were counted, and the Hồ
// Chí Minh movement the provinces pursued "through the emulation
// movement". The poverty movement is not in the article; the cluster's
// theme is the review's theme, launched for the rest of the year.
var ReviewMovements = []string{
	"Cả nước chung sức xây dựng nông thôn mới",
	"Học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh",
}

// ReviewMovementIDs are the ids of ReviewMovements.
func ReviewMovementIDs() []string {
	out := make([]string, len(ReviewMovements))
	for i, t := range ReviewMovements {
		out[i] = ID("movement:" + t)
	}
	return out
}

// Review2022MidYear is the mid-year review of 2022, with its figures as
// reported (Nhân Dân, 20 July 2022). Its movements are set by Load.
var Review2022MidYear = domain.PeriodReview{
	Owner: domain.ScopeAll, Published: true,
	Kind: "MID_YEAR", Year: 2022, Period: "6 tháng đầu năm 2022", Date: "2022-07-20",
	PeriodStart: "2022-01-01", PeriodEnd: "2022-06-30", // "6 tháng đầu năm 2022"
	HostProvinceID: "lang-son", Location: "Thành phố Lạng Sơn, tỉnh Lạng Sơn",
	Theme: "Đoàn kết, sáng tạo, thi đua xây dựng và bảo vệ Tổ quốc",
	ReportedFigures: []domain.ReportedFigure{
		{IndicatorID: "grdp-growth", Min: f(5.46), Max: f(9.15), Qualifier: "EXACT",
			Note: "bình quân từ 5,46% đến 9,15%"},
		{IndicatorID: "new-jobs", Value: f(24900), Qualifier: "MORE_THAN",
			Note: "giải quyết việc làm mới cho hơn 24.900 người"},
		{IndicatorID: "new-enterprises", Value: f(1069), Qualifier: "EXACT",
			Note: "1.069 doanh nghiệp được thành lập mới"},
		{IndicatorID: "new-rural-communes", Value: f(315), Total: f(994), Ratio: f(31.69), Qualifier: "EXACT",
			Note: "315/994 xã đạt chuẩn nông thôn mới (đạt hơn 31,69%)"},
	},
	ReportedAwardTallies: []domain.ReportedAwardTally{
		{Authorities: []string{"PRESIDENT"}, AwardTypeIDs: []string{"huan-chuong-doc-lap", "huan-chuong-lao-dong"}, Count: 19,
			Note: "Chủ tịch nước tặng thưởng Huân chương Độc lập, Huân chương Lao động cho 19 tập thể và cá nhân"},
		{Authorities: []string{"GOVERNMENT", "PRIME_MINISTER"}, AwardTypeIDs: []string{}, Count: 58,
			Note: "Chính phủ và Thủ tướng Chính phủ khen thưởng 58 tập thể và cá nhân"},
	},
}
