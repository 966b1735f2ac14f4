package sheet

import (
	"bytes"
	"strings"
	"testing"
)

func TestDate(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"05/03/1985", "1985-03-05"}, {"5/3/1985", "1985-03-05"}, {"05-03-1985", "1985-03-05"}, {"05.03.1985", "1985-03-05"},
		{"31081", "1985-02-03"}, // an Excel serial date
		{"31/02/1980", ""}, {"1985-03-05", ""}, {"03/1985", ""}, {"abc", ""}, {"0", ""},
	} {
		got, err := Date(c.in)
		if got != c.want || (err != nil) != (c.want == "") {
			t.Errorf("Date(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}
}

// A header found under a letterhead whatever its case and diacritics; the
// row of column numbers skipped; a one-cell row a heading; a row with only
// a name a data row.
func TestReadCSV(t *testing.T) {
	csv := "UBND TỈNH;;;\n\n" +
		"stt;HO VA TEN;Chức vụ;ĐƠN VỊ;Danh hiệu (đề nghị);Ngày sinh\n" +
		"(1);(2);(3);(4);(5);(6)\n" +
		"I. DANH HIỆU LAO ĐỘNG TIÊN TIẾN;;;;;\n" +
		"1;Nguyễn Văn An;GV;Trường A;;01/01/1980\n" +
		";Trần Bình;;;;\n"
	rows, err := Read(strings.NewReader(csv), int64(len(csv)))
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 {
		t.Fatalf("rows: %+v", rows)
	}
	if rows[0].Heading != "I. DANH HIỆU LAO ĐỘNG TIÊN TIẾN" || rows[0].Line != 5 {
		t.Errorf("heading: %+v", rows[0])
	}
	if r := rows[1]; r.Cell(ColName) != "Nguyễn Văn An" || r.Cell(ColUnit) != "Trường A" || r.Cell(ColBirth) != "01/01/1980" || r.Heading != "" {
		t.Errorf("data row: %+v", r)
	}
	if r := rows[2]; r.Heading != "" || r.Cell(ColName) != "Trần Bình" {
		t.Errorf("a row with only a name: %+v", r)
	}
	if _, err := Read(strings.NewReader("a,b\n1,2\n"), 8); err == nil {
		t.Error("a file without the header reads")
	}
	if _, err := Read(strings.NewReader("\xff\xfe"), 2); err == nil {
		t.Error("a file that is not UTF-8 reads")
	}
}

func TestTemplateReads(t *testing.T) {
	var buf bytes.Buffer
	if err := Template(&buf); err != nil {
		t.Fatal(err)
	}
	rows, err := Read(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil || len(rows) != 1 || rows[0].Heading == "" {
		t.Errorf("the template reads as %+v, %v", rows, err)
	}
}
