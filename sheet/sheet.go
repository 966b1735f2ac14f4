// Package sheet reads the year-end title lists offices keep in Excel or
// CSV: a header row with Vietnamese column names (matched ignoring case
// and diacritics), merged section rows that name the title of the rows
// below them ("I. DANH HIỆU LAO ĐỘNG TIÊN TIẾN"), dates as dd/mm/yyyy, and
// writes the template of such a list. It knows nothing of awards: the
// service turns its rows into them.
package sheet

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"github.com/thidua/thidua/vntext"
)

// Column is a column the import knows.
type Column int

// The columns of a title list.
const (
	ColNo Column = iota
	ColName
	ColPosition
	ColUnit
	ColTitle
	ColBirth
	ColDecisionNumber
	ColDecisionDate
	ColNote
	numColumns
)

// Headers are the template's header texts, by column.
var Headers = [numColumns]string{"STT", "Họ và tên", "Chức vụ", "Đơn vị", "Danh hiệu", "Ngày sinh",
	"Số quyết định", "Ngày quyết định", "Ghi chú"}

// aliases are the folded header texts each column is known by.
var aliases = map[string]Column{
	"stt": ColNo, "tt": ColNo, "so thu tu": ColNo,
	"ho va ten": ColName, "ho ten": ColName, "ten": ColName, "ten tap the": ColName, "ten ca nhan, tap the": ColName,
	"ho va ten / ten tap the": ColName, "ca nhan, tap the": ColName, "ten ca nhan/tap the": ColName,
	"chuc vu": ColPosition, "chuc danh": ColPosition, "chuc vu, chuc danh": ColPosition,
	"don vi": ColUnit, "don vi cong tac": ColUnit, "co quan, don vi": ColUnit, "noi cong tac": ColUnit,
	"danh hieu": ColTitle, "danh hieu de nghi": ColTitle, "danh hieu thi dua": ColTitle, "hinh thuc": ColTitle,
	"ngay sinh": ColBirth, "ngay thang nam sinh": ColBirth, "nam sinh": ColBirth, "ngay, thang, nam sinh": ColBirth,
	"so quyet dinh": ColDecisionNumber, "so qd": ColDecisionNumber,
	"ngay quyet dinh": ColDecisionDate, "ngay qd": ColDecisionDate, "ngay ky": ColDecisionDate,
	"ghi chu": ColNote, "thanh tich": ColNote,
}

// Row is a row of the list below its header: a data row (Cells by
// column) or a section heading (Heading, the merged row's text). Line is
// its line in the file (1-based).
type Row struct {
	Line    int
	Heading string
	Cells   [numColumns]string
}

// Cell returns a data row's cell.
func (r Row) Cell(c Column) string { return r.Cells[c] }

// ErrFormat is the error of a file that is not a title list.
var ErrFormat = errors.New("not a title list")

// headerScan is how many lines the header may be preceded by (the
// office's letterhead, the list's title).
const headerScan = 30

// MaxRows bounds the rows of one file.
const MaxRows = 20000

// Read reads a title list, XLSX (its first sheet) or CSV (UTF-8, comma or
// semicolon), telling the two apart by content.
func Read(r io.ReaderAt, size int64) ([]Row, error) {
	head := make([]byte, 4)
	n, _ := r.ReadAt(head, 0)
	var lines [][]string
	var err error
	if n == 4 && bytes.Equal(head, []byte("PK\x03\x04")) {
		lines, err = readXLSX(io.NewSectionReader(r, 0, size))
	} else {
		lines, err = readCSV(io.NewSectionReader(r, 0, size))
	}
	if err != nil {
		return nil, err
	}
	return parse(lines)
}

func readXLSX(r io.Reader) ([][]string, error) {
	f, err := excelize.OpenReader(r, excelize.Options{RawCellValue: true})
	if err != nil {
		return nil, fmt.Errorf("%w: the workbook cannot be read (%v)", ErrFormat, err)
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		return nil, fmt.Errorf("%w: the workbook has no sheet", ErrFormat)
	}
	rows, err := f.Rows(sheets[0])
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrFormat, err)
	}
	defer rows.Close()
	var out [][]string
	for rows.Next() {
		if len(out) > MaxRows+headerScan {
			return nil, fmt.Errorf("%w: more than %d rows", ErrFormat, MaxRows)
		}
		cols, err := rows.Columns(excelize.Options{RawCellValue: true})
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrFormat, err)
		}
		out = append(out, cols)
	}
	return out, rows.Error()
}

func readCSV(r io.Reader) ([][]string, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if !utf8.Valid(data) {
		return nil, fmt.Errorf("%w: a CSV file must be UTF-8 text (save it as \"CSV UTF-8\")", ErrFormat)
	}
	cr := csv.NewReader(bytes.NewReader(data))
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	first, _, _ := bytes.Cut(data, []byte("\n"))
	if bytes.Count(first, []byte(";")) > bytes.Count(first, []byte(",")) {
		cr.Comma = ';'
	}
	// The reader skips empty lines: a record goes at its own line, so that
	// the report's row numbers are the file's.
	var out [][]string
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrFormat, err)
		}
		line, _ := cr.FieldPos(0)
		if line > MaxRows+headerScan {
			return nil, fmt.Errorf("%w: more than %d rows", ErrFormat, MaxRows)
		}
		for len(out) < line-1 {
			out = append(out, nil)
		}
		out = append(out, rec)
	}
}

// parse finds the header and reads the rows below it.
func parse(lines [][]string) ([]Row, error) {
	hdr, cols := -1, map[int]Column{}
	for i := 0; i < len(lines) && i < headerScan && hdr < 0; i++ {
		found := map[int]Column{}
		for j, cell := range lines[i] {
			if c, ok := aliases[headerKey(cell)]; ok {
				found[j] = c
			}
		}
		if hasColumn(found, ColName) && hasColumn(found, ColTitle) || hasColumn(found, ColName) && len(found) >= 3 {
			hdr, cols = i, found
		}
	}
	if hdr < 0 {
		return nil, fmt.Errorf("%w: no header row with %q and %q in the first %d lines", ErrFormat, Headers[ColName], Headers[ColTitle], headerScan)
	}
	var out []Row
	for i := hdr + 1; i < len(lines); i++ {
		row := Row{Line: i + 1}
		filled, text := 0, ""
		for j, cell := range lines[i] {
			v := vntext.Clean(cell)
			if v == "" {
				continue
			}
			filled++
			text = v
			if c, ok := cols[j]; ok {
				row.Cells[c] = v
			}
		}
		switch {
		case filled == 0 || columnNumbers(lines[i]):
			continue
		case filled == 1 && (row.Cells[ColName] == "" || headingLike(text)):
			row.Heading = text
		}
		out = append(out, row)
	}
	return out, nil
}

func hasColumn(found map[int]Column, c Column) bool {
	for _, f := range found {
		if f == c {
			return true
		}
	}
	return false
}

// headerKey folds a header cell, its line breaks and trailing notes ("Ngày
// sinh (dd/mm/yyyy)") left out.
func headerKey(s string) string {
	k := vntext.Fold(strings.ReplaceAll(s, "\n", " "))
	if i := strings.Index(k, "("); i > 0 {
		k = strings.TrimSpace(k[:i])
	}
	return k
}

var (
	headingRe = regexp.MustCompile(`^([IVXLC]+|[A-Z]|\d+)[.)]\s`)
	numberRe  = regexp.MustCompile(`^\(?\d+\)?$`)
)

func headingLike(s string) bool {
	return headingRe.MatchString(s) || strings.Contains(vntext.Fold(s), "danh hieu")
}

// columnNumbers reports a row of column numbers under the header ("(1)",
// "(2)", … as official forms have).
func columnNumbers(cells []string) bool {
	n := 0
	for _, c := range cells {
		c = strings.TrimSpace(c)
		if c == "" {
			continue
		}
		if !numberRe.MatchString(c) || !strings.HasPrefix(c, "(") {
			return false
		}
		n++
	}
	return n > 1
}

// excelEpoch is day 0 of Excel's serial dates (1900 system, past its
// leap-year bug).
var excelEpoch = time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)

// Date reads a date as offices write it: dd/mm/yyyy (also d/m/yyyy, with
// - or . between), or an Excel serial date; it returns it as YYYY-MM-DD.
func Date(s string) (string, error) {
	s = strings.TrimSpace(s)
	if serial, err := strconv.ParseFloat(s, 64); err == nil && !strings.ContainsAny(s, "/-") {
		if serial >= 1 && serial < 2958466 {
			return excelEpoch.AddDate(0, 0, int(serial)).Format("2006-01-02"), nil
		}
		return "", fmt.Errorf("%q is not a date (dd/mm/yyyy)", s)
	}
	for _, sep := range []string{"/", "-", "."} {
		parts := strings.Split(s, sep)
		if len(parts) != 3 || len(parts[2]) != 4 {
			continue
		}
		d, e1 := strconv.Atoi(parts[0])
		m, e2 := strconv.Atoi(parts[1])
		y, e3 := strconv.Atoi(parts[2])
		if e1 != nil || e2 != nil || e3 != nil {
			break
		}
		t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
		if t.Day() != d || int(t.Month()) != m || t.Year() != y {
			break
		}
		return t.Format("2006-01-02"), nil
	}
	return "", fmt.Errorf("%q is not a date (dd/mm/yyyy)", s)
}

// Template writes the XLSX template of a title list: the header row and
// one example section heading.
func Template(w io.Writer) error {
	f := excelize.NewFile()
	defer f.Close()
	const sh = "Sheet1"
	for i, h := range Headers {
		cell, _ := excelize.CoordinatesToCellName(i+1, 1)
		if err := f.SetCellStr(sh, cell, h); err != nil {
			return err
		}
	}
	last, _ := excelize.CoordinatesToCellName(len(Headers), 2)
	if err := f.SetCellStr(sh, "A2", "I. DANH HIỆU LAO ĐỘNG TIÊN TIẾN"); err != nil {
		return err
	}
	if err := f.MergeCell(sh, "A2", last); err != nil {
		return err
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return err
	}
	end, _ := excelize.CoordinatesToCellName(len(Headers), 2)
	if err := f.SetCellStyle(sh, "A1", end, bold); err != nil {
		return err
	}
	// Dates and numbers are text, so that Excel keeps dd/mm/yyyy as typed.
	text, err := f.NewStyle(&excelize.Style{NumFmt: 49})
	if err != nil {
		return err
	}
	if err := f.SetColWidth(sh, "B", "E", 28); err != nil {
		return err
	}
	if err := f.SetColStyle(sh, "F:H", text); err != nil {
		return err
	}
	return f.Write(w)
}
