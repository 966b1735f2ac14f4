package export_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
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

func TestMain(m *testing.M) { dbtest.Main(m) }

var now = time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)

// evil is a recipient name a spreadsheet would run as a formula.
const evil = `=HYPERLINK("http://evil.example","click")`

var reviewID = seed.ID("review:2022-07-20")

// fixture is the export handler over a fresh database with the founding
// data, province reports for the 2022 review, and awards of lang-son: one
// conferred (to evil) and one proposed (unpublished).
type fixture struct {
	t      *testing.T
	h      http.Handler
	logged *atomic.Int64 // error records logged
}

// countingHandler counts the error records logged.
type countingHandler struct {
	slog.Handler
	n *atomic.Int64
}

func (h countingHandler) Handle(ctx context.Context, r slog.Record) error {
	if r.Level >= slog.LevelError {
		h.n.Add(1)
	}
	return nil
}

func newFixture(t *testing.T, wrap func(*repository.Store) service.Store) *fixture {
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
	logger := slog.New(countingHandler{slog.NewTextHandler(os.Stderr, nil), f.logged})

	langSon := as(ctx, "lang-son", auth.Editor)
	for _, rep := range []struct {
		province string
		values   []domain.IndicatorValueInput
	}{
		{"lang-son", []domain.IndicatorValueInput{{IndicatorID: "grdp-growth", Value: 5.46},
			{IndicatorID: "new-jobs", Value: 3500}, {IndicatorID: "new-rural-communes", Value: 40, Total: fp(130)}}},
		{"dien-bien", []domain.IndicatorValueInput{{IndicatorID: "grdp-growth", Value: -1.5},
			{IndicatorID: "new-jobs", Value: 21400}}},
	} {
		if _, err := svc.SubmitProvinceReport(as(ctx, rep.province, auth.Editor), reviewID, rep.province, rep.values, nil); err != nil {
			t.Fatalf("report of %s: %v", rep.province, err)
		}
	}
	class, citation := "THIRD", "Đã có thành tích xuất sắc"
	for _, in := range []domain.AwardInput{
		{ProvinceID: "lang-son", AwardTypeID: "huan-chuong-lao-dong", Class: &class, Authority: "PRESIDENT",
			Recipient: &domain.RecipientInput{Kind: "INDIVIDUAL", Name: evil}, Year: 2022, Status: "CONFERRED",
			Decision: &domain.DecisionInput{Number: "1234/QĐ-CTN", Date: "2022-09-01"}, Citation: &citation},
		{ProvinceID: "lang-son", AwardTypeID: "huan-chuong-lao-dong", Class: &class, Authority: "PRESIDENT",
			Recipient: &domain.RecipientInput{Kind: "INDIVIDUAL", Name: "Nguyễn Thị Đào"}, Year: 2022, Status: "PROPOSED"},
	} {
		if _, err := svc.CreateAward(langSon, in); err != nil {
			t.Fatalf("award to %s: %v", in.Recipient.Name, err)
		}
	}
	if wrap != nil {
		svc.Store = wrap(store)
	}
	f.h = export.Handler(svc, logger)
	return f
}

func fp(v float64) *float64 { return &v }

// as is ctx with a caller holding role in scope.
func as(ctx context.Context, scope string, role auth.Role) context.Context {
	return auth.WithPrincipal(ctx, &auth.Principal{Subject: "u-" + scope, Name: "Người Thử",
		Roles: map[string]auth.Role{scope: role}})
}

// get requests path as ctx's caller (context.Background(): anonymous).
func (f *fixture) get(ctx context.Context, path string) *httptest.ResponseRecorder {
	f.t.Helper()
	req := httptest.NewRequest(http.MethodGet, path, nil).WithContext(ctx)
	rec := httptest.NewRecorder()
	f.h.ServeHTTP(rec, req)
	return rec
}

// ok requests a file that must be served.
func (f *fixture) ok(ctx context.Context, path string) []byte {
	f.t.Helper()
	rec := f.get(ctx, path)
	if rec.Code != 200 {
		f.t.Fatalf("%s: %d %s", path, rec.Code, rec.Body)
	}
	return rec.Body.Bytes()
}

// records parses a CSV file: BOM, separator, CRLF.
func records(t *testing.T, body []byte, sep rune) [][]string {
	t.Helper()
	if !bytes.HasPrefix(body, []byte("\ufeff")) {
		t.Fatalf("no byte-order mark: %q", body[:min(len(body), 20)])
	}
	r := csv.NewReader(bytes.NewReader(body[3:]))
	r.Comma = sep
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatalf("CSV with %q: %v\n%s", sep, err, body)
	}
	return recs
}

// row is the record whose first field is first.
func row(t *testing.T, recs [][]string, first string) []string {
	t.Helper()
	for _, r := range recs {
		if r[0] == first {
			return r
		}
	}
	t.Fatalf("no row %q in %q", first, recs)
	return nil
}

// column is the index of the header name.
func column(t *testing.T, header []string, name string) int {
	t.Helper()
	for i, h := range header {
		if h == name {
			return i
		}
	}
	t.Fatalf("no column %q in %q", name, header)
	return -1
}

const (
	colGrowth = "Tốc độ tăng trưởng kinh tế (GRDP) (%)"
	colJobs   = "Giải quyết việc làm mới (người)"
	colRural  = "Xã đạt chuẩn nông thôn mới (xã)"
	colTotal  = "Xã đạt chuẩn nông thôn mới: tổng số (xã)"
	colRatio  = "Xã đạt chuẩn nông thôn mới: tỷ lệ (%)"
	derived   = "Cụm (tổng hợp từ báo cáo)"
	reported  = "Cụm (số liệu tại hội nghị)"
)

// The review table in CSV: semicolons by default, Vietnamese numbers, the
// count and total of a ratio in their own columns, the qualifier before a
// figure as reported, one row a member province and the two cluster rows.
func TestReviewCSV(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	rec := f.get(context.Background(), "/reports/reviews/"+reviewID+".csv")
	if rec.Code != 200 || rec.Header().Get("Content-Type") != "text/csv; charset=utf-8" ||
		rec.Header().Get("Content-Disposition") != `attachment; filename="review-`+reviewID+`.csv"` {
		t.Fatalf("%d %v", rec.Code, rec.Header())
	}
	body := rec.Body.Bytes()
	if !bytes.Contains(body, []byte("\r\nLạng Sơn;5,46;3.500;;40;130;30,77;")) {
		t.Errorf("lang-son's row is not ;-separated with Vietnamese numbers:\n%s", body)
	}
	recs := records(t, body, ';')
	if len(recs) != 1+len(seed.ClusterMembers)+2 {
		t.Errorf("%d rows, want the header, %d members and 2 cluster rows", len(recs), len(seed.ClusterMembers))
	}
	h := recs[0]
	want := map[string]map[string]string{
		"Lạng Sơn":  {colGrowth: "5,46", colJobs: "3.500", colRural: "40", colTotal: "130", colRatio: "30,77"},
		"Điện Biên": {colGrowth: "-1,5", colJobs: "21.400", colRural: ""}, // a negative number is a number
		"Cao Bằng":  {colGrowth: "", colJobs: ""},
		derived:     {colGrowth: "'-1,5–5,46 %", colJobs: "24.900", colRural: "40", colTotal: "130", colRatio: "30,77"},
		reported:    {colGrowth: "5,46–9,15 %", colJobs: "hơn 24.900", colRural: "315", colTotal: "994", colRatio: "31,69"},
	}
	for first, cols := range want {
		r := row(t, recs, first)
		for col, v := range cols {
			if got := r[column(t, h, col)]; got != v {
				t.Errorf("%s, %s = %q, want %q", first, col, got, v)
			}
		}
	}
	if got := row(t, recs, reported)[column(t, h, "Doanh nghiệp thành lập mới (doanh nghiệp)")]; got != "1.069" {
		t.Errorf("new enterprises as reported = %q", got)
	}

	// ?sep=comma: RFC 4180, numbers still Vietnamese, quoted where they hold a comma.
	body = f.ok(context.Background(), "/reports/reviews/"+reviewID+".csv?sep=comma")
	if !bytes.Contains(body, []byte("\r\nLạng Sơn,\"5,46\",3.500,,40,130,\"30,77\",")) {
		t.Errorf("lang-son's row with sep=comma:\n%s", body)
	}
	recs = records(t, body, ',')
	if got := row(t, recs, reported)[column(t, recs[0], colJobs)]; got != "hơn 24.900" {
		t.Errorf("new jobs as reported, sep=comma = %q", got)
	}
	if got := row(t, recs, "Lạng Sơn")[column(t, recs[0], colGrowth)]; got != "5,46" {
		t.Errorf("growth, sep=comma = %q", got)
	}
	if got := f.ok(context.Background(), "/reports/reviews/"+reviewID+".csv?sep=semicolon"); !bytes.Equal(got, f.ok(context.Background(), "/reports/reviews/"+reviewID+".csv")) {
		t.Errorf("sep=semicolon differs from the default")
	}
}

// workbook is a downloaded workbook's first sheet.
type workbook struct {
	t     *testing.T
	f     *excelize.File
	sheet string
	rows  [][]string
}

func openWorkbook(t *testing.T, body []byte) *workbook {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = f.Close() })
	sheet := f.GetSheetName(0)
	rows, err := f.GetRows(sheet)
	if err != nil {
		t.Fatal(err)
	}
	return &workbook{t: t, f: f, sheet: sheet, rows: rows}
}

// cell is the reference of the cell in the row whose first cell is first,
// in the column headed col.
func (w *workbook) cell(first, col string) string {
	w.t.Helper()
	for i, r := range w.rows {
		if len(r) > 0 && r[0] == first {
			name, _ := excelize.CoordinatesToCellName(column(w.t, w.rows[0], col)+1, i+1)
			return name
		}
	}
	w.t.Fatalf("no row %q", first)
	return ""
}

// number checks that a cell is numeric, holding want, and returns its
// number format.
func (w *workbook) number(first, col string, want float64) string {
	w.t.Helper()
	ref := w.cell(first, col)
	typ, _ := w.f.GetCellType(w.sheet, ref)
	raw, _ := w.f.GetCellValue(w.sheet, ref, excelize.Options{RawCellValue: true})
	v, err := strconv.ParseFloat(raw, 64)
	if (typ != excelize.CellTypeUnset && typ != excelize.CellTypeNumber) || err != nil || v != want {
		w.t.Errorf("%s, %s (%s): type %v, raw %q; want the number %v", first, col, ref, typ, raw, want)
		return ""
	}
	idx, _ := w.f.GetCellStyle(w.sheet, ref)
	style, err := w.f.GetStyle(idx)
	if err != nil || style.CustomNumFmt == nil {
		w.t.Errorf("%s, %s: no number format (%v)", first, col, err)
		return ""
	}
	return *style.CustomNumFmt
}

// str checks that a cell is a string (not a formula) holding want.
func (w *workbook) str(first, col, want string) {
	w.t.Helper()
	ref := w.cell(first, col)
	typ, _ := w.f.GetCellType(w.sheet, ref)
	v, _ := w.f.GetCellValue(w.sheet, ref)
	formula, _ := w.f.GetCellFormula(w.sheet, ref)
	if (typ != excelize.CellTypeSharedString && typ != excelize.CellTypeInlineString) || v != want || formula != "" {
		w.t.Errorf("%s, %s (%s): type %v, value %q, formula %q; want the string %q", first, col, ref, typ, v, formula, want)
	}
}

// The review table in Excel: numbers are numeric cells with the decimals
// they have; the qualifier is in the number format of a figure as reported.
func TestReviewXLSX(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	rec := f.get(context.Background(), "/reports/reviews/"+reviewID+".xlsx")
	if rec.Code != 200 || !strings.Contains(rec.Header().Get("Content-Type"), "spreadsheetml") ||
		rec.Header().Get("Content-Disposition") != `attachment; filename="review-`+reviewID+`.xlsx"` {
		t.Fatalf("%d %v", rec.Code, rec.Header())
	}
	w := openWorkbook(t, rec.Body.Bytes())
	if w.sheet != "Tổng hợp 2022" || len(w.rows) != 1+len(seed.ClusterMembers)+2 {
		t.Errorf("sheet %q with %d rows", w.sheet, len(w.rows))
	}
	for _, c := range []struct {
		first, col string
		want       float64
		format     string
	}{
		{"Lạng Sơn", colGrowth, 5.46, "#,##0.00"},
		{"Lạng Sơn", colJobs, 3500, "#,##0"},
		{"Lạng Sơn", colRural, 40, "#,##0"},
		{"Lạng Sơn", colTotal, 130, "#,##0"},
		{"Lạng Sơn", colRatio, 30.77, "#,##0.00"},
		{"Điện Biên", colGrowth, -1.5, "#,##0.0"},
		{derived, colJobs, 24900, "#,##0"},
		{reported, colJobs, 24900, `"hơn "#,##0`},
		{reported, colRural, 315, "#,##0"},
		{reported, colTotal, 994, "#,##0"},
		{reported, colRatio, 31.69, "#,##0.00"},
	} {
		if got := w.number(c.first, c.col, c.want); got != c.format && got != "" {
			t.Errorf("%s, %s: number format %q, want %q", c.first, c.col, got, c.format)
		}
	}
	if v, _ := w.f.GetCellValue(w.sheet, w.cell(reported, colJobs)); v != "hơn 24,900" {
		t.Errorf("new jobs as reported shows %q", v) // excelize shows the en-US separators
	}
	w.str(reported, colGrowth, "5,46–9,15 %")
	w.str(derived, colGrowth, "-1,5–5,46 %") // a string, never a formula: no quote needed
}

// The award list in CSV: Vietnamese labels, dd/mm/yyyy, the year as is, and
// a name that is a formula neutralised.
func TestAwardsCSV(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	rec := f.get(context.Background(), "/reports/awards.csv?year=2022")
	if rec.Code != 200 || rec.Header().Get("Content-Disposition") != `attachment; filename="awards.csv"` {
		t.Fatalf("%d %v", rec.Code, rec.Header())
	}
	body := rec.Body.Bytes()
	recs := records(t, body, ';')
	wantHeader := []string{"Tỉnh", "Hình thức khen thưởng", "Hạng", "Cấp khen thưởng", "Đối tượng", "Tên", "Chức vụ", "Đơn vị",
		"Năm", "Trạng thái", "Số quyết định", "Ngày quyết định", "Trích yếu"}
	if strings.Join(recs[0], "|") != strings.Join(wantHeader, "|") {
		t.Errorf("header %q", recs[0])
	}
	if len(recs) != 2 {
		t.Fatalf("anonymous export has %d awards, want the conferred one:\n%s", len(recs)-1, body)
	}
	want := []string{"Lạng Sơn", "Huân chương Lao động", "Hạng Ba", "Chủ tịch nước", "Cá nhân", "'" + evil, "", "",
		"2022", "Đã khen thưởng", "1234/QĐ-CTN", "01/09/2022", "Đã có thành tích xuất sắc"}
	if strings.Join(recs[1], "|") != strings.Join(want, "|") {
		t.Errorf("award row\n got %q\nwant %q", recs[1], want)
	}
	if !bytes.Contains(body, []byte(`;"'=HYPERLINK(""http://evil.example"",""click"")";`)) {
		t.Errorf("the formula is not neutralised and quoted:\n%s", body)
	}
	// With commas, the same fields.
	recs = records(t, f.ok(context.Background(), "/reports/awards.csv?sep=comma"), ',')
	if len(recs) != 2 || strings.Join(recs[1], "|") != strings.Join(want, "|") {
		t.Errorf("sep=comma: %q", recs)
	}
}

// The award list in Excel: labels, the decision date a date shown
// dd/mm/yyyy, the year a number, the formula a plain string.
func TestAwardsXLSX(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	w := openWorkbook(t, f.ok(context.Background(), "/reports/awards.xlsx"))
	if w.sheet != "Khen thưởng" || len(w.rows) != 2 {
		t.Fatalf("sheet %q, rows %q", w.sheet, w.rows)
	}
	for col, want := range map[string]string{"Hạng": "Hạng Ba", "Cấp khen thưởng": "Chủ tịch nước", "Đối tượng": "Cá nhân",
		"Trạng thái": "Đã khen thưởng", "Tên": evil, "Số quyết định": "1234/QĐ-CTN"} {
		w.str("Lạng Sơn", col, want)
	}
	if got := w.number("Lạng Sơn", "Năm", 2022); got != "0" {
		t.Errorf("year format %q", got)
	}
	serial := time.Date(2022, 9, 1, 0, 0, 0, 0, time.UTC).Sub(time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)).Hours() / 24
	if got := w.number("Lạng Sơn", "Ngày quyết định", serial); got != "dd/mm/yyyy" {
		t.Errorf("date format %q", got)
	}
	if v, _ := w.f.GetCellValue(w.sheet, w.cell("Lạng Sơn", "Ngày quyết định")); v != "01/09/2022" {
		t.Errorf("decision date shows %q", v)
	}
}

// Hidden records stay hidden: lang-son's proposal is in its own export,
// not in an anonymous one nor in another province's.
func TestHiddenRecords(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	ctx := context.Background()
	for _, c := range []struct {
		who  string
		ctx  context.Context
		sees bool
	}{
		{"anonymous", ctx, false},
		{"a cao-bang editor", as(ctx, "cao-bang", auth.Editor), false},
		{"a lang-son viewer", as(ctx, "lang-son", auth.Viewer), true},
	} {
		for _, path := range []string{"/reports/awards.csv", "/reports/awards.csv?provinceId=lang-son", "/reports/awards.xlsx"} {
			body := f.ok(c.ctx, path)
			var has bool
			if strings.HasSuffix(path, ".xlsx") {
				w := openWorkbook(t, body)
				for _, r := range w.rows {
					has = has || strings.Contains(strings.Join(r, "|"), "Nguyễn Thị Đào")
				}
			} else {
				has = bytes.Contains(body, []byte("Nguyễn Thị Đào"))
			}
			if has != c.sees {
				t.Errorf("%s, %s: proposal shown = %v", c.who, path, has)
			}
			if c.sees && !bytes.Contains(body, []byte("Đề nghị")) && strings.HasSuffix(path, ".csv") {
				t.Errorf("%s: the proposal's status is not labelled:\n%s", c.who, body)
			}
		}
	}
}

type errorBody struct {
	Errors []struct {
		Message    string            `json:"message"`
		Extensions map[string]string `json:"extensions"`
	} `json:"errors"`
}

// checkError checks a JSON error answer.
func checkError(t *testing.T, rec *httptest.ResponseRecorder, status int, code, field string) errorBody {
	t.Helper()
	var b errorBody
	if err := json.Unmarshal(rec.Body.Bytes(), &b); err != nil || len(b.Errors) != 1 {
		t.Errorf("not a JSON error (%v): %s", err, rec.Body)
		return b
	}
	e := b.Errors[0]
	if rec.Code != status || rec.Header().Get("Content-Type") != "application/json" ||
		e.Extensions["code"] != code || e.Extensions["field"] != field || e.Message == "" ||
		rec.Header().Get("Content-Disposition") != "" {
		t.Errorf("got %d %q %s; want %d %s field %q", rec.Code, rec.Header().Get("Content-Type"), rec.Body, status, code, field)
	}
	return b
}

// Errors are JSON bodies with the error table's status and code.
func TestErrors(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	ctx := context.Background()
	for _, c := range []struct {
		path   string
		status int
		code   string
		field  string
	}{
		{"/reports/reviews/not-an-id.csv", 404, "NOT_FOUND", ""},
		{"/reports/reviews/not-an-id.xlsx", 404, "NOT_FOUND", ""},
		{"/reports/reviews/6500000000000000000000aa.csv", 404, "NOT_FOUND", ""},
		{"/reports/reviews/" + reviewID + ".pdf", 404, "NOT_FOUND", ""},
		{"/reports/reviews/" + reviewID, 404, "NOT_FOUND", ""},
		{"/reports/movements.csv", 404, "NOT_FOUND", ""},
		{"/reports/nothing/here", 404, "NOT_FOUND", ""},
		{"/reports/awards.csv?year=soon", 400, "BAD_USER_INPUT", "year"},
		{"/reports/awards.xlsx?status=GRANTED", 400, "BAD_USER_INPUT", "status"},
		{"/reports/awards.csv?authority=KING", 400, "BAD_USER_INPUT", "authority"},
		{"/reports/awards.csv?search=" + strings.Repeat("a", 1000), 400, "BAD_USER_INPUT", "search"},
		{"/reports/awards.csv?sep=tab", 400, "BAD_USER_INPUT", "sep"},
		{"/reports/reviews/" + reviewID + ".csv?sep=%3B", 400, "BAD_USER_INPUT", "sep"},
	} {
		t.Run(c.path[:min(len(c.path), 60)], func(t *testing.T) {
			checkError(t, f.get(ctx, c.path), c.status, c.code, c.field)
		})
	}
	if f.logged.Load() != 0 {
		t.Errorf("refusals logged as errors: %d", f.logged.Load())
	}
}

// failingStore fails to read reviews with an error that must not reach the
// client.
type failingStore struct{ *repository.Store }

func (failingStore) PeriodReview(context.Context, string, domain.Access) (*domain.PeriodReview, error) {
	return nil, errors.New("connection to 10.0.0.7 reset")
}

// An unexpected error is logged once and shown as "internal error".
func TestInternalError(t *testing.T) {
	t.Parallel()
	f := newFixture(t, func(s *repository.Store) service.Store { return failingStore{s} })
	b := checkError(t, f.get(context.Background(), "/reports/reviews/"+reviewID+".csv"), 500, "INTERNAL_SERVER_ERROR", "")
	if len(b.Errors) == 1 && b.Errors[0].Message != "internal error" {
		t.Errorf("message %q", b.Errors[0].Message)
	}
	if n := f.logged.Load(); n != 1 {
		t.Errorf("logged %d times, want once", n)
	}
}

// Every value of the enums the files show has a Vietnamese label (EXACT,
// the qualifier of a figure stated as is, has none).
func TestLabelsCoverEnums(t *testing.T) {
	enums := map[string]bool{"AwardClass": true, "Authority": true, "RecipientKind": true, "AwardStatus": true, "FigureQualifier": true}
	seen := map[string]int{}
	start := regexp.MustCompile(`^enum (\w+) \{`)
	value := regexp.MustCompile(`^\s+([A-Z][A-Z0-9_]*)\s*$`)
	for _, file := range []string{"../graph/award.graphqls", "../graph/review.graphqls"} {
		fh, err := os.Open(file)
		if err != nil {
			t.Fatal(err)
		}
		enum := ""
		sc := bufio.NewScanner(fh)
		for sc.Scan() {
			line := sc.Text()
			switch m := start.FindStringSubmatch(line); {
			case m != nil:
				enum = m[1]
			case strings.HasPrefix(line, "}"):
				enum = ""
			case enums[enum] && value.MatchString(line):
				v := value.FindStringSubmatch(line)[1]
				seen[enum]++
				l, ok := export.Label(enum, v)
				if !ok || (l == "" || l == v) && !(enum == "FigureQualifier" && v == "EXACT") {
					t.Errorf("%s.%s has no label (%q)", enum, v, l)
				}
			}
		}
		_ = fh.Close()
	}
	for e := range enums {
		if seen[e] == 0 {
			t.Errorf("enum %s not found in the schema", e)
		}
	}
	for v, want := range map[string]string{"FIRST": "Hạng Nhất", "SECOND": "Hạng Nhì", "THIRD": "Hạng Ba"} {
		if l, _ := export.Label("AwardClass", v); l != want {
			t.Errorf("AwardClass.%s = %q", v, l)
		}
	}
	if l, _ := export.Label("FigureQualifier", "MORE_THAN"); l != "hơn" {
		t.Errorf("MORE_THAN = %q", l)
	}
}

// An award list export stops at 10,000 awards.
func TestRowCap(t *testing.T) {
	if testing.Short() {
		t.Skip("inserts 10,001 awards")
	}
	t.Parallel()
	var store *repository.Store
	f := newFixture(t, func(s *repository.Store) service.Store { store = s; return s })
	ctx := context.Background()
	for i := range 10001 - 1 { // the fixture's conferred award is the 10,001st
		a := domain.Award{Owner: "cao-bang", Published: true, ProvinceID: "cao-bang", AwardTypeID: "giay-khen",
			Authority: "UNIT_HEAD", Recipient: domain.Recipient{Kind: "COLLECTIVE", Name: "Đơn vị " + strconv.Itoa(i)},
			Year: 2023, Status: "CONFERRED", LegalBasis: domain.DefaultLawPeriods[1].Text, History: []domain.AwardEvent{}}
		if err := store.CreateAward(ctx, &a); err != nil {
			t.Fatal(err)
		}
	}
	recs := records(t, f.ok(ctx, "/reports/awards.csv"), ';')
	if len(recs) != 1+10000 {
		t.Errorf("%d awards exported, want 10,000", len(recs)-1)
	}
}
