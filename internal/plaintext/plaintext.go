// Package plaintext is the one rule of what text a person could have typed into a field:
// every front door and domain refuses the rest with the code bad_text. PostgreSQL refuses NUL
// in text, and the other controls are invisible on every screen that shows the text later.
package plaintext

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Control reports a character no field may hold: C0 controls but tab, line feed and carriage
// return; DEL; C1 controls; the line and paragraph separators; and the Unicode noncharacters
// (U+FFFE, U+FFFF and the other code points Unicode reserves never to be text), which no
// keyboard types and some systems take for the end of the text.
func Control(r rune) bool {
	switch {
	case r == '\t' || r == '\n' || r == '\r':
		return false
	case r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0):
		return true
	}
	return r == 0x2028 || r == 0x2029 || Noncharacter(r)
}

// Noncharacter reports one of Unicode's 66 noncharacters: U+FDD0..U+FDEF and the last two
// code points of every plane (U+FFFE, U+FFFF, U+1FFFE, …).
func Noncharacter(r rune) bool {
	return (r >= 0xfdd0 && r <= 0xfdef) || (r >= 0 && r <= unicode.MaxRune && r&0xfffe == 0xfffe)
}

// Format reports a format character (Unicode category Cf): zero-width spaces and joiners,
// bidirectional overrides and isolates, the byte order mark, the soft hyphen. They show as
// nothing, or reorder what is around them, so they never count as text a person wrote.
func Format(r rune) bool { return unicode.Is(unicode.Cf, r) }

// Visible reports a character that shows as itself: a letter, a digit, punctuation or a
// symbol (emoji included). Spaces, controls, format characters, combining marks on their own,
// private-use and unassigned code points are not.
func Visible(r rune) bool {
	return unicode.In(r, unicode.L, unicode.N, unicode.P, unicode.S)
}

// VisibleCount is how many Visible characters s holds: what a minimum length counts, so that
// a text of zero-width spaces is as empty as a blank one.
func VisibleCount(s string) int {
	n := 0
	for _, r := range s {
		if Visible(r) {
			n++
		}
	}
	return n
}

// Blank reports text without one Visible character: nothing a required field can accept.
func Blank(s string) bool {
	for _, r := range s {
		if Visible(r) {
			return false
		}
	}
	return true
}

// Unreadable reports text that is not valid UTF-8 or holds a Control character.
func Unreadable(s string) bool {
	if !utf8.ValidString(s) {
		return true
	}
	for _, r := range s {
		if Control(r) {
			return true
		}
	}
	return false
}

// UnreadableLine is Unreadable for a one-line field: tab and line breaks are refused too.
func UnreadableLine(s string) bool {
	for _, r := range s {
		if r == '\t' || r == '\n' || r == '\r' {
			return true
		}
	}
	return Unreadable(s)
}

// UnreadableTitle is UnreadableLine for a title, which is shown alone on a line in lists,
// notices and exports: format characters are refused too (a zero-width space makes two equal
// looking titles differ, a bidirectional override shows the text in another order than it was
// stored). Spaces, ordinary and ideographic, are allowed.
func UnreadableTitle(s string) bool {
	if UnreadableLine(s) {
		return true
	}
	for _, r := range s {
		if Format(r) {
			return true
		}
	}
	return false
}

// bom is the byte order mark (ZERO WIDTH NO-BREAK SPACE), which editors on Windows put at the
// start of a text and which comes along when the text is pasted.
const bom = "\ufeff"

// StripBOM removes every byte order mark from s: it carries nothing a person wrote, so a
// pasted body keeps its text without it.
func StripBOM(s string) string {
	if !strings.Contains(s, bom) {
		return s
	}
	return strings.ReplaceAll(s, bom, "")
}

// Refusal says why a field cannot store s, "" when it can, in words that follow the field's
// name ("名称含有…"): a one-line field refuses what UnreadableTitle does (line breaks and
// characters that cannot be seen too), a text what Unreadable does.
func Refusal(s string, oneLine bool) string {
	switch {
	case oneLine && UnreadableTitle(s):
		return "含有无法识别或看不见的字符（如换行、零宽字符、控制字符或乱码），请删除后重新填写"
	case !oneLine && Unreadable(s):
		return "含有无法识别的字符（如控制字符或乱码），请删除后重新填写"
	}
	return ""
}
