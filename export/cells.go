package export

import (
	"github.com/thidua/thidua/domain"

	"bytes"
	"encoding/csv"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"
)

// A cell of a report: text, a number, a year or a date. Each format writes
// it its own way: CSV with Vietnamese numbers and dd/mm/yyyy dates, Excel
// with numeric cells and number formats, so sums and sorting work.
type cell struct {
	kind   cellKind
	text   string  // text; for a date, the ISO date
	num    float64 // number, year
	prefix string  // the words a number is reported with ("hơn")
}

type cellKind int

const (
	kindText   cellKind = iota
	kindNumber          // thousands separators, the decimals it has
	kindYear            // an integer without separators
	kindDate            // an ISO date, shown dd/mm/yyyy
)

func text(s string) cell    { return cell{kind: kindText, text: s} }
func number(v float64) cell { return cell{kind: kindNumber, num: v} }
func year(y int) cell       { return cell{kind: kindYear, num: float64(y)} }
func qualified(v float64, q string) cell {
	return cell{kind: kindNumber, num: v, prefix: label("FigureQualifier", q)}
}

// date is a cell of an ISO date (YYYY-MM-DD); anything else stays text.
func date(iso string) cell {
	if _, err := time.Parse(time.DateOnly, iso); err != nil {
		return text(iso)
	}
	return cell{kind: kindDate, text: iso}
}

func (c cell) empty() bool { return c.kind == kindText && c.text == "" }

// withPrefix puts the qualifier's words before a cell: numbers keep their
// type (the words go in the number format), text gets them in front.
func (c cell) withPrefix(q string) cell {
	words := label("FigureQualifier", q)
	if words == "" || c.empty() {
		return c
	}
	if c.kind == kindText {
		c.text = words + " " + c.text
		return c
	}
	c.prefix = words
	return c
}

// rounded is v to 1e-6, without a negative zero.
func rounded(v float64) float64 {
	r := math.Round(v*1e6) / 1e6
	if r == 0 {
		return 0
	}
	return r
}

// decimals is how many decimals v has (to 1e-6).
func decimals(v float64) int {
	s := strconv.FormatFloat(rounded(v), 'f', -1, 64)
	if _, frac, ok := strings.Cut(s, "."); ok {
		return len(frac)
	}
	return 0
}

// viNumber writes v the Vietnamese way: "." between thousands, "," before
// the decimals it has: 24900 → "24.900", 5.46 → "5,46", -1234.5 → "-1.234,5".
func viNumber(v float64) string { return domain.GroupNumber(rounded(v), '.', ',') }

// viDate writes an ISO date as dd/mm/yyyy.
func viDate(iso string) string {
	t, err := time.Parse(time.DateOnly, iso)
	if err != nil {
		return iso
	}
	return t.Format("02/01/2006")
}

// csvText is the CSV text of a cell.
func (c cell) csvText() string {
	switch c.kind {
	case kindNumber:
		s := viNumber(c.num)
		if c.prefix != "" {
			s = c.prefix + " " + s
		}
		return s
	case kindYear:
		return strconv.FormatInt(int64(c.num), 10)
	case kindDate:
		return viDate(c.text)
	}
	return neutralize(c.text)
}

// neutralize keeps a spreadsheet from reading text as a formula (OWASP, CSV
// injection): text beginning with =, +, -, @, a tab or a carriage return is
// prefixed with a single quote. Numbers written as numbers are not text and
// never pass here.
func neutralize(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// writeCSV writes rows as UTF-8 CSV with a byte-order mark, fields
// separated by sep (';' by default, ',' for ?sep=comma), lines ended by
// CRLF (RFC 4180); fields holding sep, a quote or a line break are quoted.
func writeCSV(buf *bytes.Buffer, rows [][]cell, sep rune) error {
	buf.WriteString("\ufeff")
	w := csv.NewWriter(buf)
	w.Comma = sep
	w.UseCRLF = true
	record := []string{}
	for _, row := range rows {
		record = record[:0]
		for _, c := range row {
			record = append(record, c.csvText())
		}
		if err := w.Write(record); err != nil {
			return err
		}
	}
	w.Flush()
	return w.Error()
}

// excelEpoch is day 0 of Excel's 1900 date system (as Excel counts, with
// its 1900 leap-year bug, for dates after February 1900).
var excelEpoch = time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)

// writeXLSX writes rows as a one-sheet workbook: text as strings (never
// formulas), numbers as numbers with a number format (thousands separators
// and the decimals the value has; a qualifier in quotes: "hơn "#,##0),
// years as integers, dates as dates formatted dd/mm/yyyy. The first row is
// the header, bold and frozen.
func writeXLSX(buf *bytes.Buffer, sheet string, rows [][]cell) error {
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return err
	}
	styles := map[string]int{}
	style := func(numFmt string, bold bool) (int, error) {
		key := numFmt + "|" + strconv.FormatBool(bold)
		if id, ok := styles[key]; ok {
			return id, nil
		}
		s := &excelize.Style{}
		if numFmt != "" {
			s.CustomNumFmt = &numFmt
		}
		if bold {
			s.Font = &excelize.Font{Bold: true}
		}
		id, err := f.NewStyle(s)
		styles[key] = id
		return id, err
	}
	widths := map[int]int{}
	for i, row := range rows {
		for j, c := range row {
			if c.empty() {
				continue
			}
			name, err := excelize.CoordinatesToCellName(j+1, i+1)
			if err != nil {
				return err
			}
			numFmt := ""
			switch c.kind {
			case kindNumber:
				err = f.SetCellFloat(sheet, name, rounded(c.num), -1, 64)
				numFmt = numberFormat(c.num, c.prefix)
			case kindYear:
				err = f.SetCellInt(sheet, name, int64(c.num))
				numFmt = "0"
			case kindDate:
				t, _ := time.Parse(time.DateOnly, c.text)
				err = f.SetCellFloat(sheet, name, t.Sub(excelEpoch).Hours()/24, -1, 64)
				numFmt = "dd/mm/yyyy"
			default:
				err = f.SetCellStr(sheet, name, c.text)
			}
			if err != nil {
				return err
			}
			if numFmt != "" || i == 0 {
				id, err := style(numFmt, i == 0)
				if err != nil {
					return err
				}
				if err := f.SetCellStyle(sheet, name, name, id); err != nil {
					return err
				}
			}
			if n := len([]rune(c.csvText())); n > widths[j] {
				widths[j] = n
			}
		}
	}
	for j, n := range widths {
		col, _ := excelize.ColumnNumberToName(j + 1)
		if err := f.SetColWidth(sheet, col, col, float64(min(max(n, 8), 60))+2); err != nil {
			return err
		}
	}
	if len(rows) > 1 {
		if err := f.SetPanes(sheet, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
			return err
		}
	}
	return f.Write(buf)
}

// numberFormat is the Excel number format of v: thousands separators, the
// decimals v has, and the qualifier's words in quotes before it. Excel shows
// the separators of the reader's locale (in Vietnamese: 24.900; 5,46).
func numberFormat(v float64, prefix string) string {
	s := "#,##0"
	if d := decimals(v); d > 0 {
		s += "." + strings.Repeat("0", d)
	}
	if prefix != "" {
		s = `"` + strings.ReplaceAll(prefix, `"`, "") + ` "` + s
	}
	return s
}

// sheetName makes title a valid sheet name: no : \ / ? * [ ], at most 31
// characters.
func sheetName(title string) string {
	title = strings.Map(func(r rune) rune {
		if strings.ContainsRune(`:\/?*[]`, r) {
			return '-'
		}
		return r
	}, title)
	if r := []rune(title); len(r) > 31 {
		title = string(r[:31])
	}
	if title == "" {
		title = "Sheet1"
	}
	return title
}
