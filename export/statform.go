package export

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strconv"

	"github.com/thidua/thidua/catalog"
	"github.com/thidua/thidua/domain"
)

//	GET /reports/statistics/{year}.csv | .xlsx ?provinceId=&sep=

// The annual statistics form of commendation: how many awards were
// conferred in a year, by form of award, by kind of recipient and by the
// authority that decided them.
//
// The layout is data (statForm below), because it is NOT confirmed against
// the circular's text. What was found (2026-11) is second-hand: the report
// templates of a public provincial emulation-and-commendation application
// (Laravel views "BaoCao/TT022023/Mau0602", "Mau0603"), which head their
// forms "Biểu số: 0602.N/BNV-TĐKT — SỐ LƯỢNG KHEN THƯỞNG CẤP NHÀ NƯỚC" and
// "Biểu số: 0603.N/BNV-TĐKT — SỐ LƯỢNG KHEN THƯỞNG CẤP BỘ, BAN, NGÀNH,
// ĐOÀN THỂ TRUNG ƯƠNG VÀ TỈNH, THÀNH PHỐ TRỰC THUỘC TRUNG ƯƠNG", "Ban hành
// theo Thông tư số 2/2023/TT-BNV ngày 23/3/2023" (under Thông tư số
// 03/2018/TT-BNV the same application numbers them 0702.N and 0703.N).
// There the award forms are the columns (huân chương, huy chương — each
// form its own column; Giải thưởng Hồ Chí Minh; Giải thưởng Nhà nước; danh
// hiệu vinh dự Nhà nước; Cờ thi đua của Chính phủ; Bằng khen của Thủ tướng
// Chính phủ; Chiến sĩ thi đua toàn quốc; other forms — and, for 0603.N,
// Bằng khen; Chiến sĩ thi đua cấp bộ, cấp tỉnh; Cờ thi đua; Huy hiệu (kỷ
// niệm chương)) and the rows break the total down by the unit that
// proposed, by recipient (tập thể — of which enterprises —, hộ gia đình,
// cá nhân by rank) and by kind of commendation (thường xuyên, chuyên đề,
// đột xuất, đối ngoại, cống hiến, niên hạn, kháng chiến), breakdowns this
// application does not record. A later circular, Thông tư số 18/2025/TT-BNV
// (8/10/2025), also sets the Home Affairs statistics reporting regime; its
// forms were not found.
//
// So the file here turns that around into what the records can answer:
// one row a group of award forms (taken, in that order, from the forms the
// templates name), in two parts — state-level awards (0602.N) and those of
// a minister or a provincial chair (0603.N) — and one column a kind of
// recipient or an authority, with the number of distinct decisions.
// Awards decided below the provincial level (giấy khen, grassroots
// emulation titles) are in neither form and are not counted. Correct the
// table, not the code, when the circular's text is at hand.

// statFormNote says that the layout is unconfirmed; the file says so too.
const statFormNote = "layout not confirmed against the circular's text"

// statLayout is a statistics form: its code, title and legal basis, its
// rows and its columns.
type statLayout struct {
	Code, Title, LegalBasis string
	Note                    string // shown in the file, in Vietnamese
	Rows                    []statRow
	Columns                 []statColumn
}

// statRow is a row of the form. An award is counted in the rows that
// take it: every All row; the part it belongs to (the first row naming
// its authority in Authorities); and, in that part, the first row whose
// Types hold its award type or whose Forms hold its type's form, or else
// the part's Other row. An award no part takes is not counted.
type statRow struct {
	Label       string
	All         bool     // the total of the form
	Authorities []string // a part: the awards these authorities decided
	Forms       []string // domain.AwardType.Form values
	Types       []string // award type ids
	Other       bool     // the part's awards no row above took
	// Each: under the row, one row an award type of the catalogue the row
	// takes that an authority of the part may decide.
	Each bool
	// Section starts the breakdown by kind of commendation (loại hình
	// khen thưởng): it counts every award the form counts, and the rows
	// after it count those whose kind is in Kinds, or (NoKind) that have
	// none — awards entered one by one, not through a dossier.
	Section bool
	Kinds   []string
	NoKind  bool
}

// statColumn is a column: all the awards a row counts (no field set), the
// awards to one kind of recipient, those one authority decided, or the
// number of distinct decisions (number and date) that conferred them.
type statColumn struct {
	Label         string // header; by default the label of the kind or authority
	RecipientKind string
	Authority     string
	Decisions     bool
}

var stateLevel = []string{"PRESIDENT", "GOVERNMENT", "PRIME_MINISTER"}

// statForm is the layout of GET /reports/statistics/{year}: NOT confirmed
// against the circular (statFormNote, and the comment above).
var statForm = statLayout{
	Code:  "0602.N/BNV-TĐKT; 0603.N/BNV-TĐKT",
	Title: "Số lượng khen thưởng cấp Nhà nước; cấp bộ, ban, ngành, đoàn thể Trung ương và tỉnh, thành phố trực thuộc Trung ương",
	LegalBasis: "Thông tư số 2/2023/TT-BNV ngày 23/3/2023 của Bộ trưởng Bộ Nội vụ quy định chế độ báo cáo thống kê " +
		"ngành Nội vụ (chưa đối chiếu văn bản; Thông tư số 18/2025/TT-BNV ngày 8/10/2025 cũng quy định chế độ này)",
	Note: "Bố cục biểu (mã biểu, dòng, cột) chưa được đối chiếu với văn bản Thông tư. Chỉ tính khen thưởng đã quyết định " +
		"(trạng thái Đã khen thưởng) có ngày quyết định trong năm; không tính khen thưởng do cấp huyện, cấp xã, " +
		"thủ trưởng cơ quan, đơn vị quyết định. Đơn vị tính: lượt khen thưởng; cột Số quyết định: số quyết định khác nhau.",
	Rows: []statRow{
		{Label: "Tổng số", All: true},
		{Label: "I. Khen thưởng cấp Nhà nước (biểu 0602.N)", Authorities: stateLevel},
		{Label: "1. Huân chương, huy chương", Forms: []string{"ORDER", "MEDAL"}, Each: true},
		{Label: "2. Giải thưởng Hồ Chí Minh", Types: []string{"giai-thuong-ho-chi-minh"}},
		{Label: "3. Giải thưởng Nhà nước", Types: []string{"giai-thuong-nha-nuoc"}},
		{Label: "4. Danh hiệu vinh dự Nhà nước", Forms: []string{"HONORARY_TITLE"}, Each: true},
		{Label: "5. Cờ thi đua của Chính phủ", Types: []string{"co-thi-dua-chinh-phu"}},
		{Label: "6. Bằng khen của Thủ tướng Chính phủ", Types: []string{"bang-khen-thu-tuong"}},
		{Label: "7. Chiến sĩ thi đua toàn quốc", Types: []string{"chien-si-thi-dua-toan-quoc"}},
		{Label: "8. Các hình thức khen thưởng khác", Other: true, Each: true},
		{Label: "II. Khen thưởng cấp bộ, cấp tỉnh (biểu 0603.N)", Authorities: []string{"MINISTER", "PROVINCE_CHAIR"}},
		{Label: "1. Bằng khen", Forms: []string{"CERTIFICATE_OF_MERIT"}},
		{Label: "2. Chiến sĩ thi đua cấp bộ, cấp tỉnh", Types: []string{"chien-si-thi-dua-tinh"}},
		{Label: "3. Cờ thi đua", Types: []string{"co-thi-dua-bo", "co-thi-dua-tinh"}},
		{Label: "4. Huy hiệu (kỷ niệm chương)", Types: []string{"ky-niem-chuong"}},
		{Label: "5. Các hình thức khen thưởng khác", Other: true, Each: true},
		{Label: "III. Chia theo loại hình khen thưởng (của hồ sơ đề nghị)", Section: true},
		{Label: "1. Thường xuyên", Kinds: []string{domain.KindRegular}},
		{Label: "2. Theo đợt, chuyên đề", Kinds: []string{domain.KindThematic}},
		{Label: "3. Đột xuất", Kinds: []string{domain.KindUnscheduled}},
		{Label: "4. Quá trình cống hiến", Kinds: []string{domain.KindDedication}},
		{Label: "5. Theo niên hạn", Kinds: []string{domain.KindYearsOfService}},
		{Label: "6. Đối ngoại", Kinds: []string{domain.KindForeign}},
		{Label: "7. Không qua hồ sơ (nhập từng khen thưởng)", NoKind: true},
	},
	Columns: []statColumn{
		{Label: "Tổng số"},
		{RecipientKind: "COLLECTIVE"},
		{RecipientKind: "HOUSEHOLD"},
		{RecipientKind: "INDIVIDUAL"},
		{Label: "Số quyết định", Decisions: true},
		{Authority: "PRESIDENT"},
		{Authority: "GOVERNMENT"},
		{Authority: "PRIME_MINISTER"},
		{Authority: "MINISTER"},
		{Authority: "PROVINCE_CHAIR"},
	},
}

func (c statColumn) header() string {
	switch {
	case c.Label != "":
		return c.Label
	case c.RecipientKind != "":
		return label("RecipientKind", c.RecipientKind)
	default:
		return label("Authority", c.Authority)
	}
}

func (c statColumn) counts(a *domain.Award) bool {
	return (c.RecipientKind == "" || a.Recipient.Kind == c.RecipientKind) && (c.Authority == "" || a.Authority == c.Authority)
}

// part is the index of the part row of the awards authority decided, or -1.
func (l *statLayout) part(authority string) int {
	for i, r := range l.Rows {
		if len(r.Authorities) > 0 && slices.Contains(r.Authorities, authority) {
			return i
		}
	}
	return -1
}

// item is the index of the row of part p that takes an award of type
// typeID, of the form form, or -1.
func (l *statLayout) item(p int, typeID, form string) int {
	for i := p + 1; i < len(l.Rows) && len(l.Rows[i].Authorities) == 0 && !l.Rows[i].Section; i++ {
		r := l.Rows[i]
		if !r.All && (slices.Contains(r.Types, typeID) || form != "" && slices.Contains(r.Forms, form) || r.Other) {
			return i
		}
	}
	return -1
}

// statLine is a line of the file: a row of the layout, or (typeID set) the
// line of one award type under an Each row.
type statLine struct {
	label  string
	row    int
	typeID string
}

// lines are the layout's rows with, under each Each row, the catalogue's
// award types it takes.
func (l *statLayout) lines(snap *catalog.Snapshot) []statLine {
	var out []statLine
	p := -1
	for i, r := range l.Rows {
		if len(r.Authorities) > 0 {
			p = i
		}
		out = append(out, statLine{label: r.Label, row: i})
		if !r.Each || p < 0 {
			continue
		}
		for _, t := range snap.AwardTypes {
			decidable := false
			for _, a := range t.Authorities {
				decidable = decidable || slices.Contains(l.Rows[p].Authorities, a)
			}
			if decidable && l.item(p, t.ID, t.Form) == i {
				out = append(out, statLine{label: "– " + t.Name, row: i, typeID: t.ID})
			}
		}
	}
	return out
}

// statBlock counts the awards of one province (or of all).
type statBlock struct {
	counts    [][]int           // [line][column]
	decisions []map[string]bool // [line] number and date
}

func newStatBlock(lines int, columns int) *statBlock {
	b := &statBlock{counts: make([][]int, lines), decisions: make([]map[string]bool, lines)}
	for i := range b.counts {
		b.counts[i] = make([]int, columns)
		b.decisions[i] = map[string]bool{}
	}
	return b
}

func (b *statBlock) add(l *statLayout, line int, a *domain.Award) {
	for j, c := range l.Columns {
		if !c.Decisions && c.counts(a) {
			b.counts[line][j]++
		}
	}
	b.decisions[line][a.Decision.Number+"\x00"+a.Decision.Date] = true
}

// statYear reads {year}: a number from 1945 to next year.
func statYear(s string, now int) (int, error) {
	y, err := strconv.Atoi(s)
	if err != nil {
		return 0, domain.Invalid("year", "%q is not a year", s)
	}
	if y < domain.MinYear || y > now+1 {
		return 0, domain.Invalid("year", "%d is not a year from %d to %d", y, domain.MinYear, now+1)
	}
	return y, nil
}

// statTable is the statistics form of year, of the province ?provinceId=
// names or, without it, of all the provinces and then of each one that
// existed in the year (or has awards counted), from the conferred awards
// the caller may see whose decision is dated in the year.
func (r *exporter) statTable(ctx context.Context, req *http.Request, yearText string) (name, title string, rows [][]cell, err error) {
	year, err := statYear(yearText, r.svc.Now().Year())
	if err != nil {
		return "", "", nil, err
	}
	snap := r.svc.Reference()
	provinceID := req.URL.Query().Get("provinceId")
	if provinceID != "" {
		if _, err := domain.KnownProvince(snap, "provinceId", provinceID); err != nil {
			return "", "", nil, err
		}
	}
	l := &statForm
	lines := l.lines(snap)
	linesOf := map[int][]int{} // layout row → its lines (without the per-type ones)
	type typeKey struct {
		row    int
		typeID string
	}
	typeLine := map[typeKey]int{}
	for i, ln := range lines {
		if ln.typeID == "" {
			linesOf[ln.row] = append(linesOf[ln.row], i)
		} else {
			typeLine[typeKey{ln.row, ln.typeID}] = i
		}
	}
	var all []int
	for i, row := range l.Rows {
		if row.All || row.Section {
			all = append(all, linesOf[i]...)
		}
	}
	// kindLines: the lines of the rows by kind of commendation.
	kindLines := func(kind string) []int {
		var out []int
		for i, row := range l.Rows {
			if kind == "" && row.NoKind || kind != "" && slices.Contains(row.Kinds, kind) {
				out = append(out, linesOf[i]...)
			}
		}
		return out
	}

	total := newStatBlock(len(lines), len(l.Columns))
	byProvince := map[string]*statBlock{}
	prefix := fmt.Sprintf("%04d-", year)
	f := domain.AwardFilter{ProvinceID: provinceID, Status: domain.StatusConferred}
	list := func(p domain.PageArgs) (*domain.Page[domain.Award], error) { return r.svc.Awards(ctx, f, p) }
	err = domain.EachPage(list, func(items []domain.Award) (bool, error) {
		for i := range items {
			a := &items[i]
			if a.Decision == nil || len(a.Decision.Date) < len(prefix) || // the filter: conferred ones
				a.Decision.Date[:len(prefix)] != prefix {
				continue
			}
			p := l.part(a.Authority)
			if p < 0 {
				continue
			}
			form := ""
			if t := snap.AwardType(a.AwardTypeID); t != nil {
				form = t.Form
			}
			it := l.item(p, a.AwardTypeID, form)
			if it < 0 {
				continue
			}
			counted := append(append(append(append([]int{}, all...), linesOf[p]...), linesOf[it]...), kindLines(a.CommendationKind)...)
			if tl, ok := typeLine[typeKey{it, a.AwardTypeID}]; ok {
				counted = append(counted, tl)
			}
			b := byProvince[a.ProvinceID]
			if b == nil {
				b = newStatBlock(len(lines), len(l.Columns))
				byProvince[a.ProvinceID] = b
			}
			for _, line := range counted {
				total.add(l, line, a)
				b.add(l, line, a)
			}
		}
		return true, nil
	})
	if err != nil {
		return "", "", nil, err
	}

	type block struct {
		name string
		b    *statBlock
	}
	var blocks []block
	where := "các tỉnh"
	name = "statistics-" + strconv.Itoa(year)
	if provinceID != "" {
		where = snap.Province(provinceID).Name
		name += "-" + provinceID
		blocks = append(blocks, block{where, total})
	} else {
		blocks = append(blocks, block{"Tổng cộng", total})
		start, end := strconv.Itoa(year)+"-01-01", strconv.Itoa(year)+"-12-31"
		for _, p := range snap.Provinces {
			b := byProvince[p.ID]
			existed := (p.ValidFrom == "" || p.ValidFrom <= end) && (p.ValidTo == "" || p.ValidTo >= start)
			if b == nil && !existed {
				continue
			}
			if b == nil {
				b = newStatBlock(len(lines), len(l.Columns))
			}
			blocks = append(blocks, block{p.Name, b})
		}
	}

	header := []cell{text("Tỉnh"), text("Chỉ tiêu")}
	for _, c := range l.Columns {
		header = append(header, text(c.header()))
	}
	line := func(s string) []cell {
		row := make([]cell, len(header))
		row[0] = text(s)
		return row
	}
	rows = [][]cell{
		line(fmt.Sprintf("Biểu số %s: %s — năm %d — %s", l.Code, l.Title, year, where)),
		line("Ban hành theo " + l.LegalBasis),
		line("Ghi chú: " + l.Note),
		line(""),
		header,
	}
	for _, bl := range blocks {
		for i, ln := range lines {
			row := []cell{text(bl.name), text(ln.label)}
			for j, c := range l.Columns {
				n := bl.b.counts[i][j]
				if c.Decisions {
					n = len(bl.b.decisions[i])
				}
				row = append(row, number(float64(n)))
			}
			rows = append(rows, row)
		}
	}
	return name, "Thống kê khen thưởng " + strconv.Itoa(year), rows, nil
}
