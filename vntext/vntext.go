// Package vntext handles Vietnamese text as data: it cleans what is stored
// (Unicode NFC, no invisible characters, trimmed) and folds what is searched
// (no diacritics, đ as d, lower case), so "lang son" finds "Lạng Sơn".
package vntext

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Clean returns s with zero-width and control characters removed, runs of
// white space collapsed to one space, trimmed, and in NFC. Normalisation
// comes last, so that a removed character cannot leave a base letter and a
// combining mark side by side unnormalised.
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
		case unicode.IsControl(r):
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
