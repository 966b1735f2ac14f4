package domain

import (
	"archive/zip"
	"bufio"
	"bytes"
	"encoding/binary"
	"fmt"
	"image"
	_ "image/jpeg" // image.DecodeConfig of JPEG files
	_ "image/png"  // image.DecodeConfig of PNG files
	"io"
	"path"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Attachment is a file attached to a dossier or a decision: its bytes are
// stored apart (repository/files.go), this is what is known about them.
type Attachment struct {
	ID string `json:"id"`
	// Owner is the scope of the parent record: a province id or "*".
	Owner string `json:"owner"`
	// ParentKind is "dossier" or "decision".
	ParentKind  string    `json:"parentKind"`
	ParentID    string    `json:"parentId"`
	Name        string    `json:"name"`
	ContentType string    `json:"contentType"` // the type found by sniffing the bytes
	Size        int64     `json:"size"`
	SHA256      string    `json:"sha256"` // hex
	UploadedAt  time.Time `json:"uploadedAt"`
	UploadedBy  string    `json:"uploadedBy"`
}

// The parents an attachment can have.
const (
	ParentDossier  = "dossier"
	ParentDecision = "decision"
)

// The content types of the files an attachment can be.
const (
	TypePDF  = "application/pdf"
	TypeJPEG = "image/jpeg"
	TypePNG  = "image/png"
	TypeDOC  = "application/msword"
	TypeDOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
	TypeXLS  = "application/vnd.ms-excel"
	TypeXLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	TypeODT  = "application/vnd.oasis.opendocument.text"
	TypeODS  = "application/vnd.oasis.opendocument.spreadsheet"
)

// MaxFileName is the longest file name accepted, in characters.
const MaxFileName = 255

// FileLimits are what an uploaded file may be.
type FileLimits struct {
	MaxBytes int64
	Types    []string // the content types accepted
}

// DefaultFileLimits accepts files up to 20 MiB: PDF, JPEG, PNG, Word and
// Excel (legacy and OOXML), OpenDocument text and spreadsheets.
func DefaultFileLimits() FileLimits {
	return FileLimits{
		MaxBytes: 20 << 20,
		Types:    []string{TypePDF, TypeJPEG, TypePNG, TypeDOC, TypeDOCX, TypeXLS, TypeXLSX, TypeODT, TypeODS},
	}
}

// fileType is a kind of file CheckFile knows: its name for people, the
// extensions its files' names end in, and the check that its bytes are
// whole (the problem, or "").
type fileType struct {
	label string
	exts  []string
	check func(f file) string
}

// file is an uploaded file's bytes, read where needed (a temporary file,
// not memory).
type file struct {
	r    io.ReaderAt
	size int64
}

// head is the first n bytes of f (fewer if it is shorter).
func (f file) head(n int64) []byte {
	b := make([]byte, min(n, f.size))
	k, _ := f.r.ReadAt(b, 0)
	return b[:k]
}

// tail is the last n bytes of f (fewer if it is shorter).
func (f file) tail(n int64) []byte {
	n = min(n, f.size)
	b := make([]byte, n)
	k, _ := f.r.ReadAt(b, f.size-n)
	return b[:k]
}

func (f file) reader() io.Reader { return io.NewSectionReader(f.r, 0, f.size) }

var fileTypes = map[string]fileType{
	TypePDF:  {"PDF", []string{".pdf"}, checkPDF},
	TypeJPEG: {"JPEG image", []string{".jpg", ".jpeg"}, checkImage("jpeg")},
	TypePNG:  {"PNG image", []string{".png"}, checkImage("png")},
	TypeDOC:  {"Word document", []string{".doc"}, checkCFB("WordDocument")},
	TypeXLS:  {"Excel workbook", []string{".xls"}, checkCFB("Workbook", "Book")},
	TypeDOCX: {"Word document", []string{".docx"}, checkOOXML("word/")},
	TypeXLSX: {"Excel workbook", []string{".xlsx"}, checkOOXML("xl/")},
	TypeODT:  {"OpenDocument text document", []string{".odt"}, checkODF(TypeODT)},
	TypeODS:  {"OpenDocument spreadsheet", []string{".ods"}, checkODF(TypeODS)},
}

// CheckFile is CheckFileAt of a file whole in memory.
func CheckFile(l FileLimits, field, name string, data []byte) (contentType string, err error) {
	return CheckFileAt(l, field, name, bytes.NewReader(data), int64(len(data)))
}

// CheckFileAt checks an uploaded file of size bytes read from r, named
// name by the client, against l, and returns its content type, found from
// its bytes (never from the client's word or the name alone). The name's
// extension must agree with the bytes, and the bytes must be a whole file
// of their type. Problems are BAD_USER_INPUT in field. It reads the file
// where it needs (the head, a ZIP's directory, a PDF's tail), never whole
// into memory.
func CheckFileAt(l FileLimits, field, name string, r io.ReaderAt, size int64) (contentType string, err error) {
	if p := checkFileName(name); p != "" {
		return "", Invalid(field, "%s", p)
	}
	switch {
	case size == 0:
		return "", Invalid(field, "%s is empty", name)
	case size > l.MaxBytes:
		return "", Invalid(field, "%s is %s, over the %s limit", name, megabytes(size), megabytes(l.MaxBytes))
	}
	data := file{r, size}
	ext := strings.ToLower(path.Ext(name))
	named := typeOfExt(ext)
	sniffed := sniff(data)
	if sniffed == "" {
		// Not a file of any known type: if the name says it is one,
		// tell what is wrong with it as that type.
		if t, ok := fileTypes[named]; ok && slices.Contains(l.Types, named) {
			if p := t.check(data); p != "" {
				return "", Invalid(field, "%s is not a valid %s: %s", name, t.label, p)
			}
			return "", Invalid(field, "%s is not a valid %s", name, t.label)
		}
		return "", Invalid(field, "%s: this type of file is not accepted (accepted: %s)", name, accepted(l))
	}
	t, known := fileTypes[sniffed]
	if !known || !slices.Contains(l.Types, sniffed) {
		return "", Invalid(field, "%s is %s, which is not accepted (accepted: %s)", name, describe(sniffed), accepted(l))
	}
	if named != sniffed {
		return "", Invalid(field, "%s holds %s: its name must end in %s", name, withArticle(t.label), strings.Join(t.exts, " or "))
	}
	if p := t.check(data); p != "" {
		return "", Invalid(field, "%s is not a valid %s: %s", name, t.label, p)
	}
	return sniffed, nil
}

// CleanFileName is the name a file is stored under: name in NFC (a
// Vietnamese letter and its marks as one character each), without the
// invisible formatting characters (Unicode category Cf: zero-width
// spaces and joiners, bidirectional overrides and isolates, the byte
// order mark, soft hyphens) that make a name read other than it is
// ("hoso\u202Efdp.exe" shows as "hosoexe.pdf"). A name that is not UTF-8
// is left for CheckFile to refuse.
func CleanFileName(name string) string {
	if !utf8.ValidString(name) {
		return name
	}
	return norm.NFC.String(strings.Map(func(r rune) rune {
		if unicode.Is(unicode.Cf, r) {
			return -1
		}
		return r
	}, name))
}

// checkFileName returns what is wrong with a file's name, or "".
func checkFileName(name string) string {
	switch {
	case strings.TrimSpace(name) == "":
		return "the file has no name"
	case !utf8.ValidString(name):
		return "the file name is not valid UTF-8"
	case utf8.RuneCountInString(name) > MaxFileName:
		return fmt.Sprintf("the file name is longer than %d characters", MaxFileName)
	case strings.ContainsAny(name, `/\`):
		return `the file name may not contain / or \`
	case strings.ContainsFunc(name, unicode.IsControl):
		return "the file name may not contain control characters"
	case name == "." || name == "..":
		return "the file name is not a name"
	}
	return ""
}

// typeOfExt is the content type files named with extension ext are, or "".
func typeOfExt(ext string) string {
	for mime, t := range fileTypes {
		if slices.Contains(t.exts, ext) {
			return mime
		}
	}
	return ""
}

// accepted lists the accepted types for a message.
func accepted(l FileLimits) string {
	var names []string
	for _, mime := range l.Types {
		t, ok := fileTypes[mime]
		if !ok {
			continue
		}
		if n := t.label + " (" + strings.Join(t.exts, ", ") + ")"; !slices.Contains(names, n) {
			names = append(names, n)
		}
	}
	return strings.Join(names, "; ")
}

// describe names a sniffed content type for a message.
func describe(mime string) string {
	if t, ok := fileTypes[mime]; ok {
		return withArticle(t.label)
	}
	if label, ok := otherTypes[mime]; ok {
		return withArticle(label)
	}
	return "a file of type " + mime
}

// otherTypes are types sniff recognises that are not attachments, named
// for the message that refuses them.
var otherTypes = map[string]string{
	"image/gif":  "GIF image",
	"image/webp": "WebP image",
	"application/vnd.openxmlformats-officedocument.presentationml.presentation": "PowerPoint presentation",
	"application/vnd.oasis.opendocument.presentation":                           "OpenDocument presentation",
	"application/vnd.oasis.opendocument.graphics":                               "OpenDocument drawing",
}

// withArticle is label after "a" or "an".
func withArticle(label string) string {
	if strings.ContainsRune("AEIOU", rune(label[0])) {
		return "an " + label
	}
	return "a " + label
}

// sniffLen is how much of a file's head sniff reads for its signature.
const sniffLen = 512

var (
	sigPDF  = []byte("%PDF-")
	sigPNG  = []byte("\x89PNG\r\n\x1a\n")
	sigJPEG = []byte{0xFF, 0xD8, 0xFF}
	sigCFB  = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}
	sigZIP  = []byte("PK\x03\x04")
)

// sniff returns the content type of data found from its bytes: by its
// signature, and for the container formats (ZIP, OLE compound files) by
// what they contain. It is "" when the bytes are no type it knows, or a
// container it cannot read.
func sniff(f file) string {
	data := f.head(sniffLen)
	switch {
	case bytes.HasPrefix(data, sigPDF):
		return TypePDF
	case bytes.HasPrefix(data, sigPNG):
		return TypePNG
	case bytes.HasPrefix(data, sigJPEG):
		return TypeJPEG
	case bytes.HasPrefix(data, []byte("GIF87a")), bytes.HasPrefix(data, []byte("GIF89a")):
		return "image/gif"
	case len(data) >= 12 && string(data[:4]) == "RIFF" && string(data[8:12]) == "WEBP":
		return "image/webp"
	case bytes.HasPrefix(data, sigCFB):
		switch {
		case cfbHasStream(f, "WordDocument"):
			return TypeDOC
		case cfbHasStream(f, "Workbook"), cfbHasStream(f, "Book"):
			return TypeXLS
		}
		return "" // another OLE file, or a broken one: the name decides
	case bytes.HasPrefix(data, sigZIP):
		z, err := zip.NewReader(f.r, f.size)
		if err != nil {
			return ""
		}
		if f := zipEntry(z, "mimetype"); f != nil {
			if mime, err := readSmall(f); err == nil && strings.HasPrefix(mime, "application/vnd.oasis.opendocument.") {
				return mime
			}
			return ""
		}
		if zipEntry(z, "[Content_Types].xml") == nil {
			return "" // a plain ZIP archive, or a broken document: the name decides
		}
		switch {
		case zipHasPrefix(z, "word/"):
			return TypeDOCX
		case zipHasPrefix(z, "xl/"):
			return TypeXLSX
		case zipHasPrefix(z, "ppt/"):
			return "application/vnd.openxmlformats-officedocument.presentationml.presentation"
		}
		return ""
	}
	return ""
}

func checkPDF(f file) string {
	if !bytes.HasPrefix(f.head(sniffLen), sigPDF) {
		return "it does not start with %PDF-"
	}
	if !bytes.Contains(f.tail(1024), []byte("%%EOF")) {
		return "no %%EOF marker"
	}
	return ""
}

func checkImage(format string) func(file) string {
	return func(f file) string {
		cfg, got, err := image.DecodeConfig(f.reader())
		switch {
		case err != nil:
			return strings.TrimPrefix(strings.TrimPrefix(err.Error(), "png: "), "jpeg: ") // "invalid format: …"
		case got != format:
			return "it is a " + got + " image"
		case cfg.Width <= 0 || cfg.Height <= 0:
			return "it has no pixels"
		}
		return ""
	}
}

func checkOOXML(part string) func(file) string {
	return func(f file) string {
		z, err := zip.NewReader(f.r, f.size)
		switch {
		case err != nil:
			return "it is not a ZIP archive"
		case zipEntry(z, "[Content_Types].xml") == nil:
			return "no [Content_Types].xml"
		case !zipHasPrefix(z, part):
			return "no " + part + " part"
		}
		return ""
	}
}

func checkODF(mime string) func(file) string {
	return func(f file) string {
		z, err := zip.NewReader(f.r, f.size)
		if err != nil {
			return "it is not a ZIP archive"
		}
		e := zipEntry(z, "mimetype")
		if e == nil {
			return "no mimetype entry"
		}
		got, err := readSmall(e)
		switch {
		case err != nil:
			return "its mimetype entry cannot be read"
		case got != mime:
			return fmt.Sprintf("its mimetype is %q", got)
		}
		return ""
	}
}

func checkCFB(streams ...string) func(file) string {
	return func(f file) string {
		if !bytes.HasPrefix(f.head(sniffLen), sigCFB) {
			return "it is not an OLE compound file"
		}
		for _, s := range streams {
			if cfbHasStream(f, s) {
				return ""
			}
		}
		return "no " + streams[0] + " stream"
	}
}

// cfbHasStream reports whether the OLE compound file data has a directory
// entry for a stream named name. Directory entries are 128 bytes, in
// sectors of 512 or 4096 bytes after a header of one sector, so each lies at
// a multiple of 128: each such place is read as an entry (UTF-16LE name
// with its terminator first, the type at 0x42, 2 for a stream) without
// following the allocation table.
func cfbHasStream(f file, name string) bool {
	want := make([]byte, 0, 2*len(name)+2)
	for _, r := range name {
		want = binary.LittleEndian.AppendUint16(want, uint16(r))
	}
	want = append(want, 0, 0)
	if f.size < 512 {
		return false
	}
	br := bufio.NewReaderSize(io.NewSectionReader(f.r, 512, f.size-512), 64<<10)
	e := make([]byte, 128)
	for {
		if _, err := io.ReadFull(br, e); err != nil {
			return false
		}
		if e[0x42] == 2 && bytes.Equal(e[:len(want)], want) {
			return true
		}
	}
}

func zipEntry(z *zip.Reader, name string) *zip.File {
	for _, f := range z.File {
		if f.Name == name {
			return f
		}
	}
	return nil
}

func zipHasPrefix(z *zip.Reader, prefix string) bool {
	for _, f := range z.File {
		if strings.HasPrefix(f.Name, prefix) {
			return true
		}
	}
	return false
}

// readSmall reads a short entry of a ZIP archive (at most 256 bytes).
func readSmall(f *zip.File) (string, error) {
	rc, err := f.Open()
	if err != nil {
		return "", err
	}
	defer rc.Close()
	b, err := io.ReadAll(io.LimitReader(rc, 256))
	return strings.TrimSpace(string(b)), err
}

// megabytes writes n bytes in MB (MiB), as a person reads a size.
func megabytes(n int64) string {
	mb := float64(n) / (1 << 20)
	if mb == float64(int64(mb)) {
		return fmt.Sprintf("%d MB", int64(mb))
	}
	return fmt.Sprintf("%.1f MB", mb)
}

// KnownFileType reports whether CheckFile can check files of a content type.
func KnownFileType(t string) bool {
	_, ok := fileTypes[t]
	return ok
}
