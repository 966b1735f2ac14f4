package export_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/thidua/thidua/auth"
	"github.com/thidua/thidua/catalog"
	"github.com/thidua/thidua/dbtest"
	"github.com/thidua/thidua/domain"
	"github.com/thidua/thidua/export"
	"github.com/thidua/thidua/repository"
	"github.com/thidua/thidua/seed"
	"github.com/thidua/thidua/service"
)

// statAward is an award the statistics fixture creates.
type statAward struct {
	province, typ, class, authority, kind string
	year                                  int
	status                                string
	number, date                          string // the decision; none when number is ""
}

// statAwards: conferred awards of several forms, kinds, authorities and
// provinces decided in 2024, and awards that must not be counted in 2024:
// a proposal, awards decided in 2023 and 2025, a grassroots one, a revoked
// one (the last).
var statAwards = []statAward{
	// Lạng Sơn, 2024.
	{"lang-son", "huan-chuong-lao-dong", "THIRD", "PRESIDENT", "INDIVIDUAL", 2024, "CONFERRED", "100/QĐ-CTN", "2024-03-01"},
	{"lang-son", "huan-chuong-lao-dong", "SECOND", "PRESIDENT", "COLLECTIVE", 2024, "CONFERRED", "100/QĐ-CTN", "2024-03-01"},
	{"lang-son", "huan-chuong-lao-dong", "THIRD", "PRESIDENT", "INDIVIDUAL", 2023, "CONFERRED", "90/QĐ-CTN", "2024-01-15"}, // for 2023, decided in 2024
	{"lang-son", "bang-khen-thu-tuong", "", "PRIME_MINISTER", "HOUSEHOLD", 2024, "CONFERRED", "200/QĐ-TTg", "2024-05-10"},
	{"lang-son", "bang-khen-thu-tuong", "", "PRIME_MINISTER", "INDIVIDUAL", 2024, "CONFERRED", "201/QĐ-TTg", "2024-06-10"},
	{"lang-son", "co-thi-dua-chinh-phu", "", "GOVERNMENT", "COLLECTIVE", 2024, "CONFERRED", "300/QĐ-CP", "2024-02-01"},
	{"lang-son", "bang-khen-chu-tich-tinh", "", "PROVINCE_CHAIR", "INDIVIDUAL", 2024, "CONFERRED", "50/QĐ-UBND", "2024-12-31"},
	{"lang-son", "bang-khen-chu-tich-tinh", "", "PROVINCE_CHAIR", "COLLECTIVE", 2024, "CONFERRED", "50/QĐ-UBND", "2024-12-31"},
	{"lang-son", "tap-the-lao-dong-xuat-sac", "", "PROVINCE_CHAIR", "COLLECTIVE", 2024, "CONFERRED", "51/QĐ-UBND", "2024-01-01"},
	// Cao Bằng, 2024.
	{"cao-bang", "chien-si-thi-dua-toan-quoc", "", "PRIME_MINISTER", "INDIVIDUAL", 2024, "CONFERRED", "400/QĐ-TTg", "2024-04-01"},
	{"cao-bang", "anh-hung-lao-dong", "", "PRESIDENT", "COLLECTIVE", 2024, "CONFERRED", "101/QĐ-CTN", "2024-09-02"},
	{"cao-bang", "chien-si-thi-dua-tinh", "", "PROVINCE_CHAIR", "INDIVIDUAL", 2024, "CONFERRED", "60/QĐ-UBND", "2024-04-02"},
	{"cao-bang", "ky-niem-chuong", "", "PROVINCE_CHAIR", "INDIVIDUAL", 2024, "CONFERRED", "61/QĐ-UBND", "2024-04-03"},
	// Not counted in 2024.
	{"lang-son", "huan-chuong-lao-dong", "THIRD", "PRESIDENT", "INDIVIDUAL", 2024, "PROPOSED", "", ""},
	{"lang-son", "huan-chuong-lao-dong", "THIRD", "PRESIDENT", "INDIVIDUAL", 2023, "CONFERRED", "80/QĐ-CTN", "2023-12-31"},
	{"cao-bang", "bang-khen-thu-tuong", "", "PRIME_MINISTER", "COLLECTIVE", 2024, "CONFERRED", "500/QĐ-TTg", "2025-01-02"},
	{"lang-son", "giay-khen", "", "UNIT_HEAD", "INDIVIDUAL", 2024, "CONFERRED", "7/QĐ-SNV", "2024-06-01"},
	{"cao-bang", "bang-khen-chu-tich-tinh", "", "PROVINCE_CHAIR", "INDIVIDUAL", 2024, "CONFERRED", "62/QĐ-UBND", "2024-05-05"}, // revoked
}

// newStatFixture is the export handler over a fresh database with the
// founding data and statAwards.
func newStatFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	store := dbtest.Store(t, repository.WithClock(func() time.Time { return now }))
	if err := seed.Load(ctx, store); err != nil {
		t.Fatal(err)
	}
	if err := store.Migrate(ctx, seed.Migrations()...); err != nil {
		t.Fatal(err)
	}
	refs, err := catalog.New(ctx, store)
	if err != nil {
		t.Fatal(err)
	}
	svc := &service.Service{Store: store, Catalog: refs, Now: func() time.Time { return now }}
	f := &fixture{t: t, logged: &atomic.Int64{}}
	var last *domain.Award
	for i, s := range statAwards {
		in := domain.AwardInput{ProvinceID: s.province, AwardTypeID: s.typ, Authority: s.authority, Year: s.year, Status: s.status,
			Recipient: &domain.RecipientInput{Kind: s.kind, Name: "Người nhận " + strconv.Itoa(i)}}
		if s.class != "" {
			class := s.class
			in.Class = &class
		}
		if s.number != "" {
			in.Decision = &domain.DecisionInput{Number: s.number, Date: s.date}
		}
		if last, err = svc.CreateAward(as(ctx, s.province, auth.Editor), in); err != nil {
			t.Fatalf("award %d (%s): %v", i, s.typ, err)
		}
	}
	if _, err := svc.RevokeAward(as(ctx, "cao-bang", auth.Editor), last.ID, last.Version,
		domain.RevocationInput{Reason: "Khen thưởng không đúng đối tượng", Decision: domain.DecisionInput{Number: "70/QĐ-UBND", Date: "2024-10-01"}}); err != nil {
		t.Fatalf("revoking: %v", err)
	}
	f.h = export.Handler(svc, slog.New(countingHandler{slog.NewTextHandler(os.Stderr, nil), f.logged}))
	return f
}

// statRecords parses a statistics CSV: five lines before the table's
// header, every line as wide as the header.
func statRecords(t *testing.T, body []byte) [][]string {
	t.Helper()
	if !bytes.HasPrefix(body, []byte("\ufeff")) {
		t.Fatalf("no byte-order mark")
	}
	r := csv.NewReader(bytes.NewReader(body[3:]))
	r.Comma = ';'
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatalf("CSV: %v\n%s", err, body)
	}
	return recs
}

var statColumns = []string{"Tổng số", "Tập thể", "Hộ gia đình", "Cá nhân", "Số quyết định",
	"Chủ tịch nước", "Chính phủ", "Thủ tướng Chính phủ", "Bộ trưởng", "Chủ tịch UBND tỉnh"}

// statWant is a line's expected figures, in the order of statColumns.
type statWant [10]int

const (
	lineTotal    = "Tổng số"
	lineState    = "I. Khen thưởng cấp Nhà nước (biểu 0602.N)"
	lineOrders   = "1. Huân chương, huy chương"
	lineLabour   = "– Huân chương Lao động"
	lineHonorary = "4. Danh hiệu vinh dự Nhà nước"
	lineHero     = "– Anh hùng Lao động"
	lineGovFlag  = "5. Cờ thi đua của Chính phủ"
	linePM       = "6. Bằng khen của Thủ tướng Chính phủ"
	lineNational = "7. Chiến sĩ thi đua toàn quốc"
	lineOther1   = "8. Các hình thức khen thưởng khác"
	lineProvince = "II. Khen thưởng cấp bộ, cấp tỉnh (biểu 0603.N)"
	lineMerit    = "1. Bằng khen"
	lineProvCSTD = "2. Chiến sĩ thi đua cấp bộ, cấp tỉnh"
	lineFlags    = "3. Cờ thi đua"
	lineBadge    = "4. Huy hiệu (kỷ niệm chương)"
	lineOther2   = "5. Các hình thức khen thưởng khác"
	lineExcel    = "– Tập thể lao động xuất sắc"
)

// statWants2024 are the expected lines of 2024, by block.
var statWants2024 = map[string]map[string]statWant{
	"Tổng cộng": {
		//                     tổng TT hộ CN QĐ CTN CP TTg BT CT
		lineTotal:    {13, 5, 1, 7, 11, 4, 1, 3, 0, 5},
		lineState:    {8, 3, 1, 4, 7, 4, 1, 3, 0, 0},
		lineOrders:   {3, 1, 0, 2, 2, 3, 0, 0, 0, 0},
		lineLabour:   {3, 1, 0, 2, 2, 3, 0, 0, 0, 0},
		lineHonorary: {1, 1, 0, 0, 1, 1, 0, 0, 0, 0},
		lineHero:     {1, 1, 0, 0, 1, 1, 0, 0, 0, 0},
		lineGovFlag:  {1, 1, 0, 0, 1, 0, 1, 0, 0, 0},
		linePM:       {2, 0, 1, 1, 2, 0, 0, 2, 0, 0},
		lineNational: {1, 0, 0, 1, 1, 0, 0, 1, 0, 0},
		lineOther1:   {},
		lineProvince: {5, 2, 0, 3, 4, 0, 0, 0, 0, 5},
		lineMerit:    {2, 1, 0, 1, 1, 0, 0, 0, 0, 2},
		lineProvCSTD: {1, 0, 0, 1, 1, 0, 0, 0, 0, 1},
		lineFlags:    {},
		lineBadge:    {1, 0, 0, 1, 1, 0, 0, 0, 0, 1},
		lineOther2:   {1, 1, 0, 0, 1, 0, 0, 0, 0, 1},
		lineExcel:    {1, 1, 0, 0, 1, 0, 0, 0, 0, 1},
	},
	"Lạng Sơn": {
		lineTotal:    {9, 4, 1, 4, 7, 3, 1, 2, 0, 3},
		lineState:    {6, 2, 1, 3, 5, 3, 1, 2, 0, 0},
		lineOrders:   {3, 1, 0, 2, 2, 3, 0, 0, 0, 0},
		lineHonorary: {},
		linePM:       {2, 0, 1, 1, 2, 0, 0, 2, 0, 0},
		lineNational: {},
		lineProvince: {3, 2, 0, 1, 2, 0, 0, 0, 0, 3},
		lineMerit:    {2, 1, 0, 1, 1, 0, 0, 0, 0, 2},
		lineOther2:   {1, 1, 0, 0, 1, 0, 0, 0, 0, 1},
	},
	"Cao Bằng": {
		lineTotal:    {4, 1, 0, 3, 4, 1, 0, 1, 0, 2},
		lineState:    {2, 1, 0, 1, 2, 1, 0, 1, 0, 0},
		lineOrders:   {},
		lineHero:     {1, 1, 0, 0, 1, 1, 0, 0, 0, 0},
		linePM:       {}, // its Bằng khen was decided in 2025
		lineNational: {1, 0, 0, 1, 1, 0, 0, 1, 0, 0},
		lineProvince: {2, 0, 0, 2, 2, 0, 0, 0, 0, 2},
		lineMerit:    {}, // revoked
		lineProvCSTD: {1, 0, 0, 1, 1, 0, 0, 0, 0, 1},
		lineBadge:    {1, 0, 0, 1, 1, 0, 0, 0, 0, 1},
	},
	"Điện Biên": {lineTotal: {}},
}

// statLine is the record of the line label in the block of province.
func statLine(t *testing.T, recs [][]string, province, label string) []string {
	t.Helper()
	for _, r := range recs {
		if len(r) > 1 && r[0] == province && r[1] == label {
			return r
		}
	}
	t.Fatalf("no line %q of %q", label, province)
	return nil
}

func checkStatCSV(t *testing.T, recs [][]string, wants map[string]map[string]statWant) {
	t.Helper()
	header := recs[4]
	if got := strings.Join(header, "|"); got != "Tỉnh|Chỉ tiêu|"+strings.Join(statColumns, "|") {
		t.Fatalf("header %q", header)
	}
	for province, lines := range wants {
		for label, want := range lines {
			r := statLine(t, recs, province, label)
			for j, col := range statColumns {
				if got := r[2+j]; got != strconv.Itoa(want[j]) {
					t.Errorf("%s, %s, %s = %q, want %d", province, label, col, got, want[j])
				}
			}
		}
	}
}

// The 2024 form in CSV: the counts of every province and of all, the
// conferred awards whose decision is dated in 2024 only, as a lang-son
// viewer (who also sees the proposal) reads them.
func TestStatisticsCSV(t *testing.T) {
	t.Parallel()
	f := newStatFixture(t)
	ctx := as(context.Background(), "lang-son", auth.Viewer)
	rec := f.get(ctx, "/reports/statistics/2024.csv")
	if rec.Code != 200 || rec.Header().Get("Content-Type") != "text/csv; charset=utf-8" ||
		rec.Header().Get("Content-Disposition") != `attachment; filename="statistics-2024.csv"` {
		t.Fatalf("%d %v %s", rec.Code, rec.Header(), rec.Body)
	}
	recs := statRecords(t, rec.Body.Bytes())
	title := recs[0][0]
	for _, s := range []string{"0602.N/BNV-TĐKT", "Số lượng khen thưởng cấp Nhà nước", "năm 2024", "các tỉnh"} {
		if !strings.Contains(title, s) {
			t.Errorf("title %q lacks %q", title, s)
		}
	}
	if !strings.Contains(recs[1][0], "2/2023/TT-BNV") || !strings.Contains(recs[2][0], "chưa được đối chiếu") {
		t.Errorf("legal basis or note: %q %q", recs[1][0], recs[2][0])
	}
	checkStatCSV(t, recs, statWants2024)
	// One block a province of 2024, after the total, in the catalogue's order.
	var blocks []string
	for _, r := range recs[5:] {
		if r[1] == lineTotal {
			blocks = append(blocks, r[0])
		}
	}
	if got := strings.Join(blocks, "|"); got != "Tổng cộng|Cao Bằng|Điện Biên|Hà Giang|Lai Châu|Lạng Sơn|Lào Cai|Sơn La|Tuyên Quang|Yên Bái" {
		t.Errorf("blocks %s", got)
	}
	// Lines under an Each row: the catalogue's types its part may decide
	// (10 orders, 4 medals; not Kỷ niệm chương, which a minister or a
	// provincial chair confers).
	var orderLines []string
	for _, r := range recs[5:] {
		if r[0] == "Tổng cộng" && (strings.HasPrefix(r[1], "– Huân chương") || strings.HasPrefix(r[1], "– Huy chương")) {
			orderLines = append(orderLines, r[1])
		}
	}
	if len(orderLines) != 14 {
		t.Errorf("%d order and medal lines: %q", len(orderLines), orderLines)
	}

	// 2025: the Bằng khen decided on 2 January; Hà Giang and Yên Bái existed
	// until mid-2025, so they still have a block; 2026 has none for them.
	recs = statRecords(t, f.ok(ctx, "/reports/statistics/2025.csv"))
	checkStatCSV(t, recs, map[string]map[string]statWant{
		"Tổng cộng": {lineTotal: {1, 1, 0, 0, 1, 0, 0, 1, 0, 0}, linePM: {1, 1, 0, 0, 1, 0, 0, 1, 0, 0}},
		"Cao Bằng":  {lineTotal: {1, 1, 0, 0, 1, 0, 0, 1, 0, 0}},
		"Hà Giang":  {lineTotal: {}},
	})
	body := f.ok(ctx, "/reports/statistics/2026.csv")
	if bytes.Contains(body, []byte("Hà Giang")) || !bytes.Contains(body, []byte("Tuyên Quang")) {
		t.Errorf("2026 blocks:\n%s", body)
	}
	// 2023: the award decided on 31 December 2023.
	checkStatCSV(t, statRecords(t, f.ok(ctx, "/reports/statistics/2023.csv")), map[string]map[string]statWant{
		"Tổng cộng": {lineTotal: {1, 0, 0, 1, 1, 1, 0, 0, 0, 0}, lineLabour: {1, 0, 0, 1, 1, 1, 0, 0, 0, 0}},
	})
}

// ?provinceId= gives the form of one province: its block only, named in
// the title and the file name.
func TestStatisticsProvince(t *testing.T) {
	t.Parallel()
	f := newStatFixture(t)
	rec := f.get(context.Background(), "/reports/statistics/2024.csv?provinceId=cao-bang")
	if rec.Code != 200 || rec.Header().Get("Content-Disposition") != `attachment; filename="statistics-2024-cao-bang.csv"` {
		t.Fatalf("%d %v %s", rec.Code, rec.Header(), rec.Body)
	}
	recs := statRecords(t, rec.Body.Bytes())
	if !strings.Contains(recs[0][0], "năm 2024 — Cao Bằng") {
		t.Errorf("title %q", recs[0][0])
	}
	checkStatCSV(t, recs, map[string]map[string]statWant{"Cao Bằng": statWants2024["Cao Bằng"]})
	for _, r := range recs[5:] {
		if r[0] != "Cao Bằng" {
			t.Errorf("a line of %q", r[0])
		}
	}
}

// The form in Excel: the same counts, as numeric cells.
func TestStatisticsXLSX(t *testing.T) {
	t.Parallel()
	f := newStatFixture(t)
	rec := f.get(context.Background(), "/reports/statistics/2024.xlsx")
	if rec.Code != 200 || rec.Header().Get("Content-Disposition") != `attachment; filename="statistics-2024.xlsx"` {
		t.Fatalf("%d %v %s", rec.Code, rec.Header(), rec.Body)
	}
	w := openWorkbook(t, rec.Body.Bytes())
	if w.sheet != "Thống kê khen thưởng 2024" {
		t.Errorf("sheet %q", w.sheet)
	}
	if !strings.Contains(w.rows[0][0], "0602.N/BNV-TĐKT") {
		t.Errorf("title %q", w.rows[0][0])
	}
	header := w.rows[4]
	for province, lines := range statWants2024 {
		for label, want := range lines {
			i := -1
			for k, r := range w.rows {
				if len(r) > 1 && r[0] == province && r[1] == label {
					i = k
				}
			}
			if i < 0 {
				t.Errorf("no line %q of %q", label, province)
				continue
			}
			for j, col := range statColumns {
				ref, _ := excelize.CoordinatesToCellName(column(t, header, col)+1, i+1)
				raw, _ := w.f.GetCellValue(w.sheet, ref, excelize.Options{RawCellValue: true})
				typ, _ := w.f.GetCellType(w.sheet, ref)
				if raw != strconv.Itoa(want[j]) || (typ != excelize.CellTypeUnset && typ != excelize.CellTypeNumber) {
					t.Errorf("%s, %s, %s (%s) = %q (type %v), want the number %d", province, label, col, ref, raw, typ, want[j])
				}
			}
		}
	}
}

// Bad years and provinces are refused with the parameter named.
func TestStatisticsErrors(t *testing.T) {
	t.Parallel()
	f := newStatFixture(t)
	for _, c := range []struct {
		path   string
		status int
		code   string
		field  string
	}{
		{"/reports/statistics/soon.csv", 400, "BAD_USER_INPUT", "year"},
		{"/reports/statistics/1944.xlsx", 400, "BAD_USER_INPUT", "year"},
		{"/reports/statistics/2028.csv", 400, "BAD_USER_INPUT", "year"}, // now is 2026
		{"/reports/statistics/-2024.csv", 400, "BAD_USER_INPUT", "year"},
		{"/reports/statistics/2024.csv?provinceId=ha-noi", 400, "BAD_USER_INPUT", "provinceId"},
		{"/reports/statistics/2024.csv?sep=tab", 400, "BAD_USER_INPUT", "sep"},
		{"/reports/statistics/2024.pdf", 404, "NOT_FOUND", ""},
		{"/reports/statistics/2024", 404, "NOT_FOUND", ""},
	} {
		t.Run(c.path, func(t *testing.T) {
			checkError(t, f.get(context.Background(), c.path), c.status, c.code, c.field)
		})
	}
	for _, path := range []string{"/reports/statistics/1945.csv", "/reports/statistics/2027.xlsx"} {
		f.ok(context.Background(), path)
	}
	if f.logged.Load() != 0 {
		t.Errorf("refusals logged as errors: %d", f.logged.Load())
	}
}
