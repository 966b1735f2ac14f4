package export_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/thidua/thidua/auth"
	"github.com/thidua/thidua/domain"
)

var paymentHeader = []string{"STT", "Họ và tên / Tên tập thể", "Chức vụ", "Đơn vị", "Hình thức khen thưởng", "Hạng", "Hệ số",
	"Số tiền (đồng)", "Ký nhận", "Ghi chú"}

// paymentHead is the payment list's title lines with the base salary line.
func paymentHead(salary string) []string {
	return []string{
		"Danh sách chi tiền thưởng kèm theo Quyết định số 2468/QĐ-UBND ngày 20/11/2026 của Chủ tịch UBND tỉnh",
		"Cơ quan ban hành: Ủy ban nhân dân tỉnh Lạng Sơn",
		"Người ký: Hồ Tiến Thiệu, Chủ tịch",
		"Căn cứ: " + domain.LegalBasisOn(nil, "2026-11-20"),
		"Lương cơ sở ngày quyết định: " + salary,
		"",
	}
}

// checkPayments checks a payment list CSV line by line: the title lines
// (as wide as the table), the header, the rows, the totals.
func checkPayments(t *testing.T, recs [][]string, head []string, rows ...[]string) {
	t.Helper()
	want := [][]string{}
	for _, line := range head {
		want = append(want, append([]string{line}, make([]string, len(paymentHeader)-1)...))
	}
	want = append(want, paymentHeader)
	want = append(want, rows...)
	if len(recs) != len(want) {
		t.Fatalf("%d lines, want %d:\n%q", len(recs), len(want), recs)
	}
	for i := range want {
		if strings.Join(recs[i], "|") != strings.Join(want[i], "|") {
			t.Errorf("line %d:\n got %q\nwant %q", i+1, recs[i], want[i])
		}
	}
}

// A decision's payment list: one row an award, with the coefficient and
// the amount at the decision's date (Vietnamese numbers), a note where a
// form carries no money, the totals; it follows the base salary table and
// a revocation at once. Public, as the decision is.
func TestPaymentsCSV(t *testing.T) {
	t.Parallel()
	f := newDossierFixture(t)
	path := "/reports/payments/" + f.decision.ID + ".csv"
	rec := f.get(context.Background(), path)
	served(t, rec, "text/csv; charset=utf-8", "payments-"+f.decision.ID+".csv")
	hoa := []string{"1", "Nguyễn Thị Hoa", "Phó Giám đốc", "Sở Nội vụ tỉnh Lạng Sơn", "Bằng khen của Chủ tịch Ủy ban nhân dân tỉnh", "",
		"", "", "", "Không có mức thưởng"}
	caoLoc := []string{"2", "Phòng Nội vụ huyện Cao Lộc", "", "", "Tập thể lao động xuất sắc", "", "1,5", "3.510.000", "", ""}
	totals := func(n, amount string) []string {
		return []string{"", "Tổng cộng (" + n + " được thưởng)", "", "", "", "", "", amount, "", ""}
	}
	checkPayments(t, records(t, rec.Body.Bytes(), ';'), paymentHead("2.340.000 đồng (từ ngày 01/07/2024)"), hoa, caoLoc, totals("1", "3.510.000"))
	checkPayments(t, records(t, f.ok(as(context.Background(), "cao-bang", auth.Viewer), path+"?sep=comma"), ','),
		paymentHead("2.340.000 đồng (từ ngày 01/07/2024)"), hoa, caoLoc, totals("1", "3.510.000"))

	// A new base salary from before the decision: 1.5 × 2,345,000 =
	// 3,517,500, rounded up to 3,520,000.
	admin := as(context.Background(), "*", auth.Admin)
	if _, err := f.svc.SaveBaseSalary(admin, domain.BaseSalaryInput{From: "2026-07-01", Amount: 2_345_000}, 0); err != nil {
		t.Fatal(err)
	}
	caoLoc[7] = "3.520.000"
	checkPayments(t, records(t, f.ok(context.Background(), path), ';'), paymentHead("2.345.000 đồng (từ ngày 01/07/2026)"),
		hoa, caoLoc, totals("1", "3.520.000"))

	// A revoked award keeps its row, unpaid, the revocation noted.
	f.revokeCollective(t)
	caoLoc[6], caoLoc[7], caoLoc[9] = "", "", "Đã thu hồi (Quyết định số 2500/QĐ-UBND ngày 25/11/2026)"
	checkPayments(t, records(t, f.ok(context.Background(), path), ';'), paymentHead("2.345.000 đồng (từ ngày 01/07/2026)"),
		hoa, caoLoc, totals("0", "0"))
}

// The payment list in Excel, asked for by extension, ?format= or Accept:
// the coefficient and the amounts numeric cells (so they add up), the
// rest strings.
func TestPaymentsXLSX(t *testing.T) {
	t.Parallel()
	f := newDossierFixture(t)
	base := "/reports/payments/" + f.decision.ID
	for _, c := range []struct{ path, accept string }{
		{base + ".xlsx", ""},
		{base + "?format=xlsx", "text/csv"},
		{base, "application/json, application/vnd.openxmlformats-officedocument.spreadsheetml.sheet;q=0.9"},
	} {
		rec := getAccepting(f.fixture, c.path, c.accept)
		served(t, rec, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "payments-"+f.decision.ID+".xlsx")
		w := openWorkbook(t, rec.Body.Bytes())
		head := len(paymentHead(""))
		if w.sheet != "Danh sách chi tiền thưởng" || len(w.rows) != head+4 || strings.Join(w.rows[head], "|") != strings.Join(paymentHeader, "|") {
			t.Fatalf("sheet %q, rows %q", w.sheet, w.rows)
		}
		numeric := func(col, row int, want float64) {
			t.Helper()
			ref, _ := excelize.CoordinatesToCellName(col, row)
			typ, _ := w.f.GetCellType(w.sheet, ref)
			raw, _ := w.f.GetCellValue(w.sheet, ref, excelize.Options{RawCellValue: true})
			if v, err := strconv.ParseFloat(raw, 64); (typ != excelize.CellTypeUnset && typ != excelize.CellTypeNumber) || err != nil || v != want {
				t.Errorf("%s: type %v, raw %q; want the number %v", ref, typ, raw, want)
			}
		}
		numeric(7, head+3, 1.5)       // Cao Lộc's coefficient
		numeric(8, head+3, 3_510_000) // Cao Lộc's amount
		numeric(8, head+4, 3_510_000) // the total
		if v, _ := w.f.GetCellValue(w.sheet, "H"+strconv.Itoa(head+2)); v != "" {
			t.Errorf("Hoa's amount %q, want none", v)
		}
		if v, _ := w.f.GetCellValue(w.sheet, "B"+strconv.Itoa(head+4)); v != "Tổng cộng (1 được thưởng)" {
			t.Errorf("the totals row: %q", v)
		}
	}
	// Without a format: CSV (also when Accept asks for it).
	for _, accept := range []string{"", "text/csv"} {
		if rec := getAccepting(f.fixture, base, accept); rec.Code != 200 || rec.Header().Get("Content-Type") != "text/csv; charset=utf-8" {
			t.Errorf("Accept %q: %d %v", accept, rec.Code, rec.Header())
		}
	}
}

// served checks that a file was served, of that type and name.
func served(t *testing.T, rec *httptest.ResponseRecorder, contentType, filename string) {
	t.Helper()
	if rec.Code != 200 || rec.Header().Get("Content-Type") != contentType ||
		rec.Header().Get("Content-Disposition") != `attachment; filename="`+filename+`"` {
		t.Fatalf("%d %v, want %s as %s: %.300s", rec.Code, rec.Header(), contentType, filename, rec.Body)
	}
}

// revokeCollective revokes the fixture decision's award to the collective
// (by the deciding level's decider, whose award it is).
func (f *dossierFixture) revokeCollective(t *testing.T) {
	t.Helper()
	langSon := as(context.Background(), "lang-son", auth.Decider)
	a, err := f.svc.Award(langSon, f.decided.Recipients[1].AwardID)
	if err != nil || a == nil {
		t.Fatalf("the collective's award: %v", err)
	}
	if _, err := f.svc.RevokeAward(langSon, a.ID, a.Version, domain.RevocationInput{Reason: "Khen thưởng không đúng đối tượng",
		Decision: domain.DecisionInput{Number: "2500/QĐ-UBND", Date: "2026-11-25"}}); err != nil {
		t.Fatalf("revoking: %v", err)
	}
}

// getAccepting requests path anonymously with an Accept header (none when
// "").
func getAccepting(f *fixture, path, accept string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodGet, path, nil)
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	rec := httptest.NewRecorder()
	f.h.ServeHTTP(rec, req)
	return rec
}

// Bad parameters are refused with the parameter named; an unknown or
// malformed decision is NOT_FOUND.
func TestPaymentsErrors(t *testing.T) {
	t.Parallel()
	f := newDossierFixture(t)
	for _, c := range []struct {
		path        string
		status      int
		code, field string
	}{
		{"/reports/payments/not-an-id.csv", 404, "NOT_FOUND", ""},
		{"/reports/payments/6500000000000000000000aa", 404, "NOT_FOUND", ""},
		{"/reports/payments/" + f.decided.ID + ".xlsx", 404, "NOT_FOUND", ""}, // a dossier is not a decision
		{"/reports/payments/" + f.decision.ID + ".pdf", 404, "NOT_FOUND", ""},
		{"/reports/payments/" + f.decision.ID + "?format=pdf", 400, "BAD_USER_INPUT", "format"},
		{"/reports/payments/" + f.decision.ID + ".csv?sep=tab", 400, "BAD_USER_INPUT", "sep"},
	} {
		checkError(t, f.get(context.Background(), c.path), c.status, c.code, c.field)
	}
	if n := f.logged.Load(); n != 0 {
		t.Errorf("%d errors logged for bad requests", n)
	}
}
