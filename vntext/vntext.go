// Package vntext handles Vietnamese text as data: it cleans what is stored
// (Unicode NFC, no invisible characters, trimmed) and folds what is searched
// (no diacritics, đ as d, lower case), so "lang son" finds "Lạng Sơn".
package vntext

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Clean returns s with zero-width, control, bidirectional-control, tag and
// private-use characters removed, runs of white space collapsed to one
// space, trimmed, and in NFC. Normalisation comes last, so that a removed
// character cannot leave a base letter and a combining mark side by side
// unnormalised.
func Clean(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s {
		switch {
		case r == '\u200b' || r == '\u200c' || r == '\u200d' || r == '\u2060' || r == '\ufeff':
			continue
		case unicode.IsSpace(r):
			space = true
			continue
		case unicode.IsControl(r), hidden(r):
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(r)
	}
	return norm.NFC.String(b.String())
}

// hidden reports whether r is a bidirectional control (which can reorder
// how the text around it is shown), a tag character (invisible) or a
// private-use character (no agreed meaning).
func hidden(r rune) bool {
	switch {
	case r == '\u061c', r == '\u200e', r == '\u200f': // ALM, LRM, RLM
		return true
	case r >= '\u202a' && r <= '\u202e': // LRE, RLE, PDF, LRO, RLO
		return true
	case r >= '\u2066' && r <= '\u2069': // LRI, RLI, FSI, PDI
		return true
	case r >= 0xE0000 && r <= 0xE007F: // tags
		return true
	case r >= 0xE000 && r <= 0xF8FF, r >= 0xF0000 && r <= 0xFFFFD, r >= 0x100000 && r <= 0x10FFFD: // private use
		return true
	}
	return false
}

// Fold returns the search key of s: diacritics removed, đ/Đ as d, lower
// case, white space collapsed.
func Fold(s string) string {
	s = norm.NFD.String(Clean(s))
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case unicode.Is(unicode.Mn, r):
			continue
		case r == 'đ' || r == 'Đ':
			b.WriteByte('d')
		default:
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}
