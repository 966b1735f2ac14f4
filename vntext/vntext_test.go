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
	}
	for _, tt := range tests {
		if got := Clean(tt.in); got != tt.want {
			t.Errorf("Clean(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// FuzzClean: cleaned text is valid NFC UTF-8 without invisible or control
// characters, trimmed, and cleaning it again changes nothing; its folded
// form has no combining marks.
func FuzzClean(f *testing.F) {
	for _, s := range []string{"Lạng Sơn", "Nguye\u0302\u0303n", "Hà\u200bGiang", " \t\n", "\xff\xfe", "Đ\u0301", strings.Repeat("ễ", 5000)} {
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
