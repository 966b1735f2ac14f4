package vntext

import "testing"

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
