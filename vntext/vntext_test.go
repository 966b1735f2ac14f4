package vntext

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

func TestFold(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Lạng Sơn", "lang son"},
		{"Điện Biên", "dien bien"},
		{"NGUYỄN  Văn\tA", "nguyen van a"},
		{"Nguye\u0302\u0303n", "nguyen"}, // combining marks
		{"Hà\u200bGiang", "hagiang"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := Fold(tt.in); got != tt.want {
			t.Errorf("Fold(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestClean(t *testing.T) {
	tests := []struct{ in, want string }{
		{"  Lạng   Sơn ", "Lạng Sơn"},
		{"Nguye\u0302\u0303n", "Nguyễn"}, // decomposed becomes precomposed
		{"a\u200db\x00c", "abc"},
		// Bidirectional controls, which can make text show other than it is.
		{"Lạng\u202eSơn\u202c", "LạngSơn"},
		{"\u200eHà Giang\u200f", "Hà Giang"},
		{"a\u061cb\u202ac\u202bd\u202de", "abcde"},
		{"\u2066Điện\u2069 \u2067Biên\u2068", "Điện Biên"},
		{"Ca\u2068o B\u2069ằng", "Cao Bằng"},
		// Tag characters (U+E0000–U+E007F), including the ends of the block.
		{"Sơn\U000E0001\U000E0074\U000E0065\U000E007F La", "Sơn La"},
		{"\U000E0000x\U000E007F", "x"},
		// Private use: BMP area and both supplementary planes, ends included.
		{"\ue000Hà\uf8ff Nội\U000F0000\U000FFFFD\U00100000\U0010FFFD", "Hà Nội"},
		// A removed character between a letter and its mark: still NFC.
		{"Nguye\u202e\u0302\U000E0020\u0303n", "Nguyễn"},
		{"o\ue000\u031b\u0300", "ờ"},
		// Neighbours of the removed ranges stay.
		// (U+2029 and U+202F are spaces; U+FB00 is kept by NFC.)
		{"\u061b\u061d\u2029x\u202fy\u2065\u206a", "\u061b\u061d x y\u2065\u206a"},
		{"\ud7ff\ufb00\U000EFFFF\U000FFFFE\U000E0080", "\ud7ff\ufb00\U000EFFFF\U000FFFFE\U000E0080"},
		// Vietnamese as it is typed.
		{"Nguyễn Thị Ánh Tuyết, Đắk Lắk", "Nguyễn Thị Ánh Tuyết, Đắk Lắk"},
	}
	for _, tt := range tests {
		if got := Clean(tt.in); got != tt.want {
			t.Errorf("Clean(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// removed reports whether Clean must never keep r: bidirectional controls,
// tag characters and private-use characters (spelled out here on their own,
// not taken from the code under test).
func removed(r rune) bool {
	return r == 0x061C || r == 0x200E || r == 0x200F || 0x202A <= r && r <= 0x202E || 0x2066 <= r && r <= 0x2069 ||
		0xE0000 <= r && r <= 0xE007F ||
		0xE000 <= r && r <= 0xF8FF || 0xF0000 <= r && r <= 0xFFFFD || 0x100000 <= r && r <= 0x10FFFD ||
		unicode.Is(unicode.Co, r)
}

// FuzzClean: cleaned text is valid NFC UTF-8 without invisible or control
// characters, bidirectional controls, tag or private-use characters,
// trimmed, and cleaning it again changes nothing; its folded form has no
// combining marks.
func FuzzClean(f *testing.F) {
	for _, s := range []string{"Lạng Sơn", "Nguye\u0302\u0303n", "Hà\u200bGiang", " \t\n", "\xff\xfe", "Đ\u0301", strings.Repeat("ễ", 5000),
		"\u202eLạng Sơn\u202c", "a\u2066\u061c\u200e\u200fb", "\U000E0001\U000E0041x", "\ue000\U000F0000\U0010FFFD", "e\u202e\u0302\u0303"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c := Clean(s)
		if !utf8.ValidString(c) && utf8.ValidString(s) {
			t.Fatalf("Clean(%q) = %q is not valid UTF-8", s, c)
		}
		if utf8.ValidString(s) && !norm.NFC.IsNormalString(c) {
			t.Fatalf("Clean(%q) = %q is not NFC", s, c)
		}
		if strings.TrimSpace(c) != c || strings.ContainsAny(c, "\u200b\u200c\u200d\ufeff\x00\n\t") {
			t.Fatalf("Clean(%q) = %q keeps invisible characters", s, c)
		}
		for _, r := range c {
			if removed(r) {
				t.Fatalf("Clean(%q) = %q keeps %U", s, c, r)
			}
		}
		for _, r := range Fold(s) {
			if removed(r) {
				t.Fatalf("Fold(%q) keeps %U", s, r)
			}
		}
		if utf8.ValidString(s) && Clean(c) != c {
			t.Fatalf("Clean is not idempotent on %q", s)
		}
		for _, r := range Fold(s) {
			if unicode.Is(unicode.Mn, r) {
				t.Fatalf("Fold(%q) keeps a combining mark", s)
			}
		}
	})
}
