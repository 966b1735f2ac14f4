package domain_test

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"errors"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"strings"
	"testing"

	"github.com/thidua/thidua/domain"
)

// Small files of each kind, made here.

func pdfFile(body string) []byte {
	return []byte("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n" + body + "trailer << /Root 1 0 R >>\n%%EOF\n")
}

func pngFile(t *testing.T) []byte {
	var b bytes.Buffer
	img := image.NewRGBA(image.Rect(0, 0, 3, 2))
	img.Set(1, 1, color.RGBA{200, 10, 10, 255})
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func jpegFile(t *testing.T) []byte {
	var b bytes.Buffer
	if err := jpeg.Encode(&b, image.NewGray(image.Rect(0, 0, 4, 4)), nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// zipFile is a ZIP archive of the entries name, content, name, content…
func zipFile(t *testing.T, entries ...string) []byte {
	var b bytes.Buffer
	z := zip.NewWriter(&b)
	for i := 0; i < len(entries); i += 2 {
		w, err := z.Create(entries[i])
		if err != nil {
			t.Fatal(err)
		}
		_, _ = w.Write([]byte(entries[i+1]))
	}
	if err := z.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

const contentTypes = `<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>`

// cfbFile is an OLE compound file (version 3: 512-byte sectors) whose
// directory, in sector 0, has the root entry and one stream per name.
func cfbFile(streams ...string) []byte {
	data := make([]byte, 512+512)
	copy(data, []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1})
	binary.LittleEndian.PutUint16(data[0x1A:], 3)      // major version
	binary.LittleEndian.PutUint16(data[0x1C:], 0xFFFE) // byte order
	binary.LittleEndian.PutUint16(data[0x1E:], 9)      // sector shift: 512
	binary.LittleEndian.PutUint32(data[0x30:], 0)      // first directory sector
	entry := func(i int, name string, kind byte) {
		e := data[512+128*i : 512+128*(i+1)]
		n := 0
		for _, r := range name {
			binary.LittleEndian.PutUint16(e[2*n:], uint16(r))
			n++
		}
		binary.LittleEndian.PutUint16(e[0x40:], uint16(2*n+2))
		e[0x42] = kind
	}
	entry(0, "Root Entry", 5)
	for i, s := range streams {
		entry(i+1, s, 2)
	}
	return data
}

func TestCheckAttachmentFile(t *testing.T) {
	limits := domain.DefaultFileLimits()
	pdf, pngData, jpg := pdfFile(""), pngFile(t), jpegFile(t)
	docx := zipFile(t, "[Content_Types].xml", contentTypes, "word/document.xml", "<w:document/>")
	xlsx := zipFile(t, "[Content_Types].xml", contentTypes, "xl/workbook.xml", "<workbook/>")
	odt := zipFile(t, "mimetype", domain.TypeODT, "content.xml", "<office:document-content/>")
	ods := zipFile(t, "mimetype", domain.TypeODS, "content.xml", "<office:document-content/>")
	doc, xls := cfbFile("WordDocument", "1Table"), cfbFile("Workbook")

	ok := []struct {
		name string
		data []byte
		want string
	}{
		{"Quyết định khen thưởng.pdf", pdf, domain.TypePDF},
		{"SCAN.PDF", pdf, domain.TypePDF},
		{"ảnh.png", pngData, domain.TypePNG},
		{"ảnh.jpg", jpg, domain.TypeJPEG},
		{"ảnh.JPEG", jpg, domain.TypeJPEG},
		{"tờ trình.docx", docx, domain.TypeDOCX},
		{"bảng.xlsx", xlsx, domain.TypeXLSX},
		{"văn bản.odt", odt, domain.TypeODT},
		{"bảng.ods", ods, domain.TypeODS},
		{"tờ trình.doc", doc, domain.TypeDOC},
		{"bảng.xls", xls, domain.TypeXLS},
		{"old excel 5.xls", cfbFile("Book"), domain.TypeXLS},
		{strings.Repeat("đ", 251) + ".pdf", pdf, domain.TypePDF}, // 255 characters
		{"padded.pdf", append(pdfFile(""), bytes.Repeat([]byte{'\n'}, 1000)...), domain.TypePDF},
	}
	for _, c := range ok {
		got, err := domain.CheckFile(limits, "file", c.name, c.data)
		if err != nil || got != c.want {
			t.Errorf("CheckFile(%q) = %q, %v; want %q", c.name, got, err, c.want)
		}
	}

	pdfOnly := domain.FileLimits{MaxBytes: 1 << 20, Types: []string{domain.TypePDF}}
	storage := cfbFile("WordDocument")
	storage[512+128+0x42] = 1 // a storage, not a stream
	tiny := domain.FileLimits{MaxBytes: 1 << 20, Types: limits.Types}
	bad := []struct {
		case_  string
		limits domain.FileLimits
		name   string
		data   []byte
		want   string // in the message
	}{
		{"empty", limits, "a.pdf", nil, "a.pdf is empty"},
		{"too large", tiny, "big.pdf", pdfFile(strings.Repeat("x", 3<<19)), "big.pdf is 1.5 MB, over the 1 MB limit"},
		{"no name", limits, "", pdf, "the file has no name"},
		{"blank name", limits, "  ", pdf, "the file has no name"},
		{"long name", limits, strings.Repeat("đ", 252) + ".pdf", pdf, "longer than 255 characters"},
		{"slash", limits, "../etc/a.pdf", pdf, `may not contain / or \`},
		{"backslash", limits, `C:\a.pdf`, pdf, `may not contain / or \`},
		{"control", limits, "a\x00.pdf", pdf, "control characters"},
		{"newline", limits, "a\r\nb.pdf", pdf, "control characters"},
		{"C1 control", limits, "a\u0085.pdf", pdf, "control characters"},
		{"not UTF-8", limits, "a\xff.pdf", pdf, "not valid UTF-8"},
		{"text", limits, "notes.txt", []byte("hello"), "notes.txt: this type of file is not accepted (accepted: PDF (.pdf); "},
		{"GIF", limits, "a.gif", []byte("GIF89a\x01\x00\x01\x00"), "a.gif is a GIF image, which is not accepted"},
		{"zip", limits, "a.zip", zipFile(t, "a.txt", "x"), "a.zip: this type of file is not accepted"},
		{"pptx", limits, "a.pptx", zipFile(t, "[Content_Types].xml", contentTypes, "ppt/presentation.xml", "x"),
			"a.pptx is a PowerPoint presentation, which is not accepted"},
		{"odp", limits, "a.odp", zipFile(t, "mimetype", "application/vnd.oasis.opendocument.presentation"),
			"a.odp is an OpenDocument presentation, which is not accepted"},
		{"other OLE file", limits, "a.ppt", cfbFile("PowerPoint Document"), "a.ppt: this type of file is not accepted"},
		{"type not in the limits", pdfOnly, "a.png", pngData, "a.png is a PNG image, which is not accepted (accepted: PDF (.pdf))"},
		{"PNG named .pdf", limits, "x.pdf", pngData, "x.pdf holds a PNG image: its name must end in .png"},
		{"JPEG named .png", limits, "x.png", jpg, "x.png holds a JPEG image: its name must end in .jpg or .jpeg"},
		{"no extension", limits, "scan", pdf, "scan holds a PDF: its name must end in .pdf"},
		{"DOCX named .doc", limits, "x.doc", docx, "x.doc holds a Word document: its name must end in .docx"},
		{"XLS named .doc", limits, "x.doc", xls, "x.doc holds an Excel workbook: its name must end in .xls"},
		{"ODS named .odt", limits, "x.odt", ods, "x.odt holds an OpenDocument spreadsheet: its name must end in .ods"},
		{"PDF without %%EOF", limits, "report.pdf", []byte("%PDF-1.4\n1 0 obj\n"), "report.pdf is not a valid PDF: no %%EOF marker"},
		{"PDF cut after %%EOF's kilobyte", limits, "report.pdf", append(pdfFile(""), bytes.Repeat([]byte{' '}, 1024)...),
			"report.pdf is not a valid PDF: no %%EOF marker"},
		{"not a PDF", limits, "report.pdf", []byte("<html>%%EOF"), "report.pdf is not a valid PDF: it does not start with %PDF-"},
		{"truncated PNG", limits, "a.png", pngData[:20], "a.png is not a valid PNG image: "},
		{"PNG header only", limits, "a.png", pngData[:8], "a.png is not a valid PNG image: "},
		{"JPEG header only", limits, "a.jpg", []byte{0xFF, 0xD8, 0xFF, 0xE0}, "a.jpg is not a valid JPEG image: "},
		{"DOCX not a ZIP", limits, "a.docx", []byte("PK\x03\x04 cut short"), "a.docx is not a valid Word document: it is not a ZIP archive"},
		{"DOCX of random bytes", limits, "a.docx", []byte("hello"), "a.docx is not a valid Word document: it is not a ZIP archive"},
		{"DOCX without content types", limits, "a.docx", zipFile(t, "word/document.xml", "x"),
			"a.docx is not a valid Word document: no [Content_Types].xml"},
		{"DOCX without word/", limits, "a.docx", zipFile(t, "[Content_Types].xml", contentTypes),
			"a.docx is not a valid Word document: no word/ part"},
		{"XLSX without xl/", limits, "a.xlsx", zipFile(t, "[Content_Types].xml", contentTypes, "docProps/app.xml", "x"),
			"a.xlsx is not a valid Excel workbook: no xl/ part"},
		{"ODT without mimetype", limits, "a.odt", zipFile(t, "content.xml", "x"),
			"a.odt is not a valid OpenDocument text document: no mimetype entry"},
		{"ODT with a foreign mimetype", limits, "a.odt", zipFile(t, "mimetype", "text/plain"),
			`a.odt is not a valid OpenDocument text document: its mimetype is "text/plain"`},
		{"DOC without the signature", limits, "a.doc", []byte("{\\rtf1 hello}"),
			"a.doc is not a valid Word document: it is not an OLE compound file"},
		{"DOC without its stream", limits, "a.doc", cfbFile("Workbook")[:512],
			"a.doc is not a valid Word document: no WordDocument stream"},
		{"DOC whose WordDocument is a storage", limits, "a.doc", storage,
			"a.doc is not a valid Word document: no WordDocument stream"},
		{"XLS without its stream", limits, "a.xls", cfbFile(),
			"a.xls is not a valid Excel workbook: no Workbook stream"},
	}
	for _, c := range bad {
		got, err := domain.CheckFile(c.limits, "file", c.name, c.data)
		var de *domain.Error
		switch {
		case !errors.As(err, &de):
			t.Errorf("%s: CheckFile(%q) = %q, %v; want BAD_USER_INPUT", c.case_, c.name, got, err)
		case de.Code != domain.CodeInvalid || de.Field != "file" || !strings.Contains(de.Message, c.want):
			t.Errorf("%s: CheckFile(%q) = %s %s %q; want BAD_USER_INPUT in file saying %q", c.case_, c.name, de.Code, de.Field, de.Message, c.want)
		case got != "":
			t.Errorf("%s: CheckFile(%q) returned type %q with its error", c.case_, c.name, got)
		}
	}
}

func TestDefaultAttachmentLimits(t *testing.T) {
	l := domain.DefaultFileLimits()
	if l.MaxBytes != 20<<20 || len(l.Types) != 9 {
		t.Errorf("DefaultFileLimits() = %d bytes, %d types", l.MaxBytes, len(l.Types))
	}
	// A file of exactly the limit passes, one byte more does not.
	at := pdfFile(strings.Repeat("x", int(l.MaxBytes)-len(pdfFile(""))))
	if _, err := domain.CheckFile(l, "file", "a.pdf", at); err != nil {
		t.Errorf("a file of %d bytes: %v", len(at), err)
	}
	if _, err := domain.CheckFile(l, "file", "a.pdf", append(at, '\n')); err == nil || !strings.Contains(err.Error(), "over the 20 MB limit") {
		t.Errorf("a file of %d bytes: %v, want over the 20 MB limit", len(at)+1, err)
	}
}
