package export_test

import (
	"bufio"
	"bytes"
	"context"
	"log/slog"
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

// dossierFixture is the export handler over a fresh database with the
// founding data and, made through the service's commands:
//
//   - Lạng Sơn's 2025 dossier, DECIDED by decision 2468/QĐ-UBND: an
//     honoree (Nguyễn Thị Hoa) and a collective;
//   - Lạng Sơn's 2026 dossier, a DRAFT without a letter, proposing evil;
//   - Cao Bằng's 2025 dossier, SUBMITTED, proposing Hoàng Văn Nam.
type dossierFixture struct {
	*fixture
	svc      *service.Service
	store    *repository.Store
	decided  *domain.Dossier // Lạng Sơn's decided dossier
	decision *domain.DecisionRecord
}

func sp(s string) *string { return &s }

func newDossierFixture(t *testing.T) *dossierFixture {
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
	f := &dossierFixture{fixture: &fixture{t: t, logged: &atomic.Int64{}}, svc: svc, store: store}
	langSon, caoBang := as(ctx, "lang-son", auth.Decider), as(ctx, "cao-bang", auth.Decider)

	h, err := svc.SaveHonoree(langSon, nil, domain.HonoreeInput{ProvinceID: "lang-son", Key: "LS-0017", Kind: "INDIVIDUAL",
		Name: "Nguyễn Thị Hoa", Position: sp("Phó Giám đốc"), Organization: sp("Sở Nội vụ tỉnh Lạng Sơn")}, 0)
	if err != nil {
		t.Fatalf("honoree: %v", err)
	}
	d, err := svc.CreateDossier(langSon, domain.DossierInput{ProvinceID: sp("lang-son"), Kind: "REGULAR",
		Authority: "PROVINCE_CHAIR", Year: 2025, Title: "Đề nghị tặng Bằng khen của Chủ tịch UBND tỉnh năm 2025",
		ProposingUnit: "Sở Nội vụ tỉnh Lạng Sơn",
		Letter:        &domain.DecisionInput{Number: "125/TTr-SNV", Date: "2026-11-02"},
		Council:       &domain.CouncilInput{Date: "2026-10-30", MembersPresent: 10, MembersTotal: 11},
		Recipients: []domain.DossierRecipientInput{
			{HonoreeID: &h.ID, AwardTypeID: "bang-khen-chu-tich-tinh", Achievement: "Hoàn thành xuất sắc nhiệm vụ năm 2025",
				BallotShare: fp(100)},
			{Recipient: &domain.RecipientInput{Kind: "COLLECTIVE", Name: "Phòng Nội vụ huyện Cao Lộc"},
				AwardTypeID: "tap-the-lao-dong-xuat-sac", Achievement: "Dẫn đầu phong trào thi đua", BallotShare: fp(90.9)},
		}})
	if err != nil {
		t.Fatalf("dossier: %v", err)
	}
	if d, err = svc.SubmitDossier(langSon, d.ID, d.Version); err != nil {
		t.Fatalf("submitting: %v", err)
	}
	if d, err = svc.VetDossier(langSon, d.ID, d.Version, sp("Đủ điều kiện")); err != nil {
		t.Fatalf("vetting: %v", err)
	}
	f.decision, err = svc.RecordDecision(langSon, domain.DecisionRecordInput{DossierID: d.ID, Number: "2468/QĐ-UBND",
		Date: "2026-11-20", IssuedBy: "Ủy ban nhân dân tỉnh Lạng Sơn",
		Signer: domain.SignerInput{Name: "Hồ Tiến Thiệu", Position: sp("Chủ tịch")}}, d.Version)
	if err != nil {
		t.Fatalf("decision: %v", err)
	}
	if f.decided, err = svc.Dossier(langSon, d.ID); err != nil || f.decided == nil || f.decided.Status != domain.DossierDecided {
		t.Fatalf("the decided dossier: %v %+v", err, f.decided)
	}

	if _, err := svc.CreateDossier(langSon, domain.DossierInput{ProvinceID: sp("lang-son"), Kind: "THEMATIC",
		Authority: "PROVINCE_CHAIR", Year: 2026, Title: "Đề nghị khen thưởng chuyên đề chuyển đổi số",
		ProposingUnit: "Sở Khoa học và Công nghệ", Recipients: []domain.DossierRecipientInput{
			{Recipient: &domain.RecipientInput{Kind: "INDIVIDUAL", Name: evil, Position: sp("Chuyên viên")},
				AwardTypeID: "bang-khen-chu-tich-tinh", Achievement: "-Có sáng kiến chuyển đổi số"},
		}}); err != nil {
		t.Fatalf("draft: %v", err)
	}

	c, err := svc.CreateDossier(caoBang, domain.DossierInput{ProvinceID: sp("cao-bang"), Kind: "REGULAR",
		Authority: "PROVINCE_CHAIR", Year: 2025, Title: "Đề nghị tặng Bằng khen năm 2025 (Cao Bằng)",
		ProposingUnit: "Sở Nội vụ tỉnh Cao Bằng",
		Letter:        &domain.DecisionInput{Number: "77/TTr-SNV", Date: "2026-10-15"},
		Recipients: []domain.DossierRecipientInput{
			{Recipient: &domain.RecipientInput{Kind: "INDIVIDUAL", Name: "Hoàng Văn Nam", Organization: sp("Sở Nội vụ tỉnh Cao Bằng")},
				AwardTypeID: "bang-khen-chu-tich-tinh", Achievement: "Hoàn thành xuất sắc nhiệm vụ", BallotShare: fp(87.5)},
		}})
	if err != nil {
		t.Fatalf("Cao Bằng's dossier: %v", err)
	}
	if _, err := svc.SubmitDossier(caoBang, c.ID, c.Version); err != nil {
		t.Fatalf("submitting Cao Bằng's: %v", err)
	}
	f.h = export.Handler(svc, slog.New(countingHandler{slog.NewTextHandler(os.Stderr, nil), f.logged}))
	return f
}

var dossierHeader = []string{"Tỉnh", "Hồ sơ", "Loại hình khen thưởng", "Cấp trình", "Năm", "Trạng thái", "Số tờ trình",
	"Ngày tờ trình", "Đối tượng", "Tên", "Chức vụ", "Đơn vị", "Hình thức khen thưởng", "Hạng", "Thành tích",
	"Tỷ lệ phiếu bầu (%)", "Số quyết định", "Ngày quyết định"}

// The rows of the fixture's dossiers, as their CSV shows them: newest year
// first, a dossier's recipients in its order.
var (
	rowDraft = []string{"Lạng Sơn", "Đề nghị khen thưởng chuyên đề chuyển đổi số", "Theo đợt, chuyên đề", "Chủ tịch UBND tỉnh",
		"2026", "Dự thảo", "", "", "Cá nhân", "'" + evil, "Chuyên viên", "", "Bằng khen của Chủ tịch Ủy ban nhân dân tỉnh", "",
		"'-Có sáng kiến chuyển đổi số", "", "", ""}
	rowHoa = []string{"Lạng Sơn", "Đề nghị tặng Bằng khen của Chủ tịch UBND tỉnh năm 2025", "Thường xuyên", "Chủ tịch UBND tỉnh",
		"2025", "Đã quyết định", "125/TTr-SNV", "02/11/2026", "Cá nhân", "Nguyễn Thị Hoa", "Phó Giám đốc", "Sở Nội vụ tỉnh Lạng Sơn",
		"Bằng khen của Chủ tịch Ủy ban nhân dân tỉnh", "", "Hoàn thành xuất sắc nhiệm vụ năm 2025", "100", "2468/QĐ-UBND", "20/11/2026"}
	rowCaoLoc = []string{"Lạng Sơn", "Đề nghị tặng Bằng khen của Chủ tịch UBND tỉnh năm 2025", "Thường xuyên", "Chủ tịch UBND tỉnh",
		"2025", "Đã quyết định", "125/TTr-SNV", "02/11/2026", "Tập thể", "Phòng Nội vụ huyện Cao Lộc", "", "",
		"Tập thể lao động xuất sắc", "", "Dẫn đầu phong trào thi đua", "90,9", "2468/QĐ-UBND", "20/11/2026"}
	rowNam = []string{"Cao Bằng", "Đề nghị tặng Bằng khen năm 2025 (Cao Bằng)", "Thường xuyên", "Chủ tịch UBND tỉnh",
		"2025", "Đã trình", "77/TTr-SNV", "15/10/2026", "Cá nhân", "Hoàng Văn Nam", "", "Sở Nội vụ tỉnh Cao Bằng",
		"Bằng khen của Chủ tịch Ủy ban nhân dân tỉnh", "", "Hoàn thành xuất sắc nhiệm vụ", "87,5", "", ""}
)

// checkRecords compares CSV records with the header and rows wanted.
func checkRecords(t *testing.T, what string, recs [][]string, header []string, want ...[]string) {
	t.Helper()
	if len(recs) == 0 || strings.Join(recs[0], "|") != strings.Join(header, "|") {
		t.Errorf("%s: header %q", what, recs[:min(len(recs), 1)])
		return
	}
	if len(recs)-1 != len(want) {
		t.Errorf("%s: %d rows, want %d:\n%q", what, len(recs)-1, len(want), recs[1:])
		return
	}
	for i, w := range want {
		if got := strings.Join(recs[1+i], "|"); got != strings.Join(w, "|") {
			t.Errorf("%s: row %d\n got %q\nwant %q", what, i+1, recs[1+i], w)
		}
	}
}

// The dossier list in CSV as a Lạng Sơn viewer reads it: one row a
// proposed recipient of its dossiers, labels in Vietnamese, dates
// dd/mm/yyyy, the ballot share a Vietnamese number, the decision of a
// decided dossier; formulas neutralised; the filters select.
func TestDossiersCSV(t *testing.T) {
	t.Parallel()
	f := newDossierFixture(t)
	ctx := as(context.Background(), "lang-son", auth.Viewer)
	rec := f.get(ctx, "/reports/dossiers.csv")
	if rec.Code != 200 || rec.Header().Get("Content-Type") != "text/csv; charset=utf-8" ||
		rec.Header().Get("Content-Disposition") != `attachment; filename="dossiers.csv"` {
		t.Fatalf("%d %v %s", rec.Code, rec.Header(), rec.Body)
	}
	checkRecords(t, "all", records(t, rec.Body.Bytes(), ';'), dossierHeader, rowDraft, rowHoa, rowCaoLoc)
	if !bytes.Contains(rec.Body.Bytes(), []byte(`;"'=HYPERLINK(""http://evil.example"",""click"")";`)) {
		t.Errorf("the formula is not neutralised and quoted:\n%s", rec.Body)
	}
	checkRecords(t, "sep=comma", records(t, f.ok(ctx, "/reports/dossiers.csv?sep=comma"), ','), dossierHeader,
		rowDraft, rowHoa, rowCaoLoc)
	for _, c := range []struct {
		query string
		want  [][]string
	}{
		{"status=DECIDED", [][]string{rowHoa, rowCaoLoc}},
		{"status=DRAFT", [][]string{rowDraft}},
		{"status=SUBMITTED", nil},
		{"year=2025", [][]string{rowHoa, rowCaoLoc}},
		{"year=2024", nil},
		{"kind=THEMATIC", [][]string{rowDraft}},
		{"authority=PROVINCE_CHAIR&provinceId=lang-son", [][]string{rowDraft, rowHoa, rowCaoLoc}},
		{"authority=PRIME_MINISTER", nil},
		{"provinceId=cao-bang", nil},
		{"search=chuyen%20doi%20so", [][]string{rowDraft}}, // diacritics ignored
	} {
		checkRecords(t, c.query, records(t, f.ok(ctx, "/reports/dossiers.csv?"+c.query), ';'), dossierHeader, c.want...)
	}
	// A Cao Bằng viewer: its dossier only.
	checkRecords(t, "cao-bang", records(t, f.ok(as(context.Background(), "cao-bang", auth.Viewer), "/reports/dossiers.csv"), ';'),
		dossierHeader, rowNam)
}

// Dossiers are never public, and a province's stay its own: anonymous
// callers get the header only, another province's viewer none of Lạng
// Sơn's rows, in either format.
func TestDossiersHidden(t *testing.T) {
	t.Parallel()
	f := newDossierFixture(t)
	ctx := context.Background()
	names := []string{"Nguyễn Thị Hoa", "Phòng Nội vụ huyện Cao Lộc", "HYPERLINK", "Hoàng Văn Nam"}
	for _, c := range []struct {
		who  string
		ctx  context.Context
		sees []string
	}{
		{"anonymous", ctx, nil},
		{"a dien-bien decider", as(ctx, "dien-bien", auth.Decider), nil},
		{"a cao-bang viewer", as(ctx, "cao-bang", auth.Viewer), []string{"Hoàng Văn Nam"}},
		{"a lang-son viewer", as(ctx, "lang-son", auth.Viewer), []string{"Nguyễn Thị Hoa", "Phòng Nội vụ huyện Cao Lộc", "HYPERLINK"}},
	} {
		for _, path := range []string{"/reports/dossiers.csv", "/reports/dossiers.csv?provinceId=lang-son",
			"/reports/dossiers.csv?status=DECIDED", "/reports/dossiers.xlsx"} {
			body := f.ok(c.ctx, path)
			var content string
			if strings.HasSuffix(path, ".xlsx") {
				w := openWorkbook(t, body)
				for _, r := range w.rows {
					content += strings.Join(r, "|") + "\n"
				}
				if len(c.sees) == 0 && len(w.rows) != 1 {
					t.Errorf("%s, %s: %d rows, want the header only", c.who, path, len(w.rows))
				}
			} else {
				content = string(body)
				if recs := records(t, body, ';'); len(c.sees) == 0 && len(recs) != 1 {
					t.Errorf("%s, %s: %d rows, want the header only", c.who, path, len(recs))
				}
			}
			if !strings.HasPrefix(strings.TrimPrefix(content, "\ufeff"), "Tỉnh") {
				t.Errorf("%s, %s: no header:\n%s", c.who, path, content)
			}
			for _, name := range names {
				shown := strings.Contains(content, name)
				want := false
				for _, s := range c.sees {
					want = want || s == name
				}
				if name == "Nguyễn Thị Hoa" || name == "Phòng Nội vụ huyện Cao Lộc" || name == "HYPERLINK" {
					want = want && !strings.Contains(path, "cao-bang")
				}
				if name == "HYPERLINK" || name == "Hoàng Văn Nam" {
					want = want && !strings.Contains(path, "DECIDED")
				}
				if name == "Hoàng Văn Nam" {
					want = want && !strings.Contains(path, "lang-son")
				}
				if shown != want {
					t.Errorf("%s, %s: %s shown = %v", c.who, path, name, shown)
				}
			}
		}
	}
}

// The dossier list in Excel: labels and text as strings (a formula never
// runs), the year and the ballot share numbers, the dates dates.
func TestDossiersXLSX(t *testing.T) {
	t.Parallel()
	f := newDossierFixture(t)
	rec := f.get(as(context.Background(), "lang-son", auth.Viewer), "/reports/dossiers.xlsx?year=2025")
	if rec.Code != 200 || !strings.Contains(rec.Header().Get("Content-Type"), "spreadsheetml") ||
		rec.Header().Get("Content-Disposition") != `attachment; filename="dossiers.xlsx"` {
		t.Fatalf("%d %v %s", rec.Code, rec.Header(), rec.Body)
	}
	w := openWorkbook(t, rec.Body.Bytes())
	if w.sheet != "Hồ sơ đề nghị khen thưởng" || len(w.rows) != 3 || strings.Join(w.rows[0], "|") != strings.Join(dossierHeader, "|") {
		t.Fatalf("sheet %q, rows %q", w.sheet, w.rows)
	}
	// Rows are found by their first cell: both are Lạng Sơn's, so look at
	// them by position.
	cellAt := func(row int, col string) string {
		ref, _ := excelize.CoordinatesToCellName(column(t, w.rows[0], col)+1, row+1)
		return ref
	}
	for col, want := range map[string]string{"Tỉnh": "Lạng Sơn", "Loại hình khen thưởng": "Thường xuyên",
		"Cấp trình": "Chủ tịch UBND tỉnh", "Trạng thái": "Đã quyết định", "Đối tượng": "Tập thể",
		"Tên": "Phòng Nội vụ huyện Cao Lộc", "Hình thức khen thưởng": "Tập thể lao động xuất sắc",
		"Số tờ trình": "125/TTr-SNV", "Số quyết định": "2468/QĐ-UBND"} {
		ref := cellAt(2, col)
		typ, _ := w.f.GetCellType(w.sheet, ref)
		v, _ := w.f.GetCellValue(w.sheet, ref)
		if (typ != excelize.CellTypeSharedString && typ != excelize.CellTypeInlineString) || v != want {
			t.Errorf("%s (%s): type %v, %q; want the string %q", col, ref, typ, v, want)
		}
	}
	serial := func(y, m, d int) float64 {
		return time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC).Sub(time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)).Hours() / 24
	}
	for _, c := range []struct {
		row    int
		col    string
		want   float64
		format string
		shows  string
	}{
		{1, "Năm", 2025, "0", "2025"},
		{1, "Tỷ lệ phiếu bầu (%)", 100, "#,##0", "100"},
		{2, "Tỷ lệ phiếu bầu (%)", 90.9, "#,##0.0", "90.9"}, // excelize shows the en-US separators
		{2, "Ngày tờ trình", serial(2026, 11, 2), "dd/mm/yyyy", "02/11/2026"},
		{2, "Ngày quyết định", serial(2026, 11, 20), "dd/mm/yyyy", "20/11/2026"},
	} {
		ref := cellAt(c.row, c.col)
		typ, _ := w.f.GetCellType(w.sheet, ref)
		raw, _ := w.f.GetCellValue(w.sheet, ref, excelize.Options{RawCellValue: true})
		shown, _ := w.f.GetCellValue(w.sheet, ref)
		v, err := strconv.ParseFloat(raw, 64)
		idx, _ := w.f.GetCellStyle(w.sheet, ref)
		style, _ := w.f.GetStyle(idx)
		format := ""
		if style != nil && style.CustomNumFmt != nil {
			format = *style.CustomNumFmt
		}
		if (typ != excelize.CellTypeUnset && typ != excelize.CellTypeNumber) || err != nil || v != c.want ||
			format != c.format || shown != c.shows {
			t.Errorf("%s (%s): type %v, raw %q, format %q, shows %q; want %v as %q showing %q",
				c.col, ref, typ, raw, format, shown, c.want, c.format, c.shows)
		}
	}

	// The draft's formula is a plain string.
	w = openWorkbook(t, f.ok(as(context.Background(), "lang-son", auth.Viewer), "/reports/dossiers.xlsx?status=DRAFT"))
	ref, _ := excelize.CoordinatesToCellName(column(t, w.rows[0], "Tên")+1, 2)
	v, _ := w.f.GetCellValue(w.sheet, ref)
	formula, _ := w.f.GetCellFormula(w.sheet, ref)
	if v != evil || formula != "" {
		t.Errorf("the draft's name: %q, formula %q", v, formula)
	}
}

var annexHeader = []string{"STT", "Tên", "Chức vụ", "Đơn vị", "Hình thức khen thưởng", "Hạng", "Thành tích", "Ghi chú"}

// annexTitle is the decision's title lines.
var annexTitle = []string{
	"Danh sách khen thưởng kèm theo Quyết định số 2468/QĐ-UBND ngày 20/11/2026 của Chủ tịch UBND tỉnh",
	"Cơ quan ban hành: Ủy ban nhân dân tỉnh Lạng Sơn",
	"Người ký: Hồ Tiến Thiệu, Chủ tịch",
	"Căn cứ: " + domain.DefaultLawPeriods[2].Text, // decided 20/11/2026: Decree 152/2025
	"",
}

// checkAnnex checks an annex CSV: the title lines (as wide as the table),
// the header and the award rows.
func checkAnnex(t *testing.T, recs [][]string, want ...[]string) {
	t.Helper()
	if len(recs) < len(annexTitle)+1 {
		t.Fatalf("%d lines: %q", len(recs), recs)
	}
	for i, line := range annexTitle {
		wantLine := append([]string{line}, make([]string, len(annexHeader)-1)...)
		if strings.Join(recs[i], "|") != strings.Join(wantLine, "|") {
			t.Errorf("title line %d: %q, want %q", i+1, recs[i], line)
		}
	}
	checkRecords(t, "annex", recs[len(annexTitle):], annexHeader, want...)
}

var (
	annexHoa    = []string{"1", "Nguyễn Thị Hoa", "Phó Giám đốc", "Sở Nội vụ tỉnh Lạng Sơn", "Bằng khen của Chủ tịch Ủy ban nhân dân tỉnh", "", "Hoàn thành xuất sắc nhiệm vụ năm 2025", ""}
	annexCaoLoc = []string{"2", "Phòng Nội vụ huyện Cao Lộc", "", "", "Tập thể lao động xuất sắc", "", "Dẫn đầu phong trào thi đua", ""}
)

// A decision's annex, public: the decision named in the title lines, one
// row an award it conferred, in the dossier's order.
func TestDecisionAnnexCSV(t *testing.T) {
	t.Parallel()
	f := newDossierFixture(t)
	path := "/reports/decisions/" + f.decision.ID + ".csv"
	rec := f.get(context.Background(), path)
	if rec.Code != 200 || rec.Header().Get("Content-Type") != "text/csv; charset=utf-8" ||
		rec.Header().Get("Content-Disposition") != `attachment; filename="decision-`+f.decision.ID+`.csv"` {
		t.Fatalf("%d %v %s", rec.Code, rec.Header(), rec.Body)
	}
	checkAnnex(t, records(t, rec.Body.Bytes(), ';'), annexHoa, annexCaoLoc)
	checkAnnex(t, records(t, f.ok(as(context.Background(), "cao-bang", auth.Viewer), path+"?sep=comma"), ','), annexHoa, annexCaoLoc)

	// A revoked award keeps its row, the revocation noted.
	f.revokeCollective(t)
	revoked := append([]string(nil), annexCaoLoc...)
	revoked[7] = "Đã thu hồi (Quyết định số 2500/QĐ-UBND ngày 25/11/2026)"
	checkAnnex(t, records(t, f.ok(context.Background(), path), ';'), annexHoa, revoked)
}

// The annex in Excel: the number in order a number, the rest strings.
func TestDecisionAnnexXLSX(t *testing.T) {
	t.Parallel()
	f := newDossierFixture(t)
	rec := f.get(context.Background(), "/reports/decisions/"+f.decision.ID+".xlsx")
	if rec.Code != 200 || rec.Header().Get("Content-Disposition") != `attachment; filename="decision-`+f.decision.ID+`.xlsx"` {
		t.Fatalf("%d %v %s", rec.Code, rec.Header(), rec.Body)
	}
	w := openWorkbook(t, rec.Body.Bytes())
	if w.sheet != "Danh sách khen thưởng" || len(w.rows) != len(annexTitle)+3 || w.rows[0][0] != annexTitle[0] {
		t.Fatalf("sheet %q, rows %q", w.sheet, w.rows)
	}
	header := w.rows[len(annexTitle)]
	if strings.Join(header, "|") != strings.Join(annexHeader, "|") {
		t.Errorf("header %q", header)
	}
	for i, want := range [][]string{annexHoa, annexCaoLoc} {
		r := len(annexTitle) + 1 + i
		for j, col := range annexHeader {
			ref, _ := excelize.CoordinatesToCellName(j+1, r+1)
			typ, _ := w.f.GetCellType(w.sheet, ref)
			v, _ := w.f.GetCellValue(w.sheet, ref)
			switch {
			case col == "STT":
				if (typ != excelize.CellTypeUnset && typ != excelize.CellTypeNumber) || v != want[j] {
					t.Errorf("%s (%s): type %v, %q; want the number %s", col, ref, typ, v, want[j])
				}
			case want[j] == "":
				if v != "" {
					t.Errorf("%s (%s) = %q, want empty", col, ref, v)
				}
			case (typ != excelize.CellTypeSharedString && typ != excelize.CellTypeInlineString) || v != want[j]:
				t.Errorf("%s (%s): type %v, %q; want the string %q", col, ref, typ, v, want[j])
			}
		}
	}
}

// Bad parameters are refused with the parameter named; an unknown or
// malformed decision is NOT_FOUND; nothing of it is logged as an error.
func TestDossierReportErrors(t *testing.T) {
	t.Parallel()
	f := newDossierFixture(t)
	ctx := as(context.Background(), "lang-son", auth.Viewer)
	for _, c := range []struct {
		path   string
		status int
		code   string
		field  string
	}{
		{"/reports/dossiers.csv?year=soon", 400, "BAD_USER_INPUT", "year"},
		{"/reports/dossiers.xlsx?status=CONFERRED", 400, "BAD_USER_INPUT", "status"},
		{"/reports/dossiers.csv?authority=KING", 400, "BAD_USER_INPUT", "authority"},
		{"/reports/dossiers.csv?kind=ANNUAL", 400, "BAD_USER_INPUT", "kind"},
		{"/reports/dossiers.csv?provinceId=ha-noi", 400, "BAD_USER_INPUT", "provinceId"},
		{"/reports/dossiers.csv?search=" + strings.Repeat("a", 1000), 400, "BAD_USER_INPUT", "search"},
		{"/reports/dossiers.csv?sep=tab", 400, "BAD_USER_INPUT", "sep"},
		{"/reports/dossiers.pdf", 404, "NOT_FOUND", ""},
		{"/reports/dossiers", 404, "NOT_FOUND", ""},
		{"/reports/decisions/not-an-id.csv", 404, "NOT_FOUND", ""},
		{"/reports/decisions/6500000000000000000000aa.xlsx", 404, "NOT_FOUND", ""},
		{"/reports/decisions/" + f.decided.ID + ".csv", 404, "NOT_FOUND", ""}, // a dossier is not a decision
		{"/reports/decisions/" + f.decision.ID + ".pdf", 404, "NOT_FOUND", ""},
		{"/reports/decisions/" + f.decision.ID, 404, "NOT_FOUND", ""},
		{"/reports/decisions/" + f.decision.ID + ".csv?sep=tab", 400, "BAD_USER_INPUT", "sep"},
	} {
		t.Run(c.path[:min(len(c.path), 60)], func(t *testing.T) {
			checkError(t, f.get(ctx, c.path), c.status, c.code, c.field)
		})
	}
	if f.logged.Load() != 0 {
		t.Errorf("refusals logged as errors: %d", f.logged.Load())
	}
}

// A dossier list export stops at 10,000 rows (recipients).
func TestDossierRowCap(t *testing.T) {
	if testing.Short() {
		t.Skip("inserts 10,500 proposed recipients")
	}
	t.Parallel()
	f := newDossierFixture(t)
	ctx := context.Background()
	for i := range 21 {
		d := &domain.Dossier{Owner: "cao-bang", ProvinceID: "cao-bang", Kind: "REGULAR", Authority: "PROVINCE_CHAIR",
			Year: 2024, Title: "Hồ sơ " + strconv.Itoa(i), ProposingUnit: "Sở Nội vụ tỉnh Cao Bằng", Status: domain.DossierDraft,
			History: []domain.DossierEvent{{Status: domain.DossierDraft, At: now}}}
		for j := range domain.MaxDossierRecipients {
			d.Recipients = append(d.Recipients, domain.DossierRecipient{ProvinceID: "cao-bang",
				Recipient:   domain.Recipient{Kind: "COLLECTIVE", Name: "Đơn vị " + strconv.Itoa(j)},
				AwardTypeID: "bang-khen-chu-tich-tinh", Achievement: "Thành tích"})
		}
		if err := f.store.CreateDossier(ctx, d); err != nil {
			t.Fatal(err)
		}
	}
	recs := records(t, f.ok(as(ctx, "cao-bang", auth.Viewer), "/reports/dossiers.csv"), ';')
	if len(recs) != 1+10000 {
		t.Errorf("%d rows exported, want 10,000", len(recs)-1)
	}
	if recs[1][9] != "Hoàng Văn Nam" { // the 2025 dossier comes first
		t.Errorf("first row %q", recs[1])
	}
}

// Every value of the dossier enums the list shows has its Vietnamese label.
func TestDossierLabels(t *testing.T) {
	want := map[string]map[string]string{
		"DossierStatus": {"DRAFT": "Dự thảo", "SUBMITTED": "Đã trình", "RETURNED": "Trả lại", "VETTED": "Đã thẩm định",
			"FORWARDED": "Đã trình cấp trên", "DECIDED": "Đã quyết định", "REJECTED": "Không khen thưởng"},
		"DossierKind": {"REGULAR": "Thường xuyên", "THEMATIC": "Theo đợt, chuyên đề", "UNSCHEDULED": "Đột xuất",
			"DEDICATION": "Quá trình cống hiến", "YEARS_OF_SERVICE": "Theo niên hạn", "FOREIGN": "Đối ngoại"},
	}
	fh, err := os.Open("../graph/dossier.graphqls")
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	start := regexp.MustCompile(`^enum (\w+) \{`)
	value := regexp.MustCompile(`^\s+([A-Z][A-Z0-9_]*)\s*$`)
	seen := map[string]int{}
	enum := ""
	sc := bufio.NewScanner(fh)
	for sc.Scan() {
		line := sc.Text()
		switch m := start.FindStringSubmatch(line); {
		case m != nil:
			enum = m[1]
		case strings.HasPrefix(line, "}"):
			enum = ""
		case want[enum] != nil && value.MatchString(line):
			v := value.FindStringSubmatch(line)[1]
			seen[enum]++
			if l, ok := export.Label(enum, v); !ok || l != want[enum][v] {
				t.Errorf("%s.%s = %q, want %q", enum, v, l, want[enum][v])
			}
		}
	}
	for e, values := range want {
		if seen[e] != len(values) {
			t.Errorf("%s: %d values in the schema, %d labels expected", e, seen[e], len(values))
		}
	}
}
